-- A store of schema version 2 (Refusal Audit before team labelling): one audit 'team'
-- of four items; ana and sam disagree on a, sam only flagged b (an event without a value),
-- both labelled c and sam undid his label, nobody labelled d.
PRAGMA application_id = 1382433141;
PRAGMA user_version = 2;
CREATE TABLE batches (  id INTEGER PRIMARY KEY,  name TEXT NOT NULL,  source TEXT NOT NULL,  sha256 TEXT NOT NULL,  imported_at TEXT NOT NULL,  n_imported INTEGER NOT NULL DEFAULT 0,  n_duplicates INTEGER NOT NULL DEFAULT 0,  n_rejected INTEGER NOT NULL DEFAULT 0);
INSERT INTO batches VALUES(1,'t.jsonl','t.jsonl','16cd372fb94e1f01eb35e0c556026190db8c5d9e4a7c4f015ce7d24ec3dbe311','2026-11-28T21:40:05.648155Z',4,0,0);
CREATE TABLE turns (  id INTEGER PRIMARY KEY,  ext_id TEXT NOT NULL,  model TEXT NOT NULL DEFAULT '',  batch_id INTEGER NOT NULL REFERENCES batches (id),  class TEXT NOT NULL,  ts TEXT,  conversation_id TEXT,  prompt TEXT,  messages TEXT,  response TEXT NOT NULL,  declined INTEGER,  outcome INTEGER,  meta TEXT,  UNIQUE (ext_id, model));
INSERT INTO turns VALUES(1,'a','m',1,'c',NULL,NULL,'p a',NULL,'I cannot help.',1,NULL,NULL);
INSERT INTO turns VALUES(2,'b','m',1,'c',NULL,NULL,'p b',NULL,'I cannot help.',1,NULL,NULL);
INSERT INTO turns VALUES(3,'c','m',1,'c',NULL,NULL,'p c',NULL,'I cannot help.',1,NULL,NULL);
INSERT INTO turns VALUES(4,'d','m',1,'c',NULL,NULL,'p d',NULL,'I cannot help.',1,NULL,NULL);
CREATE TABLE detections (  turn_id INTEGER PRIMARY KEY REFERENCES turns (id) ON DELETE CASCADE,  verdict INTEGER NOT NULL,  rule_id TEXT,  rules_version TEXT NOT NULL);
CREATE TABLE audits (  id INTEGER PRIMARY KEY,  name TEXT NOT NULL UNIQUE,  seed INTEGER NOT NULL,  filters TEXT NOT NULL,  declined_by TEXT NOT NULL,  strata_by TEXT NOT NULL,  design TEXT NOT NULL,  fingerprint TEXT NOT NULL,  created_at TEXT NOT NULL,  tool_version TEXT NOT NULL,  reveal_model INTEGER NOT NULL DEFAULT 0,  reveal_detector INTEGER NOT NULL DEFAULT 0);
INSERT INTO audits VALUES(1,'team',7,'{}','auto','class','{"size":"per-class","per_class":4,"key":"siphash-2-4(seed, ext_id NUL model)","extensions":[]}','415ff7515aaa69e020cc0c50bfbd4d0526120db6a7dec5295a478a5cc684e51b','2026-11-28T21:40:05.673734Z','0.1.0',0,0);
CREATE TABLE audit_strata (  audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,  stratum TEXT NOT NULL,  class TEXT NOT NULL,  model TEXT,  population INTEGER NOT NULL,  sample_size INTEGER NOT NULL,  turns INTEGER NOT NULL,  PRIMARY KEY (audit_id, stratum));
INSERT INTO audit_strata VALUES(1,'c','c',NULL,4,4,4);
CREATE TABLE audit_items (  audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,  turn_id INTEGER NOT NULL REFERENCES turns (id),  stratum TEXT NOT NULL,  sample_key INTEGER NOT NULL,  PRIMARY KEY (audit_id, turn_id));
INSERT INTO audit_items VALUES(1,1,'c',-2411057523060235683);
INSERT INTO audit_items VALUES(1,3,'c',2479008480488795509);
INSERT INTO audit_items VALUES(1,2,'c',8144217891892458960);
INSERT INTO audit_items VALUES(1,4,'c',8162682203718561153);
CREATE TABLE guidelines (  audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,  class TEXT NOT NULL,  text TEXT NOT NULL,  PRIMARY KEY (audit_id, class));
CREATE TABLE label_events (  seq INTEGER PRIMARY KEY,  event_id TEXT NOT NULL UNIQUE,  audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,  turn_id INTEGER NOT NULL REFERENCES turns (id),  reviewer TEXT NOT NULL,  value TEXT CHECK (value IS NULL OR value IN    ('correctly-declined', 'should-have-attempted', 'unsure')),  note TEXT,  flagged INTEGER NOT NULL DEFAULT 0,  seconds REAL,  created_at TEXT NOT NULL,  undoes TEXT);
INSERT INTO label_events VALUES(1,'ev-1',1,1,'ana','correctly-declined',NULL,0,4.5,'2026-01-01T10:00:00.000000Z',NULL);
INSERT INTO label_events VALUES(2,'ev-2',1,1,'sam','should-have-attempted','looks safe',0,6.0,'2026-01-01T11:00:00.000000Z',NULL);
INSERT INTO label_events VALUES(3,'ev-3',1,2,'ana','should-have-attempted',NULL,0,3.0,'2026-01-01T10:01:00.000000Z',NULL);
INSERT INTO label_events VALUES(4,'ev-4',1,2,'sam',NULL,'ask the lead',1,NULL,'2026-01-01T11:01:00.000000Z',NULL);
INSERT INTO label_events VALUES(5,'ev-5',1,3,'ana','correctly-declined',NULL,0,2.0,'2026-01-01T10:02:00.000000Z',NULL);
INSERT INTO label_events VALUES(6,'ev-6',1,3,'sam','correctly-declined',NULL,0,2.0,'2026-01-01T11:02:00.000000Z',NULL);
INSERT INTO label_events VALUES(7,'ev-7',1,3,'sam',NULL,NULL,0,NULL,'2026-01-01T11:03:00.000000Z','ev-6');
CREATE INDEX turns_class_model ON turns (class, model);
CREATE INDEX audit_items_order ON audit_items (audit_id, sample_key);
CREATE INDEX label_events_item ON label_events (audit_id, turn_id, created_at);
CREATE VIEW item_labels AS  SELECT audit_id, turn_id, reviewer, value, note, flagged, seconds, created_at, event_id  FROM (SELECT e.*, row_number () OVER (PARTITION BY audit_id, turn_id                                        ORDER BY created_at DESC, event_id DESC) AS rn        FROM label_events e)  WHERE rn = 1;
CREATE VIEW reviewer_labels AS  SELECT audit_id, turn_id, reviewer, value, note, flagged, seconds, created_at, event_id  FROM (SELECT e.*, row_number () OVER (PARTITION BY audit_id, turn_id, reviewer                                        ORDER BY created_at DESC, event_id DESC) AS rn        FROM label_events e)  WHERE rn = 1;
CREATE INDEX turns_batch_declined ON turns (batch_id, declined);
