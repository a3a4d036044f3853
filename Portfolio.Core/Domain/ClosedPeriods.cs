using System.Globalization;
using Portfolio.Core.Data;
using Portfolio.Core.Operations;
using Portfolio.Core.Periods;

namespace Portfolio.Core.Domain;

/// <summary>
/// A grant's period is closed once a report for it, or for any later period of the grant, has been approved (and so
/// sent, or being sent): what the funder was told is final. Spend, income, budget lines and variance notes of a
/// closed period cannot be created, changed or voided, and the grant's dates, funder or calendar cannot change in a
/// way that would move or remove it. An admin reopens one period at a time, with a reason; approving a later report
/// afterwards closes it again.
/// </summary>
public static class ClosedPeriods
{
    internal static readonly Sql ClosingRuns = Sql.Common("""
        SELECT id, period_start, period_label, approved_at, sent_at FROM report_run
        WHERE grant_id = @GrantId AND status IN ('approved', 'sent', 'failed') AND approved_at IS NOT NULL
        ORDER BY period_start
        """);

    internal static readonly Sql LastReopenings = Sql.Common("""
        SELECT period_start, MAX(reopened_at) AS reopened_at FROM period_reopening WHERE grant_id = @GrantId GROUP BY period_start
        """);

    internal static readonly Sql InsertReopening = Sql.InsertReturningId("""
        INSERT INTO period_reopening (grant_id, period_start, reason, reopened_by, reopened_at)
        VALUES (@GrantId, @PeriodStart, @Reason, @Actor, @At)
        """);

    /// <summary>What closes a grant's periods: its approved runs and the last reopening of each period.</summary>
    public static async Task<ClosedPeriodSet> LoadAsync(DbSession session, long grantId, CancellationToken cancellationToken = default)
    {
        var runs = (await session.QueryAsync<ClosingRun>(ClosingRuns, new { GrantId = grantId }, cancellationToken)).ToList();
        var reopenings = runs.Count == 0
            ? new Dictionary<DateOnly, DateTime>()
            : (await session.QueryAsync<Reopening>(LastReopenings, new { GrantId = grantId }, cancellationToken)).ToDictionary(r => r.PeriodStart, r => r.ReopenedAt);
        return new ClosedPeriodSet(runs, reopenings);
    }

    /// <summary>
    /// Why a money record of <paramref name="grantId"/> dated <paramref name="date"/> may not change, or null when its
    /// period is open. Takes the grant's row lock first, so an approval cannot close the period between this check and
    /// the caller's commit.
    /// </summary>
    public static async Task<string?> ClosedReasonAsync(DbSession session, long grantId, DateOnly date, CancellationToken cancellationToken = default) =>
        (await GrantBooks.LoadForUpdateAsync(session, grantId, cancellationToken: cancellationToken))?.ClosedReason(date);

    /// <summary>
    /// Reopens a reported period so its figures can be corrected, with the reason, audited. The report already
    /// sent stays as sent; the next approval sends a corrected one.
    /// </summary>
    public static async Task<Outcome<ReopenedView>> ReopenAsync(DbSession session, long grantId, DateOnly periodStart, ReasonInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var loaded = await GrantPeriods.LoadForUpdateAsync(session, grantId, cancellationToken);
        if (loaded is null)
        {
            return new NotFound("grant", grantId);
        }

        var errors = new FieldErrors();
        input = InputShape.Check(input, errors);
        var period = loaded.PeriodStarting(periodStart);
        if (period is null)
        {
            errors.Add("periodStart", loaded.NotAPeriodStart);
        }
        else if (!(await LoadAsync(session, grantId, cancellationToken)).IsClosed(period))
        {
            errors.Add("periodStart", $"{period.Label} is open: there is nothing to reopen");
        }

        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        await session.ExecuteScalarAsync<long>(InsertReopening, new { GrantId = grantId, PeriodStart = periodStart, input.Reason, change.Actor, change.At }, cancellationToken);
        var view = new ReopenedView(grantId, period!.Start, period.End, period.Label, input.Reason, change.Actor, change.At);
        await AuditLog.WriteAsync(session, change, "reopen", "period", $"{grantId}:{period.Start:yyyy-MM-dd}", null, view, cancellationToken);
        return Outcome<ReopenedView>.Done(view);
    }

    /// <summary>
    /// Why the grant's periods may not become <paramref name="proposed"/> (a change of its dates, funder or calendar),
    /// or null: every closed period must still be there, with the same dates, and a grant with closed periods keeps its funder.
    /// </summary>
    public static async Task<string?> ChangeBlockedReasonAsync(
        DbSession session, GrantPeriods current, long proposedFunderId, IReadOnlyList<ReportingPeriod> proposed, CancellationToken cancellationToken = default)
    {
        var closed = await LoadAsync(session, current.Grant.Id, cancellationToken);
        var closedPeriods = current.Periods.Where(closed.IsClosed).ToList();
        if (closedPeriods.Count == 0)
        {
            return null;
        }

        var grantId = current.Grant.Id;
        var reopen = "An admin must first reopen the closed period(s), from the grant's page with a reason.";
        if (proposedFunderId != current.Grant.FunderId)
        {
            return $"Grant {grantId} has reported periods ({Labels(closedPeriods)}) whose reports went to {current.Funder.Name}; it cannot move to another funder. {reopen}";
        }

        var moved = closedPeriods.Where(c => !proposed.Any(p => p.Start == c.Start && p.End == c.End && p.Label == c.Label)).ToList();
        return moved.Count == 0
            ? null
            : $"The change would move or remove reported period(s) {Labels(moved)} of grant {grantId}, whose figures were sent to the funder. {reopen}";
    }

