-- What an import's file says it adds up to, beside what its lines add up to as read (debits less credits, or the
-- signed amounts): the file's own grand Total row (Xero's Total, QuickBooks' TOTAL), else the sum of its section
-- totals (Sage 50's Totals: per nominal code). Finance ticks the preview against the export before committing.
ALTER TABLE import_batch ADD lines_total_pence bigint NULL, file_total_pence bigint NULL,
  file_total_rows int NOT NULL CONSTRAINT df_import_batch_file_total_rows DEFAULT 0, file_total_label nvarchar(200) NULL;
