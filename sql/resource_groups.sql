-- resource_groups.sql: the resource part of the documents, one row per
-- project (those in temp.project_todo, or all of them when ?1 is 1) in
-- the projects' rowid order, the order projdocs.c merges them in with the
-- project rows.  For each column, list_or_value() gives a project with one
-- resource that value and a project with several the JSON list of them, in
-- file order: the index resources_project holds each project's rows in
-- rowid order, which is the order they were read in.  dc_object() leaves
-- the missing values out.
SELECT p.rowid, dc_object(
  'resourceid', list_or_value(r.resourceid),
  'resource_vendorid', list_or_value(r.vendorid),
  'resource_vendor_name', list_or_value(r.vendor_name),
  'resource_item_name', list_or_value(r.item_name),
  'resource_item_number', list_or_value(r.item_number),
  'resource_item_unit_price', list_or_value(r.item_unit_price),
  'resource_item_quantity', list_or_value(r.item_quantity)) AS doc
FROM projects p
JOIN resources r INDEXED BY resources_project ON r.projectid = p.projectid
WHERE ?1 OR p.projectid IN (SELECT projectid FROM temp.project_todo)
GROUP BY p.rowid
ORDER BY p.rowid;
