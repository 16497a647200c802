-- resource_groups.sql: the resource part of the documents, one row per
-- project (those in temp.project_todo, or all of them when ?1 is 1) in
-- the projects' rowid order, the order projdocs.c merges them in with the
-- project rows.  For each column, list_or_value() gives a project with one
-- resource that value and a project with several the JSON list of them, in
-- file order: the index resources_project holds each project's rows in
-- rowid order, which is the order they were read in.  The values are
-- those of resource_rows.sql's members, in its order (projdocs.h).
SELECT p.rowid, json_array(
  list_or_value(r.resourceid),
  list_or_value(r.vendorid),
  list_or_value(r.vendor_name),
  list_or_value(r.item_name),
  list_or_value(r.item_number),
  list_or_value(r.item_unit_price),
  list_or_value(r.item_quantity)) AS vals
FROM projects p
JOIN resources r INDEXED BY resources_project ON r.projectid = p.projectid
WHERE ?1 OR p.projectid IN (SELECT projectid FROM temp.project_todo)
GROUP BY p.rowid
ORDER BY p.rowid;
