#!/bin/sh
# t0400-documents: a small hand-written dump and the exact documents it
# must give (documents.md): every field kind, a project with one and with
# several resources, an orphan donation, a project without resources,
# missing coordinates, invalid values left out, quoted ids.
. "$(dirname "$0")/lib.sh"

P1=11111111111111111111111111111111 P2=22222222222222222222222222222222
P3=33333333333333333333333333333333 P4=44444444444444444444444444444444
PX=99999999999999999999999999999999
d=$T/dump
mkdir -p "$d"

# projects: P1 full (quoted id), P2 missing latitude and bad values, P3 no
# donations, P4 no resources.
{
	printf '_projectid,teacher_acctid,schoolid,school_ncesid,school_latitude,school_longitude,school_city,school_state,school_zip,school_metro,school_district,school_county,school_charter,school_magnet,school_year_round,school_nlns,school_kipp,school_charter_ready_promise,teacher_prefix,teacher_teach_for_america,teacher_ny_teaching_fellow,primary_focus_subject,primary_focus_area,secondary_focus_subject,secondary_focus_area,resource_type,poverty_level,grade_level,vendor_shipping_charges,sales_tax,payment_processing_charges,fulfillment_labor_materials,total_price_excluding_optional_support,total_price_including_optional_support,students_reached,total_donations,num_donors,eligible_double_your_impact_match,eligible_almost_home_match,funding_status,date_posted,date_completed,date_thank_you_packet_mailed,date_expiration\n'
	printf '"\\"%s\\"",t1,s1,063441003012,40.7128,-74.006,"New York, NY",NY,01234,urban,NYC Dist 2,New York,f,t,f,f,f,f,Mrs.,t,f,Literacy,"Literacy & Language",Mathematics,"Math & Science",Books,high poverty,Grades 3-5,12.5,3.25,1.5,0,200.75,240.5,23.0,240.5,4,f,t,completed,2011-04-14,2011-05-02 10:11:12.5,2011-06-01 00:00:00,2011-09-12 00:00:00.000000\n' "$P1"
	printf '%s,t2,s2,,,-80.1,Miami,FL,33101,suburban,,,t,f,f,f,f,x,Mr.,f,f,Music,Music & The Arts,,,Technology,moderate poverty,Grades PreK-2,0,0,0,0,150,160,many,160,1,t,f,live,2011-02-30,,,2012-01-01 23:59:59.123456\n' "$P2"
	printf '%s,t3,s3,,10,10,X,TX,75001,rural,,,f,f,f,f,f,f,Ms.,f,f,,,,,,,,,,,,,,,,,,,,,,,\n' "$P3"
	printf '%s,t4,s4,,34.05,-118.25,"Los Angeles",CA,90001,urban,LAUSD,Los Angeles,f,f,f,f,f,f,Dr.,f,t,Science,Math & Science,,,Supplies,highest poverty,Grades 9-12,,,,,99.5,120,30,0,0,f,f,expired,2010-09-01 08:00:00,,,2011-01-01\n' "$P4"
} >"$d/opendata_projects000.csv"

# resources, interleaved: P1's three in file order R1, R2, R3; P2's one.
{
	printf '_resourceid,projectid,vendorid,vendor_name,item_name,item_number,item_unit_price,item_quantity\n'
	printf 'r1,%s,7,Amazon,"Book \\"A\\"",111,10.5,2\n' "$P1"
	printf 'r4,%s,5,Best Buy,Camera,AB-1,150.0,1\n' "$P2"
	printf 'r2,%s,7,Amazon,"Pencils, box",,3,10\n' "$P1"
	printf 'r3,%s,13,Lakeshore,Rug,999,99.99,1.0\n' "$P1"
} >"$d/opendata_resources000.csv"

