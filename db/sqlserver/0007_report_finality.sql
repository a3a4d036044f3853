-- Report runs keep the snapshot of the books they were built from (the report model as JSON, and its SHA-256), so
-- approval can tell a stale draft from a current one and render the final files from exactly what was approved.
-- A draft can be cancelled, which frees its period for a new run. The status CHECK was created without a name.
DECLARE @check sysname = (SELECT name FROM sys.check_constraints
                          WHERE parent_object_id = OBJECT_ID(N'dbo.report_run') AND definition LIKE N'%superseded%');
DECLARE @drop nvarchar(400) = N'ALTER TABLE dbo.report_run DROP CONSTRAINT ' + QUOTENAME(@check);
IF @check IS NOT NULL EXEC (@drop);
GO
ALTER TABLE report_run ADD CONSTRAINT ck_report_run_status
  CHECK (status IN ('draft', 'approved', 'sent', 'failed', 'superseded', 'cancelled'));
ALTER TABLE report_run ADD model_json nvarchar(max) NULL;
ALTER TABLE report_run ADD model_sha256 nvarchar(64) NULL;
ALTER TABLE report_run ADD cancelled_at datetime2(7) NULL;
ALTER TABLE report_run ADD cancelled_by nvarchar(300) NULL;
ALTER TABLE report_run ADD cancel_reason nvarchar(1000) NULL;
GO
ALTER TABLE report_run ADD CONSTRAINT ck_report_run_cancelled CHECK (status <> 'cancelled' OR cancelled_at IS NOT NULL);
DROP INDEX uq_report_run_live ON report_run;
CREATE UNIQUE INDEX uq_report_run_live ON report_run (grant_id, period_start) WHERE status <> 'superseded' AND status <> 'cancelled';
-- Variance notes can be corrected while their period is open.
ALTER TABLE variance_note ADD updated_at datetime2(7) NULL;
ALTER TABLE variance_note ADD updated_by nvarchar(300) NULL;
