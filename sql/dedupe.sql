-- dedupe.sql: when a key occurs more than once in a dump, the last
-- occurrence (highest rowid: rows are inserted in file order) wins.
-- Only the keys in temp.load_dups can repeat (the loader's reader marks
-- every key it may have seen before), so only those are looked up.
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
-- it), so their candidates are found in one pass over the table, and not
-- at all when there are none.
DELETE FROM resources WHERE rowid IN (
  SELECT rowid FROM (
    SELECT rowid, max(rowid) OVER (PARTITION BY resourceid) AS last
    FROM resources
    WHERE EXISTS (SELECT 1 FROM temp.load_dups WHERE tbl = 'resources')
      AND resourceid IN (SELECT k FROM temp.load_dups WHERE tbl = 'resources'))
  WHERE rowid < last);