# donations: D1, D2 to P1 (D2 with quoted ids), D3 to P2, D4 an orphan,
# D5 to P4 (no resources), D6 with a bad date and a bad amount.
{
	printf '_donationid,projectid,donor_acctid,cartid,donor_city,donor_state,donor_zip,is_teacher_acct,donation_timestamp,donation_to_project,donation_optional_support,donation_total,donation_included_optional_support,payment_method,payment_included_acct_credit,payment_included_campaign_gift_card,payment_included_web_purchased_gift_card,payment_was_promo_matched,is_teacher_referred,giving_page_id,giving_page_type,for_honoree,thank_you_packet_mailed\n'
	printf 'd1,%s,a1,c1,Springfield,IL,627,f,2011-04-20 12:34:56.789,42.5,7.5,50,t,paypal,f,f,f,f,f,,,f,t\n' "$P1"
	printf '"\\"d2\\"","""%s""",a2,c2,"Sm\303\270rum, \346\227\245",,08012,t,2011-04-21,10,0,10,f,creditcard,t,f,t,f,t,g1,fundraiser,t,f\n' "$P1"
	printf 'd3,%s,a3,c3,Miami,FL,33101,f,2011-03-01 00:00:00,5,1,6,t,check,f,f,f,f,f,,,f,f\n' "$P2"
	printf 'd4,%s,a4,c4,Nowhere,ZZ,999,f,2011-03-02 01:02:03,1,0,1,f,paypal,f,f,f,f,f,,,f,f\n' "$PX"
	printf 'd5,%s,a5,c5,LA,CA,90001,f,2010-10-10 10:10:10.000001,20,0,20,f,paypal,f,f,f,f,f,,,f,f\n' "$P4"
	printf 'd6,%s,a6,c6,LA,CA,90001,f,2011-13-01,abc,0,20,f,paypal,f,f,f,f,f,,,f,f\n' "$P4"
} >"$d/opendata_donations000.csv"

"$DCSTAGE" load --db "$T/d.db" --quiet "$d" >"$T/load.out" 2>&1
t_eq "load exits 3 (values refused)" "$?" 3
t_eq "refused values listed with file, line, column" \
	"$(sqlite3 "$T/d.db" "SELECT file || ':' || line || ':' || field FROM problems ORDER BY file, line, field" | tr '\n' ' ')" \
	"opendata_donations000.csv:5:projectid opendata_donations000.csv:7:donation_timestamp opendata_donations000.csv:7:donation_to_project opendata_projects000.csv:3:date_posted opendata_projects000.csv:3:school_charter_ready_promise opendata_projects000.csv:3:students_reached "

"$DCSTAGE" export --db "$T/d.db" --dry-run "$T/out.ndjson" --threads 1 --quiet >/dev/null
t_eq "dry run exits 0" "$?" 0

