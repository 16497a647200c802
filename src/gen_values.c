/*
 * gen_values.c - the tables the generated values come from: the columns of
 * each file, US cities with their state, county, NCES state code,
 * coordinates and zip, the categories of the dumps (metro, prefixes,
 * focus areas and subjects, resource types, poverty and grade levels,
 * funding statuses, payment methods, giving page types), vendors and the
 * items they sell.  Picks are weighted towards the common values.
 */
#include "gen.h"

const char *const gen_table_names[GEN_NTABLES] = {
	"projects", "donations", "resources"
};

static const char *const project_columns[] = {
	"projectid", "teacher_acctid", "schoolid", "school_ncesid",
	"school_latitude", "school_longitude", "school_city", "school_state",
	"school_zip", "school_metro", "school_district", "school_county",
	"school_charter", "school_magnet", "school_year_round", "school_nlns",
	"school_kipp", "school_charter_ready_promise", "teacher_prefix",
	"teacher_teach_for_america", "teacher_ny_teaching_fellow",
	"primary_focus_subject", "primary_focus_area",
	"secondary_focus_subject", "secondary_focus_area", "resource_type",
	"poverty_level", "grade_level", "vendor_shipping_charges", "sales_tax",
	"payment_processing_charges", "fulfillment_labor_materials",
	"total_price_excluding_optional_support",
	"total_price_including_optional_support", "students_reached",
	"total_donations", "num_donors", "eligible_double_your_impact_match",
	"eligible_almost_home_match", "funding_status", "date_posted",
	"date_completed", "date_thank_you_packet_mailed", "date_expiration"
};

static const char *const donation_columns[] = {
	"donationid", "projectid", "donor_acctid", "cartid", "donor_city",
	"donor_state", "donor_zip", "is_teacher_acct", "donation_timestamp",
	"donation_to_project", "donation_optional_support", "donation_total",
	"donation_included_optional_support", "payment_method",
	"payment_included_acct_credit", "payment_included_campaign_gift_card",
	"payment_included_web_purchased_gift_card", "payment_was_promo_matched",
	"is_teacher_referred", "giving_page_id", "giving_page_type",
	"for_honoree", "thank_you_packet_mailed"
};

static const char *const resource_columns[] = {
	"resourceid", "projectid", "vendorid", "vendor_name", "item_name",
	"item_number", "item_unit_price", "item_quantity"
};

const int gen_ncols[GEN_NTABLES] = { 44, 23, 8 };
const char *const *const gen_columns[GEN_NTABLES] = {
	project_columns, donation_columns, resource_columns
};

/* ---- value tables ---- */

