-- What an import's file says it adds up to, beside what its lines add up to as read (debits less credits, or the
-- signed amounts): the file's own grand Total row (Xero's Total, QuickBooks' TOTAL), else the sum of its section
-- totals (Sage 50's Totals: per nominal code). Finance ticks the preview against the export before committing.
ALTER TABLE import_batch ADD COLUMN lines_total_pence bigint NULL;
ALTER TABLE import_batch ADD COLUMN file_total_pence bigint NULL;
ALTER TABLE import_batch ADD COLUMN file_total_rows integer NOT NULL DEFAULT 0;
ALTER TABLE import_batch ADD COLUMN file_total_label text NULL;