P1DOC='"project_teacher_acctid":"t1","project_schoolid":"s1","project_school_ncesid":"063441003012","project_location":[-74.006,40.7128],"project_school_city":"New York, NY","project_school_state":"NY","project_school_zip":"01234","project_school_metro":"urban","project_school_district":"NYC Dist 2","project_school_county":"New York","project_school_charter":false,"project_school_magnet":true,"project_school_year_round":false,"project_school_nlns":false,"project_school_kipp":false,"project_school_charter_ready_promise":false,"project_teacher_prefix":"Mrs.","project_teacher_teach_for_america":true,"project_teacher_ny_teaching_fellow":false,"project_primary_focus_subject":"Literacy","project_primary_focus_area":"Literacy & Language","project_secondary_focus_subject":"Mathematics","project_secondary_focus_area":"Math & Science","project_resource_type":"Books","project_poverty_level":"high poverty","project_grade_level":"Grades 3-5","project_vendor_shipping_charges":12.5,"project_sales_tax":3.25,"project_payment_processing_charges":1.5,"project_fulfillment_labor_materials":0.0,"project_total_price_excluding_optional_support":200.75,"project_total_price_including_optional_support":240.5,"project_students_reached":23,"project_total_donations":240.5,"project_num_donors":4,"project_eligible_double_your_impact_match":false,"project_eligible_almost_home_match":true,"project_funding_status":"completed","project_date_posted":"2011-04-14T00:00:00","project_date_completed":"2011-05-02T10:11:12.500000","project_date_thank_you_packet_mailed":"2011-06-01T00:00:00","project_date_expiration":"2011-09-12T00:00:00","resourceid":["r1","r2","r3"],"resource_vendorid":["7","7","13"],"resource_vendor_name":["Amazon","Amazon","Lakeshore"],"resource_item_name":["Book \"A\"","Pencils, box","Rug"],"resource_item_number":["111",null,"999"],"resource_item_unit_price":[10.5,3.0,99.99],"resource_item_quantity":[2,10,1]'
P2DOC='"project_teacher_acctid":"t2","project_schoolid":"s2","project_school_city":"Miami","project_school_state":"FL","project_school_zip":"33101","project_school_metro":"suburban","project_school_charter":true,"project_school_magnet":false,"project_school_year_round":false,"project_school_nlns":false,"project_school_kipp":false,"project_teacher_prefix":"Mr.","project_teacher_teach_for_america":false,"project_teacher_ny_teaching_fellow":false,"project_primary_focus_subject":"Music","project_primary_focus_area":"Music & The Arts","project_resource_type":"Technology","project_poverty_level":"moderate poverty","project_grade_level":"Grades PreK-2","project_vendor_shipping_charges":0.0,"project_sales_tax":0.0,"project_payment_processing_charges":0.0,"project_fulfillment_labor_materials":0.0,"project_total_price_excluding_optional_support":150.0,"project_total_price_including_optional_support":160.0,"project_total_donations":160.0,"project_num_donors":1,"project_eligible_double_your_impact_match":true,"project_eligible_almost_home_match":false,"project_funding_status":"live","project_date_expiration":"2012-01-01T23:59:59.123456","resourceid":"r4","resource_vendorid":"5","resource_vendor_name":"Best Buy","resource_item_name":"Camera","resource_item_number":"AB-1","resource_item_unit_price":150.0,"resource_item_quantity":1'
P4DOC='"project_teacher_acctid":"t4","project_schoolid":"s4","project_location":[-118.25,34.05],"project_school_city":"Los Angeles","project_school_state":"CA","project_school_zip":"90001","project_school_metro":"urban","project_school_district":"LAUSD","project_school_county":"Los Angeles","project_school_charter":false,"project_school_magnet":false,"project_school_year_round":false,"project_school_nlns":false,"project_school_kipp":false,"project_school_charter_ready_promise":false,"project_teacher_prefix":"Dr.","project_teacher_teach_for_america":false,"project_teacher_ny_teaching_fellow":true,"project_primary_focus_subject":"Science","project_primary_focus_area":"Math & Science","project_resource_type":"Supplies","project_poverty_level":"highest poverty","project_grade_level":"Grades 9-12","project_total_price_excluding_optional_support":99.5,"project_total_price_including_optional_support":120.0,"project_students_reached":30,"project_total_donations":0.0,"project_num_donors":0,"project_eligible_double_your_impact_match":false,"project_eligible_almost_home_match":false,"project_funding_status":"expired","project_date_posted":"2010-09-01T08:00:00","project_date_expiration":"2011-01-01T00:00:00"'
A='{"index":{"_index":"donorschoose","_id":'

