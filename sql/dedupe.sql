-- dedupe.sql: when a key occurs more than once in a dump, the last
-- occurrence (highest rowid: rows are inserted in file order) wins.
-- One statement per table, in the order projects, donations, resources;
-- the loader reports each statement's number of deleted rows.
DELETE FROM projects WHERE rowid IN (
  SELECT p.rowid FROM (SELECT projectid AS k, max(rowid) AS last
                       FROM projects GROUP BY projectid HAVING count(*) > 1) d
  JOIN projects p ON p.projectid = d.k AND p.rowid < d.last);
DELETE FROM donations WHERE rowid IN (
  SELECT x.rowid FROM (SELECT donationid AS k, max(rowid) AS last
                       FROM donations GROUP BY donationid HAVING count(*) > 1) d
  JOIN donations x ON x.donationid = d.k AND x.rowid < d.last);
DELETE FROM resources WHERE rowid IN (
  SELECT r.rowid FROM (SELECT resourceid AS k, max(rowid) AS last
                       FROM resources GROUP BY resourceid HAVING count(*) > 1) d
  JOIN resources r ON r.resourceid = d.k AND r.rowid < d.last);
