-- When a delivery's message began to go to the SMTP server (or pickup folder). A claim that went stale after this
-- point has an unknown outcome and is never re-sent automatically; before it, nothing was sent and a retry is safe.
ALTER TABLE report_delivery ADD transmit_started_at datetime2(7) NULL;
-- The RAG of the report's period when it was generated, as printed in it.
ALTER TABLE report_run ADD rag nvarchar(10) NULL CHECK (rag IS NULL OR rag IN ('green', 'amber', 'red'));
CREATE INDEX ix_report_delivery_status ON report_delivery (status);
CREATE INDEX ix_report_run_status ON report_run (status, due_date);
-- The key figures of the report as generated (JSON), quoted in the email that carries it.
ALTER TABLE report_run ADD figures_json nvarchar(max) NULL;
