using Portfolio.Core.Data;
using Portfolio.Core.Operations;

namespace Portfolio.Core.Domain;

/// <summary>One generated report for one grant and one period, with its files and deliveries.</summary>
public sealed class ReportRun
{
    public long Id { get; set; }
    public long GrantId { get; set; }
    public DateOnly PeriodStart { get; set; }
    public DateOnly PeriodEnd { get; set; }
    public string PeriodLabel { get; set; } = "";
    public string Status { get; set; } = "draft";
    public DateOnly DueDate { get; set; }
    public DateTime? GeneratedAt { get; set; }
    public DateTime? ApprovedAt { get; set; }
    public string? ApprovedBy { get; set; }
    public DateTime? SentAt { get; set; }
    public long? SupersededByRunId { get; set; }
    public string? FailureReason { get; set; }
    public string? Rag { get; set; }
    public string? FiguresJson { get; set; }

    /// <summary>The report model the run was built from (JSON): the books as they stood, compared again at approval.</summary>
    public string? ModelJson { get; set; }

    public string? ModelSha256 { get; set; }
    public DateTime? CancelledAt { get; set; }
    public string? CancelledBy { get; set; }
    public string? CancelReason { get; set; }

    /// <summary>Listing only: a draft whose amber or red status waits for a variance note before it can be approved.</summary>
    public bool NeedsVarianceNote { get; set; }

    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
}

