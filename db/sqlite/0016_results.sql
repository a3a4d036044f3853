-- Results (issue 15): what the money achieved. Indicators per grant with a target per reporting period, actuals
-- per period (recorded by the lead, or summed from accepted partner returns), a narrative per grant and period.
-- Quantities are exact hundredths in INTEGER columns (value_x100 = 1250 is 12.50), so no engine rounds them.

-- targets_json: [{"periodStart":"2026-04-01","value":12500}] in hundredths. source 'partners': the actual is the
-- sum of accepted partner returns. to_date 'sum': to date is the sum of the periods; 'latest': the latest period's.
CREATE TABLE indicator (
  id                 INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  grant_id           INTEGER  NOT NULL REFERENCES grant_award (id),
  name               TEXT    NOT NULL,
  unit               TEXT    NOT NULL,
  higher_is_better   INTEGER NOT NULL CHECK (higher_is_better IN (0, 1)),
  baseline_x100      INTEGER  NULL,
  total_target_x100  INTEGER  NULL,
  source             TEXT    NOT NULL CHECK (source IN ('lead', 'partners')),
  to_date            TEXT    NOT NULL CHECK (to_date IN ('sum', 'latest')),
  by_community       INTEGER NOT NULL CHECK (by_community IN (0, 1)),
  targets_json       TEXT    NOT NULL,
  version            INTEGER NOT NULL DEFAULT 1,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  CONSTRAINT uq_indicator_name UNIQUE (grant_id, name)
);

-- One actual per indicator and period: the lead's value (null for an indicator the partners deliver, whose value is
-- summed from their returns), its breakdown by community served (JSON, hundredths), and the lead's note.
CREATE TABLE indicator_actual (
  indicator_id    INTEGER  NOT NULL REFERENCES indicator (id),
  period_start    TEXT    NOT NULL,
  value_x100      INTEGER  NULL,
  breakdown_json  TEXT    NOT NULL DEFAULT '[]',
  note            TEXT    NULL,
  recorded_by     TEXT    NOT NULL,
  recorded_at     TEXT NOT NULL,
  version         INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (indicator_id, period_start)
);

-- The lead's account of a grant's period for the funder: what happened, what changed, what comes next.
CREATE TABLE grant_narrative (
  grant_id       INTEGER NOT NULL REFERENCES grant_award (id),
  period_start   TEXT   NOT NULL,
  what_happened  TEXT   NOT NULL,
  what_changed   TEXT   NULL,
  whats_next     TEXT   NULL,
  author         TEXT   NOT NULL,
  version        INTEGER NOT NULL DEFAULT 1,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  updated_by     TEXT   NULL,
  PRIMARY KEY (grant_id, period_start)
);

-- What a partner reports against the grant's indicators it delivers: [{"indicatorId":1,"value":1200,"breakdown":[...]}].
ALTER TABLE partner_return ADD COLUMN results_json TEXT NOT NULL DEFAULT '[]';

-- The indicators below target in a draft report when it was made: each holds approval until it has a note.
CREATE TABLE report_run_indicator_hold (
  report_run_id  INTEGER NOT NULL REFERENCES report_run (id),
  indicator_id   INTEGER NOT NULL REFERENCES indicator (id),
  PRIMARY KEY (report_run_id, indicator_id)
);
