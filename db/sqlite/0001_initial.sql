-- Portfolio schema, SQLite. Money is whole pence in 64-bit integers; dates are ISO-8601 TEXT (YYYY-MM-DD),
-- timestamps UTC TEXT. The same tables and columns exist in db/postgres and db/sqlserver.

CREATE TABLE cost_category (
  code        TEXT    NOT NULL PRIMARY KEY,
  name        TEXT    NOT NULL,
  sort_order  INTEGER NOT NULL
);

INSERT INTO cost_category (code, name, sort_order) VALUES
  ('staff', 'Staff', 1),
  ('delivery', 'Delivery', 2),
  ('partner-grants', 'Partner grants', 3),
  ('training', 'Training', 4),
  ('evaluation', 'Evaluation', 5),
  ('overheads', 'Overheads', 6);

CREATE TABLE funder (
  id                  INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  name                TEXT    NOT NULL CHECK (length(trim(name)) > 0),
  kind                TEXT    NOT NULL CHECK (kind IN ('lottery', 'government', 'trust', 'corporate', 'other')),
  org_identifier      TEXT    NULL,
  reporting_calendar  TEXT    NOT NULL CHECK (reporting_calendar IN ('uk-financial-year', 'calendar-year', 'grant-anniversary')),
  report_lag_days     INTEGER NOT NULL CHECK (report_lag_days BETWEEN 0 AND 366),
  delivery_mode       TEXT    NOT NULL CHECK (delivery_mode IN ('approval', 'auto')),
  rag_amber_percent   INTEGER NOT NULL,
  rag_red_percent     INTEGER NOT NULL,
  version             INTEGER NOT NULL DEFAULT 1,
  created_at          TEXT    NOT NULL,
  updated_at          TEXT    NOT NULL,
  CHECK (rag_amber_percent >= 0 AND rag_red_percent >= rag_amber_percent)
);

CREATE TABLE funder_contact (
  id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  funder_id   INTEGER NOT NULL REFERENCES funder (id) ON DELETE CASCADE,
  name        TEXT    NOT NULL,
  email       TEXT    NOT NULL,
  sort_order  INTEGER NOT NULL
);
CREATE INDEX ix_funder_contact_funder ON funder_contact (funder_id);

CREATE TABLE programme_area (
  id           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  name         TEXT    NOT NULL,
  code         TEXT    NOT NULL UNIQUE,
  lead_name    TEXT    NULL,
  lead_email   TEXT    NULL,
  description  TEXT    NULL,
  version      INTEGER NOT NULL DEFAULT 1,
  created_at   TEXT    NOT NULL,
  updated_at   TEXT    NOT NULL
);

CREATE TABLE partner (
  id                INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  name              TEXT    NOT NULL,
  kind              TEXT    NOT NULL CHECK (kind IN ('by-and-for', 'specialist', 'statutory', 'other')),
  org_identifier    TEXT    NULL,
  communities_json  TEXT    NOT NULL DEFAULT '[]',
  contact_email     TEXT    NULL,
  version           INTEGER NOT NULL DEFAULT 1,
  created_at        TEXT    NOT NULL,
  updated_at        TEXT    NOT NULL
);

CREATE TABLE grant_award (
  id                    INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  funder_id             INTEGER NOT NULL REFERENCES funder (id),
  programme_area_id     INTEGER NULL REFERENCES programme_area (id),
  reference             TEXT    NOT NULL,
  title                 TEXT    NOT NULL,
  description           TEXT    NULL,
  amount_awarded_pence  INTEGER NOT NULL CHECK (typeof(amount_awarded_pence) = 'integer' AND amount_awarded_pence >= 0),
  currency              TEXT    NOT NULL DEFAULT 'GBP' CHECK (currency = 'GBP'),
  award_date            TEXT    NULL CHECK (award_date IS NULL OR date(award_date) = award_date),
  start_date            TEXT    NOT NULL CHECK (date(start_date) = start_date),
  end_date              TEXT    NOT NULL CHECK (date(end_date) = end_date),
  restricted            INTEGER NOT NULL CHECK (restricted IN (0, 1)),
  status                TEXT    NOT NULL CHECK (status IN ('pipeline', 'active', 'closed')),
  version               INTEGER NOT NULL DEFAULT 1,
  created_at            TEXT    NOT NULL,
  updated_at            TEXT    NOT NULL,
  CONSTRAINT uq_grant_award_funder_reference UNIQUE (funder_id, reference),
  CONSTRAINT ck_grant_award_dates CHECK (end_date >= start_date)
);
CREATE INDEX ix_grant_award_programme_area ON grant_award (programme_area_id);