static const gen_city cities[] = {
	{ "Birmingham", "Jefferson", "AL", 1, 33.5186, -86.8104, 35203, 3 },
	{ "Montgomery", "Montgomery", "AL", 1, 32.3668, -86.3000, 36104, 2 },
	{ "Anchorage", "Anchorage", "AK", 2, 61.2181, -149.9003, 99501, 1 },
	{ "Phoenix", "Maricopa", "AZ", 4, 33.4484, -112.0740, 85003, 6 },
	{ "Tucson", "Pima", "AZ", 4, 32.2226, -110.9747, 85701, 3 },
	{ "Little Rock", "Pulaski", "AR", 5, 34.7465, -92.2896, 72201, 2 },
	{ "Los Angeles", "Los Angeles", "CA", 6, 34.0522, -118.2437, 90012, 20 },
	{ "San Francisco", "San Francisco", "CA", 6, 37.7749, -122.4194, 94102, 8 },
	{ "San Diego", "San Diego", "CA", 6, 32.7157, -117.1611, 92101, 7 },
	{ "Fresno", "Fresno", "CA", 6, 36.7378, -119.7871, 93721, 4 },
	{ "Oakland", "Alameda", "CA", 6, 37.8044, -122.2712, 94612, 5 },
	{ "Denver", "Denver", "CO", 8, 39.7392, -104.9903, 80202, 4 },
	{ "Colorado Springs", "El Paso", "CO", 8, 38.8339, -104.8214, 80903, 2 },
	{ "Hartford", "Hartford", "CT", 9, 41.7658, -72.6734, 6103, 2 },
	{ "New Haven", "New Haven", "CT", 9, 41.3083, -72.9279, 6510, 2 },
	{ "Bridgeport", "Fairfield", "CT", 9, 41.1865, -73.1952, 6604, 2 },
	{ "Washington", "District of Columbia", "DC", 11, 38.9072, -77.0369, 20001, 4 },
	{ "Miami", "Miami-Dade", "FL", 12, 25.7617, -80.1918, 33128, 7 },
	{ "Orlando", "Orange", "FL", 12, 28.5383, -81.3792, 32801, 4 },
	{ "Tampa", "Hillsborough", "FL", 12, 27.9506, -82.4572, 33602, 4 },
	{ "Jacksonville", "Duval", "FL", 12, 30.3322, -81.6557, 32202, 3 },
	{ "Atlanta", "Fulton", "GA", 13, 33.7490, -84.3880, 30303, 7 },
	{ "Savannah", "Chatham", "GA", 13, 32.0809, -81.0912, 31401, 2 },
	{ "Honolulu", "Honolulu", "HI", 15, 21.3069, -157.8583, 96813, 2 },
	{ "Chicago", "Cook", "IL", 17, 41.8781, -87.6298, 60602, 14 },
	{ "Springfield", "Sangamon", "IL", 17, 39.7817, -89.6501, 62701, 2 },
	{ "Indianapolis", "Marion", "IN", 18, 39.7684, -86.1581, 46204, 4 },
	{ "New Orleans", "Orleans", "LA", 22, 29.9511, -90.0715, 70112, 4 },
	{ "Baton Rouge", "East Baton Rouge", "LA", 22, 30.4515, -91.1871, 70801, 2 },
	{ "Portland", "Cumberland", "ME", 23, 43.6591, -70.2568, 4101, 1 },
	{ "Boston", "Suffolk", "MA", 25, 42.3601, -71.0589, 2108, 5 },
	{ "Worcester", "Worcester", "MA", 25, 42.2626, -71.8023, 1608, 2 },
	{ "Springfield", "Hampden", "MA", 25, 42.1015, -72.5898, 1103, 2 },
	{ "Detroit", "Wayne", "MI", 26, 42.3314, -83.0458, 48226, 5 },
	{ "Grand Rapids", "Kent", "MI", 26, 42.9634, -85.6681, 49503, 2 },
	{ "Manchester", "Hillsborough", "NH", 33, 42.9956, -71.4548, 3101, 1 },
	{ "Newark", "Essex", "NJ", 34, 40.7357, -74.1724, 7102, 4 },
	{ "Jersey City", "Hudson", "NJ", 34, 40.7178, -74.0431, 7302, 3 },
	{ "Trenton", "Mercer", "NJ", 34, 40.2206, -74.7597, 8608, 2 },
	{ "New York", "New York", "NY", 36, 40.7128, -74.0060, 10007, 12 },
	{ "Brooklyn", "Kings", "NY", 36, 40.6782, -73.9442, 11201, 10 },
	{ "Bronx", "Bronx", "NY", 36, 40.8448, -73.8648, 10451, 7 },
	{ "Buffalo", "Erie", "NY", 36, 42.8864, -78.8784, 14202, 3 },
	{ "Rochester", "Monroe", "NY", 36, 43.1566, -77.6088, 14604, 2 },
	{ "Charlotte", "Mecklenburg", "NC", 37, 35.2271, -80.8431, 28202, 6 },
	{ "Raleigh", "Wake", "NC", 37, 35.7796, -78.6382, 27601, 4 },
	{ "Durham", "Durham", "NC", 37, 35.9940, -78.8986, 27701, 2 },
	{ "Columbus", "Franklin", "OH", 39, 39.9612, -82.9988, 43215, 4 },
	{ "Cleveland", "Cuyahoga", "OH", 39, 41.4993, -81.6944, 44113, 3 },
	{ "Cincinnati", "Hamilton", "OH", 39, 39.1031, -84.5120, 45202, 3 },
	{ "Oklahoma City", "Oklahoma", "OK", 40, 35.4676, -97.5164, 73102, 4 },
	{ "Tulsa", "Tulsa", "OK", 40, 36.1540, -95.9928, 74103, 3 },
	{ "Philadelphia", "Philadelphia", "PA", 42, 39.9526, -75.1652, 19107, 6 },
	{ "Pittsburgh", "Allegheny", "PA", 42, 40.4406, -79.9959, 15222, 3 },
	{ "Providence", "Providence", "RI", 44, 41.8240, -71.4128, 2903, 1 },
	{ "Columbia", "Richland", "SC", 45, 34.0007, -81.0348, 29201, 3 },
	{ "Charleston", "Charleston", "SC", 45, 32.7765, -79.9311, 29401, 3 },
	{ "Memphis", "Shelby", "TN", 47, 35.1495, -90.0490, 38103, 3 },
	{ "Nashville", "Davidson", "TN", 47, 36.1627, -86.7816, 37201, 3 },
	{ "Houston", "Harris", "TX", 48, 29.7604, -95.3698, 77002, 12 },
	{ "Dallas", "Dallas", "TX", 48, 32.7767, -96.7970, 75201, 8 },
	{ "San Antonio", "Bexar", "TX", 48, 29.4241, -98.4936, 78205, 6 },
	{ "Austin", "Travis", "TX", 48, 30.2672, -97.7431, 78701, 5 },
	{ "El Paso", "El Paso", "TX", 48, 31.7619, -106.4850, 79901, 3 },
	{ "Salt Lake City", "Salt Lake", "UT", 49, 40.7608, -111.8910, 84111, 2 },
	{ "Burlington", "Chittenden", "VT", 50, 44.4759, -73.2121, 5401, 1 },
	{ "Seattle", "King", "WA", 53, 47.6062, -122.3321, 98101, 5 },
	{ "Spokane", "Spokane", "WA", 53, 47.6588, -117.4260, 99201, 2 },
	{ "Tacoma", "Pierce", "WA", 53, 47.2529, -122.4443, 98402, 2 },
};
#define NCITIES (sizeof cities / sizeof cities[0])

