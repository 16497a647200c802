-- views.sql: what the staging file shows in the plain sqlite3 shell.
-- Recreated by every load (after the snapshot swap).  Only SQLite's
-- built-in functions are used, so no extension is needed to read them.

-- What was staged and what was not, by table.
CREATE VIEW staged_counts AS
  SELECT 'projects' AS tbl, count(*) AS n FROM projects
  UNION ALL SELECT 'donations', count(*) FROM donations
  UNION ALL SELECT 'resources', count(*) FROM resources
  UNION ALL SELECT 'rejects', count(*) FROM rejects
  UNION ALL SELECT 'problems', count(*) FROM problems;

-- Refused values by column and reason.
CREATE VIEW problem_counts AS
  SELECT field, reason, count(*) AS n FROM problems
  GROUP BY field, reason ORDER BY n DESC;

-- Donations and resources whose projectid names no staged project.
CREATE VIEW orphans AS
  SELECT 'donations' AS tbl, d.donationid AS id, d.projectid FROM donations d
  WHERE d.projectid IS NOT NULL AND NOT EXISTS
        (SELECT 1 FROM projects p WHERE p.projectid = d.projectid)
  UNION ALL
  SELECT 'resources', r.resourceid, r.projectid FROM resources r
  WHERE r.projectid IS NOT NULL AND NOT EXISTS
        (SELECT 1 FROM projects p WHERE p.projectid = r.projectid);