CREATE TABLE partner_agreement (
  id            INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  grant_id      INTEGER NOT NULL REFERENCES grant_award (id),
  partner_id    INTEGER NOT NULL REFERENCES partner (id),
  amount_pence  INTEGER NOT NULL CHECK (typeof(amount_pence) = 'integer' AND amount_pence >= 0),
  start_date    TEXT    NOT NULL CHECK (date(start_date) = start_date),
  end_date      TEXT    NOT NULL CHECK (date(end_date) = end_date),
  purpose       TEXT    NULL,
  version       INTEGER NOT NULL DEFAULT 1,
  created_at    TEXT    NOT NULL,
  updated_at    TEXT    NOT NULL,
  CONSTRAINT ck_partner_agreement_dates CHECK (end_date >= start_date)
);
CREATE INDEX ix_partner_agreement_grant ON partner_agreement (grant_id);
CREATE INDEX ix_partner_agreement_partner ON partner_agreement (partner_id);

CREATE TABLE budget_version (
  id              INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  grant_id        INTEGER NOT NULL REFERENCES grant_award (id),
  version_number  INTEGER NOT NULL CHECK (version_number >= 1),
  created_at      TEXT    NOT NULL,
  created_by      TEXT    NOT NULL,
  CONSTRAINT uq_budget_version_grant_number UNIQUE (grant_id, version_number)
);

CREATE TABLE budget_line (
  id                 INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  budget_version_id  INTEGER NOT NULL REFERENCES budget_version (id),
  category_code      TEXT    NOT NULL REFERENCES cost_category (code),
  period_start       TEXT    NOT NULL CHECK (date(period_start) = period_start),
  amount_pence       INTEGER NOT NULL CHECK (typeof(amount_pence) = 'integer'),
  CONSTRAINT uq_budget_line UNIQUE (budget_version_id, category_code, period_start)
);

CREATE TABLE spend_transaction (
  id                INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  grant_id          INTEGER NOT NULL REFERENCES grant_award (id),
  transaction_date  TEXT    NOT NULL CHECK (date(transaction_date) = transaction_date),
  amount_pence      INTEGER NOT NULL CHECK (typeof(amount_pence) = 'integer'),
  category_code     TEXT    NOT NULL REFERENCES cost_category (code),
  description       TEXT    NOT NULL,
  partner_id        INTEGER NULL REFERENCES partner (id),
  source_reference  TEXT    NULL,
  voided_at         TEXT    NULL,
  voided_by         TEXT    NULL,
  void_reason       TEXT    NULL,
  version           INTEGER NOT NULL DEFAULT 1,
  created_at        TEXT    NOT NULL,
  created_by        TEXT    NOT NULL,
  updated_at        TEXT    NOT NULL,
  CONSTRAINT ck_spend_transaction_void CHECK (
    (voided_at IS NULL AND voided_by IS NULL AND void_reason IS NULL)
    OR (voided_at IS NOT NULL AND voided_by IS NOT NULL AND void_reason IS NOT NULL AND length(trim(void_reason)) > 0))
);
CREATE INDEX ix_spend_transaction_grant_date ON spend_transaction (grant_id, transaction_date);
CREATE INDEX ix_spend_transaction_partner ON spend_transaction (partner_id);

CREATE TABLE payment (
  id            INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  grant_id      INTEGER NOT NULL REFERENCES grant_award (id),
  payment_date  TEXT    NOT NULL CHECK (date(payment_date) = payment_date),
  amount_pence  INTEGER NOT NULL CHECK (typeof(amount_pence) = 'integer'),
  reference     TEXT    NULL,
  voided_at     TEXT    NULL,
  voided_by     TEXT    NULL,
  void_reason   TEXT    NULL,
  version       INTEGER NOT NULL DEFAULT 1,
  created_at    TEXT    NOT NULL,
  created_by    TEXT    NOT NULL,
  updated_at    TEXT    NOT NULL,
  CONSTRAINT ck_payment_void CHECK (
    (voided_at IS NULL AND voided_by IS NULL AND void_reason IS NULL)
    OR (voided_at IS NOT NULL AND voided_by IS NOT NULL AND void_reason IS NOT NULL AND length(trim(void_reason)) > 0))
);
CREATE INDEX ix_payment_grant_date ON payment (grant_id, payment_date);

