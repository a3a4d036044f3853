-- Report runs keep the snapshot of the books they were built from (the report model as JSON, and its SHA-256), so
-- approval can tell a stale draft from a current one and render the final files from exactly what was approved.
-- A draft can be cancelled, which frees its period for a new run.
ALTER TABLE report_run DROP CONSTRAINT report_run_status_check;
ALTER TABLE report_run ADD CONSTRAINT report_run_status_check
  CHECK (status IN ('draft', 'approved', 'sent', 'failed', 'superseded', 'cancelled'));
ALTER TABLE report_run ADD COLUMN model_json text NULL;
ALTER TABLE report_run ADD COLUMN model_sha256 text NULL CHECK (model_sha256 IS NULL OR length(model_sha256) = 64);
ALTER TABLE report_run ADD COLUMN cancelled_at timestamptz NULL;
ALTER TABLE report_run ADD COLUMN cancelled_by text NULL;
ALTER TABLE report_run ADD COLUMN cancel_reason text NULL;
ALTER TABLE report_run ADD CONSTRAINT ck_report_run_cancelled CHECK (status <> 'cancelled' OR cancelled_at IS NOT NULL);
DROP INDEX uq_report_run_live;
CREATE UNIQUE INDEX uq_report_run_live ON report_run (grant_id, period_start) WHERE status <> 'superseded' AND status <> 'cancelled';
-- Variance notes can be corrected while their period is open.
ALTER TABLE variance_note ADD COLUMN updated_at timestamptz NULL;
ALTER TABLE variance_note ADD COLUMN updated_by text NULL;
