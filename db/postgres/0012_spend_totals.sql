-- Live (not voided) spend per grant, cost category, partner (0: none) and calendar month, kept in the same
-- transaction as every write to spend_transaction, so burn over a whole portfolio sums a few rows per grant and
-- month rather than every transaction. Admins can recount it from the transactions (the audit page's check).
CREATE TABLE spend_total (
  grant_id       bigint NOT NULL REFERENCES grant_award (id),
  category_code  text NOT NULL,
  partner_id     bigint NOT NULL,
  month_start    date NOT NULL,
  amount_pence   bigint NOT NULL,
  line_count     bigint NOT NULL,
  PRIMARY KEY (grant_id, category_code, partner_id, month_start)
);
CREATE INDEX ix_spend_total_month ON spend_total (month_start) INCLUDE (grant_id, partner_id, amount_pence);
INSERT INTO spend_total (grant_id, category_code, partner_id, month_start, amount_pence, line_count)
SELECT grant_id, category_code, COALESCE(partner_id, 0), date_trunc('month', transaction_date)::date, SUM(amount_pence), COUNT(*)
FROM spend_transaction WHERE voided_at IS NULL
GROUP BY grant_id, category_code, COALESCE(partner_id, 0), date_trunc('month', transaction_date)::date;
-- The current month's spend, across all grants, is read from the transactions themselves.
CREATE INDEX ix_spend_transaction_date ON spend_transaction (transaction_date) INCLUDE (grant_id, partner_id, amount_pence) WHERE voided_at IS NULL;
