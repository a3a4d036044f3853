-- The duplicate-line control looks up live lines by grant and source reference on every write (and the import
-- will for every row): without this, it scans all of a grant's lines for the date.
CREATE INDEX ix_spend_transaction_source_reference ON spend_transaction (grant_id, source_reference) WHERE source_reference IS NOT NULL AND voided_at IS NULL;