cat >"$T/want.ndjson" <<WANT
$A"d1"}}
{"donationid":"d1","projectid":"$P1","donor_acctid":"a1","cartid":"c1","donor_city":"Springfield","donor_state":"IL","donor_zip":"627","is_teacher_acct":false,"donation_timestamp":"2011-04-20T12:34:56.789000","donation_to_project":42.5,"donation_optional_support":7.5,"donation_total":50.0,"donation_included_optional_support":true,"payment_method":"paypal","payment_included_acct_credit":false,"payment_included_campaign_gift_card":false,"payment_included_web_purchased_gift_card":false,"payment_was_promo_matched":false,"is_teacher_referred":false,"for_honoree":false,"thank_you_packet_mailed":true,$P1DOC}
$A"d2"}}
{"donationid":"d2","projectid":"$P1","donor_acctid":"a2","cartid":"c2","donor_city":"Smørum, 日","donor_zip":"08012","is_teacher_acct":true,"donation_timestamp":"2011-04-21T00:00:00","donation_to_project":10.0,"donation_optional_support":0.0,"donation_total":10.0,"donation_included_optional_support":false,"payment_method":"creditcard","payment_included_acct_credit":true,"payment_included_campaign_gift_card":false,"payment_included_web_purchased_gift_card":true,"payment_was_promo_matched":false,"is_teacher_referred":true,"giving_page_id":"g1","giving_page_type":"fundraiser","for_honoree":true,"thank_you_packet_mailed":false,$P1DOC}
$A"d3"}}
{"donationid":"d3","projectid":"$P2","donor_acctid":"a3","cartid":"c3","donor_city":"Miami","donor_state":"FL","donor_zip":"33101","is_teacher_acct":false,"donation_timestamp":"2011-03-01T00:00:00","donation_to_project":5.0,"donation_optional_support":1.0,"donation_total":6.0,"donation_included_optional_support":true,"payment_method":"check","payment_included_acct_credit":false,"payment_included_campaign_gift_card":false,"payment_included_web_purchased_gift_card":false,"payment_was_promo_matched":false,"is_teacher_referred":false,"for_honoree":false,"thank_you_packet_mailed":false,$P2DOC}
$A"d4"}}
{"donationid":"d4","projectid":"$PX","donor_acctid":"a4","cartid":"c4","donor_city":"Nowhere","donor_state":"ZZ","donor_zip":"999","is_teacher_acct":false,"donation_timestamp":"2011-03-02T01:02:03","donation_to_project":1.0,"donation_optional_support":0.0,"donation_total":1.0,"donation_included_optional_support":false,"payment_method":"paypal","payment_included_acct_credit":false,"payment_included_campaign_gift_card":false,"payment_included_web_purchased_gift_card":false,"payment_was_promo_matched":false,"is_teacher_referred":false,"for_honoree":false,"thank_you_packet_mailed":false}
$A"d5"}}
{"donationid":"d5","projectid":"$P4","donor_acctid":"a5","cartid":"c5","donor_city":"LA","donor_state":"CA","donor_zip":"90001","is_teacher_acct":false,"donation_timestamp":"2010-10-10T10:10:10.000001","donation_to_project":20.0,"donation_optional_support":0.0,"donation_total":20.0,"donation_included_optional_support":false,"payment_method":"paypal","payment_included_acct_credit":false,"payment_included_campaign_gift_card":false,"payment_included_web_purchased_gift_card":false,"payment_was_promo_matched":false,"is_teacher_referred":false,"for_honoree":false,"thank_you_packet_mailed":false,$P4DOC}
$A"d6"}}
{"donationid":"d6","projectid":"$P4","donor_acctid":"a6","cartid":"c6","donor_city":"LA","donor_state":"CA","donor_zip":"90001","is_teacher_acct":false,"donation_optional_support":0.0,"donation_total":20.0,"donation_included_optional_support":false,"payment_method":"paypal","payment_included_acct_credit":false,"payment_included_campaign_gift_card":false,"payment_included_web_purchased_gift_card":false,"payment_was_promo_matched":false,"is_teacher_referred":false,"for_honoree":false,"thank_you_packet_mailed":false,$P4DOC}
WANT

i=0
while IFS= read -r want <&3 && IFS= read -r got <&4; do
	i=$((i + 1))
	t_eq "document line $i" "$got" "$want"
done 3<"$T/want.ndjson" 4<"$T/out.ndjson"
t_eq "as many lines as expected" "$(wc -l <"$T/out.ndjson")" "$(wc -l <"$T/want.ndjson")"

t_eq "the documents view gives the same documents in the plain shell" \
	"$(sqlite3 "$T/d.db" "SELECT doc FROM documents ORDER BY id")" \
	"$(sed -n '2~2p' "$T/want.ndjson")"
t_eq "a project without donations gives no document" \
	"$(grep -c "$P3" "$T/out.ndjson")" 0

t_done
