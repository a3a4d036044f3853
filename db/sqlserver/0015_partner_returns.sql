-- Partner agreements in full (issue 14): the payment schedule, the return cycle, and what partners report back
-- through a link with no account.

-- Which reporting periods a partner reports on (each period the agreement runs in, only the last, or none), and
-- how many days after a period ends its return is due.
ALTER TABLE partner_agreement ADD returns_due nvarchar(40) NOT NULL DEFAULT N'each-period' CHECK (returns_due IN (N'each-period', N'final-period', N'none'));
ALTER TABLE partner_agreement ADD return_lag_days int NOT NULL DEFAULT 30 CHECK (return_lag_days BETWEEN 0 AND 366);

-- The payment schedule: instalments summing to the agreement, each paid by one live partner-grant transaction.
CREATE TABLE partner_instalment (
  id            bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  agreement_id  bigint NOT NULL REFERENCES partner_agreement (id) ON DELETE CASCADE,
  due_date      date NOT NULL,
  amount_pence  bigint NOT NULL CHECK (amount_pence > 0)
);
CREATE INDEX ix_partner_instalment_agreement ON partner_instalment (agreement_id);
ALTER TABLE spend_transaction ADD instalment_id bigint NULL REFERENCES partner_instalment (id);
CREATE UNIQUE INDEX ux_spend_transaction_instalment ON spend_transaction (instalment_id) WHERE instalment_id IS NOT NULL AND voided_at IS NULL;

-- One return per agreement and period: the partner's spend of the sub-grant by cost category, people reached by
-- community served (both JSON arrays, amounts in pence), and a short narrative; reviewed by finance or the lead.
CREATE TABLE partner_return (
  id              bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  agreement_id    bigint NOT NULL REFERENCES partner_agreement (id),
  period_start    date NOT NULL,
  status          nvarchar(40) NOT NULL CHECK (status IN (N'draft', N'submitted', N'accepted', N'sent-back')),
  spend_json      nvarchar(max) NOT NULL,
  reach_json      nvarchar(max) NOT NULL,
  went_well       nvarchar(max) NULL,
  got_in_the_way  nvarchar(max) NULL,
  submitted_at    datetime2(7) NULL,
  reviewed_at     datetime2(7) NULL,
  reviewed_by     nvarchar(300) NULL,
  review_comment  nvarchar(max) NULL,
  version         int NOT NULL DEFAULT 1,
  created_at      datetime2(7) NOT NULL,
  updated_at      datetime2(7) NOT NULL,
  CONSTRAINT uq_partner_return UNIQUE (agreement_id, period_start)
);

-- The links partners use: scoped to an agreement and period, expiring, revocable. The token is the link's id with
-- an HMAC over the id, agreement and period under app_secret 'partner-return-links': nothing secret is stored here.
CREATE TABLE partner_return_link (
  id            bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  agreement_id  bigint NOT NULL REFERENCES partner_agreement (id),
  period_start  date NOT NULL,
  expires_at    datetime2(7) NOT NULL,
  created_at    datetime2(7) NOT NULL,
  created_by    nvarchar(300) NOT NULL,
  revoked_at    datetime2(7) NULL,
  revoked_by    nvarchar(300) NULL
);
CREATE INDEX ix_partner_return_link_agreement ON partner_return_link (agreement_id, period_start);

-- Reminders to partners, each claimed once (the row) before it is sent: before a return is due, and once overdue.
CREATE TABLE partner_return_reminder (
  agreement_id  bigint NOT NULL REFERENCES partner_agreement (id),
  period_start  date NOT NULL,
  kind          nvarchar(40) NOT NULL CHECK (kind IN (N'before', N'overdue')),
  status        nvarchar(40) NOT NULL CHECK (status IN (N'sending', N'sent', N'failed', N'unknown')),
  recipient     nvarchar(300) NOT NULL,
  attempts      int NOT NULL,
  claimed_at    datetime2(7) NOT NULL,
  sent_at       datetime2(7) NULL,
  error         nvarchar(max) NULL,
  PRIMARY KEY (agreement_id, period_start, kind)
);

-- Secrets the service makes for itself once, shared by every instance on the database.
CREATE TABLE app_secret (
  name        nvarchar(40) NOT NULL PRIMARY KEY,
  secret      nvarchar(300) NOT NULL,
  created_at  datetime2(7) NOT NULL
);
