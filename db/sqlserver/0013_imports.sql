-- Imports of accounting-system exports (issue 13). The rules that map an export's accounts and tracking values
-- (grants) are kept as versions: each change adds one, the newest is in force, and the audit trail says who.
CREATE TABLE import_mapping (
  id              bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  version_number  int NOT NULL UNIQUE CHECK (version_number >= 1),
  rules_json      nvarchar(max) NOT NULL,
  created_at      datetime2(7) NOT NULL,
  created_by      nvarchar(300) NOT NULL
);
-- One uploaded file: previewed row by row, committed once (all ready rows or none), reversible by voiding.
CREATE TABLE import_batch (
  id              bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  source          nvarchar(40) NOT NULL,
  file_name       nvarchar(300) NOT NULL,
  sha256          nvarchar(64) NOT NULL,
  byte_count      bigint NOT NULL,
  status          nvarchar(20) NOT NULL CHECK (status IN ('previewing', 'previewed', 'committing', 'committed', 'reversed', 'failed')),
  mapping_version int NOT NULL,
  total_rows      int NOT NULL DEFAULT 0,
  ready_rows      int NOT NULL DEFAULT 0,
  duplicate_rows  int NOT NULL DEFAULT 0,
  refused_rows    int NOT NULL DEFAULT 0,
  ignored_rows    int NOT NULL DEFAULT 0,
  written_rows    int NOT NULL DEFAULT 0,
  progress_done   int NOT NULL DEFAULT 0,
  progress_total  int NOT NULL DEFAULT 0,
  error           nvarchar(max) NULL,
  version         int NOT NULL DEFAULT 1,
  created_at      datetime2(7) NOT NULL,
  created_by      nvarchar(300) NOT NULL,
  committed_at    datetime2(7) NULL,
  committed_by    nvarchar(300) NULL,
  reversed_at     datetime2(7) NULL,
  reversed_by     nvarchar(300) NULL,
  reverse_reason  nvarchar(max) NULL
);
CREATE INDEX ix_import_batch_sha256 ON import_batch (sha256);
-- Every row of the file as previewed: what it would record and why not.
CREATE TABLE import_row (
  import_id        bigint NOT NULL REFERENCES import_batch (id),
  line             int NOT NULL,
  status           nvarchar(20) NOT NULL CHECK (status IN ('ready', 'duplicate', 'refused', 'ignored')),
  reasons          nvarchar(max) NULL,
  kind             nvarchar(20) NULL CHECK (kind IN ('spend', 'income')),
  txn_date         date NULL,
  amount_pence     bigint NULL,
  grant_id         bigint NULL,
  category_code    nvarchar(40) NULL,
  partner_id       bigint NULL,
  account_code     nvarchar(100) NULL,
  tracking_value   nvarchar(200) NULL,
  description      nvarchar(max) NOT NULL,
  source_reference nvarchar(200) NULL,
  PRIMARY KEY (import_id, line)
);
CREATE INDEX ix_import_row_status ON import_row (import_id, status, line);
ALTER TABLE spend_transaction ADD import_id bigint NULL REFERENCES import_batch (id), import_line int NULL;
CREATE INDEX ix_spend_transaction_import ON spend_transaction (import_id) WHERE import_id IS NOT NULL;
ALTER TABLE payment ADD import_id bigint NULL REFERENCES import_batch (id), import_line int NULL;
CREATE INDEX ix_payment_import ON payment (import_id) WHERE import_id IS NOT NULL;
CREATE INDEX ix_payment_duplicate ON payment (grant_id, payment_date, amount_pence) WHERE voided_at IS NULL;
