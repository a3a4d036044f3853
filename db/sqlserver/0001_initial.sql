-- Portfolio schema, SQL Server 2022 / Azure SQL. Money is whole pence in bigint; dates are date, timestamps datetime2 (UTC).
-- The same tables and columns exist in db/sqlite and db/postgres. Checked here with ScriptDom, not executed.

CREATE TABLE cost_category (
  code        nvarchar(40) NOT NULL PRIMARY KEY,
  name        nvarchar(300) NOT NULL,
  sort_order  int     NOT NULL
);

INSERT INTO cost_category (code, name, sort_order) VALUES
  ('staff', 'Staff', 1),
  ('delivery', 'Delivery', 2),
  ('partner-grants', 'Partner grants', 3),
  ('training', 'Training', 4),
  ('evaluation', 'Evaluation', 5),
  ('overheads', 'Overheads', 6);

CREATE TABLE funder (
  id                  bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  name                nvarchar(300) NOT NULL CHECK (len(ltrim(rtrim(name))) > 0),
  kind                nvarchar(20) NOT NULL CHECK (kind IN ('lottery', 'government', 'trust', 'corporate', 'other')),
  org_identifier      nvarchar(100) NULL,
  reporting_calendar  nvarchar(30) NOT NULL CHECK (reporting_calendar IN ('uk-financial-year', 'calendar-year', 'grant-anniversary')),
  report_lag_days     int     NOT NULL CHECK (report_lag_days BETWEEN 0 AND 366),
  delivery_mode       nvarchar(20) NOT NULL CHECK (delivery_mode IN ('approval', 'auto')),
  rag_amber_percent   int     NOT NULL,
  rag_red_percent     int     NOT NULL,
  version             int     NOT NULL DEFAULT 1,
  created_at          datetime2(7) NOT NULL,
  updated_at          datetime2(7) NOT NULL,
  CHECK (rag_amber_percent >= 0 AND rag_red_percent >= rag_amber_percent)
);

CREATE TABLE funder_contact (
  id          bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  funder_id   bigint  NOT NULL REFERENCES funder (id) ON DELETE CASCADE,
  name        nvarchar(300) NOT NULL,
  email       nvarchar(320) NOT NULL,
  sort_order  int     NOT NULL
);
CREATE INDEX ix_funder_contact_funder ON funder_contact (funder_id);

CREATE TABLE programme_area (
  id           bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  name         nvarchar(300) NOT NULL,
  code         nvarchar(40) NOT NULL UNIQUE,
  lead_name    nvarchar(300) NULL,
  lead_email   nvarchar(320) NULL,
  description  nvarchar(max) NULL,
  version      int     NOT NULL DEFAULT 1,
  created_at   datetime2(7) NOT NULL,
  updated_at   datetime2(7) NOT NULL
);

CREATE TABLE partner (
  id                bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  name              nvarchar(300) NOT NULL,
  kind              nvarchar(20) NOT NULL CHECK (kind IN ('by-and-for', 'specialist', 'statutory', 'other')),
  org_identifier    nvarchar(100) NULL,
  communities_json  nvarchar(max) NOT NULL DEFAULT N'[]',
  contact_email     nvarchar(320) NULL,
  version           int     NOT NULL DEFAULT 1,
  created_at        datetime2(7) NOT NULL,
  updated_at        datetime2(7) NOT NULL
);

CREATE TABLE grant_award (
  id                    bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  funder_id             bigint  NOT NULL REFERENCES funder (id),
  programme_area_id     bigint  NULL REFERENCES programme_area (id),
  reference             nvarchar(200) NOT NULL,
  title                 nvarchar(500) NOT NULL,
  description           nvarchar(max) NULL,
  amount_awarded_pence  bigint  NOT NULL CHECK (amount_awarded_pence >= 0),
  currency              nvarchar(3) NOT NULL DEFAULT 'GBP' CHECK (currency = 'GBP'),
  award_date            date    NULL,
  start_date            date    NOT NULL,
  end_date              date    NOT NULL,
  restricted            bit     NOT NULL,
  status                nvarchar(20) NOT NULL CHECK (status IN ('pipeline', 'active', 'closed')),
  version               int     NOT NULL DEFAULT 1,
  created_at            datetime2(7) NOT NULL,
  updated_at            datetime2(7) NOT NULL,
  CONSTRAINT uq_grant_award_funder_reference UNIQUE (funder_id, reference),
  CONSTRAINT ck_grant_award_dates CHECK (end_date >= start_date)
);
CREATE INDEX ix_grant_award_programme_area ON grant_award (programme_area_id);