CREATE TABLE variance_note (
  id             INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  grant_id       INTEGER NOT NULL REFERENCES grant_award (id),
  period_start   TEXT    NOT NULL CHECK (date(period_start) = period_start),
  category_code  TEXT    NULL REFERENCES cost_category (code),
  note_text      TEXT    NOT NULL CHECK (length(trim(note_text)) > 0),
  author         TEXT    NOT NULL,
  version        INTEGER NOT NULL DEFAULT 1,
  created_at     TEXT    NOT NULL
);
CREATE INDEX ix_variance_note_grant_period ON variance_note (grant_id, period_start);

CREATE TABLE report_run (
  id                    INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  grant_id              INTEGER NOT NULL REFERENCES grant_award (id),
  period_start          TEXT    NOT NULL CHECK (date(period_start) = period_start),
  period_end            TEXT    NOT NULL CHECK (date(period_end) = period_end),
  period_label          TEXT    NOT NULL,
  status                TEXT    NOT NULL CHECK (status IN ('draft', 'approved', 'sent', 'failed', 'superseded')),
  due_date              TEXT    NOT NULL CHECK (date(due_date) = due_date),
  generated_at          TEXT    NULL,
  approved_at           TEXT    NULL,
  approved_by           TEXT    NULL,
  sent_at               TEXT    NULL,
  superseded_by_run_id  INTEGER NULL REFERENCES report_run (id),
  failure_reason        TEXT    NULL,
  version               INTEGER NOT NULL DEFAULT 1,
  created_at            TEXT    NOT NULL,
  CONSTRAINT ck_report_run_dates CHECK (period_end >= period_start)
);
-- One live run per grant and period, however many schedulers race to create it.
CREATE UNIQUE INDEX uq_report_run_live ON report_run (grant_id, period_start) WHERE status <> 'superseded';

CREATE TABLE report_file (
  id             INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  report_run_id  INTEGER NOT NULL REFERENCES report_run (id),
  format         TEXT    NOT NULL CHECK (format IN ('xlsx', 'pdf')),
  file_name      TEXT    NOT NULL,
  content_type   TEXT    NOT NULL,
  content        BLOB    NOT NULL,
  sha256         TEXT    NOT NULL CHECK (length(sha256) = 64),
  size_bytes     INTEGER NOT NULL CHECK (size_bytes >= 0),
  created_at     TEXT    NOT NULL,
  CONSTRAINT uq_report_file_run_format UNIQUE (report_run_id, format)
);

CREATE TABLE report_delivery (
  id               INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  report_run_id    INTEGER NOT NULL REFERENCES report_run (id),
  recipient_name   TEXT    NOT NULL,
  recipient_email  TEXT    NOT NULL,
  status           TEXT    NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  message_id       TEXT    NULL,
  claimed_at       TEXT    NULL,
  claimed_by       TEXT    NULL,
  sent_at          TEXT    NULL,
  last_error       TEXT    NULL,
  created_at       TEXT    NOT NULL,
  updated_at       TEXT    NOT NULL
);
CREATE INDEX ix_report_delivery_run ON report_delivery (report_run_id);

CREATE TABLE audit_entry (
  id           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  at           TEXT    NOT NULL,
  actor        TEXT    NOT NULL,
  action       TEXT    NOT NULL,
  entity       TEXT    NOT NULL,
  entity_id    TEXT    NOT NULL,
  before_json  TEXT    NULL,
  after_json   TEXT    NULL
);
CREATE INDEX ix_audit_entry_entity ON audit_entry (entity, entity_id);
CREATE INDEX ix_audit_entry_at ON audit_entry (at);

CREATE TABLE api_key (
  id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  name        TEXT    NOT NULL,
  role        TEXT    NOT NULL CHECK (role IN ('admin', 'finance', 'programme-lead', 'viewer')),
  key_hash    TEXT    NOT NULL UNIQUE CHECK (length(key_hash) = 64),
  key_prefix  TEXT    NOT NULL,
  version     INTEGER NOT NULL DEFAULT 1,
  created_at  TEXT    NOT NULL,
  created_by  TEXT    NOT NULL,
  revoked_at  TEXT    NULL,
  revoked_by  TEXT    NULL
);

CREATE TABLE idempotency_record (
  id               INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  scope            TEXT    NOT NULL,
  idempotency_key  TEXT    NOT NULL,
  request_hash     TEXT    NOT NULL CHECK (length(request_hash) = 64),
  response_status  INTEGER NOT NULL,
  response_body    TEXT    NOT NULL,
  location         TEXT    NULL,
  created_at       TEXT    NOT NULL,
  expires_at       TEXT    NOT NULL,
  CONSTRAINT uq_idempotency_record UNIQUE (scope, idempotency_key)
);
CREATE INDEX ix_idempotency_record_expires ON idempotency_record (expires_at);
