-- schema.sql: the staging file's permanent tables.  Run on every open; the
-- staged snapshot itself (projects, donations, resources, rejects, problems)
-- is created by each load (staging.sql) and swapped in by swap.sql.

CREATE TABLE IF NOT EXISTS meta(
  key TEXT PRIMARY KEY,
  value
) WITHOUT ROWID;

-- One row per load run, finished or skipped (failed runs roll back whole).
CREATE TABLE IF NOT EXISTS loads(
  id INTEGER PRIMARY KEY,
  started TEXT NOT NULL,          -- UTC, ISO 8601
  seconds REAL,
  status TEXT NOT NULL,           -- 'loaded' | 'skipped'
  projects INTEGER, donations INTEGER, resources INTEGER,
  rejects INTEGER, problems INTEGER, duplicates INTEGER, orphans INTEGER
);

-- The files the staged snapshot was read from.  A load whose files all
-- match these (size, mtime, fingerprint) is skipped.
CREATE TABLE IF NOT EXISTS input_files(
  path TEXT PRIMARY KEY,
  tbl TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime INTEGER NOT NULL,
  fingerprint TEXT NOT NULL       -- hash of the file's head, tail and size
) WITHOUT ROWID;

-- Where documents are sent: one row per cluster (first URL) and index.
-- uuid tells a recreated index from the one the state below describes;
-- synced_version is the staged data's version (meta 'data_version') that
-- the last complete export sent, so that a rerun with nothing changed is
-- known to have nothing to do without looking at a single document.
CREATE TABLE IF NOT EXISTS targets(
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  index_name TEXT NOT NULL,
  uuid TEXT,
  synced_version INTEGER,
  last_export TEXT,               -- UTC, ISO 8601
  last_status TEXT,               -- 'complete' | 'partial' (--shard) | 'failed'
  UNIQUE (url, index_name)
);

-- The settings a full export turned off on an index for the load
-- (refresh_interval, number_of_replicas as they were; '' when unset), by
-- the index's uuid, kept until they are put back: an export killed before
-- it put them back leaves its row, and the next export into that index,
-- under whatever URL, puts them back.
CREATE TABLE IF NOT EXISTS tuned_settings(
  uuid TEXT PRIMARY KEY,
  refresh TEXT NOT NULL,
  replicas TEXT NOT NULL
) WITHOUT ROWID;

-- Per target, each document the server acknowledged (or refused for
-- good), with the fingerprints of the donation row (dfp) and the project
-- part (pfp) it was built from.  Written batch by batch as the server
-- answers, so that an interrupted export resumes where it stopped.
CREATE TABLE IF NOT EXISTS sent(
  target INTEGER NOT NULL,
  id TEXT NOT NULL,               -- the donationid
  dfp INTEGER,
  pfp INTEGER,
  refused INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (target, id)
) WITHOUT ROWID;

-- Documents a target refused for good (mapping errors and the like), with
-- the server's reason.
CREATE TABLE IF NOT EXISTS refusals(
  target INTEGER NOT NULL,
  id TEXT NOT NULL,               -- the donationid
  status INTEGER NOT NULL,
  type TEXT,
  reason TEXT,
  at TEXT NOT NULL,
  PRIMARY KEY (target, id)
) WITHOUT ROWID;

-- The part of the documents shared by a project's donations, built by
-- src/projdocs.c after each load and after edits in the shell, and kept
-- from one snapshot to the next: gen is the data version (meta) at which
-- a project's part last changed, so that a target synced at version V
-- need compare only the donations of projects whose gen is above V.  A
-- project gone from the data leaves a row with no vals and no fp (its
-- donations are orphans now) for as long as a target synced before it
-- went needs to see the change.  A rowid table: the documents are large,
-- and a WITHOUT ROWID table keyed by random ids would leave its pages half
-- full.  Its index holds fp and gen, so that finding what changed reads
-- no document.
CREATE TABLE IF NOT EXISTS project_docs(
  projectid TEXT NOT NULL,
  vals TEXT,                      -- its values, a JSON array (include/projdocs.h);
                                  -- NULL: the project has no value, or is gone
  fp INTEGER,                     -- dc_hash64 of vals, 0 for no value; NULL: gone
  gen INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS project_docs_key ON project_docs(projectid, fp, gen);

-- The keys of the values in project_docs.vals: value i has key i.  Written
-- by each build of every part (from the staged columns, projdocs.h), for
-- the view document_parts and for reading vals in the shell.
CREATE TABLE IF NOT EXISTS part_keys(i INTEGER PRIMARY KEY, key TEXT NOT NULL);

-- Projects whose part must be built again after an edit in the shell
-- (filled by the triggers of views.sql, emptied by projdocs.c).
CREATE TABLE IF NOT EXISTS stale_projects(projectid TEXT PRIMARY KEY) WITHOUT ROWID;

INSERT OR IGNORE INTO meta(key, value) VALUES ('data_version', 0);
