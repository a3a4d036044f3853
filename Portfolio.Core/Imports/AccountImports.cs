using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;
using Portfolio.Core.Periods;

namespace Portfolio.Core.Imports;

public static class ImportStatuses
{
    public const string Previewing = "previewing";
    public const string Previewed = "previewed";
    public const string Committing = "committing";
    public const string Committed = "committed";
    public const string Reversed = "reversed";
    public const string Failed = "failed";
}

public static class RowStatuses
{
    public const string Ready = "ready";
    public const string Duplicate = "duplicate";
    public const string Refused = "refused";
    public const string Ignored = "ignored";
    public static readonly IReadOnlyList<string> All = [Ready, Duplicate, Refused, Ignored];
}

public sealed record ImportCounts(int Total, int Ready, int Duplicate, int Refused, int Ignored);

public sealed record ImportProgressView(int Done, int Total);

/// <summary>One import as its users see it (<c>GET /api/imports/{id}</c>).</summary>
public sealed record ImportView(
    long Id,
    string Status,
    string Source,
    string FileName,
    string Sha256,
    long Bytes,
    int MappingVersion,
    ImportCounts Rows,
    int Written,
    ImportProgressView Progress,
    string? Error,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime? CommittedAt,
    string? CommittedBy,
    DateTime? ReversedAt,
    string? ReversedBy,
    string? ReverseReason,
    FileTotalsView? Totals = null);

/// <summary>One row of an import's preview.</summary>
/// <summary>One group of a preview's money: its rows' status, grant and kind, how many rows and their pence.</summary>
public sealed class ImportMoney
{
    public string Status { get; set; } = "";

    public long? GrantId { get; set; }

    public string? Kind { get; set; }

    public long RowCount { get; set; }

    public long Pence { get; set; }
}

public sealed record ImportRowView(
    int Line,
    string Status,
    IReadOnlyList<string> Reasons,
    DateOnly? Date,
    decimal? Amount,
    long? GrantId,
    string? Category,
    string? Kind,
    long? PartnerId,
    string? AreaCode,
    string? AccountCode,
    string? TrackingValue,
    string Description,
    string? SourceReference);

/// <summary>
/// Importing an accounting system's export: <see cref="StartAsync"/> records the upload, <see cref="PreviewAsync"/>
/// reads it row by row (streamed, in batches) and says of each row what it would record or why not,
/// <see cref="CommitAsync"/> writes every ready row or none, <see cref="ReverseAsync"/> voids what a commit wrote.
/// The rows are judged by the same rules as spend and income recorded one at a time (<see cref="Spend"/>,
/// <see cref="Income"/>), applied to the whole file at once: see <see cref="ImportJudge"/>.
/// </summary>
public static class AccountImports
{
    /// <summary>Rows written to the database per round trip, and per progress report.</summary>
    public const int BatchSize = 5000;

    internal const string Columns = """
        id, source, file_name, sha256, byte_count, status, mapping_version, total_rows, ready_rows, duplicate_rows, refused_rows,
        ignored_rows, written_rows, progress_done, progress_total, error, version, created_at, created_by, committed_at, committed_by,
        lines_total_pence, file_total_pence, file_total_rows, file_total_label,
        reversed_at, reversed_by, reverse_reason
        """;

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM import_batch WHERE id = @Id");

    internal static readonly Sql SelectPage = Sql.Paged($"SELECT {Columns} FROM import_batch ORDER BY id DESC");

    internal static readonly Sql CountAll = Sql.Common("SELECT COUNT(*) FROM import_batch");

    internal static readonly Sql InsertBatch = Sql.InsertReturningId("""
        INSERT INTO import_batch (source, file_name, sha256, byte_count, status, mapping_version, created_at, created_by)
        VALUES (@Source, @FileName, @Sha256, @Bytes, 'previewing', 0, @At, @Actor)
        """);

    internal static readonly Sql BeginPreview = Sql.Common("""
        UPDATE import_batch SET status = 'previewing', source = @Source, mapping_version = @MappingVersion, error = NULL,
               total_rows = 0, ready_rows = 0, duplicate_rows = 0, refused_rows = 0, ignored_rows = 0, progress_done = 0, progress_total = @Total,
               version = version + 1
        WHERE id = @Id AND status IN ('previewing', 'previewed', 'failed')
        """);

    internal static readonly Sql DeleteRows = Sql.Common("DELETE FROM import_row WHERE import_id = @Id");

    internal static readonly Sql QueuePreview = Sql.Common("""
        UPDATE import_batch SET status = 'previewing', progress_done = 0, progress_total = 0, error = NULL, version = version + 1
        WHERE id = @Id AND status IN ('previewed', 'failed')
        """);

