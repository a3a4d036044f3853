-- Results (issue 15): what the money achieved. Indicators per grant with a target per reporting period, actuals
-- per period (recorded by the lead, or summed from accepted partner returns), a narrative per grant and period.
-- Quantities are exact hundredths in bigint columns (value_x100 = 1250 is 12.50), so no engine rounds them.

-- targets_json: [{"periodStart":"2026-04-01","value":12500}] in hundredths. source 'partners': the actual is the
-- sum of accepted partner returns. to_date 'sum': to date is the sum of the periods; 'latest': the latest period's.
CREATE TABLE indicator (
  id                 bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  grant_id           bigint  NOT NULL REFERENCES grant_award (id),
  name               nvarchar(200) NOT NULL,
  unit               nvarchar(200) NOT NULL,
  higher_is_better   bit NOT NULL,
  baseline_x100      bigint  NULL,
  total_target_x100  bigint  NULL,
  source             nvarchar(40) NOT NULL CHECK (source IN (N'lead', N'partners')),
  to_date            nvarchar(40) NOT NULL CHECK (to_date IN (N'sum', N'latest')),
  by_community       bit NOT NULL,
  targets_json       nvarchar(max)    NOT NULL,
  version            int NOT NULL DEFAULT 1,
  created_at         datetime2(7) NOT NULL,
  updated_at         datetime2(7) NOT NULL,
  CONSTRAINT uq_indicator_name UNIQUE (grant_id, name)
);

-- One actual per indicator and period: the lead's value (null for an indicator the partners deliver, whose value is
-- summed from their returns), its breakdown by community served (JSON, hundredths), and the lead's note.
CREATE TABLE indicator_actual (
  indicator_id    bigint  NOT NULL REFERENCES indicator (id),
  period_start    date    NOT NULL,
  value_x100      bigint  NULL,
  breakdown_json  nvarchar(max)    NOT NULL DEFAULT N'[]',
  note            nvarchar(max)    NULL,
  recorded_by     nvarchar(300)    NOT NULL,
  recorded_at     datetime2(7) NOT NULL,
  version         int NOT NULL DEFAULT 1,
  PRIMARY KEY (indicator_id, period_start)
);

-- The lead's account of a grant's period for the funder: what happened, what changed, what comes next.
CREATE TABLE grant_narrative (
  grant_id       bigint NOT NULL REFERENCES grant_award (id),
  period_start   date   NOT NULL,
  what_happened  nvarchar(max)   NOT NULL,
  what_changed   nvarchar(max)   NULL,
  whats_next     nvarchar(max)   NULL,
  author         nvarchar(300)   NOT NULL,
  version        int NOT NULL DEFAULT 1,
  created_at     datetime2(7) NOT NULL,
  updated_at     datetime2(7) NOT NULL,
  updated_by     nvarchar(300)   NULL,
  PRIMARY KEY (grant_id, period_start)
);

-- What a partner reports against the grant's indicators it delivers: [{"indicatorId":1,"value":1200,"breakdown":[...]}].
ALTER TABLE partner_return ADD results_json nvarchar(max) NOT NULL DEFAULT N'[]';

-- The indicators below target in a draft report when it was made: each holds approval until it has a note.
CREATE TABLE report_run_indicator_hold (
  report_run_id  bigint NOT NULL REFERENCES report_run (id),
  indicator_id   bigint NOT NULL REFERENCES indicator (id),
  PRIMARY KEY (report_run_id, indicator_id)
);
