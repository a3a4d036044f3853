-- A tamper-evident audit: each entry carries a SHA-256 over its content and the previous entry's hash, and the
-- table refuses UPDATE and DELETE. Entries written before this migration have no hash and are reported as unchained.
ALTER TABLE audit_entry ADD prev_hash nvarchar(64) NULL, entry_hash nvarchar(64) NULL;
GO
CREATE TRIGGER audit_entry_append_only ON audit_entry INSTEAD OF UPDATE, DELETE AS
BEGIN
  THROW 51000, 'audit_entry is append-only', 1;
END;
