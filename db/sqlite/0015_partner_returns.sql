-- Partner agreements in full (issue 14): the payment schedule, the return cycle, and what partners report back
-- through a link with no account.

-- Which reporting periods a partner reports on (each period the agreement runs in, only the last, or none), and
-- how many days after a period ends its return is due.
ALTER TABLE partner_agreement ADD COLUMN returns_due TEXT NOT NULL DEFAULT 'each-period' CHECK (returns_due IN ('each-period', 'final-period', 'none'));
ALTER TABLE partner_agreement ADD COLUMN return_lag_days INTEGER NOT NULL DEFAULT 30 CHECK (return_lag_days BETWEEN 0 AND 366);

-- The payment schedule: instalments summing to the agreement, each paid by one live partner-grant transaction.
CREATE TABLE partner_instalment (
  id            INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  agreement_id  INTEGER NOT NULL REFERENCES partner_agreement (id) ON DELETE CASCADE,
  due_date      TEXT NOT NULL,
  amount_pence  INTEGER NOT NULL CHECK (amount_pence > 0)
);
CREATE INDEX ix_partner_instalment_agreement ON partner_instalment (agreement_id);
ALTER TABLE spend_transaction ADD COLUMN instalment_id INTEGER NULL REFERENCES partner_instalment (id);
CREATE UNIQUE INDEX ux_spend_transaction_instalment ON spend_transaction (instalment_id) WHERE instalment_id IS NOT NULL AND voided_at IS NULL;

-- One return per agreement and period: the partner's spend of the sub-grant by cost category, people reached by
-- community served (both JSON arrays, amounts in pence), and a short narrative; reviewed by finance or the lead.
CREATE TABLE partner_return (
  id              INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  agreement_id    INTEGER NOT NULL REFERENCES partner_agreement (id),
  period_start    TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted', 'sent-back')),
  spend_json      TEXT NOT NULL,
  reach_json      TEXT NOT NULL,
  went_well       TEXT NULL,
  got_in_the_way  TEXT NULL,
  submitted_at    TEXT NULL,
  reviewed_at     TEXT NULL,
  reviewed_by     TEXT NULL,
  review_comment  TEXT NULL,
  version         INTEGER NOT NULL DEFAULT 1,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  CONSTRAINT uq_partner_return UNIQUE (agreement_id, period_start)
);

-- The links partners use: scoped to an agreement and period, expiring, revocable. The token is the link's id with
-- an HMAC over the id, agreement and period under app_secret 'partner-return-links': nothing secret is stored here.
CREATE TABLE partner_return_link (
  id            INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  agreement_id  INTEGER NOT NULL REFERENCES partner_agreement (id),
  period_start  TEXT NOT NULL,
  expires_at    TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  created_by    TEXT NOT NULL,
  revoked_at    TEXT NULL,
  revoked_by    TEXT NULL
);
CREATE INDEX ix_partner_return_link_agreement ON partner_return_link (agreement_id, period_start);

-- Reminders to partners, each claimed once (the row) before it is sent: before a return is due, and once overdue.
CREATE TABLE partner_return_reminder (
  agreement_id  INTEGER NOT NULL REFERENCES partner_agreement (id),
  period_start  TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('before', 'overdue')),
  status        TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'unknown')),
  recipient     TEXT NOT NULL,
  attempts      INTEGER NOT NULL,
  claimed_at    TEXT NOT NULL,
  sent_at       TEXT NULL,
  error         TEXT NULL,
  PRIMARY KEY (agreement_id, period_start, kind)
);

-- Secrets the service makes for itself once, shared by every instance on the database.
CREATE TABLE app_secret (
  name        TEXT NOT NULL PRIMARY KEY,
  secret      TEXT NOT NULL,
  created_at  TEXT NOT NULL
);
