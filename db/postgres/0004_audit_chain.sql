-- A tamper-evident audit: each entry carries a SHA-256 over its content and the previous entry's hash, and the
-- table refuses UPDATE, DELETE and TRUNCATE. Entries written before this migration have no hash and are reported as unchained.
ALTER TABLE audit_entry ADD COLUMN prev_hash text NULL;
ALTER TABLE audit_entry ADD COLUMN entry_hash text NULL;
CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_entry is append-only';
END;
$$;
CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