-- Each document in two parts: the donation's own fields (doc) and the
-- shared project part (part, NULL for an orphan), materialized in
-- project_docs as its values only, each with its key in part_keys.
-- Missing values are left out (json_patch drops the nulls json_object
-- writes; the part's nulls are not joined); drow is the donation's rowid.
-- CROSS JOIN keeps the part's values in their order.  Exports walk the
-- documents in id order, split into shards by ranges of ids, through the
-- index donations_key; the exporter joins the parts itself.
CREATE VIEW document_parts AS
SELECT d.rowid AS drow, d.donationid AS id,
  json_patch('{}', json_object(
    'donationid', d.donationid,
    'projectid', d.projectid,
    'donor_acctid', d.donor_acctid,
    'cartid', d.cartid,
    'donor_city', d.donor_city,
    'donor_state', d.donor_state,
    'donor_zip', d.donor_zip,
    'is_teacher_acct', CASE d.is_teacher_acct WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
    'donation_timestamp', d.donation_timestamp,
    'donation_to_project', d.donation_to_project,
    'donation_optional_support', d.donation_optional_support,
    'donation_total', d.donation_total,
    'donation_included_optional_support', CASE d.donation_included_optional_support WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
    'payment_method', d.payment_method,
    'payment_included_acct_credit', CASE d.payment_included_acct_credit WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
    'payment_included_campaign_gift_card', CASE d.payment_included_campaign_gift_card WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
    'payment_included_web_purchased_gift_card', CASE d.payment_included_web_purchased_gift_card WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
    'payment_was_promo_matched', CASE d.payment_was_promo_matched WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
    'is_teacher_referred', CASE d.is_teacher_referred WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
    'giving_page_id', d.giving_page_id,
    'giving_page_type', d.giving_page_type,
    'for_honoree', CASE d.for_honoree WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
    'thank_you_packet_mailed', CASE d.thank_you_packet_mailed WHEN 1 THEN json('true') WHEN 0 THEN json('false') END
  )) AS doc,
  CASE WHEN pd.vals IS NOT NULL THEN (
    SELECT json_group_object(k.key, CASE e.type
        WHEN 'true' THEN json('true') WHEN 'false' THEN json('false')
        WHEN 'text' THEN e.value ELSE json(e.value) END)
    FROM json_each(pd.vals) e CROSS JOIN part_keys k
    WHERE k.i = e.key AND e.type <> 'null') END AS part,
  d.fp AS dfp, pd.fp AS pfp
FROM donations d INDEXED BY donations_key
LEFT JOIN project_docs pd INDEXED BY project_docs_key ON pd.projectid = d.projectid;

-- Each document exactly as the exporter sends it: id (the donationid) and
-- the JSON source, the project part's members after the donation's.
CREATE VIEW documents AS
SELECT drow, id, rtrim(doc, '}') || coalesce(',' || substr(part, 2), '}') AS doc,
  dfp, pfp
FROM document_parts;

-- Per target, the documents to send: new ones, and those whose donation
-- row or project part changed since the server acknowledged them
-- (pending_parts for the exporter, pending_index to read).
CREATE VIEW pending_parts AS
SELECT t.id AS target, v.drow, v.id, v.doc, v.part, v.dfp, v.pfp
FROM targets t JOIN document_parts v
LEFT JOIN sent s ON s.target = t.id AND s.id = v.id
WHERE s.id IS NULL OR s.dfp IS NOT v.dfp OR s.pfp IS NOT v.pfp;

CREATE VIEW pending_index AS
SELECT target, drow, id,
  rtrim(doc, '}') || coalesce(',' || substr(part, 2), '}') AS doc, dfp, pfp
FROM pending_parts;

-- Per target, the documents to delete: their donation is gone.
CREATE VIEW pending_delete AS
SELECT s.target, s.id FROM sent s
WHERE NOT EXISTS (SELECT 1 FROM donations d WHERE d.donationid = s.id);

-- What each target is owed, and what it refused.
CREATE VIEW target_status AS
SELECT t.id AS target, t.url, t.index_name, t.last_export, t.last_status,
  (SELECT count(*) FROM pending_index p WHERE p.target = t.id) AS to_index,
  (SELECT count(*) FROM pending_delete p WHERE p.target = t.id) AS to_delete,
  (SELECT count(*) FROM sent s WHERE s.target = t.id AND NOT s.refused)
    AS acknowledged,
  (SELECT count(*) FROM refusals r WHERE r.target = t.id) AS refused
FROM targets t;

-- Edits in the sqlite3 shell: a changed donation gets a new fingerprint;
-- a changed project or resource marks its project for a rebuild of the
-- shared part (done by the next export).  Each edit moves the data
-- version on, so that the next export looks for changes.
CREATE TRIGGER donations_inserted AFTER INSERT ON donations BEGIN
  UPDATE donations SET fp = random() WHERE rowid = NEW.rowid;
  UPDATE meta SET value = value + 1 WHERE key = 'data_version';
END;
CREATE TRIGGER donations_updated AFTER UPDATE ON donations BEGIN
  UPDATE donations SET fp = random() WHERE rowid = NEW.rowid;
  UPDATE meta SET value = value + 1 WHERE key = 'data_version';
END;
CREATE TRIGGER donations_deleted AFTER DELETE ON donations BEGIN
  UPDATE meta SET value = value + 1 WHERE key = 'data_version';
END;
CREATE TRIGGER projects_inserted AFTER INSERT ON projects BEGIN
  INSERT OR IGNORE INTO stale_projects
    SELECT NEW.projectid WHERE NEW.projectid IS NOT NULL;
  UPDATE meta SET value = value + 1 WHERE key = 'data_version';
END;
CREATE TRIGGER projects_updated AFTER UPDATE ON projects BEGIN
  INSERT OR IGNORE INTO stale_projects
    SELECT OLD.projectid WHERE OLD.projectid IS NOT NULL
    UNION SELECT NEW.projectid WHERE NEW.projectid IS NOT NULL;
  UPDATE meta SET value = value + 1 WHERE key = 'data_version';
END;
CREATE TRIGGER projects_deleted AFTER DELETE ON projects BEGIN
  INSERT OR IGNORE INTO stale_projects
    SELECT OLD.projectid WHERE OLD.projectid IS NOT NULL;
  UPDATE meta SET value = value + 1 WHERE key = 'data_version';
END;
CREATE TRIGGER resources_inserted AFTER INSERT ON resources BEGIN
  INSERT OR IGNORE INTO stale_projects
    SELECT NEW.projectid WHERE NEW.projectid IS NOT NULL;
  UPDATE meta SET value = value + 1 WHERE key = 'data_version';
END;
CREATE TRIGGER resources_updated AFTER UPDATE ON resources BEGIN
  INSERT OR IGNORE INTO stale_projects
    SELECT OLD.projectid WHERE OLD.projectid IS NOT NULL
    UNION SELECT NEW.projectid WHERE NEW.projectid IS NOT NULL;
  UPDATE meta SET value = value + 1 WHERE key = 'data_version';
END;
CREATE TRIGGER resources_deleted AFTER DELETE ON resources BEGIN
  INSERT OR IGNORE INTO stale_projects
    SELECT OLD.projectid WHERE OLD.projectid IS NOT NULL;
  UPDATE meta SET value = value + 1 WHERE key = 'data_version';
END;
