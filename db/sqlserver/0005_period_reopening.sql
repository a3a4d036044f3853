-- A period is closed once its report run has been sent: its spend and income can no longer be created, changed or
-- voided. An admin may reopen it, with a reason (audited); a reopened period stays open.
CREATE TABLE period_reopening (
  id            bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  grant_id      bigint NOT NULL REFERENCES grant_award (id),
  period_start  date NOT NULL,
  reason        nvarchar(1000) NOT NULL CHECK (len(ltrim(rtrim(reason))) > 0),
  reopened_by   nvarchar(300) NOT NULL,
  reopened_at   datetime2(7) NOT NULL
);
CREATE INDEX ix_period_reopening_grant_period ON period_reopening (grant_id, period_start);