typedef struct weighted {
	const char *s;
	int weight;
} weighted;

#define NELEM(a) (sizeof (a) / sizeof (a)[0])

static const weighted metros[] = {
	{ "urban", 45 }, { "suburban", 25 }, { "rural", 15 }, { "", 15 }
};
static const weighted prefixes[] = {
	{ "Mrs.", 45 }, { "Ms.", 37 }, { "Mr.", 16 }, { "Dr.", 2 }
};
static const weighted resource_types[] = {
	{ "Supplies", 35 }, { "Technology", 30 }, { "Books", 22 },
	{ "Other", 10 }, { "Trips", 2 }, { "Visitors", 1 }
};
static const weighted poverty_levels[] = {
	{ "highest poverty", 40 }, { "high poverty", 30 },
	{ "moderate poverty", 20 }, { "low poverty", 10 }
};
static const weighted grade_levels[] = {
	{ "Grades PreK-2", 38 }, { "Grades 3-5", 32 }, { "Grades 6-8", 16 },
	{ "Grades 9-12", 14 }
};
static const weighted funding_statuses[] = {
	{ "completed", 70 }, { "expired", 24 }, { "live", 4 },
	{ "reallocated", 2 }
};
static const weighted payment_methods[] = {
	{ "paypal", 25 }, { "creditcard", 40 }, { "amazon", 8 },
	{ "check", 3 }, { "promo_code_match", 8 },
	{ "double_your_impact_match", 6 }, { "almost_home_match", 4 },
	{ "no_cash_received", 6 }
};
static const weighted page_types[] = {
	{ "fundraiser", 50 }, { "teacher", 25 }, { "school", 15 },
	{ "campaign", 10 }
};

