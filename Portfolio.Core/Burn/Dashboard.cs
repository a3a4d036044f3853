using Portfolio.Core.Data;

namespace Portfolio.Core.Burn;

/// <summary>A funder report for one reporting period, and the day it is due (the period's end plus the funder's lag).</summary>
public sealed record ReportDue(DateOnly PeriodStart, string PeriodLabel, DateOnly DueDate)
{
    /// <summary>A period's report is due its funder's lag in days after the period ends.</summary>
    public static DateOnly For(DateOnly periodEnd, int reportLagDays) => periodEnd.AddDays(reportLagDays);
}

/// <summary>One live grant on the dashboard: its figures, the next report due, the reports overdue, and how its indicators stand (null: none).</summary>
public sealed record DashboardGrant(GrantLine Grant, ReportDue? NextDue, IReadOnlyList<ReportDue> Overdue, bool InYourAreas, Results.OutcomeSummary? Results = null);

/// <summary>What the dashboard shows: live grants (the signed-in lead's areas first) and the roll-ups.</summary>
public sealed record Dashboard(PortfolioBurn Burn, IReadOnlyList<DashboardGrant> Grants)
{
    public int OverdueReports => Grants.Sum(g => g.Overdue.Count);
}

public static class Dashboards
{
    /// <summary>Live grants are the active ones; the dashboard's filters narrow them further.</summary>
    public const string LiveStatus = "active";

    internal static readonly Sql SentReports = Sql.Common("SELECT grant_id, period_start FROM report_run WHERE status = 'sent'");

    /// <summary>
    /// The dashboard at <paramref name="today"/>: live grants matching <paramref name="filter"/>, those in
    /// <paramref name="yourAreas"/> first (a programme lead's), then by the size of the variance.
    /// </summary>
    public static async Task<Dashboard> LoadAsync(DbSession session, BurnFilter filter, DateOnly today, RagThresholds thresholds, IReadOnlyList<long>? yourAreas, CancellationToken cancellationToken = default)
    {
        var burn = await BurnQueries.PortfolioAsync(session, filter with { Status = LiveStatus }, today, thresholds, cancellationToken);
        var sent = (await session.QueryAsync<SentRow>(SentReports, cancellationToken: cancellationToken))
            .Select(r => (r.GrantId, r.PeriodStart))
            .ToHashSet();
        var results = await Results.Outcomes.SummariesAsync(session, burn.Grants.ToDictionary(g => g.Id, g => (g.Periods, g.Thresholds)), today, cancellationToken);
        var grants = burn.Grants
            .Select(g =>
            {
                var unsent = g.Periods
                    .Where(p => !sent.Contains((g.Id, p.Start)))
                    .Select(p => new ReportDue(p.Start, p.Label, ReportDue.For(p.End, g.ReportLagDays)))
                    .ToList();
                return new DashboardGrant(
                    g,
                    unsent.Where(r => r.DueDate >= today).MinBy(r => r.DueDate),
                    unsent.Where(r => r.DueDate < today).ToList(),
                    yourAreas is { Count: > 0 } && g.ProgrammeAreaId is { } area && yourAreas.Contains(area),
                    results.GetValueOrDefault(g.Id));
            })
            .OrderByDescending(g => g.InYourAreas)
            .ToList();
        return new Dashboard(burn, grants);
    }

    private sealed class SentRow
    {
        public long GrantId { get; set; }
        public DateOnly PeriodStart { get; set; }
    }
}
