using Portfolio.Core.Operations;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Results;
using Portfolio.Core.Periods;
using Portfolio.Reports.Quarterly;

namespace Portfolio.Reports.Runs;

/// <summary>Where an approved or resent report's deliveries go to be sent, one job each (Hangfire, in Portfolio.Jobs).</summary>
public interface IDeliveryQueue
{
    /// <summary>Queues the delivery's job; false when the queue cannot be reached now (the delivery stays pending for the sweep).</summary>
    bool TryQueue(long deliveryId);
}

/// <summary>The figures a report's email quotes, kept with the run when it is made.</summary>
public sealed record ReportEmailFigures(long Award, long BudgetToDate, long ActualToDate, long Variance, string Rag);

/// <summary>What a refused report-run operation carries besides its detail, for a caller to act on (the API shows them as problem extensions).</summary>
public static class RunRefusal
{
    /// <summary>On the conflict of a generation for a period that already has a live run: that run's id.</summary>
    public const string RunId = "runId";

    /// <summary>On the conflict of an approval whose books changed: the fresh draft's id.</summary>
    public const string NewRunId = "newRunId";

    /// <summary>On that conflict: what changed in the books, in words.</summary>
    public const string Because = "because";

    /// <summary>On the refusal of an approval held by missing explanations: each <see cref="ReportHold"/>.</summary>
    public const string Holds = "holds";

    public static long? Long(Refusal refusal, string key) =>
        (refusal as Conflict)?.Extensions?.GetValueOrDefault(key) as long?;
}

/// <summary>
/// One thing that holds a report from approval, with what clears it: <c>variance-note</c>, an amber or red money
/// period without a variance note; <c>indicator-note</c>, an indicator below target or not recorded for the period
/// without a note on its actual (<see cref="IndicatorId"/> names it).
/// </summary>
public sealed record ReportHold(string Kind, DateOnly PeriodStart, long? IndicatorId, string Message)
{
    public const string VarianceNote = "variance-note";
    public const string IndicatorNote = "indicator-note";
}