/* Focus areas and their subjects. */
static const struct area {
	const char *name;
	const char *subjects[6];
	int weight;
} areas[] = {
	{ "Literacy & Language", { "Literacy", "Literature & Writing", "ESL",
				   "Foreign Languages" }, 40 },
	{ "Math & Science", { "Mathematics", "Applied Sciences",
			      "Environmental Science", "Health & Life Science" }, 28 },
	{ "Music & The Arts", { "Music", "Visual Arts", "Performing Arts" }, 9 },
	{ "History & Civics", { "History & Geography", "Social Sciences",
				"Civics & Government", "Economics" }, 6 },
	{ "Applied Learning", { "Character Education", "Early Development",
				"College & Career Prep", "Other",
				"Community Service", "Extracurricular" }, 9 },
	{ "Health & Sports", { "Health & Wellness", "Gym & Fitness",
			       "Team Sports", "Nutrition" }, 4 },
	{ "Special Needs", { "Special Needs" }, 4 },
};

static const gen_vendor vendors[] = {
	{ 5, "Best Buy Education", 6 }, { 7, "AKJ Education", 12 },
	{ 13, "Lakeshore Learning Materials", 14 },
	{ 17, "School Specialty", 6 }, { 27, "Blick Art Materials", 3 },
	{ 30, "CDW-G", 5 }, { 64, "Amazon Business", 30 },
	{ 72, "Quill.com", 4 }, { 82, "Kaplan Early Learning Company", 3 },
	{ 93, "Carolina Biological Supply", 2 }, { 100, "Apple", 3 },
	{ 111, "Nasco", 2 }, { 124, "Woodwind & Brasswind", 2 },
	{ 131, "Sweetwater", 1 }, { 147, "Really Good Stuff", 4 },
	{ 152, "Scholastic Classroom Magazines", 3 },
};

/* Item names as the vendors write them: commas, inch marks, apostrophes. */
static const gen_item items[] = {
	{ "Crayola Crayons, 24 Count", GEN_SUPPLY, 99, 450 },
	{ "Composition Notebook, Wide Ruled", GEN_SUPPLY, 89, 350 },
	{ "Expo Dry Erase Markers, Chisel Tip, Pack of 12", GEN_SUPPLY, 599, 1999 },
	{ "Hand Sanitizer 8 oz", GEN_SUPPLY, 199, 699 },
	{ "Wobble Cushion 13\" Diameter", GEN_SUPPLY, 1299, 3499 },
	{ "Stability Ball Chair", GEN_SUPPLY, 2999, 8999 },
	{ "Magnetic Letters and Numbers Set", GEN_SUPPLY, 999, 2999 },
	{ "Classroom Rug 8' x 12'", GEN_SUPPLY, 19999, 69999 },
	{ "Science Lab Safety Goggles - Class Pack", GEN_SUPPLY, 2499, 7999 },
	{ "Acrylic Paint Set (12 Colors)", GEN_SUPPLY, 899, 3499 },
	{ "Basketballs (Set of 6)", GEN_SUPPLY, 3999, 9999 },
	{ "Printer Ink Cartridge, Black", GEN_SUPPLY, 1999, 5999 },
	{ "Ukulele, Soprano", GEN_SUPPLY, 2999, 8999 },
	{ "Guided Reading Library, Level J", GEN_BOOK, 9999, 29999 },
	{ "The Very Hungry Caterpillar", GEN_BOOK, 599, 1299 },
	{ "Charlotte's Web", GEN_BOOK, 499, 999 },
	{ "Wonder", GEN_BOOK, 699, 1499 },
	{ "Number the Stars", GEN_BOOK, 499, 899 },
	{ "Where the Wild Things Are", GEN_BOOK, 599, 1599 },
	{ "Diary of a Wimpy Kid Box Set", GEN_BOOK, 3999, 8999 },
	{ "Chromebook 11\" - 4GB RAM, 32GB", GEN_TECH, 17999, 32999 },
	{ "iPad Air 64GB - Space Gray", GEN_TECH, 44999, 64999 },
	{ "Headphones with Microphone", GEN_TECH, 999, 3999 },
	{ "Document Camera", GEN_TECH, 6999, 29999 },
	{ "Digital Microscope", GEN_TECH, 4999, 19999 },
	{ "Snap Circuits Jr.", GEN_TECH, 2499, 4999 },
	{ "Portable Projector", GEN_TECH, 12999, 49999 },
};