    /// <summary>
    /// Why a new budget may not replace <paramref name="current"/>, or null: the lines of every closed period must be
    /// as they were (a line of £0 counts as no line). Takes the grant's row lock, as money writes do.
    /// </summary>
    public static async Task<string?> BudgetChangeBlockedReasonAsync(
        DbSession session, GrantPeriods grant, IReadOnlyList<BudgetLine> current, IReadOnlyList<BudgetLine> proposed, CancellationToken cancellationToken = default)
    {
        await GrantStore.LockAsync(session, grant.Grant.Id, cancellationToken);
        var closed = await LoadAsync(session, grant.Grant.Id, cancellationToken);
        static string Lines(IEnumerable<BudgetLine> lines, DateOnly start) =>
            string.Join(";", lines.Where(l => l.PeriodStart == start && l.AmountPence != 0).OrderBy(l => l.CategoryCode, StringComparer.Ordinal).Select(l => $"{l.CategoryCode}={l.AmountPence}"));

        var changed = grant.Periods.Where(p => closed.IsClosed(p) && Lines(current, p.Start) != Lines(proposed, p.Start)).ToList();
        return changed.Count == 0
            ? null
            : $"The budget of reported period(s) {Labels(changed)} of grant {grant.Grant.Id} cannot change: those figures were sent to the funder. " +
              $"Keep their lines as they are and re-profile open periods only; an admin may reopen a period, from the grant's page with a reason.";
    }

    /// <summary>Why a variance note for the period starting <paramref name="periodStart"/> may not be written or changed, or null.</summary>
    public static async Task<string?> NoteBlockedReasonAsync(DbSession session, GrantPeriods grant, DateOnly periodStart, CancellationToken cancellationToken = default)
    {
        var period = grant.Periods.FirstOrDefault(p => p.Start == periodStart);
        if (period is null)
        {
            return null;
        }

        await GrantStore.LockAsync(session, grant.Grant.Id, cancellationToken);
        return (await LoadAsync(session, grant.Grant.Id, cancellationToken)).ReasonFor(period, "Its variance notes were sent with it and cannot change");
    }

    private static string Labels(IEnumerable<ReportingPeriod> periods) =>
        string.Join(", ", periods.Select(p => $"{p.Label} ({p.Start:yyyy-MM-dd} to {p.End:yyyy-MM-dd})"));

    public sealed class ClosingRun
    {
        public long Id { get; set; }
        public DateOnly PeriodStart { get; set; }
        public string PeriodLabel { get; set; } = "";
        public DateTime ApprovedAt { get; set; }
        public DateTime? SentAt { get; set; }
    }

    internal sealed class Reopening
    {
        public DateOnly PeriodStart { get; set; }
        public DateTime ReopenedAt { get; set; }
    }
}

/// <summary>Which of one grant's periods are closed, and by which report.</summary>
public sealed class ClosedPeriodSet(IReadOnlyList<ClosedPeriods.ClosingRun> runs, IReadOnlyDictionary<DateOnly, DateTime> reopenings)
{
    /// <summary>The report that closes <paramref name="period"/>: the first approved at or after it since the period was last reopened.</summary>
    public ClosedPeriods.ClosingRun? ClosedBy(ReportingPeriod period)
    {
        var reopenedAt = reopenings.TryGetValue(period.Start, out var at) ? at : DateTime.MinValue;
        return runs.Where(r => r.PeriodStart >= period.Start && r.ApprovedAt > reopenedAt).OrderBy(r => r.PeriodStart).FirstOrDefault();
    }

    public bool IsClosed(ReportingPeriod period) => ClosedBy(period) is not null;

    /// <summary>No report of the grant has been approved: every period is open.</summary>
    public bool IsEmpty => runs.Count == 0;

    /// <summary>
    /// Why records of <paramref name="period"/> may not change, or null when it is open. <paramref name="instead"/> is
    /// the advice before the reopening line: for money, an adjusting entry; for what went with the report (notes,
    /// results, a narrative), that it was sent and stays as sent.
    /// </summary>
    public string? ReasonFor(ReportingPeriod period, string instead = "Record an adjusting entry dated in an open period instead")
    {
        var run = ClosedBy(period);
        if (run is null)
        {
            return null;
        }

        var when = Written.Date(run.SentAt ?? run.ApprovedAt);
        var how = run.SentAt is null ? "approved for sending" : "sent to the funder";
        var by = run.PeriodStart == period.Start ? "its report" : $"the {run.PeriodLabel} report, which covers it cumulatively,";
        return $"The {period.Label} period ({Written.Date(period.Start)} to {Written.Date(period.End)}) is closed: {by} was {how} on {when}. " +
               $"{instead}; only an admin can reopen the period, with a reason, from the grant's page.";
    }
}

public sealed record ReopenedView(long GrantId, DateOnly PeriodStart, DateOnly PeriodEnd, string Label, string Reason, string ReopenedBy, DateTime ReopenedAt);