public sealed class ReportFile
{
    public long Id { get; set; }
    public long ReportRunId { get; set; }
    public string Format { get; set; } = "";
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public byte[] Content { get; set; } = [];
    public string Sha256 { get; set; } = "";
    public long SizeBytes { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class ReportDelivery
{
    public long Id { get; set; }
    public long ReportRunId { get; set; }
    public string RecipientName { get; set; } = "";
    public string RecipientEmail { get; set; } = "";
    public string Status { get; set; } = "pending";
    public int Attempts { get; set; }
    public string? MessageId { get; set; }
    public DateTime? ClaimedAt { get; set; }
    public string? ClaimedBy { get; set; }
    public DateTime? SentAt { get; set; }
    public string? LastError { get; set; }
    public DateTime? TransmitStartedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public sealed record ReportRunFilter(long? GrantId = null, string? Status = null, bool? Overdue = null, DateOnly? Today = null, bool? NeedsNote = null);

/// <summary>
/// Storage for report runs, their files and their deliveries. Every state change is a conditional UPDATE on the
/// state it expects, so two processes (or a retry) cannot both make it: the one that changes a row wins.
/// </summary>
public static class ReportRunStore
{
    /// <summary>
    /// A draft whose amber or red status waits for a variance note for its period, or with an indicator below target
    /// (or not recorded) when it was made that still has no note for the period.
    /// </summary>
    private const string NeedsNote = """
        (status = 'draft'
         AND ((rag IN ('amber', 'red')
               AND NOT EXISTS (SELECT 1 FROM variance_note n WHERE n.grant_id = report_run.grant_id AND n.period_start = report_run.period_start))
              OR EXISTS (SELECT 1 FROM report_run_indicator_hold h
                         WHERE h.report_run_id = report_run.id
                           AND NOT EXISTS (SELECT 1 FROM indicator_actual a
                                           WHERE a.indicator_id = h.indicator_id AND a.period_start = report_run.period_start AND a.note IS NOT NULL AND a.note <> ''))))
        """;

    private const string RunColumns = $$"""
        id, grant_id, period_start, period_end, period_label, status, due_date, generated_at, approved_at, approved_by,
        sent_at, superseded_by_run_id, failure_reason, rag, figures_json, model_json, model_sha256, cancelled_at, cancelled_by,
        cancel_reason, version, created_at,
        CASE WHEN {{NeedsNote}} THEN 1 ELSE 0 END AS needs_variance_note
        """;

    private const string DeliveryColumns = """
        id, report_run_id, recipient_name, recipient_email, status, attempts, message_id, claimed_at, claimed_by,
        sent_at, last_error, transmit_started_at, created_at, updated_at
        """;

    private const string RunFilter = $$"""
        WHERE (@GrantId IS NULL OR grant_id = @GrantId)
          AND (@Status IS NULL OR status = @Status)
          AND (@Overdue IS NULL
               OR (@Overdue = 1 AND status NOT IN ('sent', 'superseded', 'cancelled') AND due_date < @Today)
               OR (@Overdue = 0 AND NOT (status NOT IN ('sent', 'superseded', 'cancelled') AND due_date < @Today)))
          AND (@NeedsNote IS NULL OR (@NeedsNote = 1 AND {{NeedsNote}}) OR (@NeedsNote = 0 AND NOT {{NeedsNote}}))
        """;

    internal static readonly Sql SelectRun = Sql.Common($"SELECT {RunColumns} FROM report_run WHERE id = @Id");
    internal static readonly Sql SelectPage = Sql.Paged($"SELECT {RunColumns} FROM report_run {RunFilter} ORDER BY id");
    internal static readonly Sql CountFiltered = Sql.Common($"SELECT COUNT(*) FROM report_run {RunFilter}");
    internal static readonly Sql LiveRunStarts = Sql.Common("SELECT period_start FROM report_run WHERE grant_id = @GrantId AND status NOT IN ('superseded', 'cancelled')");
    internal static readonly Sql LiveRun = Sql.Common($"SELECT {RunColumns} FROM report_run WHERE grant_id = @GrantId AND period_start = @PeriodStart AND status NOT IN ('superseded', 'cancelled')");

    /// <summary>The grant's live runs for earlier periods that have not been sent: a later period waits for them.</summary>
    internal static readonly Sql EarlierUnsent = Sql.Common($"""
        SELECT {RunColumns} FROM report_run
        WHERE grant_id = @GrantId AND period_start < @PeriodStart AND status IN ('draft', 'approved', 'failed')
        ORDER BY period_start
        """);

    /// <summary>The grant's live runs not yet sent, earliest period first (automatic delivery takes them in this order).</summary>
    internal static readonly Sql UnsentForGrant = Sql.Common($"""
        SELECT {RunColumns} FROM report_run
        WHERE grant_id = @GrantId AND status IN ('draft', 'approved', 'failed')
        ORDER BY period_start
        """);

    internal static readonly Sql AutoGrantsWithDrafts = Sql.Common("""
        SELECT DISTINCT r.grant_id FROM report_run r
        JOIN grant_award g ON g.id = r.grant_id
        JOIN funder f ON f.id = g.funder_id
        WHERE r.status = 'draft' AND f.delivery_mode = 'auto'
        ORDER BY r.grant_id
        """);

    internal static readonly Sql InsertRun = Sql.InsertReturningId("""
        INSERT INTO report_run (grant_id, period_start, period_end, period_label, status, due_date, generated_at, rag, figures_json, model_json, model_sha256, version, created_at)
        VALUES (@GrantId, @PeriodStart, @PeriodEnd, @PeriodLabel, @Status, @DueDate, @GeneratedAt, @Rag, @FiguresJson, @ModelJson, @ModelSha256, 1, @CreatedAt)
        """);

    internal static readonly Sql InsertIndicatorHold = Sql.Common("INSERT INTO report_run_indicator_hold (report_run_id, indicator_id) VALUES (@RunId, @IndicatorId)");

    internal static readonly Sql Approve = Sql.Common("""
        UPDATE report_run SET status = 'approved', approved_at = @At, approved_by = @Actor, version = version + 1
        WHERE id = @Id AND status = 'draft' AND version = @Version
        """);

    internal static readonly Sql Supersede = Sql.Common("""
        UPDATE report_run SET status = 'superseded', version = version + 1
        WHERE id = @Id AND status = 'draft'
        """);

    internal static readonly Sql Cancel = Sql.Common("""
        UPDATE report_run SET status = 'cancelled', cancelled_at = @At, cancelled_by = @Actor, cancel_reason = @Reason, version = version + 1
        WHERE id = @Id AND status = 'draft' AND version = @Version
        """);

    /// <summary>The final files replace the draft's at approval: same row, the approved content and its checksum.</summary>
    internal static readonly Sql ReplaceFile = Sql.Common("""
        UPDATE report_file SET content = @Content, sha256 = @Sha256, size_bytes = @SizeBytes, created_at = @CreatedAt
        WHERE report_run_id = @ReportRunId AND format = @Format
        """);

    internal static readonly Sql LinkSuperseded = Sql.Common("UPDATE report_run SET superseded_by_run_id = @NewId WHERE id = @Id");

    internal static readonly Sql MarkRunSent = Sql.Common("""
        UPDATE report_run SET status = 'sent', sent_at = @At, failure_reason = NULL, version = version + 1
        WHERE id = @Id AND status IN ('approved', 'failed')
          AND NOT EXISTS (SELECT 1 FROM report_delivery d WHERE d.report_run_id = @Id AND d.status <> 'sent')
        """);

    internal static readonly Sql MarkRunFailed = Sql.Common("""
        UPDATE report_run SET status = 'failed', failure_reason = @Reason, version = version + 1
        WHERE id = @Id AND status = 'approved'
        """);

    internal static readonly Sql ReopenForResend = Sql.Common("""
        UPDATE report_run SET status = 'approved', version = version + 1 WHERE id = @Id AND status = 'failed'
        """);

    internal static readonly Sql InsertFile = Sql.InsertReturningId("""
        INSERT INTO report_file (report_run_id, format, file_name, content_type, content, sha256, size_bytes, created_at)
        VALUES (@ReportRunId, @Format, @FileName, @ContentType, @Content, @Sha256, @SizeBytes, @CreatedAt)
        """);

    internal static readonly Sql SelectFile = Sql.Common("""
        SELECT id, report_run_id, format, file_name, content_type, content, sha256, size_bytes, created_at
        FROM report_file WHERE report_run_id = @ReportRunId AND format = @Format
        """);

    internal static readonly Sql SelectFileInfo = Sql.Common("""
        SELECT id, report_run_id, format, file_name, content_type, sha256, size_bytes, created_at
        FROM report_file WHERE report_run_id = @ReportRunId ORDER BY format
        """);

    internal static readonly Sql InsertDelivery = Sql.InsertReturningId("""
        INSERT INTO report_delivery (report_run_id, recipient_name, recipient_email, status, attempts, created_at, updated_at)
        VALUES (@ReportRunId, @RecipientName, @RecipientEmail, @Status, 0, @CreatedAt, @CreatedAt)
        """);

    internal static readonly Sql SelectDeliveries = Sql.Common($"SELECT {DeliveryColumns} FROM report_delivery WHERE report_run_id = @ReportRunId ORDER BY id");
    internal static readonly Sql SelectDelivery = Sql.Common($"SELECT {DeliveryColumns} FROM report_delivery WHERE id = @Id");

    /// <summary>Takes a delivery for sending: pending ones, or a claim gone stale before its message began to go out.</summary>
    internal static readonly Sql ClaimDelivery = Sql.Common("""
        UPDATE report_delivery
        SET status = 'sending', claimed_at = @At, claimed_by = @Worker, attempts = attempts + 1, updated_at = @At
        WHERE id = @Id
          AND (status = 'pending' OR (status = 'sending' AND claimed_at < @StaleBefore AND transmit_started_at IS NULL))
        """);

    internal static readonly Sql MarkTransmitting = Sql.Common("""
        UPDATE report_delivery SET transmit_started_at = @At, message_id = @MessageId, updated_at = @At
        WHERE id = @Id AND status = 'sending' AND claimed_by = @Worker
        """);

    internal static readonly Sql MarkDeliverySent = Sql.Common("""
        UPDATE report_delivery SET status = 'sent', sent_at = @At, last_error = NULL, updated_at = @At
        WHERE id = @Id AND status = 'sending' AND claimed_by = @Worker
        """);

    internal static readonly Sql ReleaseDelivery = Sql.Common("""
        UPDATE report_delivery SET status = @Status, last_error = @Error, transmit_started_at = NULL, claimed_by = NULL, updated_at = @At
        WHERE id = @Id AND status = 'sending' AND claimed_by = @Worker
        """);

    internal static readonly Sql RecoverableDeliveries = Sql.Common("""
        SELECT id FROM report_delivery
        WHERE (status = 'pending' AND updated_at < @PendingBefore)
           OR (status = 'sending' AND claimed_at < @StaleBefore AND transmit_started_at IS NULL)
        ORDER BY id
        """);

    internal static readonly Sql UnknownOutcomeDeliveries = Sql.Common($"""
        SELECT {DeliveryColumns} FROM report_delivery
        WHERE status = 'sending' AND claimed_at < @StaleBefore AND transmit_started_at IS NOT NULL
        """);

    internal static readonly Sql FailUnknownOutcome = Sql.Common("""
        UPDATE report_delivery SET status = 'failed', last_error = @Error, updated_at = @At
        WHERE id = @Id AND status = 'sending' AND transmit_started_at IS NOT NULL AND claimed_at < @StaleBefore
        """);

    internal static readonly Sql ActiveGrantIds = Sql.Common("SELECT id FROM grant_award WHERE status = 'active' ORDER BY id");

    public static Task<ReportRun?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<ReportRun>(SelectRun, new { Id = id }, cancellationToken);

    public static Task<ReportRun?> GetLiveAsync(DbSession session, long grantId, DateOnly periodStart, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<ReportRun>(LiveRun, new { GrantId = grantId, PeriodStart = periodStart }, cancellationToken);

    public static async Task<Page<ReportRun>> ListAsync(DbSession session, ReportRunFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new
        {
            filter.GrantId,
            filter.Status,
            Overdue = filter.Overdue is null ? (int?)null : filter.Overdue.Value ? 1 : 0,
            NeedsNote = filter.NeedsNote is null ? (int?)null : filter.NeedsNote.Value ? 1 : 0,
            Today = filter.Today ?? DateOnly.FromDateTime(DateTime.UtcNow),
            page.Offset,
            page.Limit,
        };
        var items = (await session.QueryAsync<ReportRun>(SelectPage, parameters, cancellationToken)).ToList();
        var total = await session.ExecuteScalarAsync<long>(CountFiltered, parameters, cancellationToken);
        return new Page<ReportRun>(items, page.Page, page.PageSize, total);
    }

    public static async Task<IReadOnlySet<DateOnly>> LivePeriodStartsAsync(DbSession session, long grantId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<DateOnly>(LiveRunStarts, new { GrantId = grantId }, cancellationToken)).ToHashSet();

    public static async Task<IReadOnlyList<long>> ActiveGrantIdsAsync(DbSession session, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<long>(ActiveGrantIds, cancellationToken: cancellationToken)).ToList();

    public static async Task<long> InsertAsync(DbSession session, ReportRun run, CancellationToken cancellationToken = default)
    {
        run.Id = await session.ExecuteScalarAsync<long>(InsertRun, run, cancellationToken);
        return run.Id;
    }

    /// <summary>Approves the draft at <paramref name="version"/>; false when it is no longer that draft.</summary>
    public static async Task<bool> ApproveAsync(DbSession session, long id, int version, ChangeContext change, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(Approve, new { Id = id, Version = version, change.At, change.Actor }, cancellationToken) == 1;

    public static async Task<bool> SupersedeAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(Supersede, new { Id = id }, cancellationToken) == 1;

    public static async Task<bool> CancelAsync(DbSession session, long id, int version, string? reason, ChangeContext change, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(Cancel, new { Id = id, Version = version, Reason = reason, change.At, change.Actor }, cancellationToken) == 1;

    public static async Task<IReadOnlyList<ReportRun>> EarlierUnsentAsync(DbSession session, long grantId, DateOnly periodStart, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<ReportRun>(EarlierUnsent, new { GrantId = grantId, PeriodStart = periodStart }, cancellationToken)).ToList();

    public static async Task<IReadOnlyList<ReportRun>> UnsentForGrantAsync(DbSession session, long grantId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<ReportRun>(UnsentForGrant, new { GrantId = grantId }, cancellationToken)).ToList();

    public static async Task<IReadOnlyList<long>> AutoGrantsWithDraftsAsync(DbSession session, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<long>(AutoGrantsWithDrafts, cancellationToken: cancellationToken)).ToList();

    public static Task ReplaceFileAsync(DbSession session, ReportFile file, CancellationToken cancellationToken = default) =>
        session.ExecuteAsync(ReplaceFile, file, cancellationToken);

    public static Task LinkSupersededAsync(DbSession session, long id, long newId, CancellationToken cancellationToken = default) =>
        session.ExecuteAsync(LinkSuperseded, new { Id = id, NewId = newId }, cancellationToken);

    /// <summary>Marks the run sent once every one of its deliveries is sent; false while any is not.</summary>
    public static async Task<bool> MarkSentIfCompleteAsync(DbSession session, long id, DateTime at, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(MarkRunSent, new { Id = id, At = at }, cancellationToken) == 1;

    public static Task MarkFailedAsync(DbSession session, long id, string reason, CancellationToken cancellationToken = default) =>
        session.ExecuteAsync(MarkRunFailed, new { Id = id, Reason = reason }, cancellationToken);

    public static Task ReopenForResendAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.ExecuteAsync(ReopenForResend, new { Id = id }, cancellationToken);

    /// <summary>Records that the run's indicator was below target (or not recorded) when the run was made: it waits for a note.</summary>
    public static Task InsertIndicatorHoldAsync(DbSession session, long runId, long indicatorId, CancellationToken cancellationToken = default) =>
        session.ExecuteAsync(InsertIndicatorHold, new { RunId = runId, IndicatorId = indicatorId }, cancellationToken);

    public static async Task<long> InsertFileAsync(DbSession session, ReportFile file, CancellationToken cancellationToken = default)
    {
        file.Id = await session.ExecuteScalarAsync<long>(InsertFile, file, cancellationToken);
        return file.Id;
    }

    public static Task<ReportFile?> GetFileAsync(DbSession session, long runId, string format, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<ReportFile>(SelectFile, new { ReportRunId = runId, Format = format }, cancellationToken);

    /// <summary>The run's files without their content.</summary>
    public static async Task<IReadOnlyList<ReportFile>> ListFilesAsync(DbSession session, long runId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<ReportFile>(SelectFileInfo, new { ReportRunId = runId }, cancellationToken)).ToList();

    public static async Task<long> InsertDeliveryAsync(DbSession session, ReportDelivery delivery, CancellationToken cancellationToken = default)
    {
        delivery.Id = await session.ExecuteScalarAsync<long>(InsertDelivery, delivery, cancellationToken);
        return delivery.Id;
    }

    public static async Task<IReadOnlyList<ReportDelivery>> ListDeliveriesAsync(DbSession session, long runId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<ReportDelivery>(SelectDeliveries, new { ReportRunId = runId }, cancellationToken)).ToList();

    public static Task<ReportDelivery?> GetDeliveryAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<ReportDelivery>(SelectDelivery, new { Id = id }, cancellationToken);

    public static async Task<bool> ClaimDeliveryAsync(DbSession session, long id, string worker, DateTime at, DateTime staleBefore, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(ClaimDelivery, new { Id = id, Worker = worker, At = at, StaleBefore = staleBefore }, cancellationToken) == 1;

    public static async Task<bool> MarkTransmittingAsync(DbSession session, long id, string worker, string messageId, DateTime at, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(MarkTransmitting, new { Id = id, Worker = worker, MessageId = messageId, At = at }, cancellationToken) == 1;

    public static async Task<bool> MarkDeliverySentAsync(DbSession session, long id, string worker, DateTime at, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(MarkDeliverySent, new { Id = id, Worker = worker, At = at }, cancellationToken) == 1;

    /// <summary>Gives a claimed delivery back as pending (to be retried) or failed (given up), with the error.</summary>
    public static Task ReleaseDeliveryAsync(DbSession session, long id, string worker, string status, string error, DateTime at, CancellationToken cancellationToken = default) =>
        session.ExecuteAsync(ReleaseDelivery, new { Id = id, Worker = worker, Status = status, Error = error, At = at }, cancellationToken);

    /// <summary>Deliveries pending since before <paramref name="pendingBefore"/>, and claims gone stale before their message began to go out.</summary>
    public static async Task<IReadOnlyList<long>> RecoverableDeliveryIdsAsync(DbSession session, DateTime pendingBefore, DateTime staleBefore, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<long>(RecoverableDeliveries, new { PendingBefore = pendingBefore, StaleBefore = staleBefore }, cancellationToken)).ToList();

    public static async Task<IReadOnlyList<ReportDelivery>> UnknownOutcomeDeliveriesAsync(DbSession session, DateTime staleBefore, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<ReportDelivery>(UnknownOutcomeDeliveries, new { StaleBefore = staleBefore }, cancellationToken)).ToList();

    public static async Task<bool> FailUnknownOutcomeAsync(DbSession session, long id, string error, DateTime at, DateTime staleBefore, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(FailUnknownOutcome, new { Id = id, Error = error, At = at, StaleBefore = staleBefore }, cancellationToken) == 1;
}

/// <summary>A request to generate the report for one grant and one ended period.</summary>
public sealed record ReportRunInput(long GrantId, DateOnly PeriodStart);

/// <summary>Why a draft is cancelled (optional).</summary>
public sealed record CancelRunInput([Text(1000, Multiline = true)] string? Reason = null);

/// <summary>Who receives a resend; the funder's contacts when empty.</summary>
public sealed record ResendInput([Items(50, ItemMaxLength = 320)] IReadOnlyList<string>? Recipients = null);
