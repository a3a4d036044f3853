-- The current budget version of each grant, summed per period start, kept in the same transaction as every budget
-- save (a save is a new version: its rows replace the grant's), so burn over a whole portfolio reads one row per
-- grant and period rather than every line; the lines themselves are read only for the period in progress, which
-- is pro-rated line by line. Admins can recount it from the lines (the audit page's check).
CREATE TABLE budget_total (
  grant_id           bigint NOT NULL REFERENCES grant_award (id),
  period_start       date NOT NULL,
  budget_version_id  bigint NOT NULL REFERENCES budget_version (id),
  amount_pence       bigint NOT NULL,
  line_count         bigint NOT NULL,
  PRIMARY KEY (grant_id, period_start)
);
INSERT INTO budget_total (grant_id, period_start, budget_version_id, amount_pence, line_count)
SELECT bv.grant_id, bl.period_start, bv.id, SUM(bl.amount_pence), COUNT_BIG(*)
FROM budget_line bl JOIN budget_version bv ON bv.id = bl.budget_version_id
WHERE NOT EXISTS (SELECT 1 FROM budget_version newer WHERE newer.grant_id = bv.grant_id AND newer.version_number > bv.version_number)
GROUP BY bv.grant_id, bl.period_start, bv.id;
-- The period in progress's lines, by version and period.
CREATE INDEX ix_budget_line_period ON budget_line (budget_version_id, period_start) INCLUDE (category_code, amount_pence);
-- Actual to date reads the lines of the month the day falls in (before or after the day): with the area
-- in the index, the grant, partner and area sums are read from the index alone.
DROP INDEX ix_spend_transaction_date ON spend_transaction;
CREATE INDEX ix_spend_transaction_date ON spend_transaction (transaction_date) INCLUDE (grant_id, partner_id, area_code, amount_pence) WHERE voided_at IS NULL;
