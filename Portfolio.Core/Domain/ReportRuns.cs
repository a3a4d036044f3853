using Portfolio.Core.Data;

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
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// Storage for report runs. Only what the schema needs now: creating and reading runs, files and deliveries.
/// Scheduling, approval and sending build on this in Portfolio.Jobs.
/// </summary>
public static class ReportRunStore
{
    private const string RunColumns = """
        id, grant_id, period_start, period_end, period_label, status, due_date, generated_at, approved_at, approved_by,
        sent_at, superseded_by_run_id, failure_reason, version, created_at
        """;

    internal static readonly Sql SelectRun = Sql.Common($"SELECT {RunColumns} FROM report_run WHERE id = @Id");

    internal static readonly Sql InsertRun = Sql.InsertReturningId("""
        INSERT INTO report_run (grant_id, period_start, period_end, period_label, status, due_date, version, created_at)
        VALUES (@GrantId, @PeriodStart, @PeriodEnd, @PeriodLabel, @Status, @DueDate, 1, @CreatedAt)
        """);

    internal static readonly Sql InsertFile = Sql.InsertReturningId("""
        INSERT INTO report_file (report_run_id, format, file_name, content_type, content, sha256, size_bytes, created_at)
        VALUES (@ReportRunId, @Format, @FileName, @ContentType, @Content, @Sha256, @SizeBytes, @CreatedAt)
        """);

    internal static readonly Sql SelectFile = Sql.Common("""
        SELECT id, report_run_id, format, file_name, content_type, content, sha256, size_bytes, created_at
        FROM report_file WHERE report_run_id = @ReportRunId AND format = @Format
        """);

    internal static readonly Sql InsertDelivery = Sql.InsertReturningId("""
        INSERT INTO report_delivery (report_run_id, recipient_name, recipient_email, status, attempts, created_at, updated_at)
        VALUES (@ReportRunId, @RecipientName, @RecipientEmail, @Status, 0, @CreatedAt, @CreatedAt)
        """);

    internal static readonly Sql SelectDeliveries = Sql.Common("""
        SELECT id, report_run_id, recipient_name, recipient_email, status, attempts, message_id, claimed_at, claimed_by,
               sent_at, last_error, created_at, updated_at
        FROM report_delivery WHERE report_run_id = @ReportRunId ORDER BY id
        """);

    public static Task<ReportRun?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<ReportRun>(SelectRun, new { Id = id }, cancellationToken);

    public static async Task<long> InsertAsync(DbSession session, ReportRun run, CancellationToken cancellationToken = default)
    {
        run.Id = await session.ExecuteScalarAsync<long>(InsertRun, run, cancellationToken);
        return run.Id;
    }

    public static async Task<long> InsertFileAsync(DbSession session, ReportFile file, CancellationToken cancellationToken = default)
    {
        file.Id = await session.ExecuteScalarAsync<long>(InsertFile, file, cancellationToken);
        return file.Id;
    }

    public static Task<ReportFile?> GetFileAsync(DbSession session, long runId, string format, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<ReportFile>(SelectFile, new { ReportRunId = runId, Format = format }, cancellationToken);

    public static async Task<long> InsertDeliveryAsync(DbSession session, ReportDelivery delivery, CancellationToken cancellationToken = default)
    {
        delivery.Id = await session.ExecuteScalarAsync<long>(InsertDelivery, delivery, cancellationToken);
        return delivery.Id;
    }

    public static async Task<IReadOnlyList<ReportDelivery>> ListDeliveriesAsync(DbSession session, long runId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<ReportDelivery>(SelectDeliveries, new { ReportRunId = runId }, cancellationToken)).ToList();
}
