-- Budget burn sums spend per grant (and per partner) up to a date, leaving out voided rows.
-- Filtered covering indexes let the database answer those sums from the index alone.
CREATE INDEX ix_spend_transaction_burn ON spend_transaction (grant_id, transaction_date) INCLUDE (amount_pence) WHERE voided_at IS NULL;
CREATE INDEX ix_spend_transaction_partner_burn ON spend_transaction (partner_id, transaction_date) INCLUDE (amount_pence) WHERE voided_at IS NULL AND partner_id IS NOT NULL;
