-- Report runs keep the snapshot of the books they were built from (the report model as JSON, and its SHA-256), so
-- approval can tell a stale draft from a current one and render the final files from exactly what was approved.
-- A draft can be cancelled, which frees its period for a new run. SQLite cannot change a CHECK constraint in place,
-- so report_run is rebuilt (the migrator runs SQLite scripts with foreign keys off and checks them before commit).
CREATE TABLE report_run_new (
  id                    INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  grant_id              INTEGER NOT NULL REFERENCES grant_award (id),
  period_start          TEXT    NOT NULL CHECK (date(period_start) = period_start),
  period_end            TEXT    NOT NULL CHECK (date(period_end) = period_end),
  period_label          TEXT    NOT NULL,
  status                TEXT    NOT NULL CHECK (status IN ('draft', 'approved', 'sent', 'failed', 'superseded', 'cancelled')),
  due_date              TEXT    NOT NULL CHECK (date(due_date) = due_date),
  generated_at          TEXT    NULL,
  approved_at           TEXT    NULL,
  approved_by           TEXT    NULL,
  sent_at               TEXT    NULL,
  superseded_by_run_id  INTEGER NULL REFERENCES report_run (id),
  failure_reason        TEXT    NULL,
  version               INTEGER NOT NULL DEFAULT 1,
  created_at            TEXT    NOT NULL,
  rag                   TEXT    NULL CHECK (rag IS NULL OR rag IN ('green', 'amber', 'red')),
  figures_json          TEXT    NULL,
  model_json            TEXT    NULL,
  model_sha256          TEXT    NULL CHECK (model_sha256 IS NULL OR length(model_sha256) = 64),
  cancelled_at          TEXT    NULL,
  cancelled_by          TEXT    NULL,
  cancel_reason         TEXT    NULL,
  CONSTRAINT ck_report_run_dates CHECK (period_end >= period_start),
  CONSTRAINT ck_report_run_cancelled CHECK (status <> 'cancelled' OR cancelled_at IS NOT NULL)
);
INSERT INTO report_run_new (id, grant_id, period_start, period_end, period_label, status, due_date, generated_at, approved_at, approved_by,
                            sent_at, superseded_by_run_id, failure_reason, version, created_at, rag, figures_json)
SELECT id, grant_id, period_start, period_end, period_label, status, due_date, generated_at, approved_at, approved_by,
       sent_at, superseded_by_run_id, failure_reason, version, created_at, rag, figures_json
FROM report_run;
DROP TABLE report_run;
ALTER TABLE report_run_new RENAME TO report_run;
CREATE UNIQUE INDEX uq_report_run_live ON report_run (grant_id, period_start) WHERE status <> 'superseded' AND status <> 'cancelled';
CREATE INDEX ix_report_run_status ON report_run (status, due_date);
-- Variance notes can be corrected while their period is open.
ALTER TABLE variance_note ADD COLUMN updated_at TEXT NULL;
ALTER TABLE variance_note ADD COLUMN updated_by TEXT NULL;
