using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using Hangfire;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Periods;
using Portfolio.Jobs.Email;
using Portfolio.Reports.Quarterly;

namespace Portfolio.Jobs.ReportRuns;

public enum RunOutcome
{
    Done,
    GrantNotFound,
    NotAPeriodStart,
    AlreadyExists,
    RunNotFound,
    WrongState,
    NeedsVarianceNote,
    NoRecipients,
    UnknownRecipients,
}

/// <summary>What happened, the run concerned, and for a refusal what to do about it.</summary>
public sealed record RunResult(RunOutcome Outcome, ReportRun? Run = null, string? Detail = null);

/// <summary>Job settings: <c>Portfolio:Jobs</c>.</summary>
public sealed record JobOptions(
    bool RunInProcess,
    string ScheduleCron,
    string ScheduleTimeZone,
    bool ScheduleOnStart,
    int DeliveryAttempts,
    IReadOnlyList<int> RetryDelaysSeconds,
    TimeSpan DeliveryLease,
    int WorkerCount)
{
    /// <summary>How long a delivery may stay pending before the sweep queues it again: longer than any retry delay.</summary>
    public TimeSpan SweepPendingAfter => TimeSpan.FromSeconds(Math.Max(DeliveryLease.TotalSeconds, RetryDelaysSeconds.DefaultIfEmpty(0).Max() + 60));
}

