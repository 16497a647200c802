-- resource_rows.sql: the resources in file (rowid) order, for the build
-- of every project's part after a load.  A dump that lists each project's
-- resources together and in the order of its projects, as the
-- generator's dumps do, gives projdocs.c each project's resource group
-- from one pass over the table; it checks that the dump does, and builds
-- from resource_groups.sql otherwise.  Column 0 is the projectid; the
-- others are the resource members, in the order of resource_groups.sql's
-- values, and their names are the members' keys (projdocs_keys).
SELECT projectid,
  resourceid,
  vendorid AS resource_vendorid,
  vendor_name AS resource_vendor_name,
  item_name AS resource_item_name,
  item_number AS resource_item_number,
  item_unit_price AS resource_item_unit_price,
  item_quantity AS resource_item_quantity
FROM resources
ORDER BY rowid;
