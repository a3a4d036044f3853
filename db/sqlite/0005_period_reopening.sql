-- A period is closed once its report run has been sent: its spend and income can no longer be created, changed or
-- voided. An admin may reopen it, with a reason (audited); a reopened period stays open.
CREATE TABLE period_reopening (
  id            INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  grant_id      INTEGER NOT NULL REFERENCES grant_award (id),
  period_start  TEXT NOT NULL,
  reason        TEXT NOT NULL CHECK (length(trim(reason)) > 0),
  reopened_by   TEXT NOT NULL,
  reopened_at   TEXT NOT NULL
);
CREATE INDEX ix_period_reopening_grant_period ON period_reopening (grant_id, period_start);
