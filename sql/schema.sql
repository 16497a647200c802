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

INSERT OR IGNORE INTO meta(key, value) VALUES ('data_version', 0);
