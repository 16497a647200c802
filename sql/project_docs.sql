-- project_docs.sql: (re)build the part of the documents that all donations
-- of a project share (project_* fields and the resource groups), once per
-- project rather than once per donation, for the projects listed in
-- temp.project_todo (all of them after a load; the edited ones before an
-- export).  doc is a JSON object (NULL when the project has no value at
-- all); fp fingerprints it, so that a rerun can tell which documents
-- changed.  Resource groups: list_or_value() gives the value itself for
-- one resource and a JSON list, in file order, for several (the index
-- resources_project feeds it each project's rows in rowid order).
-- dc_object() (src/sqlfuncs.c) writes what json_patch('{}',
-- json_object(...)) would, the missing values left out, in one pass.
DELETE FROM project_docs WHERE projectid IN (SELECT projectid FROM temp.project_todo);

-- Flags become JSON booleans through json('true') and json('false'):
-- constants, which SQLite evaluates once per statement, not per row.
CREATE TEMP TABLE resource_groups AS
SELECT projectid, dc_object(
  'resourceid', list_or_value(resourceid),
  'resource_vendorid', list_or_value(vendorid),
  'resource_vendor_name', list_or_value(vendor_name),
  'resource_item_name', list_or_value(item_name),
  'resource_item_number', list_or_value(item_number),
  'resource_item_unit_price', list_or_value(item_unit_price),
  'resource_item_quantity', list_or_value(item_quantity)) AS doc
FROM resources INDEXED BY resources_project
WHERE projectid IN (SELECT projectid FROM temp.project_todo)
GROUP BY projectid;
CREATE INDEX temp.resource_groups_key ON resource_groups(projectid);

INSERT INTO project_docs(projectid, doc, fp)
SELECT projectid, doc, dc_hash(doc) FROM (
SELECT p.projectid, dc_object(
  'project_teacher_acctid', p.teacher_acctid,
  'project_schoolid', p.schoolid,
  'project_school_ncesid', p.school_ncesid,
  'project_location', CASE WHEN p.school_latitude IS NOT NULL
                            AND p.school_longitude IS NOT NULL
                      THEN json_array(p.school_longitude, p.school_latitude) END,
  'project_school_city', p.school_city,
  'project_school_state', p.school_state,
  'project_school_zip', p.school_zip,
  'project_school_metro', p.school_metro,
  'project_school_district', p.school_district,
  'project_school_county', p.school_county,
  'project_school_charter', CASE p.school_charter WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
  'project_school_magnet', CASE p.school_magnet WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
  'project_school_year_round', CASE p.school_year_round WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
  'project_school_nlns', CASE p.school_nlns WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
  'project_school_kipp', CASE p.school_kipp WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
  'project_school_charter_ready_promise', CASE p.school_charter_ready_promise WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
  'project_teacher_prefix', p.teacher_prefix,
  'project_teacher_teach_for_america', CASE p.teacher_teach_for_america WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
  'project_teacher_ny_teaching_fellow', CASE p.teacher_ny_teaching_fellow WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
  'project_primary_focus_subject', p.primary_focus_subject,
  'project_primary_focus_area', p.primary_focus_area,
  'project_secondary_focus_subject', p.secondary_focus_subject,
  'project_secondary_focus_area', p.secondary_focus_area,
  'project_resource_type', p.resource_type,
  'project_poverty_level', p.poverty_level,
  'project_grade_level', p.grade_level,
  'project_vendor_shipping_charges', p.vendor_shipping_charges,
  'project_sales_tax', p.sales_tax,
  'project_payment_processing_charges', p.payment_processing_charges,
  'project_fulfillment_labor_materials', p.fulfillment_labor_materials,
  'project_total_price_excluding_optional_support', p.total_price_excluding_optional_support,
  'project_total_price_including_optional_support', p.total_price_including_optional_support,
  'project_students_reached', p.students_reached,
  'project_total_donations', p.total_donations,
  'project_num_donors', p.num_donors,
  'project_eligible_double_your_impact_match', CASE p.eligible_double_your_impact_match WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
  'project_eligible_almost_home_match', CASE p.eligible_almost_home_match WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
  'project_funding_status', p.funding_status,
  'project_date_posted', p.date_posted,
  'project_date_completed', p.date_completed,
  'project_date_thank_you_packet_mailed', p.date_thank_you_packet_mailed,
  'project_date_expiration', p.date_expiration,
  g.doc) AS doc
FROM projects p LEFT JOIN resource_groups g ON g.projectid = p.projectid
WHERE p.projectid IN (SELECT projectid FROM temp.project_todo)
ORDER BY p.projectid);

DROP TABLE temp.resource_groups;
DROP TABLE temp.project_todo;
