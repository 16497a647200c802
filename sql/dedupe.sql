-- dedupe.sql: when a key occurs more than once in a dump, the last
-- occurrence (highest rowid: rows are inserted in file order) wins.
-- Only the keys in temp.load_dups can repeat (the loader's reader marks
-- every key it may have seen before), so only those are looked up; for
-- resources, only the rows in temp.load_dup_rows.
-- One statement per table, in the order projects, donations, resources;
-- the loader reports each statement's number of deleted rows.
DELETE FROM projects WHERE rowid IN (
  SELECT p.rowid FROM (SELECT DISTINCT k FROM temp.load_dups
                       WHERE tbl = 'projects') d
  JOIN projects p ON p.projectid = d.k
  WHERE p.rowid < (SELECT max(rowid) FROM projects WHERE projectid = d.k));
DELETE FROM donations WHERE rowid IN (
  SELECT x.rowid FROM (SELECT DISTINCT k FROM temp.load_dups
                       WHERE tbl = 'donations') d
  JOIN donations x ON x.donationid = d.k
  WHERE x.rowid < (SELECT max(rowid) FROM donations WHERE donationid = d.k));
-- Resources have no index by resourceid (nothing else looks them up by
-- it): temp.load_dup_rows holds every row that may share its key with
-- another, found by the loader without reading the table.
DELETE FROM resources WHERE rowid IN (
  SELECT rowid FROM (
    SELECT r.rowid, max(r.rowid) OVER (PARTITION BY r.resourceid) AS last
    FROM temp.load_dup_rows c JOIN resources r ON r.rowid = c.id)
  WHERE rowid < last);