    /// <summary>
    /// A preview's batch starts here: it takes the import's row lock and goes on only while the preview is still the
    /// newest reading of the file (its <c>version</c>); a preview started since supersedes it.
    /// </summary>
    internal static readonly Sql SetProgress = Sql.Common("UPDATE import_batch SET progress_done = @Done, progress_total = @Total WHERE id = @Id AND version = @Version");

    internal static readonly Sql SelectVersion = Sql.Common("SELECT version FROM import_batch WHERE id = @Id");

    internal static readonly Sql FailReading = Sql.Common("UPDATE import_batch SET status = 'failed', error = @Error, version = version + 1 WHERE id = @Id AND status = 'previewing' AND version = @Version");

    internal static readonly Sql Fail = Sql.Common("UPDATE import_batch SET status = 'failed', error = @Error, version = version + 1 WHERE id = @Id AND status = 'previewing'");

    internal static readonly Sql InsertRow = new(
        """
        INSERT INTO import_row (import_id, line, status, reasons, kind, txn_date, amount_pence, grant_id, category_code, partner_id, area_code, account_code, tracking_value, description, source_reference)
        VALUES (@ImportId, @Line, @Status, @Reasons, @Kind, @TxnDate, @AmountPence, @GrantId, @CategoryCode, @PartnerId, @AreaCode, @AccountCode, @TrackingValue, @Description, @SourceReference)
        """,
        """
        INSERT INTO import_row (import_id, line, status, reasons, kind, txn_date, amount_pence, grant_id, category_code, partner_id, area_code, account_code, tracking_value, description, source_reference)
        SELECT @ImportId, r.line, r.status, r.reasons, r.kind, r.txn_date, r.amount_pence, r.grant_id, r.category_code, r.partner_id, r.area_code, r.account_code, r.tracking_value, r.description, r.source_reference
        FROM unnest(@Line, @Status, @Reasons, @Kind, @TxnDate, @AmountPence, @GrantId, @CategoryCode, @PartnerId, @AreaCode, @AccountCode, @TrackingValue, @Description, @SourceReference)
             AS r(line, status, reasons, kind, txn_date, amount_pence, grant_id, category_code, partner_id, area_code, account_code, tracking_value, description, source_reference)
        """,
        """
        INSERT INTO import_row (import_id, line, status, reasons, kind, txn_date, amount_pence, grant_id, category_code, partner_id, area_code, account_code, tracking_value, description, source_reference)
        VALUES (@ImportId, @Line, @Status, @Reasons, @Kind, @TxnDate, @AmountPence, @GrantId, @CategoryCode, @PartnerId, @AreaCode, @AccountCode, @TrackingValue, @Description, @SourceReference)
        """);

    /// <summary>
    /// The k-th ready spend row with a given key (grant, date, amount, category, source reference) is a duplicate
    /// when at least k live lines with that key are already recorded: the same file again, or the overlap of the
    /// next month's export, creates nothing twice, while two equal lines in one file are both kept.
    /// </summary>
    internal static readonly Sql MarkSpendDuplicates = Sql.Common("""
        UPDATE import_row SET status = 'duplicate', reasons = 'already recorded: the same grant, date, amount, cost category and source reference'
        WHERE import_id = @Id AND line IN (
            SELECT r.line FROM (
                SELECT line, grant_id, txn_date, amount_pence, category_code, source_reference,
                       ROW_NUMBER() OVER (PARTITION BY grant_id, txn_date, amount_pence, category_code, source_reference ORDER BY line) AS occurrence
                FROM import_row WHERE import_id = @Id AND status = 'ready' AND kind = 'spend'
            ) r
            WHERE r.occurrence <= (
                SELECT COUNT(*) FROM spend_transaction t
                WHERE t.grant_id = r.grant_id AND t.source_reference = r.source_reference AND t.transaction_date = r.txn_date
                  AND t.amount_pence = r.amount_pence AND t.category_code = r.category_code AND t.voided_at IS NULL))
        """);

    /// <summary>As for spend, with income's key: grant, date, amount and reference.</summary>
    internal static readonly Sql MarkIncomeDuplicates = Sql.Common("""
        UPDATE import_row SET status = 'duplicate', reasons = 'already recorded: the same grant, date, amount and reference'
        WHERE import_id = @Id AND line IN (
            SELECT r.line FROM (
                SELECT line, grant_id, txn_date, amount_pence, source_reference,
                       ROW_NUMBER() OVER (PARTITION BY grant_id, txn_date, amount_pence, source_reference ORDER BY line) AS occurrence
                FROM import_row WHERE import_id = @Id AND status = 'ready' AND kind = 'income'
            ) r
            WHERE r.occurrence <= (
                SELECT COUNT(*) FROM payment p
                WHERE p.grant_id = r.grant_id AND p.reference = r.source_reference AND p.payment_date = r.txn_date
                  AND p.amount_pence = r.amount_pence AND p.voided_at IS NULL))
        """);