CREATE TABLE partner_agreement (
  id            bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  grant_id      bigint  NOT NULL REFERENCES grant_award (id),
  partner_id    bigint  NOT NULL REFERENCES partner (id),
  amount_pence  bigint  NOT NULL CHECK (amount_pence >= 0),
  start_date    date    NOT NULL,
  end_date      date    NOT NULL,
  purpose       nvarchar(max) NULL,
  version       int     NOT NULL DEFAULT 1,
  created_at    datetime2(7) NOT NULL,
  updated_at    datetime2(7) NOT NULL,
  CONSTRAINT ck_partner_agreement_dates CHECK (end_date >= start_date)
);
CREATE INDEX ix_partner_agreement_grant ON partner_agreement (grant_id);
CREATE INDEX ix_partner_agreement_partner ON partner_agreement (partner_id);

CREATE TABLE budget_version (
  id              bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  grant_id        bigint  NOT NULL REFERENCES grant_award (id),
  version_number  int     NOT NULL CHECK (version_number >= 1),
  created_at      datetime2(7) NOT NULL,
  created_by      nvarchar(300) NOT NULL,
  CONSTRAINT uq_budget_version_grant_number UNIQUE (grant_id, version_number)
);

CREATE TABLE budget_line (
  id                 bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  budget_version_id  bigint  NOT NULL REFERENCES budget_version (id),
  category_code      nvarchar(40) NOT NULL REFERENCES cost_category (code),
  period_start       date    NOT NULL,
  amount_pence       bigint  NOT NULL,
  CONSTRAINT uq_budget_line UNIQUE (budget_version_id, category_code, period_start)
);

CREATE TABLE spend_transaction (
  id                bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  grant_id          bigint  NOT NULL REFERENCES grant_award (id),
  transaction_date  date    NOT NULL,
  amount_pence      bigint  NOT NULL,
  category_code     nvarchar(40) NOT NULL REFERENCES cost_category (code),
  description       nvarchar(max) NOT NULL,
  partner_id        bigint  NULL REFERENCES partner (id),
  source_reference  nvarchar(200) NULL,
  voided_at         datetime2(7) NULL,
  voided_by         nvarchar(300) NULL,
  void_reason       nvarchar(max) NULL,
  version           int     NOT NULL DEFAULT 1,
  created_at        datetime2(7) NOT NULL,
  created_by        nvarchar(300) NOT NULL,
  updated_at        datetime2(7) NOT NULL,
  CONSTRAINT ck_spend_transaction_void CHECK (
    (voided_at IS NULL AND voided_by IS NULL AND void_reason IS NULL)
    OR (voided_at IS NOT NULL AND voided_by IS NOT NULL AND void_reason IS NOT NULL AND len(ltrim(rtrim(void_reason))) > 0))
);
CREATE INDEX ix_spend_transaction_grant_date ON spend_transaction (grant_id, transaction_date);
CREATE INDEX ix_spend_transaction_partner ON spend_transaction (partner_id);

CREATE TABLE payment (
  id            bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  grant_id      bigint  NOT NULL REFERENCES grant_award (id),
  payment_date  date    NOT NULL,
  amount_pence  bigint  NOT NULL,
  reference     nvarchar(200) NULL,
  voided_at     datetime2(7) NULL,
  voided_by     nvarchar(300) NULL,
  void_reason   nvarchar(max) NULL,
  version       int     NOT NULL DEFAULT 1,
  created_at    datetime2(7) NOT NULL,
  created_by    nvarchar(300) NOT NULL,
  updated_at    datetime2(7) NOT NULL,
  CONSTRAINT ck_payment_void CHECK (
    (voided_at IS NULL AND voided_by IS NULL AND void_reason IS NULL)
    OR (voided_at IS NOT NULL AND voided_by IS NOT NULL AND void_reason IS NOT NULL AND len(ltrim(rtrim(void_reason))) > 0))
);
CREATE INDEX ix_payment_grant_date ON payment (grant_id, payment_date);

CREATE TABLE variance_note (
  id             bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  grant_id       bigint  NOT NULL REFERENCES grant_award (id),
  period_start   date    NOT NULL,
  category_code  nvarchar(40) NULL REFERENCES cost_category (code),
  note_text      nvarchar(max) NOT NULL CHECK (len(ltrim(rtrim(note_text))) > 0),
  author         nvarchar(300) NOT NULL,
  version        int     NOT NULL DEFAULT 1,
  created_at     datetime2(7) NOT NULL
);
CREATE INDEX ix_variance_note_grant_period ON variance_note (grant_id, period_start);

