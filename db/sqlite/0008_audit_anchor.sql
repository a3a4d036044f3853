-- The audit chain's head, recorded with every report run sent and daily, so that removing the newest entries is
-- detected: each anchor names an entry and its hash, which the chain must still hold. Append-only, like the chain.
CREATE TABLE audit_anchor (
  id             INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  at             TEXT NOT NULL,
  reason         TEXT NOT NULL CHECK (reason IN ('report-run-sent', 'daily')),
  report_run_id  INTEGER NULL REFERENCES report_run (id),
  head_entry_id  INTEGER NOT NULL,
  head_hash      TEXT NOT NULL,
  entries        INTEGER NOT NULL
);
CREATE TRIGGER audit_anchor_no_update BEFORE UPDATE ON audit_anchor BEGIN SELECT RAISE(ABORT, 'audit_anchor is append-only'); END;
CREATE TRIGGER audit_anchor_no_delete BEFORE DELETE ON audit_anchor BEGIN SELECT RAISE(ABORT, 'audit_anchor is append-only'); END;
