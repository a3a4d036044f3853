-- The audit chain's head, recorded with every report run sent and daily, so that removing the newest entries is
-- detected: each anchor names an entry and its hash, which the chain must still hold. Append-only, like the chain.
CREATE TABLE audit_anchor (
  id             bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  at             datetime2(7) NOT NULL,
  reason         nvarchar(30) NOT NULL CHECK (reason IN ('report-run-sent', 'daily')),
  report_run_id  bigint NULL REFERENCES report_run (id),
  head_entry_id  bigint NOT NULL,
  head_hash      nvarchar(64) NOT NULL,
  entries        bigint NOT NULL
);
GO
CREATE TRIGGER audit_anchor_append_only ON audit_anchor INSTEAD OF UPDATE, DELETE AS
BEGIN
  THROW 51000, 'audit_anchor is append-only', 1;
END;
