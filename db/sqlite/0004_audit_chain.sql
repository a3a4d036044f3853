-- A tamper-evident audit: each entry carries a SHA-256 over its content and the previous entry's hash, and the
-- table refuses UPDATE and DELETE. Entries written before this migration have no hash and are reported as unchained.
ALTER TABLE audit_entry ADD COLUMN prev_hash TEXT NULL;
ALTER TABLE audit_entry ADD COLUMN entry_hash TEXT NULL;
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END;
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END;