static const struct {
	const weighted *t;
	size_t n;
} lists[GEN_NLISTS] = {
	[GEN_METRO] = { metros, NELEM(metros) },
	[GEN_PREFIX] = { prefixes, NELEM(prefixes) },
	[GEN_RESOURCE_TYPE] = { resource_types, NELEM(resource_types) },
	[GEN_POVERTY] = { poverty_levels, NELEM(poverty_levels) },
	[GEN_GRADE] = { grade_levels, NELEM(grade_levels) },
	[GEN_FUNDING] = { funding_statuses, NELEM(funding_statuses) },
	[GEN_PAYMENT] = { payment_methods, NELEM(payment_methods) },
	[GEN_PAGE_TYPE] = { page_types, NELEM(page_types) },
};

static const char *pick(gen_rng *rng, const weighted *t, size_t n)
{
	int total = 0, x;

	for (size_t i = 0; i < n; i++)
		total += t[i].weight;
	x = (int)gen_below(rng, (uint64_t)total);
	for (size_t i = 0; i < n; i++) {
		if (x < t[i].weight)
			return t[i].s;
		x -= t[i].weight;
	}
	return t[n - 1].s;
}

const gen_city *gen_pick_city(gen_rng *rng)
{
	int total = 0, x;

	for (size_t i = 0; i < NCITIES; i++)
		total += cities[i].weight;
	x = (int)gen_below(rng, (uint64_t)total);
	for (size_t i = 0; i < NCITIES; i++) {
		if (x < cities[i].weight)
			return &cities[i];
		x -= cities[i].weight;
	}
	return &cities[NCITIES - 1];
}

const gen_vendor *gen_pick_vendor(gen_rng *rng)
{
	int total = 0, x;

	for (size_t i = 0; i < NELEM(vendors); i++)
		total += vendors[i].weight;
	x = (int)gen_below(rng, (uint64_t)total);
	for (size_t i = 0; i < NELEM(vendors); i++) {
		if (x < vendors[i].weight)
			return &vendors[i];
		x -= vendors[i].weight;
	}
	return &vendors[0];
}

const char *gen_pick(gen_rng *rng, int list)
{
	return pick(rng, lists[list].t, lists[list].n);
}

const gen_item *gen_pick_item(gen_rng *rng)
{
	return &items[gen_below(rng, NELEM(items))];
}

void gen_pick_focus(gen_rng *rng, const char **subject, const char **area)
{
	int total = areas[0].weight, x;
	size_t i, nsub = 0;

	for (i = 1; i < NELEM(areas); i++)
		total += areas[i].weight;
	x = (int)gen_below(rng, (uint64_t)total);
	for (i = 0; i + 1 < NELEM(areas) && x >= areas[i].weight; i++)
		x -= areas[i].weight;
	while (nsub < 6 && areas[i].subjects[nsub])
		nsub++;
	*subject = areas[i].subjects[gen_below(rng, nsub)];
	*area = areas[i].name;
}