/// <summary>
/// Report runs: generated once per grant and period (the database's unique index decides between racing
/// processes), approved (or sent at once for funders in auto mode), delivered by one job per recipient.
/// </summary>
public sealed class ReportRunService(Database database, QuarterlyReports reports, IBackgroundJobClient jobs, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Generates a draft (both files stored with their SHA-256) unless a live run exists; auto-mode funders' drafts are approved at once.</summary>
    public async Task<RunResult> GenerateAsync(long grantId, DateOnly periodStart, string actor, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var (outcome, report) = await reports.BuildAsync(grantId, periodStart, UkDate.Today(clock), cancellationToken);
        if (outcome == ReportSourceOutcome.GrantNotFound)
        {
            return new RunResult(RunOutcome.GrantNotFound);
        }

        if (outcome == ReportSourceOutcome.NotAPeriodStart)
        {
            return new RunResult(RunOutcome.NotAPeriodStart);
        }

        await using (var check = await database.OpenAsync(cancellationToken))
        {
            if (await ReportRunStore.GetLiveAsync(check, grantId, periodStart, cancellationToken) is { } existing)
            {
                return new RunResult(RunOutcome.AlreadyExists, existing);
            }
        }

        var xlsx = QuarterlyReports.Excel(report!);
        var pdf = reports.Pdf(report!);
        ReportRun run;
        Funder funder;
        try
        {
            (run, funder) = await database.InTransactionAsync(async session =>
            {
                var grant = (await GrantStore.GetAsync(session, grantId, cancellationToken))!;
                var owner = (await FunderStore.GetAsync(session, grant.FunderId, cancellationToken))!;
                var created = await InsertRunAsync(session, report!, grant, owner, xlsx, pdf, new ChangeContext(actor, now), cancellationToken);
                return (created, owner);
            }, cancellationToken);
        }
        catch (DbException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Another process generated this grant's report for this period first.
            await using var session = await database.OpenAsync(cancellationToken);
            return new RunResult(RunOutcome.AlreadyExists, await ReportRunStore.GetLiveAsync(session, grantId, periodStart, cancellationToken));
        }

        if (funder.DeliveryMode == "auto")
        {
            var approved = await ApproveAsync(run.Id, "system:auto-delivery", requireNotes: false, cancellationToken);
            return approved.Outcome == RunOutcome.Done ? new RunResult(RunOutcome.Done, approved.Run) : new RunResult(RunOutcome.Done, run, approved.Detail);
        }

        return new RunResult(RunOutcome.Done, run);
    }

    /// <summary>
    /// Approves a draft and sends it: one delivery per funder contact, each sent by its own job. Refused while the
    /// report's RAG is amber or red and its period has no variance note.
    /// </summary>
    public async Task<RunResult> ApproveAsync(long runId, string actor, bool requireNotes = true, CancellationToken cancellationToken = default)
    {
        var change = new ChangeContext(actor, clock.GetUtcNow().UtcDateTime);
        var result = await database.InTransactionAsync(async session =>
        {
            var run = await ReportRunStore.GetAsync(session, runId, cancellationToken);
            if (run is null)
            {
                return new RunResult(RunOutcome.RunNotFound);
            }

            if (run.Status != "draft")
            {
                return new RunResult(RunOutcome.WrongState, run, $"Only a draft can be approved; this run is {run.Status}.");
            }

            if (requireNotes && run.Rag is "amber" or "red"
                && (await VarianceNoteStore.ListForGrantAsync(session, run.GrantId, run.PeriodStart, cancellationToken)).Count == 0)
            {
                return new RunResult(RunOutcome.NeedsVarianceNote, run,
                    $"The report for {run.PeriodLabel} is {run.Rag.ToUpperInvariant()}: add a variance note for the period starting {run.PeriodStart:yyyy-MM-dd} " +
                    $"(POST /api/grants/{run.GrantId}/variance-notes) explaining the variance, then approve again.");
            }

            var grant = (await GrantStore.GetAsync(session, run.GrantId, cancellationToken))!;
            var funder = (await FunderStore.GetAsync(session, grant.FunderId, cancellationToken))!;
            if (funder.Contacts.Count == 0)
            {
                return new RunResult(RunOutcome.NoRecipients, run, $"Funder {funder.Name} has no contacts to send the report to; add them (PUT /api/funders/{funder.Id}) and approve again.");
            }

            if (!await ReportRunStore.ApproveAsync(session, runId, change, cancellationToken))
            {
                return new RunResult(RunOutcome.WrongState, run, "The run was approved or changed at the same moment.");
            }

            foreach (var contact in funder.Contacts)
            {
                await ReportRunStore.InsertDeliveryAsync(session, new ReportDelivery
                {
                    ReportRunId = runId,
                    RecipientName = contact.Name,
                    RecipientEmail = contact.Email,
                    Status = "pending",
                    CreatedAt = change.At,
                }, cancellationToken);
            }

            var approved = (await ReportRunStore.GetAsync(session, runId, cancellationToken))!;
            await AuditLog.WriteAsync(session, change, "approve", "report-run", runId, Summary(run), Summary(approved), cancellationToken);
            return new RunResult(RunOutcome.Done, approved);
        }, cancellationToken);

        if (result.Outcome == RunOutcome.Done)
        {
            await EnqueuePendingAsync(runId, cancellationToken);
        }

        return result;
    }

    /// <summary>A new draft for the same grant and period; the old one (a draft or a failed run, never a sent one) is superseded.</summary>
    public async Task<RunResult> RegenerateAsync(long runId, string actor, CancellationToken cancellationToken = default)
    {
        ReportRun? old;
        await using (var session = await database.OpenAsync(cancellationToken))
        {
            old = await ReportRunStore.GetAsync(session, runId, cancellationToken);
        }

        if (old is null)
        {
            return new RunResult(RunOutcome.RunNotFound);
        }

        if (old.Status is not ("draft" or "failed"))
        {
            return new RunResult(RunOutcome.WrongState, old, $"A {old.Status} run cannot be regenerated; only drafts and failed runs can (a sent run is the record of what the funder received).");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var (_, report) = await reports.BuildAsync(old.GrantId, old.PeriodStart, UkDate.Today(clock), cancellationToken);
        var xlsx = QuarterlyReports.Excel(report!);
        var pdf = reports.Pdf(report!);
        var change = new ChangeContext(actor, now);
        return await database.InTransactionAsync(async session =>
        {
            if (!await ReportRunStore.SupersedeAsync(session, runId, cancellationToken))
            {
                return new RunResult(RunOutcome.WrongState, old, "The run changed at the same moment; read it again.");
            }

            var grant = (await GrantStore.GetAsync(session, old.GrantId, cancellationToken))!;
            var funder = (await FunderStore.GetAsync(session, grant.FunderId, cancellationToken))!;
            var created = await InsertRunAsync(session, report!, grant, funder, xlsx, pdf, change, cancellationToken);
            await ReportRunStore.LinkSupersededAsync(session, runId, created.Id, cancellationToken);
            await AuditLog.WriteAsync(session, change, "supersede", "report-run", runId, Summary(old), new { status = "superseded", supersededByRunId = created.Id }, cancellationToken);
            return new RunResult(RunOutcome.Done, created);
        }, cancellationToken);
    }

    /// <summary>Sends a sent (or failed) run again, to all of the funder's contacts or the named ones, as new deliveries.</summary>
    public async Task<RunResult> ResendAsync(long runId, IReadOnlyCollection<string>? recipients, string actor, CancellationToken cancellationToken = default)
    {
        var change = new ChangeContext(actor, clock.GetUtcNow().UtcDateTime);
        var result = await database.InTransactionAsync(async session =>
        {
            var run = await ReportRunStore.GetAsync(session, runId, cancellationToken);
            if (run is null)
            {
                return new RunResult(RunOutcome.RunNotFound);
            }

            if (run.Status is not ("sent" or "failed"))
            {
                return new RunResult(RunOutcome.WrongState, run, $"Only a sent or failed run can be resent; this run is {run.Status}.");
            }

            var grant = (await GrantStore.GetAsync(session, run.GrantId, cancellationToken))!;
            var funder = (await FunderStore.GetAsync(session, grant.FunderId, cancellationToken))!;
            var contacts = funder.Contacts.ToList();
            if (recipients is { Count: > 0 })
            {
                var unknown = recipients.Where(r => !contacts.Any(c => string.Equals(c.Email, r, StringComparison.OrdinalIgnoreCase))).ToList();
                if (unknown.Count > 0)
                {
                    return new RunResult(RunOutcome.UnknownRecipients, run, $"Not contacts of {funder.Name}: {string.Join(", ", unknown)}. Reports go only to the funder's contacts.");
                }

                contacts = contacts.Where(c => recipients.Contains(c.Email, StringComparer.OrdinalIgnoreCase)).ToList();
            }

            if (contacts.Count == 0)
            {
                return new RunResult(RunOutcome.NoRecipients, run, $"Funder {funder.Name} has no contacts to send the report to.");
            }

            if (run.Status == "failed")
            {
                await ReportRunStore.ReopenForResendAsync(session, runId, cancellationToken);
            }

            foreach (var contact in contacts)
            {
                await ReportRunStore.InsertDeliveryAsync(session, new ReportDelivery
                {
                    ReportRunId = runId,
                    RecipientName = contact.Name,
                    RecipientEmail = contact.Email,
                    Status = "pending",
                    CreatedAt = change.At,
                }, cancellationToken);
            }

            await AuditLog.WriteAsync(session, change, "resend", "report-run", runId, null, new { recipients = contacts.Select(c => c.Email).ToList() }, cancellationToken);
            return new RunResult(RunOutcome.Done, await ReportRunStore.GetAsync(session, runId, cancellationToken));
        }, cancellationToken);

        if (result.Outcome == RunOutcome.Done)
        {
            await EnqueuePendingAsync(runId, cancellationToken);
        }

        return result;
    }

    /// <summary>
    /// After a restart (in-memory job storage loses its queue with the process): deliveries still pending, or claimed
    /// by a process that stopped before their message began to go out, are queued again. A claim that went stale after
    /// its message began to go out has an unknown outcome: it is marked failed, never re-sent on its own.
    /// </summary>
    public async Task<int> RecoverAsync(TimeSpan lease, TimeSpan? pendingFor = null, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var staleBefore = now - lease;
        var pendingBefore = now - (pendingFor ?? TimeSpan.Zero);
        await using var session = await database.OpenAsync(cancellationToken);
        foreach (var delivery in await ReportRunStore.UnknownOutcomeDeliveriesAsync(session, staleBefore, cancellationToken))
        {
            const string error = "Outcome unknown: the process stopped while the message was being handed to the mail server. Check with the recipient, then resend if needed.";
            await session.BeginAsync(cancellationToken);
            if (await ReportRunStore.FailUnknownOutcomeAsync(session, delivery.Id, error, now, staleBefore, cancellationToken))
            {
                await ReportRunStore.MarkFailedAsync(session, delivery.ReportRunId, $"Delivery to {delivery.RecipientEmail}: {error}", cancellationToken);
                await AuditLog.WriteAsync(session, new ChangeContext("system:recovery", now), "fail", "report-delivery", delivery.Id, null, new { delivery.RecipientEmail, error }, cancellationToken);
            }

            await session.CommitAsync(cancellationToken);
        }

        var ids = await ReportRunStore.RecoverableDeliveryIdsAsync(session, pendingBefore, staleBefore, cancellationToken);
        foreach (var id in ids)
        {
            jobs.Enqueue<ReportDeliveryJob>(job => job.SendAsync(id, CancellationToken.None));
        }

        return ids.Count;
    }

    /// <summary>
    /// Queues a job per pending delivery. The deliveries are already committed, so if the job queue cannot be
    /// reached now they are not lost: the delivery sweep (every few minutes, and at start) queues them later.
    /// </summary>
    private async Task EnqueuePendingAsync(long runId, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        foreach (var delivery in (await ReportRunStore.ListDeliveriesAsync(session, runId, cancellationToken)).Where(d => d.Status == "pending"))
        {
            var id = delivery.Id;
            try
            {
                jobs.Enqueue<ReportDeliveryJob>(job => job.SendAsync(id, CancellationToken.None));
            }
            catch (BackgroundJobClientException)
            {
                // Left pending for the sweep.
            }
        }
    }

    private static async Task<ReportRun> InsertRunAsync(DbSession session, QuarterlyReport report, Grant grant, Funder funder, byte[] xlsx, byte[] pdf, ChangeContext change, CancellationToken cancellationToken)
    {
        var header = report.Header;
        var run = new ReportRun
        {
            GrantId = grant.Id,
            PeriodStart = header.PeriodStart,
            PeriodEnd = header.PeriodEnd,
            PeriodLabel = header.PeriodLabel,
            Status = "draft",
            DueDate = header.PeriodEnd.AddDays(funder.ReportLagDays),
            GeneratedAt = change.At,
            Rag = report.Summary.Rag,
            FiguresJson = JsonSerializer.Serialize(new ReportEmailFigures(report.Summary.Award, report.Summary.BudgetToDate, report.Summary.ActualToDate, report.Summary.Variance, report.Summary.Rag), Json),
            CreatedAt = change.At,
        };
        await ReportRunStore.InsertAsync(session, run, cancellationToken);
        foreach (var (format, content, contentType) in new[] { ("xlsx", xlsx, QuarterlyWorkbook.ContentType), ("pdf", pdf, QuarterlyPdf.ContentType) })
        {
            await ReportRunStore.InsertFileAsync(session, new ReportFile
            {
                ReportRunId = run.Id,
                Format = format,
                FileName = FileName(grant.Reference, header.PeriodLabel, format),
                ContentType = contentType,
                Content = content,
                Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
                SizeBytes = content.Length,
                CreatedAt = change.At,
            }, cancellationToken);
        }

        var created = (await ReportRunStore.GetAsync(session, run.Id, cancellationToken))!;
        await AuditLog.WriteAsync(session, change, "create", "report-run", run.Id, null, Summary(created), cancellationToken);
        return created;
    }

    public static ReportEmailFigures FiguresOf(ReportRun run) =>
        JsonSerializer.Deserialize<ReportEmailFigures>(run.FiguresJson ?? "{}", Json) ?? new ReportEmailFigures(0, 0, 0, 0, run.Rag ?? "green");

    /// <summary><c>{reference}-{period}.{format}</c>, with anything a file name should not hold replaced.</summary>
    public static string FileName(string reference, string periodLabel, string format) =>
        new string($"{reference}-{periodLabel}".Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray()) + "." + format;

    private static object Summary(ReportRun run) => new { run.Id, run.GrantId, run.PeriodStart, run.PeriodLabel, run.Status, run.Rag, run.ApprovedBy, run.Version };

    /// <summary>The periods of a grant that have ended before <paramref name="today"/>.</summary>
    public static IEnumerable<ReportingPeriod> EndedPeriods(IReadOnlyList<ReportingPeriod> periods, DateOnly today) => periods.Where(p => p.End < today);
}