    internal static readonly Sql CountByStatus = Sql.Common("SELECT status, COUNT(*) AS n FROM import_row WHERE import_id = @Id GROUP BY status");

    internal static readonly Sql FinishPreview = Sql.Common("""
        UPDATE import_batch SET status = 'previewed', total_rows = @Total, ready_rows = @Ready, duplicate_rows = @Duplicate, refused_rows = @Refused,
               ignored_rows = @Ignored, progress_done = @Total, progress_total = @Total, version = version + 1,
               lines_total_pence = @LinesPence, file_total_pence = @FilePence, file_total_rows = @FileRows, file_total_label = @FileLabel
        WHERE id = @Id AND status = 'previewing'
        """);

    internal static readonly Sql SelectRows = Sql.Paged("""
        SELECT line, status, reasons, kind, txn_date, amount_pence, grant_id, category_code, partner_id, area_code, account_code, tracking_value, description, source_reference
        FROM import_row WHERE import_id = @Id AND status = COALESCE(@Status, status)
        ORDER BY CASE status WHEN 'refused' THEN 0 WHEN 'duplicate' THEN 1 WHEN 'ready' THEN 2 ELSE 3 END, line
        """);

    internal static readonly Sql CountRows = Sql.Common("SELECT COUNT(*) FROM import_row WHERE import_id = @Id AND status = COALESCE(@Status, status)");

    internal static readonly Sql ReadyRows = Sql.Common("""
        SELECT line, status, reasons, kind, txn_date, amount_pence, grant_id, category_code, partner_id, area_code, account_code, tracking_value, description, source_reference
        FROM import_row WHERE import_id = @Id AND status = 'ready' ORDER BY line
        """);

    internal static readonly Sql ClaimForCommit = Sql.Common("""
        UPDATE import_batch SET status = 'committing', error = NULL, version = version + 1 WHERE id = @Id AND status = 'previewed'
        """);

    internal static readonly Sql ReleaseCommit = Sql.Common("""
        UPDATE import_batch SET status = 'previewed', error = @Error, version = version + 1 WHERE id = @Id AND status = 'committing'
        """);

    /// <summary>The ready spend rows, written through the single insert's column list (<see cref="TransactionStore.Recorded"/>).</summary>
    internal static readonly Sql InsertSpend = Sql.Common($"""
        INSERT INTO spend_transaction ({TransactionStore.RecordedColumns}, import_id, import_line)
        SELECT {string.Join(", ", TransactionStore.Recorded.Select(c => c.ImportRow))}, 1, @At, @Actor, @At, import_id, line
        FROM import_row WHERE import_id = @Id AND status = 'ready' AND kind = 'spend' AND line > @After AND line <= @Through
        """);

    /// <summary>The ready income rows, written through the single insert's column list (<see cref="PaymentStore.Recorded"/>).</summary>
    internal static readonly Sql InsertIncome = Sql.Common($"""
        INSERT INTO payment ({PaymentStore.RecordedColumns}, import_id, import_line)
        SELECT {string.Join(", ", PaymentStore.Recorded.Select(c => c.ImportRow))}, 1, @At, @Actor, @At, import_id, line
        FROM import_row WHERE import_id = @Id AND status = 'ready' AND kind = 'income' AND line > @After AND line <= @Through
        """);

    internal static readonly Sql FinishCommit = Sql.Common("""
        UPDATE import_batch SET status = 'committed', written_rows = @Written, committed_at = @At, committed_by = @Actor,
               progress_done = @Written, progress_total = @Written, version = version + 1
        WHERE id = @Id AND status = 'committing'
        """);

    internal static readonly Sql LiveSpendOfImport = Sql.Common("""
        SELECT grant_id, transaction_date FROM spend_transaction WHERE import_id = @Id AND voided_at IS NULL
        UNION
        SELECT grant_id, payment_date FROM payment WHERE import_id = @Id AND voided_at IS NULL
        """);

    internal static readonly Sql VoidSpend = Sql.Common("""
        UPDATE spend_transaction SET voided_at = @At, voided_by = @Actor, void_reason = @Reason, version = version + 1, updated_at = @At
        WHERE import_id = @Id AND voided_at IS NULL
        """);

    internal static readonly Sql VoidIncome = Sql.Common("""
        UPDATE payment SET voided_at = @At, voided_by = @Actor, void_reason = @Reason, version = version + 1, updated_at = @At
        WHERE import_id = @Id AND voided_at IS NULL
        """);

