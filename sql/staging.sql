-- staging.sql: the tables one load fills.  They are created as new_* inside
-- the load's transaction and renamed over the previous snapshot by swap.sql,
-- so a failed load leaves the previous snapshot as it was.
--
-- The columns of new_projects, new_donations and new_resources are the
-- file's columns in file order, then fp, and each declared type says how
-- the loader converts the field (values.h, val_kind_of_type):
--   ID TEXT          an id, without the stray pair of quotes
--   DATE TEXT        ISO 8601, as Python's isoformat() prints it
--   TEXT             UTF-8 text, invalid bytes replaced by U+FFFD
--   REAL, INTEGER    a number, a count (23.0 is 23)
--   LATITUDE REAL, LONGITUDE REAL   a coordinate within its range
--   BOOLEAN          t or f, stored as 1 or 0
-- Values are stored converted so that views work in the plain sqlite3
-- shell; the exporter writes a donation's JSON from these types
-- (src/docs.c).  fp is a fingerprint of the row's bytes in the dump (a new
-- random one after an edit in the shell, see views.sql); reruns compare it
-- to find what changed.

CREATE TABLE new_projects(
  projectid ID TEXT NOT NULL, teacher_acctid ID TEXT, schoolid ID TEXT,
  school_ncesid TEXT, school_latitude LATITUDE REAL, school_longitude LONGITUDE REAL,
  school_city TEXT, school_state TEXT, school_zip TEXT, school_metro TEXT,
  school_district TEXT, school_county TEXT, school_charter BOOLEAN,
  school_magnet BOOLEAN, school_year_round BOOLEAN, school_nlns BOOLEAN,
  school_kipp BOOLEAN, school_charter_ready_promise BOOLEAN,
  teacher_prefix TEXT, teacher_teach_for_america BOOLEAN,
  teacher_ny_teaching_fellow BOOLEAN, primary_focus_subject TEXT,
  primary_focus_area TEXT, secondary_focus_subject TEXT,
  secondary_focus_area TEXT, resource_type TEXT, poverty_level TEXT,
  grade_level TEXT, vendor_shipping_charges REAL, sales_tax REAL,
  payment_processing_charges REAL, fulfillment_labor_materials REAL,
  total_price_excluding_optional_support REAL,
  total_price_including_optional_support REAL, students_reached INTEGER,
  total_donations REAL, num_donors INTEGER,
  eligible_double_your_impact_match BOOLEAN,
  eligible_almost_home_match BOOLEAN, funding_status TEXT, date_posted DATE TEXT,
  date_completed DATE TEXT, date_thank_you_packet_mailed DATE TEXT,
  date_expiration DATE TEXT,
  fp INTEGER
);

CREATE TABLE new_donations(
  donationid ID TEXT NOT NULL, projectid ID TEXT, donor_acctid ID TEXT, cartid ID TEXT,
  donor_city TEXT, donor_state TEXT, donor_zip TEXT, is_teacher_acct BOOLEAN,
  donation_timestamp DATE TEXT, donation_to_project REAL,
  donation_optional_support REAL, donation_total REAL,
  donation_included_optional_support BOOLEAN, payment_method TEXT,
  payment_included_acct_credit BOOLEAN,
  payment_included_campaign_gift_card BOOLEAN,
  payment_included_web_purchased_gift_card BOOLEAN,
  payment_was_promo_matched BOOLEAN, is_teacher_referred BOOLEAN,
  giving_page_id ID TEXT, giving_page_type TEXT, for_honoree BOOLEAN,
  thank_you_packet_mailed BOOLEAN,
  fp INTEGER
);

CREATE TABLE new_resources(
  resourceid ID TEXT NOT NULL, projectid ID TEXT, vendorid ID TEXT, vendor_name TEXT,
  item_name TEXT, item_number TEXT, item_unit_price REAL,
  item_quantity INTEGER,
  fp INTEGER
);

-- Input records that could not be staged, as they were in the file.
CREATE TABLE new_rejects(
  file TEXT NOT NULL, line INTEGER NOT NULL,
  kind TEXT NOT NULL,        -- 'field_count' | 'malformed' | 'empty_key'
  reason TEXT NOT NULL,
  raw BLOB                   -- the record's bytes (may not be valid UTF-8)
);

-- Values left out of a staged row (the row itself was kept), and orphans.
CREATE TABLE new_problems(
  file TEXT NOT NULL, line INTEGER NOT NULL,
  field TEXT NOT NULL,       -- the column
  value BLOB,                -- the value as in the file
  reason TEXT NOT NULL
);

-- Keys that may occur more than once (the reader's Bloom filter said so);
-- dedupe.sql looks only at these.  Resources have no index by key, so the
-- loader gives their rows instead: every row whose key hash (low 32 bits)
-- is that of a key that may repeat, the first occurrences too.
DROP TABLE IF EXISTS temp.load_dups;
CREATE TEMP TABLE load_dups(tbl TEXT NOT NULL, k TEXT NOT NULL);
DROP TABLE IF EXISTS temp.load_dup_rows;
CREATE TEMP TABLE load_dup_rows(id INTEGER PRIMARY KEY);
