-- A store of schema version 2, as Refusal Audit 0.1.0 wrote it after its first migration
-- (two turns, one detection, one audit with one label).
PRAGMA application_id = 1382433141;
PRAGMA user_version = 2;
CREATE TABLE batches (  id INTEGER PRIMARY KEY,  name TEXT NOT NULL,  source TEXT NOT NULL,  sha256 TEXT NOT NULL,  imported_at TEXT NOT NULL,  n_imported INTEGER NOT NULL DEFAULT 0,  n_duplicates INTEGER NOT NULL DEFAULT 0,  n_rejected INTEGER NOT NULL DEFAULT 0);
CREATE TABLE turns (  id INTEGER PRIMARY KEY,  ext_id TEXT NOT NULL,  model TEXT NOT NULL DEFAULT '',  batch_id INTEGER NOT NULL REFERENCES batches (id),  class TEXT NOT NULL,  ts TEXT,  conversation_id TEXT,  prompt TEXT,  messages TEXT,  response TEXT NOT NULL,  declined INTEGER,  outcome INTEGER,  meta TEXT,  UNIQUE (ext_id, model));
CREATE INDEX turns_class_model ON turns (class, model);
CREATE INDEX turns_batch_declined ON turns (batch_id, declined);
CREATE TABLE detections (  turn_id INTEGER PRIMARY KEY REFERENCES turns (id) ON DELETE CASCADE,  verdict INTEGER NOT NULL,  rule_id TEXT,  rules_version TEXT NOT NULL);
CREATE TABLE audits (  id INTEGER PRIMARY KEY,  name TEXT NOT NULL UNIQUE,  seed INTEGER NOT NULL,  filters TEXT NOT NULL,  declined_by TEXT NOT NULL,  strata_by TEXT NOT NULL,  design TEXT NOT NULL,  fingerprint TEXT NOT NULL,  created_at TEXT NOT NULL,  tool_version TEXT NOT NULL,  reveal_model INTEGER NOT NULL DEFAULT 0,  reveal_detector INTEGER NOT NULL DEFAULT 0);
CREATE TABLE audit_strata (  audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,  stratum TEXT NOT NULL,  class TEXT NOT NULL,  model TEXT,  population INTEGER NOT NULL,  sample_size INTEGER NOT NULL,  turns INTEGER NOT NULL,  PRIMARY KEY (audit_id, stratum));
CREATE TABLE audit_items (  audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,  turn_id INTEGER NOT NULL REFERENCES turns (id),  stratum TEXT NOT NULL,  sample_key INTEGER NOT NULL,  PRIMARY KEY (audit_id, turn_id));
CREATE INDEX audit_items_order ON audit_items (audit_id, sample_key);
CREATE TABLE guidelines (  audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,  class TEXT NOT NULL,  text TEXT NOT NULL,  PRIMARY KEY (audit_id, class));
CREATE TABLE label_events (  seq INTEGER PRIMARY KEY,  event_id TEXT NOT NULL UNIQUE,  audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,  turn_id INTEGER NOT NULL REFERENCES turns (id),  reviewer TEXT NOT NULL,  value TEXT CHECK (value IS NULL OR value IN    ('correctly-declined', 'should-have-attempted', 'unsure')),  note TEXT,  flagged INTEGER NOT NULL DEFAULT 0,  seconds REAL,  created_at TEXT NOT NULL,  undoes TEXT);
CREATE INDEX label_events_item ON label_events (audit_id, turn_id, created_at);
CREATE VIEW item_labels AS  SELECT audit_id, turn_id, reviewer, value, note, flagged, seconds, created_at, event_id  FROM (SELECT e.*, row_number () OVER (PARTITION BY audit_id, turn_id                                        ORDER BY created_at DESC, event_id DESC) AS rn        FROM label_events e)  WHERE rn = 1
/* item_labels(audit_id,turn_id,reviewer,value,note,flagged,seconds,created_at,event_id) */;
CREATE VIEW reviewer_labels AS  SELECT audit_id, turn_id, reviewer, value, note, flagged, seconds, created_at, event_id  FROM (SELECT e.*, row_number () OVER (PARTITION BY audit_id, turn_id, reviewer                                        ORDER BY created_at DESC, event_id DESC) AS rn        FROM label_events e)  WHERE rn = 1
/* reviewer_labels(audit_id,turn_id,reviewer,value,note,flagged,seconds,created_at,event_id) */;
INSERT INTO batches (id, name, source, sha256, imported_at, n_imported) VALUES (1, 'old', 'old.jsonl', 'abc', '2026-01-01T00:00:00.000000Z', 2);
INSERT INTO turns (id, ext_id, model, batch_id, class, prompt, response, declined) VALUES (1, 'a', 'm', 1, 'c', 'p', 'I cannot help.', 1), (2, 'b', 'm', 1, 'c', 'p', 'Sure.', 0);
INSERT INTO detections (turn_id, verdict, rule_id, rules_version) VALUES (1, 2, 'r', 'v');
INSERT INTO audits (id, name, seed, filters, declined_by, strata_by, design, fingerprint, created_at, tool_version) VALUES (1, 'a', 1, '{}', 'auto', 'class', '{}', 'f', '2026-01-01T00:00:00.000000Z', '0.1.0');
INSERT INTO audit_items (audit_id, turn_id, stratum, sample_key) VALUES (1, 1, 'c', 7);
INSERT INTO label_events (event_id, audit_id, turn_id, reviewer, value, created_at) VALUES ('e1', 1, 1, 'r', 'unsure', '2026-01-02T00:00:00.000000Z');
