-- swap.sql: put the snapshot a load built (new_*) in place of the previous
-- one, inside the load's transaction, and index it.  Views are dropped
-- before and recreated after (views.sql).
DROP TABLE IF EXISTS projects;
DROP TABLE IF EXISTS donations;
DROP TABLE IF EXISTS resources;
DROP TABLE IF EXISTS rejects;
DROP TABLE IF EXISTS problems;
ALTER TABLE new_projects RENAME TO projects;
ALTER TABLE new_donations RENAME TO donations;
ALTER TABLE new_resources RENAME TO resources;
ALTER TABLE new_rejects RENAME TO rejects;
ALTER TABLE new_problems RENAME TO problems;
CREATE INDEX projects_key ON projects(projectid);
-- Donations stay in file order; exports and reruns walk them in donationid
-- order through donations_key, which also holds what deciding whether a
-- document changed needs (projectid, fp), so that only the rows to send
-- are read from the table.
CREATE INDEX donations_key ON donations(donationid, projectid, fp);
-- resources_project also gives list_or_value() the rows of each project in
-- file (rowid) order.
CREATE INDEX resources_project ON resources(projectid);

-- A new snapshot: every target must compare its documents again.
UPDATE meta SET value = value + 1 WHERE key = 'data_version';
