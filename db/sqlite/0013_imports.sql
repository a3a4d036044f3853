-- Imports of accounting-system exports (issue 13). The rules that map an export's accounts and tracking values
-- (grants) are kept as versions: each change adds one, the newest is in force, and the audit trail says who.
CREATE TABLE import_mapping (
  id              INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  version_number  INTEGER NOT NULL UNIQUE CHECK (version_number >= 1),
  rules_json      TEXT    NOT NULL,
  created_at      TEXT NOT NULL,
  created_by      TEXT    NOT NULL
);
-- One uploaded file: previewed row by row, committed once (all ready rows or none), reversible by voiding.
CREATE TABLE import_batch (
  id              INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  source          TEXT    NOT NULL,
  file_name       TEXT    NOT NULL,
  sha256          TEXT    NOT NULL,
  byte_count      INTEGER  NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ('previewing', 'previewed', 'committing', 'committed', 'reversed', 'failed')),
  mapping_version INTEGER NOT NULL,
  total_rows      INTEGER NOT NULL DEFAULT 0,
  ready_rows      INTEGER NOT NULL DEFAULT 0,
  duplicate_rows  INTEGER NOT NULL DEFAULT 0,
  refused_rows    INTEGER NOT NULL DEFAULT 0,
  ignored_rows    INTEGER NOT NULL DEFAULT 0,
  written_rows    INTEGER NOT NULL DEFAULT 0,
  progress_done   INTEGER NOT NULL DEFAULT 0,
  progress_total  INTEGER NOT NULL DEFAULT 0,
  error           TEXT    NULL,
  version         INTEGER NOT NULL DEFAULT 1,
  created_at      TEXT NOT NULL,
  created_by      TEXT    NOT NULL,
  committed_at    TEXT NULL,
  committed_by    TEXT    NULL,
  reversed_at     TEXT NULL,
  reversed_by     TEXT    NULL,
  reverse_reason  TEXT    NULL
);
CREATE INDEX ix_import_batch_sha256 ON import_batch (sha256);
-- Every row of the file as previewed: what it would record and why not.
CREATE TABLE import_row (
  import_id        INTEGER  NOT NULL REFERENCES import_batch (id),
  line             INTEGER NOT NULL,
  status           TEXT    NOT NULL CHECK (status IN ('ready', 'duplicate', 'refused', 'ignored')),
  reasons          TEXT    NULL,
  kind             TEXT    NULL CHECK (kind IN ('spend', 'income')),
  txn_date         TEXT    NULL,
  amount_pence     INTEGER  NULL,
  grant_id         INTEGER  NULL,
  category_code    TEXT    NULL,
  partner_id       INTEGER  NULL,
  account_code     TEXT    NULL,
  tracking_value   TEXT    NULL,
  description      TEXT    NOT NULL,
  source_reference TEXT    NULL,
  PRIMARY KEY (import_id, line)
);
CREATE INDEX ix_import_row_status ON import_row (import_id, status, line);
ALTER TABLE spend_transaction ADD COLUMN import_id INTEGER NULL REFERENCES import_batch (id);
ALTER TABLE spend_transaction ADD COLUMN import_line INTEGER NULL;
CREATE INDEX ix_spend_transaction_import ON spend_transaction (import_id) WHERE import_id IS NOT NULL;
ALTER TABLE payment ADD COLUMN import_id INTEGER NULL REFERENCES import_batch (id);
ALTER TABLE payment ADD COLUMN import_line INTEGER NULL;
CREATE INDEX ix_payment_import ON payment (import_id) WHERE import_id IS NOT NULL;
CREATE INDEX ix_payment_duplicate ON payment (grant_id, payment_date, amount_pence) WHERE voided_at IS NULL;