    internal static readonly Sql FinishReverse = Sql.Common("""
        UPDATE import_batch SET status = 'reversed', reversed_at = @At, reversed_by = @Actor, reverse_reason = @Reason, version = version + 1
        WHERE id = @Id AND status = 'committed'
        """);

    public static async Task<ImportView?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        (await session.QuerySingleOrDefaultAsync<BatchRow>(SelectOne, new { Id = id }, cancellationToken))?.View();

    public static async Task<Page<ImportView>> ListAsync(DbSession session, PageRequest page, CancellationToken cancellationToken = default)
    {
        var rows = await session.QueryAsync<BatchRow>(SelectPage, new { page.Offset, page.Limit }, cancellationToken);
        var total = await session.ExecuteScalarAsync<long>(CountAll, cancellationToken: cancellationToken);
        return new Page<ImportView>(rows.Select(r => r.View()).ToList(), page.Page, page.PageSize, total);
    }

    private static readonly Sql MoneyByStatusAndGrant = Sql.Common("""
        SELECT status, grant_id, kind, CAST(COUNT(*) AS bigint) AS row_count, CAST(COALESCE(SUM(amount_pence), 0) AS bigint) AS pence
        FROM import_row WHERE import_id = @Id AND amount_pence IS NOT NULL
        GROUP BY status, grant_id, kind
        """);