CREATE TABLE report_run (
  id                    bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  grant_id              bigint  NOT NULL REFERENCES grant_award (id),
  period_start          date    NOT NULL,
  period_end            date    NOT NULL,
  period_label          nvarchar(50) NOT NULL,
  status                nvarchar(20) NOT NULL CHECK (status IN ('draft', 'approved', 'sent', 'failed', 'superseded')),
  due_date              date    NOT NULL,
  generated_at          datetime2(7) NULL,
  approved_at           datetime2(7) NULL,
  approved_by           nvarchar(300) NULL,
  sent_at               datetime2(7) NULL,
  superseded_by_run_id  bigint  NULL REFERENCES report_run (id),
  failure_reason        nvarchar(max) NULL,
  version               int     NOT NULL DEFAULT 1,
  created_at            datetime2(7) NOT NULL,
  CONSTRAINT ck_report_run_dates CHECK (period_end >= period_start)
);
-- One live run per grant and period, however many schedulers race to create it.
CREATE UNIQUE INDEX uq_report_run_live ON report_run (grant_id, period_start) WHERE status <> 'superseded';

CREATE TABLE report_file (
  id             bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  report_run_id  bigint  NOT NULL REFERENCES report_run (id),
  format         nvarchar(10) NOT NULL CHECK (format IN ('xlsx', 'pdf')),
  file_name      nvarchar(300) NOT NULL,
  content_type   nvarchar(200) NOT NULL,
  content        varbinary(max) NOT NULL,
  sha256         nvarchar(64) NOT NULL CHECK (len(sha256) = 64),
  size_bytes     bigint  NOT NULL CHECK (size_bytes >= 0),
  created_at     datetime2(7) NOT NULL,
  CONSTRAINT uq_report_file_run_format UNIQUE (report_run_id, format)
);

CREATE TABLE report_delivery (
  id               bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  report_run_id    bigint  NOT NULL REFERENCES report_run (id),
  recipient_name   nvarchar(300) NOT NULL,
  recipient_email  nvarchar(320) NOT NULL,
  status           nvarchar(20) NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  attempts         int     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  message_id       nvarchar(400) NULL,
  claimed_at       datetime2(7) NULL,
  claimed_by       nvarchar(300) NULL,
  sent_at          datetime2(7) NULL,
  last_error       nvarchar(max) NULL,
  created_at       datetime2(7) NOT NULL,
  updated_at       datetime2(7) NOT NULL
);
CREATE INDEX ix_report_delivery_run ON report_delivery (report_run_id);

CREATE TABLE audit_entry (
  id           bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  at           datetime2(7) NOT NULL,
  actor        nvarchar(300) NOT NULL,
  action       nvarchar(50) NOT NULL,
  entity       nvarchar(100) NOT NULL,
  entity_id    nvarchar(50) NOT NULL,
  before_json  nvarchar(max) NULL,
  after_json   nvarchar(max) NULL
);
CREATE INDEX ix_audit_entry_entity ON audit_entry (entity, entity_id);
CREATE INDEX ix_audit_entry_at ON audit_entry (at);

CREATE TABLE api_key (
  id          bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  name        nvarchar(300) NOT NULL,
  role        nvarchar(20) NOT NULL CHECK (role IN ('admin', 'finance', 'programme-lead', 'viewer')),
  key_hash    nvarchar(64) NOT NULL UNIQUE CHECK (len(key_hash) = 64),
  key_prefix  nvarchar(16) NOT NULL,
  version     int     NOT NULL DEFAULT 1,
  created_at  datetime2(7) NOT NULL,
  created_by  nvarchar(300) NOT NULL,
  revoked_at  datetime2(7) NULL,
  revoked_by  nvarchar(300) NULL
);

CREATE TABLE idempotency_record (
  id               bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  scope            nvarchar(300) NOT NULL,
  idempotency_key  nvarchar(200) NOT NULL,
  request_hash     nvarchar(64) NOT NULL CHECK (len(request_hash) = 64),
  response_status  int     NOT NULL,
  response_body    nvarchar(max) NOT NULL,
  location         nvarchar(500) NULL,
  created_at       datetime2(7) NOT NULL,
  expires_at       datetime2(7) NOT NULL,
  CONSTRAINT uq_idempotency_record UNIQUE (scope, idempotency_key)
);
CREATE INDEX ix_idempotency_record_expires ON idempotency_record (expires_at);
