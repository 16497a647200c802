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
CREATE INDEX resources_key ON resources(resourceid);
-- resources_project also gives list_or_value() the rows of each project in
-- file (rowid) order.
CREATE INDEX resources_project ON resources(projectid);

-- The part of the documents shared by a project's donations, built by
-- src/projdocs.c, and the projects whose part must be built again after
-- an edit in the shell (filled by the triggers of views.sql).
DROP TABLE IF EXISTS project_docs;
-- A rowid table filled in projectid order: the documents are large, and
-- a WITHOUT ROWID table keyed by random ids would leave its pages half full.
-- Its index holds fp too, so that finding what changed (views.sql) reads
-- no document.
CREATE TABLE project_docs(
  projectid TEXT NOT NULL,
  doc TEXT,
  fp INTEGER NOT NULL
);
CREATE INDEX project_docs_key ON project_docs(projectid, fp);
DROP TABLE IF EXISTS stale_projects;
CREATE TABLE stale_projects(projectid TEXT PRIMARY KEY) WITHOUT ROWID;
-- A new snapshot: every target must compare its documents again.
UPDATE meta SET value = value + 1 WHERE key = 'data_version';