    /// <summary>
    /// The money in a preview, so finance can tick it against the export before committing: the rows with an amount,
    /// summed by status, grant (none when the row names no grant) and kind (spend, income, or none when unknown).
    /// </summary>
    public static async Task<IReadOnlyList<ImportMoney>> MoneyAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<ImportMoney>(MoneyByStatusAndGrant, new { Id = id }, cancellationToken)).ToList();

    /// <summary>The preview's rows, refused first, then duplicates, ready and ignored, each in file order.</summary>
    public static async Task<Page<ImportRowView>> RowsAsync(DbSession session, long id, string? status, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new { Id = id, Status = status, page.Offset, page.Limit };
        var rows = await session.QueryAsync<RowRecord>(SelectRows, parameters, cancellationToken);
        var total = await session.ExecuteScalarAsync<long>(CountRows, parameters, cancellationToken);
        return new Page<ImportRowView>(rows.Select(r => r.View()).ToList(), page.Page, page.PageSize, total);
    }

    /// <summary>
    /// Whether the file can be imported at all: CSV or XLSX, not empty, with a header row a known layout has.
    /// Checked before anything is recorded, so a file that cannot be read changes nothing.
    /// </summary>
    public static Refusal? CheckReadable(string path, ImportRulesView rules)
    {
        try
        {
            var kind = ExportFile.Sniff(path);
            ExportLayouts.Detect(ExportFile.ReadRows(path, kind), rules.Generic);
            return null;
        }
        catch (Exception ex) when (ex is ImportFileException or Sylvan.Data.Csv.CsvFormatException or InvalidDataException)
        {
            return new CannotApply(ex is ImportFileException ? ex.Message : $"The file could not be read: {ex.Message}");
        }
    }

    /// <summary>Records an upload (already saved at <paramref name="path"/>): its name, size and SHA-256, audited. Preview comes next.</summary>
    public static async Task<Outcome<ImportView>> StartAsync(DbSession session, string fileName, string path, ChangeContext change, CancellationToken cancellationToken = default)
    {
        if (FinanceOnly(change) is { } forbidden)
        {
            return forbidden;
        }

        var name = Path.GetFileName(fileName.Replace('\\', '/')).Trim();
        if (name.Length == 0 || name.Length > 300 || name.Any(char.IsControl))
        {
            name = "upload";
        }

        var (sha, bytes) = await ExportFile.HashAsync(path, cancellationToken);
        var id = await session.ExecuteScalarAsync<long>(InsertBatch, new { Source = "unknown", FileName = name, Sha256 = sha, Bytes = bytes, change.At, change.Actor }, cancellationToken);
        var view = (await GetAsync(session, id, cancellationToken))!;
        await AuditLog.WriteAsync(session, change, "create", "import", id, null, new { view.Id, view.FileName, view.Sha256, view.Bytes }, cancellationToken);
        return Outcome<ImportView>.Done(view);
    }

    /// <summary>
    /// Reads the file and judges every row against the rules in force and the books now, replacing any earlier
    /// preview of this import. Streams: rows are judged and written <see cref="BatchSize"/> at a time. A file that
    /// cannot be read at all leaves the import <c>failed</c> with the reason.
    /// </summary>
    public static async Task<ImportView> PreviewAsync(Database database, long id, string path, ChangeContext change, Func<int, int, Task>? progress = null, CancellationToken cancellationToken = default)
    {
        ExportLayout layout;
        ExportFileKind kind;
        ImportRulesView rules;

        // The judge reads reference data (closed periods, lazily) through its own session, open for the whole preview.
        await using var reading = await database.OpenAsync(cancellationToken);
        rules = await ImportRules.GetAsync(reading, cancellationToken);
        try
        {
            kind = ExportFile.Sniff(path);
            layout = ExportLayouts.Detect(ExportFile.ReadRows(path, kind), rules.Generic);
        }
        catch (Exception ex) when (ex is ImportFileException or Sylvan.Data.Csv.CsvFormatException or InvalidDataException)
        {
            await reading.ExecuteAsync(Fail, new { Id = id, Error = ex is ImportFileException ? ex.Message : $"The file could not be read: {ex.Message}" }, cancellationToken);
            return (await GetAsync(reading, id, cancellationToken))!;
        }

        var judge = await ImportJudge.LoadAsync(reading, rules, change, cancellationToken);

        var estimate = (int)Math.Min(int.MaxValue, new FileInfo(path).Length / 60);
        var thisReading = 0;
        await InTransaction(database, async session =>
        {
            await session.ExecuteAsync(BeginPreview, new { Id = id, layout.Source, MappingVersion = rules.Version, Total = estimate }, cancellationToken);
            await session.ExecuteAsync(DeleteRows, new { Id = id }, cancellationToken);
            thisReading = await session.ExecuteScalarAsync<int>(SelectVersion, new { Id = id }, cancellationToken);
        }, cancellationToken);

        try
        {
            return await ReadRowsAsync(database, id, thisReading, path, kind, layout, judge, estimate, progress, cancellationToken);
        }
        catch (PreviewSupersededException)
        {
            // Someone read the file again meanwhile: theirs is the preview; this one stops and leaves it alone.
            await using var session = await database.OpenAsync(CancellationToken.None);
            return (await GetAsync(session, id, CancellationToken.None))!;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Never left "reading" for ever: the import says what went wrong, and can be read again.
            await using var session = await database.OpenAsync(CancellationToken.None);
            await session.ExecuteAsync(FailReading, new { Id = id, Version = thisReading, Error = $"Reading the file stopped at an unexpected error, and can be tried again: {ex.Message}" }, CancellationToken.None);
            throw;
        }
    }

    private static async Task<ImportView> ReadRowsAsync(Database database, long id, int reading, string path, ExportFileKind kind, ExportLayout layout, ImportJudge judge, int estimate, Func<int, int, Task>? progress, CancellationToken cancellationToken)
    {
        var batch = new List<RowRecord>(BatchSize);
        var done = 0;
        var totals = new FileTotals();
        foreach (var line in layout.Read(ExportFile.ReadRows(path, kind)))
        {
            if (line.Role == RowRole.Skip)
            {
                continue;
            }

            totals.Add(line);

            batch.Add(await judge.JudgeAsync(line, cancellationToken));
            if (batch.Count == BatchSize)
            {
                done += batch.Count;
                await WriteRowsAsync(database, id, reading, batch, Math.Max(done, estimate), cancellationToken);
                batch.Clear();
                if (progress is not null)
                {
                    await progress(done, Math.Max(done, estimate));
                }
            }
        }

        done += batch.Count;
        await WriteRowsAsync(database, id, reading, batch, done, cancellationToken);
        await using (var session = await database.OpenAsync(cancellationToken))
        {
            await UnitOfWork.CommitInAsync(session, async session =>
            {
                if (await session.ExecuteAsync(SetProgress, new { Id = id, Version = reading, Done = done, Total = done }, cancellationToken) != 1)
                {
                    throw new PreviewSupersededException();
                }

                await session.ExecuteAsync(MarkSpendDuplicates, new { Id = id }, cancellationToken);
                await session.ExecuteAsync(MarkIncomeDuplicates, new { Id = id }, cancellationToken);
                var counts = await CountsAsync(session, id, cancellationToken);
                // A workbook's total rows may be formulas saved as 0 (Xero's .xlsx): no value to compare, and said so.
                var notStored = totals.NotStored(workbook: kind == ExportFileKind.Xlsx);
                await session.ExecuteAsync(FinishPreview, new
                {
                    Id = id, counts.Total, counts.Ready, counts.Duplicate, counts.Refused, counts.Ignored, totals.LinesPence,
                    FilePence = notStored ? null : totals.FilePence, FileRows = notStored ? Math.Max(totals.FileRows, totals.Unstated) : totals.FileRows,
                    FileLabel = notStored ? "the file's total rows, formulas saved without their values" : totals.FileLabel,
                }, cancellationToken);
            }, cancellationToken);
            return (await GetAsync(session, id, cancellationToken))!;
        }
    }

    /// <summary>
    /// Writes every ready row, or none: the rows are judged again inside the transaction (grants locked), so a
    /// period closed, a rule broken or a line recorded since the preview refuses the whole commit with the rows that
    /// changed, and the import stays previewed. Each transaction keeps the import's id and its line.
    /// </summary>
    public static async Task<Outcome<ImportView>> CommitAsync(Database database, long id, ChangeContext change, Func<int, int, Task>? progress = null, CancellationToken cancellationToken = default)
    {
        if ((await ClaimAsync(database, id, change, cancellationToken)).Refused is { } unclaimed)
        {
            return unclaimed;
        }

        try
        {
            var outcome = await UnitOfWork.RunAsync(database, session => WriteAsync(session, id, change, progress, cancellationToken), cancellationToken);
            if (outcome.Refused is { } refused)
            {
                await ReleaseAsync(database, id, refused.Detail);
            }

            return outcome;
        }
        catch (Exception ex)
        {
            await ReleaseAsync(database, id, $"The commit failed and wrote nothing: {ex.Message}");
            throw;
        }
    }

    /// <summary>Marks an import not yet committed as being read again (a preview queued as a job shows so at once); false for any other status.</summary>
    public static async Task<bool> QueuePreviewAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(QueuePreview, new { Id = id }, cancellationToken) == 1;

    /// <summary>
    /// Marks a previewed import as being committed (a commit queued as a job shows so at once, and a second commit
    /// is refused); an import already marked is the job's to carry on. Refused for any other status.
    /// </summary>
    public static async Task<Outcome<ImportView>> ClaimAsync(Database database, long id, ChangeContext change, CancellationToken cancellationToken = default)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var current = await GetAsync(session, id, cancellationToken);
        if (current is null)
        {
            return new NotFound("import", id);
        }

        if (FinanceOnly(change) is { } forbidden)
        {
            return forbidden;
        }

        if (await session.ExecuteAsync(ClaimForCommit, new { Id = id }, cancellationToken) != 1 && current.Status != ImportStatuses.Committing)
        {
            return new Conflict(current.Status switch
            {
                ImportStatuses.Committed => $"Import {id} was committed already, by {current.CommittedBy}: nothing is written twice.",
                ImportStatuses.Reversed => $"Import {id} was committed and then reversed; upload the file again to import it afresh.",
                ImportStatuses.Previewing => $"Import {id} is still being read: commit it once the preview is finished.",
                _ => $"Import {id} could not be read ({current.Error}); nothing can be committed from it.",
            });
        }

        return Outcome<ImportView>.Done((await GetAsync(session, id, cancellationToken))!);
    }

    /// <summary>Voids every live line the import wrote, with the reason; never deletes. Refused when any is in a closed period.</summary>
    public static async Task<Outcome<ImportView>> ReverseAsync(DbSession session, long id, ReasonInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await GetAsync(session, id, cancellationToken);
        if (current is null)
        {
            return new NotFound("import", id);
        }

        if (FinanceOnly(change) is { } forbidden)
        {
            return forbidden;
        }

        var errors = new FieldErrors();
        input = InputShape.Check(input, errors);
        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        if (current.Status != ImportStatuses.Committed)
        {
            return new Conflict($"Import {id} is {current.Status}: only a committed import can be reversed.");
        }

        var dated = (await session.QueryAsync<GrantDate>(LiveSpendOfImport, new { Id = id }, cancellationToken)).ToList();
        var closed = new List<string>();
        foreach (var grant in dated.GroupBy(d => d.GrantId))
        {
            foreach (var date in grant.Select(d => d.TransactionDate).Distinct())
            {
                if (await ClosedPeriods.ClosedReasonAsync(session, grant.Key, date, cancellationToken) is { } reason)
                {
                    closed.Add(reason);
                    break;
                }
            }
        }

        if (closed.Count > 0)
        {
            return new Conflict($"Import {id} wrote lines in periods already reported, so it cannot be reversed as a whole: {string.Join(" ", closed.Distinct())}");
        }

        await SpendTotals.SubtractImportAsync(session, id, cancellationToken);
        var parameters = new { Id = id, input.Reason, change.At, change.Actor };
        var voided = await session.ExecuteAsync(VoidSpend, parameters, cancellationToken) + await session.ExecuteAsync(VoidIncome, parameters, cancellationToken);
        await session.ExecuteAsync(FinishReverse, parameters, cancellationToken);
        var after = (await GetAsync(session, id, cancellationToken))!;
        await AuditLog.WriteAsync(session, change, "reverse", "import", id, new { current.Status, current.Written }, new { after.Status, Voided = voided, input.Reason }, cancellationToken);
        return Outcome<ImportView>.Done(after);
    }

    /// <summary>Imports change the books in bulk: finance and admins only, never a programme lead (limited to some areas).</summary>
    private static Forbidden? FinanceOnly(ChangeContext change) =>
        change.Areas is null ? null : new Forbidden("Imports are for finance: a programme lead cannot import the accounts or undo an import.");

    private static async Task<Outcome<ImportView>> WriteAsync(DbSession session, long id, ChangeContext change, Func<int, int, Task>? progress, CancellationToken cancellationToken)
    {
        var rules = await ImportRules.GetAsync(session, cancellationToken);
        var judge = await ImportJudge.LoadAsync(session, rules, change, cancellationToken);
        var ready = (await session.QueryAsync<RowRecord>(ReadyRows, new { Id = id }, cancellationToken)).ToList();
        var changed = new List<string>();
        foreach (var row in ready)
        {
            var again = await judge.RecheckAsync(row, cancellationToken);
            if (again.Status != RowStatuses.Ready)
            {
                changed.Add($"line {row.Line}: {again.Reasons}");
            }
        }

        if (changed.Count > 0)
        {
            return new Conflict($"The books or the rules changed since this import was previewed, so nothing was written. Preview it again. {string.Join("; ", changed.Take(20))}{(changed.Count > 20 ? $"; and {changed.Count - 20} more" : "")}.");
        }

        var before = await CountsAsync(session, id, cancellationToken);
        await session.ExecuteAsync(MarkSpendDuplicates, new { Id = id }, cancellationToken);
        await session.ExecuteAsync(MarkIncomeDuplicates, new { Id = id }, cancellationToken);
        var counts = await CountsAsync(session, id, cancellationToken);
        if (counts.Duplicate != before.Duplicate)
        {
            return new Conflict($"{counts.Duplicate - before.Duplicate} of the ready rows were recorded by someone else since the preview, so nothing was written. Preview it again.");
        }

        var lastLine = ready.Count == 0 ? 0 : ready[^1].Line;
        var written = 0;
        for (var start = 0; start < ready.Count; start += BatchSize)
        {
            var after = ready[start].Line - 1;
            var through = ready[Math.Min(start + BatchSize, ready.Count) - 1].Line;
            var parameters = new { Id = id, After = after, Through = through, change.At, change.Actor };
            written += await session.ExecuteAsync(InsertSpend, parameters, cancellationToken);
            written += await session.ExecuteAsync(InsertIncome, parameters, cancellationToken);
            if (progress is not null)
            {
                await progress(written, ready.Count);
            }
        }

        if (written != ready.Count)
        {
            throw new InvalidOperationException($"Import {id}: {ready.Count} rows were ready but {written} were written (last line {lastLine}).");
        }

        await SpendTotals.AddImportAsync(session, id, cancellationToken);
        await session.ExecuteAsync(FinishCommit, new { Id = id, Written = written, change.At, change.Actor }, cancellationToken);
        var view = (await GetAsync(session, id, cancellationToken))!;
        await AuditLog.WriteAsync(session, change, "commit", "import", id, null, new { view.Id, view.FileName, view.Sha256, view.Source, Written = written, view.MappingVersion }, cancellationToken);
        return Outcome<ImportView>.Done(view);
    }

    private static async Task ReleaseAsync(Database database, long id, string error)
    {
        await using var session = await database.OpenAsync();
        await session.ExecuteAsync(ReleaseCommit, new { Id = id, Error = error });
    }

    private static async Task<ImportCounts> CountsAsync(DbSession session, long id, CancellationToken cancellationToken)
    {
        var counts = (await session.QueryAsync<StatusCount>(CountByStatus, new { Id = id }, cancellationToken)).ToDictionary(c => c.Status, c => (int)c.N);
        int Of(string status) => counts.GetValueOrDefault(status);
        return new ImportCounts(counts.Values.Sum(), Of(RowStatuses.Ready), Of(RowStatuses.Duplicate), Of(RowStatuses.Refused), Of(RowStatuses.Ignored));
    }

    private static async Task WriteRowsAsync(Database database, long id, int reading, List<RowRecord> rows, int total, CancellationToken cancellationToken)
    {
        await InTransaction(database, async session =>
        {
            if (await session.ExecuteAsync(SetProgress, new { Id = id, Version = reading, Done = total, Total = total }, cancellationToken) != 1)
            {
                throw new PreviewSupersededException();
            }

            if (rows.Count > 0)
            {
                if (session.Engine == DatabaseEngine.Postgres)
                {
                    await session.ExecuteAsync(InsertRow, new
                    {
                        ImportId = id,
                        Line = rows.Select(r => r.Line).ToArray(),
                        Status = rows.Select(r => r.Status).ToArray(),
                        Reasons = rows.Select(r => r.Reasons).ToArray(),
                        Kind = rows.Select(r => r.Kind).ToArray(),
                        TxnDate = rows.Select(r => r.TxnDate).ToArray(),
                        AmountPence = rows.Select(r => r.AmountPence).ToArray(),
                        GrantId = rows.Select(r => r.GrantId).ToArray(),
                        CategoryCode = rows.Select(r => r.CategoryCode).ToArray(),
                        PartnerId = rows.Select(r => r.PartnerId).ToArray(),
                        AreaCode = rows.Select(r => r.AreaCode).ToArray(),
                        AccountCode = rows.Select(r => r.AccountCode).ToArray(),
                        TrackingValue = rows.Select(r => r.TrackingValue).ToArray(),
                        Description = rows.Select(r => r.Description).ToArray(),
                        SourceReference = rows.Select(r => r.SourceReference).ToArray(),
                    }, cancellationToken);
                }
                else
                {
                    await session.ExecuteAsync(InsertRow, rows.Select(r => new
                    {
                        ImportId = id, r.Line, r.Status, r.Reasons, r.Kind, r.TxnDate, r.AmountPence, r.GrantId, r.CategoryCode, r.PartnerId,
                        r.AreaCode, r.AccountCode, r.TrackingValue, r.Description, r.SourceReference,
                    }), cancellationToken);
                }
            }

        }, cancellationToken);
    }

    private static async Task InTransaction(Database database, Func<DbSession, Task> work, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        await UnitOfWork.CommitInAsync(session, work, cancellationToken);
    }

    private sealed class StatusCount
    {
        public string Status { get; set; } = "";
        public long N { get; set; }
    }

    private sealed class GrantDate
    {
        public long GrantId { get; set; }
        public DateOnly TransactionDate { get; set; }
    }

    private sealed class BatchRow
    {
        public long Id { get; set; }
        public string Source { get; set; } = "";
        public string FileName { get; set; } = "";
        public string Sha256 { get; set; } = "";
        public long ByteCount { get; set; }
        public string Status { get; set; } = "";
        public int MappingVersion { get; set; }
        public int TotalRows { get; set; }
        public int ReadyRows { get; set; }
        public int DuplicateRows { get; set; }
        public int RefusedRows { get; set; }
        public int IgnoredRows { get; set; }
        public int WrittenRows { get; set; }
        public int ProgressDone { get; set; }
        public int ProgressTotal { get; set; }
        public string? Error { get; set; }
        public int Version { get; set; }
        public DateTime CreatedAt { get; set; }
        public string CreatedBy { get; set; } = "";
        public DateTime? CommittedAt { get; set; }
        public string? CommittedBy { get; set; }
        public DateTime? ReversedAt { get; set; }
        public string? ReversedBy { get; set; }
        public string? ReverseReason { get; set; }
        public long? LinesTotalPence { get; set; }
        public long? FileTotalPence { get; set; }
        public int FileTotalRows { get; set; }
        public string? FileTotalLabel { get; set; }

        public ImportView View() => new(
            Id, Status, Source, FileName, Sha256, ByteCount, MappingVersion,
            new ImportCounts(TotalRows, ReadyRows, DuplicateRows, RefusedRows, IgnoredRows), WrittenRows,
            new ImportProgressView(ProgressDone, ProgressTotal), Error, CreatedAt, CreatedBy, CommittedAt, CommittedBy, ReversedAt, ReversedBy, ReverseReason,
            LinesTotalPence is null && FileTotalRows == 0
                ? null
                : new FileTotalsView(LinesTotalPence, FileTotalPence, FileTotalRows, FileTotalLabel, FileTotalRows > 0 && FileTotalPence is null));
    }
}

/// <summary>A preview stopped because a newer one of the same import began.</summary>
internal sealed class PreviewSupersededException : Exception;

/// <summary>A row as stored for the preview (and as the judge returns it).</summary>
internal sealed class RowRecord
{
    public int Line { get; set; }
    public string Status { get; set; } = "";
    public string? Reasons { get; set; }
    public string? Kind { get; set; }
    public DateOnly? TxnDate { get; set; }
    public long? AmountPence { get; set; }
    public long? GrantId { get; set; }
    public string? CategoryCode { get; set; }
    public long? PartnerId { get; set; }
    public string? AreaCode { get; set; }
    public string? AccountCode { get; set; }
    public string? TrackingValue { get; set; }
    public string Description { get; set; } = "";
    public string? SourceReference { get; set; }

    public const string ReasonSeparator = "\n";

    public ImportRowView View() => new(
        Line, Status, Reasons is null ? [] : Reasons.Split(ReasonSeparator), TxnDate, AmountPence is { } p ? Money.Money.ToPounds(p) : null,
        GrantId, CategoryCode, Kind, PartnerId, AreaCode, AccountCode, TrackingValue, Description, SourceReference);
}