/// <summary>
/// Report runs: generated once per grant and ended period (the database's unique index decides between racing
/// processes), each keeping the report model it was built from; approved only while that model still equals the
/// books (under the grant's row lock), in period order; the final files rendered from the approved model with the
/// approver's name; delivered by one job per recipient. Approval closes the period and every earlier one.
/// </summary>
public sealed class ReportRunService(Database database, QuarterlyReports reports, IDeliveryQueue deliveries, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Generates a draft (both files stored with their SHA-256, and the model it was built from) unless a live run
    /// exists. Only a period that has ended can be reported.
    /// </summary>
    public async Task<Outcome<ReportRun>> GenerateAsync(long grantId, DateOnly periodStart, string actor, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var today = UkDate.Today(clock);
        var (outcome, report) = await reports.BuildAsync(grantId, periodStart, today, cancellationToken);
        if (outcome == ReportSourceOutcome.GrantNotFound)
        {
            return InvalidFields.Of("grantId", $"there is no grant with id {grantId}");
        }

        if (outcome == ReportSourceOutcome.NotAPeriodStart)
        {
            return InvalidFields.Of("periodStart", "must be the first day of one of the grant's reporting periods");
        }

        if (report!.Header.PeriodEnd >= today)
        {
            return new CannotApply(
                $"The {report.Header.PeriodLabel} period ends on {Written.Date(report.Header.PeriodEnd)}: only a period that has ended can be reported. " +
                "Preview it meanwhile from the grant's page, marked provisional.");
        }

        await using (var check = await database.OpenAsync(cancellationToken))
        {
            if (await ReportRunStore.GetLiveAsync(check, grantId, periodStart, cancellationToken) is { } existing)
            {
                return AlreadyMade(grantId, existing);
            }
        }

        var files = RenderDraft(report);
        try
        {
            var run = await UnitOfWork.CommitAsync(database, async session =>
            {
                var grant = (await GrantStore.GetAsync(session, grantId, cancellationToken))!;
                var funder = (await FunderStore.GetAsync(session, grant.FunderId, cancellationToken))!;
                return await InsertRunAsync(session, report, files, grant, funder, new ChangeContext(actor, now), cancellationToken);
            }, cancellationToken);
            return Outcome<ReportRun>.Done(run);
        }
        catch (DbException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Another process generated this grant's report for this period first.
            await using var session = await database.OpenAsync(cancellationToken);
            return AlreadyMade(grantId, await ReportRunStore.GetLiveAsync(session, grantId, periodStart, cancellationToken));
        }
    }

    /// <summary>
    /// Approves a draft and sends it: one delivery per funder contact, each sent by its own job. In order: the run must
    /// still be the draft at <paramref name="expectedVersion"/> (when given); no earlier period of the grant may wait
    /// unsent; an amber or red report needs a variance note for its period; and the books must still say what the
    /// draft says (checked under the grant's row lock, so nothing can be recorded in between). A stale draft is
    /// regenerated from the books and the answer names the new draft to preview and approve. The final files are
    /// rendered from the approved model and name the approver and the time; approval closes the period.
    /// </summary>
    public async Task<Outcome<ReportRun>> ApproveAsync(long runId, string actor, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var change = new ChangeContext(actor, clock.GetUtcNow().UtcDateTime);
        ReportRun? draft;
        await using (var read = await database.OpenAsync(cancellationToken))
        {
            draft = await ReportRunStore.GetAsync(read, runId, cancellationToken);
        }

        if (draft is null)
        {
            return new NotFound("report run", runId);
        }

        if (draft.Status != "draft")
        {
            return new Conflict($"Only a draft can be approved; this run is {draft.Status}.");
        }

        if (expectedVersion is { } expected && expected != draft.Version)
        {
            return new StaleVersion(draft.Version);
        }

        var snapshot = Snapshot(draft);
        // Rendered before the transaction, from the draft's own model; kept only if the books still agree with it.
        var final = snapshot is null ? null : Render(snapshot, ReportStamp.Final(Actors.DisplayName(actor), change.At));

        string? staleBecause = null;
        var result = await UnitOfWork.RunAsync<ReportRun>(database, async session =>
        {
            await GrantStore.LockAsync(session, draft.GrantId, cancellationToken);
            var run = await ReportRunStore.GetAsync(session, runId, cancellationToken);
            if (run is null || run.Status != "draft" || run.Version != draft.Version)
            {
                return new Conflict("The run was approved or changed at the same moment; read it again.");
            }

            var earlier = await ReportRunStore.EarlierUnsentAsync(session, run.GrantId, run.PeriodStart, cancellationToken);
            if (earlier.Count > 0)
            {
                return new Conflict(
                    $"Reports go to the funder in period order: {string.Join(", ", earlier.Select(e => $"report run {e.Id} for {e.PeriodLabel} ({e.Status})"))} " +
                    $"must be sent (or cancelled) before {run.PeriodLabel}.");
            }

            if (await HoldsAsync(session, run, cancellationToken) is { Count: > 0 } holds)
            {
                return new CannotApply(
                    $"The report for {run.PeriodLabel} cannot be approved until each of these is explained: {string.Join(" ", holds.Select(h => h.Message))}",
                    new Dictionary<string, object?> { [RunRefusal.Holds] = holds });
            }

            staleBecause = snapshot is null
                ? "it was made before report runs kept the figures they were built from"
                : await StaleBecauseAsync(session, run.GrantId, snapshot, cancellationToken);
            if (staleBecause is not null)
            {
                return new Conflict(staleBecause); // regenerated below, outside this transaction
            }

            var grant = (await GrantStore.GetAsync(session, run.GrantId, cancellationToken))!;
            var funder = (await FunderStore.GetAsync(session, grant.FunderId, cancellationToken))!;
            if (funder.Contacts.Count == 0)
            {
                return new CannotApply($"Funder {funder.Name} has no contacts to send the report to; add them on the funder's page and approve again.");
            }

            if (!await ReportRunStore.ApproveAsync(session, runId, run.Version, change, cancellationToken))
            {
                return new Conflict("The run was approved or changed at the same moment; read it again.");
            }

            foreach (var file in FileRows(run.Id, grant.Reference, run.PeriodLabel, final!, change.At))
            {
                await ReportRunStore.ReplaceFileAsync(session, file, cancellationToken);
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
            await AuditLog.WriteAsync(session, change, "approve", "report-run", runId, Summary(run),
                new { approved.Id, approved.Status, approved.ApprovedBy, approved.Version, xlsxSha256 = Sha256(final!.Xlsx), pdfSha256 = Sha256(final.Pdf) }, cancellationToken);
            return Outcome<ReportRun>.Done(approved);
        }, cancellationToken);

        if (staleBecause is not null)
        {
            // Never sent: the draft is replaced by one made from the books as they are now, to be previewed and approved.
            var regenerated = await RegenerateAsync(runId, actor, cancellationToken);
            return regenerated.Value is { } fresh
                ? new Conflict(
                    $"Report run {runId} was not approved: the books have changed since it was generated ({staleBecause}). " +
                    $"It has been replaced by draft report run {fresh.Id}, made from the books as they are now: preview it (GET /api/report-runs/{fresh.Id}/pdf) and approve that one.",
                    new Dictionary<string, object?> { [RunRefusal.NewRunId] = fresh.Id, [RunRefusal.Because] = staleBecause })
                : regenerated;
        }

        if (result.Succeeded)
        {
            await EnqueuePendingAsync(runId, cancellationToken);
        }

        return result;
    }

    /// <summary>
    /// For a funder on automatic delivery: approves the grant's earliest unsent report if it can go (a stale draft is
    /// regenerated first; one that needs a variance note waits as a draft). At most one report per grant per call.
    /// </summary>
    public async Task<Outcome<ReportRun>?> SendNextAutomaticallyAsync(long grantId, CancellationToken cancellationToken = default)
    {
        ReportRun? next;
        await using (var session = await database.OpenAsync(cancellationToken))
        {
            var grant = await GrantStore.GetAsync(session, grantId, cancellationToken);
            var funder = grant is null ? null : await FunderStore.GetAsync(session, grant.FunderId, cancellationToken);
            if (funder?.DeliveryMode != "auto")
            {
                return null;
            }

            next = (await ReportRunStore.UnsentForGrantAsync(session, grantId, cancellationToken)).FirstOrDefault();
        }

        if (next is not { Status: "draft" })
        {
            return null; // nothing to send, or an earlier report is still on its way (or failed and needs a person)
        }

        var result = await ApproveAsync(next.Id, Actors.AutoDelivery, cancellationToken: cancellationToken);
        return result.Refused is { } refused && RunRefusal.Long(refused, RunRefusal.NewRunId) is { } fresh
            ? await ApproveAsync(fresh, Actors.AutoDelivery, cancellationToken: cancellationToken)
            : result;
    }

    /// <summary>A new draft for the same grant and period, from the books as they are now; the old draft is superseded.</summary>
    public async Task<Outcome<ReportRun>> RegenerateAsync(long runId, string actor, CancellationToken cancellationToken = default)
    {
        ReportRun? old;
        await using (var session = await database.OpenAsync(cancellationToken))
        {
            old = await ReportRunStore.GetAsync(session, runId, cancellationToken);
        }

        if (old is null)
        {
            return new NotFound("report run", runId);
        }

        if (old.Status != "draft")
        {
            return new Conflict(
                $"A {old.Status} run cannot be regenerated; only drafts can (an approved, sent or failed run is the record of what the funder was sent; resend it instead).");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var (outcome, report) = await reports.BuildAsync(old.GrantId, old.PeriodStart, UkDate.Today(clock), cancellationToken);
        if (outcome != ReportSourceOutcome.Ready)
        {
            // The grant's dates or calendar changed since the draft was made (a draft does not close its period).
            return new Conflict(
                $"The period starting {old.PeriodStart:yyyy-MM-dd} is no longer one of grant {old.GrantId}'s reporting periods; cancel this draft (POST /api/report-runs/{runId}/cancel) and generate one for a current period.");
        }

        var files = RenderDraft(report!);
        var change = new ChangeContext(actor, now);
        return await UnitOfWork.RunAsync<ReportRun>(database, async session =>
        {
            if (!await ReportRunStore.SupersedeAsync(session, runId, cancellationToken))
            {
                return new Conflict("The run changed at the same moment; read it again.");
            }

            var grant = (await GrantStore.GetAsync(session, old.GrantId, cancellationToken))!;
            var funder = (await FunderStore.GetAsync(session, grant.FunderId, cancellationToken))!;
            var created = await InsertRunAsync(session, report!, files, grant, funder, change, cancellationToken);
            await ReportRunStore.LinkSupersededAsync(session, runId, created.Id, cancellationToken);
            await AuditLog.WriteAsync(session, change, "supersede", "report-run", runId, Summary(old), new { status = "superseded", supersededByRunId = created.Id }, cancellationToken);
            return Outcome<ReportRun>.Done(created);
        }, cancellationToken);
    }

    /// <summary>Cancels a draft (never an approved or sent run), which frees its period for a new run. Audited.</summary>
    public async Task<Outcome<ReportRun>> CancelAsync(long runId, string? reason, string actor, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var change = new ChangeContext(actor, clock.GetUtcNow().UtcDateTime);
        return await UnitOfWork.RunAsync<ReportRun>(database, async session =>
        {
            var run = await ReportRunStore.GetAsync(session, runId, cancellationToken);
            if (run is null)
            {
                return new NotFound("report run", runId);
            }

            if (run.Status != "draft")
            {
                return new Conflict($"Only a draft can be cancelled; this run is {run.Status}.");
            }

            if (expectedVersion is { } expected && expected != run.Version)
            {
                return new StaleVersion(run.Version);
            }

            if (!await ReportRunStore.CancelAsync(session, runId, run.Version, reason, change, cancellationToken))
            {
                return new Conflict("The run changed at the same moment; read it again.");
            }

            var cancelled = (await ReportRunStore.GetAsync(session, runId, cancellationToken))!;
            await AuditLog.WriteAsync(session, change, "cancel", "report-run", runId, Summary(run), new { cancelled.Status, cancelled.CancelledBy, cancelled.CancelReason, cancelled.Version }, cancellationToken);
            return Outcome<ReportRun>.Done(cancelled);
        }, cancellationToken);
    }

    /// <summary>Sends a sent (or failed) run again, to all of the funder's contacts or the named ones, as new deliveries.</summary>
    public async Task<Outcome<ReportRun>> ResendAsync(long runId, IReadOnlyCollection<string>? recipients, string actor, CancellationToken cancellationToken = default)
    {
        var change = new ChangeContext(actor, clock.GetUtcNow().UtcDateTime);
        var result = await UnitOfWork.RunAsync<ReportRun>(database, async session =>
        {
            var run = await ReportRunStore.GetAsync(session, runId, cancellationToken);
            if (run is null)
            {
                return new NotFound("report run", runId);
            }

            if (run.Status is not ("sent" or "failed"))
            {
                return new Conflict($"Only a sent or failed run can be resent; this run is {run.Status}.");
            }

            var grant = (await GrantStore.GetAsync(session, run.GrantId, cancellationToken))!;
            var funder = (await FunderStore.GetAsync(session, grant.FunderId, cancellationToken))!;
            var contacts = funder.Contacts.ToList();
            if (recipients is { Count: > 0 })
            {
                var unknown = recipients.Where(r => !contacts.Any(c => string.Equals(c.Email, r, StringComparison.OrdinalIgnoreCase))).ToList();
                if (unknown.Count > 0)
                {
                    return InvalidFields.Of("recipients", $"Not contacts of {funder.Name}: {string.Join(", ", unknown)}. Reports go only to the funder's contacts.");
                }

                contacts = contacts.Where(c => recipients.Contains(c.Email, StringComparer.OrdinalIgnoreCase)).ToList();
            }

            if (contacts.Count == 0)
            {
                return new CannotApply($"Funder {funder.Name} has no contacts to send the report to.");
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
            return Outcome<ReportRun>.Done((await ReportRunStore.GetAsync(session, runId, cancellationToken))!);
        }, cancellationToken);

        if (result.Succeeded)
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
            await UnitOfWork.CommitInAsync(session, async session =>
            {
                if (await ReportRunStore.FailUnknownOutcomeAsync(session, delivery.Id, error, now, staleBefore, cancellationToken))
                {
                    await ReportRunStore.MarkFailedAsync(session, delivery.ReportRunId, $"Delivery to {delivery.RecipientEmail}: {error}", cancellationToken);
                    await AuditLog.WriteAsync(session, new ChangeContext("system:recovery", now), "fail", "report-delivery", delivery.Id, null, new { delivery.RecipientEmail, error }, cancellationToken);
                }
            }, cancellationToken);
        }

        var ids = await ReportRunStore.RecoverableDeliveryIdsAsync(session, pendingBefore, staleBefore, cancellationToken);
        return ids.Count(deliveries.TryQueue);
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
            deliveries.TryQueue(delivery.Id); // when it cannot be queued now, left pending for the sweep
        }
    }

    private sealed record RenderedFiles(byte[] Xlsx, byte[] Pdf);

    /// <summary>A generation for a period that already has a live run: the conflict names that run.</summary>
    private static Conflict AlreadyMade(long grantId, ReportRun? existing) => new(
        $"Grant {grantId} already has report run {existing?.Id} ({existing?.Status}) for this period; regenerate it with POST /api/report-runs/{existing?.Id}/regenerate.",
        new Dictionary<string, object?> { [RunRefusal.RunId] = existing?.Id });

    private RenderedFiles RenderDraft(QuarterlyReport report) => Render(report, ReportStamp.Draft);

    private RenderedFiles Render(QuarterlyReport report, ReportStamp stamp) => new(QuarterlyReports.Excel(report, stamp), reports.Pdf(report, stamp));

    /// <summary>The model a run was built from, or null for a run made before runs kept it.</summary>
    private static QuarterlyReport? Snapshot(ReportRun run) =>
        run.ModelJson is null ? null : JsonSerializer.Deserialize<QuarterlyReport>(run.ModelJson, Json);

    /// <summary>
    /// Null when the books (as this transaction sees them) still give the report <paramref name="snapshot"/> holds;
    /// otherwise which parts of it differ, as a finance officer would name them.
    /// </summary>
    private async Task<string?> StaleBecauseAsync(DbSession session, long grantId, QuarterlyReport snapshot, CancellationToken cancellationToken)
    {
        var header = snapshot.Header;
        var (outcome, now) = await reports.BuildAsync(session, grantId, header.PeriodStart, header.Prepared, cancellationToken);
        if (outcome != ReportSourceOutcome.Ready)
        {
            return "the grant's reporting periods have changed";
        }

        var changed = new List<string>();
        void Compare(string what, object? before, object? after)
        {
            if (JsonSerializer.Serialize(before, Json) != JsonSerializer.Serialize(after, Json))
            {
                changed.Add(what);
            }
        }

        Compare("the grant, funder or organisation details", snapshot.Header, now!.Header);
        Compare("the summary figures", snapshot.Summary, now.Summary);
        Compare("budget or spend by category", snapshot.Categories, now.Categories);
        Compare("the budget and spend by period", snapshot.Trend, now.Trend);
        Compare("the spend recorded in the period", snapshot.Transactions, now.Transactions);
        Compare("partner agreements or payments", snapshot.Partners, now.Partners);
        Compare("income", snapshot.Income, now.Income);
        Compare("the variance notes", snapshot.Notes, now.Notes);
        Compare("spend by delivery area", snapshot.AreaRows, now.AreaRows);
        Compare("the results or the narrative", snapshot.Results, now.Results);
        return changed.Count == 0 ? null : string.Join("; ", changed);
    }

    /// <summary>
    /// Everything holding the run from approval, as the books stand, all at once: the period's money when it is amber
    /// or red without a variance note, then each indicator below target or not recorded without a note.
    /// </summary>
    public static async Task<IReadOnlyList<ReportHold>> HoldsAsync(DbSession session, ReportRun run, CancellationToken cancellationToken)
    {
        var holds = new List<ReportHold>();
        if (run.Rag is "amber" or "red"
            && (await VarianceNoteStore.ListForGrantAsync(session, run.GrantId, run.PeriodStart, cancellationToken)).Count == 0)
        {
            holds.Add(new ReportHold(ReportHold.VarianceNote, run.PeriodStart, null,
                $"Spend for {run.PeriodLabel} is {run.Rag.ToUpperInvariant()} against its budget: add a variance note for the period saying why."));
        }

        foreach (var row in await IndicatorsNeedingNoteAsync(session, run, cancellationToken))
        {
            holds.Add(new ReportHold(ReportHold.IndicatorNote, run.PeriodStart, row.IndicatorId, row.PeriodActual is null || row.Rag is null
                ? $"{row.Name} has no result recorded for {run.PeriodLabel}: record it, or add a note saying why."
                : $"{row.Name} is {row.Rag!.ToUpperInvariant()} (below target) for {run.PeriodLabel}: add a note to its result saying why."));
        }

        return holds;
    }

    /// <summary>The grant's indicators for the run's period that are below target or not recorded and have no note, as the books stand.</summary>
    private static async Task<IReadOnlyList<OutcomeRow>> IndicatorsNeedingNoteAsync(DbSession session, ReportRun run, CancellationToken cancellationToken)
    {
        var grant = await GrantPeriods.LoadAsync(session, run.GrantId, cancellationToken);
        var outcomes = grant is null
            ? null
            : await Outcomes.ForPeriodAsync(session, grant, run.PeriodStart, new RagThresholds(grant.Funder.RagAmberPercent, grant.Funder.RagRedPercent), cancellationToken);
        return outcomes?.Rows.Where(r => r.NeedsNote).ToList() ?? [];
    }

    private async Task<ReportRun> InsertRunAsync(DbSession session, QuarterlyReport report, RenderedFiles files, Grant grant, Funder funder, ChangeContext change, CancellationToken cancellationToken)
    {
        var header = report.Header;
        var model = JsonSerializer.Serialize(report, Json);
        var run = new ReportRun
        {
            GrantId = grant.Id,
            PeriodStart = header.PeriodStart,
            PeriodEnd = header.PeriodEnd,
            PeriodLabel = header.PeriodLabel,
            Status = "draft",
            DueDate = Portfolio.Core.Burn.ReportDue.For(header.PeriodEnd, funder.ReportLagDays),
            GeneratedAt = change.At,
            Rag = report.Summary.Rag,
            FiguresJson = JsonSerializer.Serialize(new ReportEmailFigures(report.Summary.Award, report.Summary.BudgetToDate, report.Summary.ActualToDate, report.Summary.Variance, report.Summary.Rag), Json),
            ModelJson = model,
            ModelSha256 = Sha256(Encoding.UTF8.GetBytes(model)),
            CreatedAt = change.At,
        };
        await ReportRunStore.InsertAsync(session, run, cancellationToken);
        foreach (var held in report.OutcomeRows.Where(r => r.Held))
        {
            await ReportRunStore.InsertIndicatorHoldAsync(session, run.Id, held.IndicatorId, cancellationToken);
        }

        foreach (var file in FileRows(run.Id, grant.Reference, header.PeriodLabel, files, change.At))
        {
            await ReportRunStore.InsertFileAsync(session, file, cancellationToken);
        }

        var created = (await ReportRunStore.GetAsync(session, run.Id, cancellationToken))!;
        await AuditLog.WriteAsync(session, change, "create", "report-run", run.Id, null, Summary(created), cancellationToken);
        return created;
    }

    private static IEnumerable<ReportFile> FileRows(long runId, string reference, string periodLabel, RenderedFiles files, DateTime at) =>
        new[] { ("xlsx", files.Xlsx, QuarterlyWorkbook.ContentType), ("pdf", files.Pdf, QuarterlyPdf.ContentType) }.Select(f => new ReportFile
        {
            ReportRunId = runId,
            Format = f.Item1,
            FileName = FileName(reference, periodLabel, f.Item1),
            ContentType = f.Item3,
            Content = f.Item2,
            Sha256 = Sha256(f.Item2),
            SizeBytes = f.Item2.Length,
            CreatedAt = at,
        });

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static ReportEmailFigures FiguresOf(ReportRun run) =>
        JsonSerializer.Deserialize<ReportEmailFigures>(run.FiguresJson ?? "{}", Json) ?? new ReportEmailFigures(0, 0, 0, 0, run.Rag ?? "green");

    /// <summary><c>{reference}-{period}.{format}</c>, with anything a file name should not hold replaced.</summary>
    public static string FileName(string reference, string periodLabel, string format) =>
        new string($"{reference}-{periodLabel}".Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray()) + "." + format;

    private static object Summary(ReportRun run) => new { run.Id, run.GrantId, run.PeriodStart, run.PeriodLabel, run.Status, run.Rag, run.ApprovedBy, run.Version };

    /// <summary>
    /// The periods the schedule reports on <paramref name="today"/>: those that have ended, and ended within the
    /// catch-up window. Older periods are reported only on request, so a mistyped start year cannot flood a funder.
    /// </summary>
    public static IEnumerable<ReportingPeriod> DuePeriods(IReadOnlyList<ReportingPeriod> periods, DateOnly today, int catchUpDays) =>
        periods.Where(p => p.End < today && p.End >= today.AddDays(-catchUpDays));
}
