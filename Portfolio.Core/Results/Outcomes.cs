using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.PartnerReturns;
using Portfolio.Core.Periods;

namespace Portfolio.Core.Results;

/// <summary>
/// One indicator as a funder reads it for one period: the period's target and actual, to date (the periods summed,
/// or the latest figure), the RAG on the to-date figures with the funder's money thresholds, the breakdown by
/// community for the period, and the lead's note. Figures are hundredths; null where there is none.
/// </summary>
public sealed record OutcomeRow(
    long IndicatorId,
    string Name,
    string Unit,
    bool HigherIsBetter,
    string Source,
    string ToDate,
    long? Baseline,
    long? PeriodTarget,
    long? PeriodActual,
    long? TargetToDate,
    long? ActualToDate,
    long? TotalTarget,
    string? Rag,
    string? Note,
    IReadOnlyList<CommunityFigure> Breakdown)
{
    /// <summary>Below target (amber or red), or with a target this period and no figure: a note must explain it before the report goes.</summary>
    public bool Held => Rag is "amber" or "red" || (PeriodTarget is not null && PeriodActual is null);

    public bool NeedsNote => Held && string.IsNullOrWhiteSpace(Note);
}

/// <summary>A grant's results for one period: its indicators and the lead's narrative (null when none is written).</summary>
public sealed record GrantOutcomes(ReportingPeriod Period, IReadOnlyList<OutcomeRow> Rows, GrantNarrative? Narrative);

/// <summary>How a grant's indicators stand for its last ended period, for the dashboard.</summary>
public sealed record OutcomeSummary(long GrantId, string PeriodLabel, int Green, int Amber, int Red, int NoTarget)
{
    public int Indicators => Green + Amber + Red + NoTarget;

    /// <summary>The worst RAG among the indicators with a target, or null.</summary>
    public string? Worst => Red > 0 ? "red" : Amber > 0 ? "amber" : Green > 0 ? "green" : null;
}

/// <summary>
/// The one calculation of results, used by the API, the pages, the dashboard and the report, so their numbers agree.
/// An indicator's RAG compares the to-date actual with the to-date target as money compares actual with budget:
/// on or better than target is green; a shortfall of at most the funder's amber percentage of the target is green,
/// at most its red percentage amber, beyond that red. No figure recorded to date against a target is red.
/// </summary>
public static class Outcomes
{
    /// <summary>Accepted partner returns of the grants that are not closed: the dashboard's partner-delivered figures.</summary>
    internal static readonly Sql AcceptedLiveResults = Sql.Common("""
        SELECT a.grant_id, r.period_start, r.results_json
        FROM partner_return r JOIN partner_agreement a ON a.id = r.agreement_id JOIN grant_award g ON g.id = a.grant_id
        WHERE r.status = 'accepted' AND g.status <> 'closed' AND r.results_json <> '[]'
        """);

    public static async Task<GrantOutcomes?> ForPeriodAsync(DbSession session, GrantPeriods grant, DateOnly periodStart, RagThresholds thresholds, CancellationToken cancellationToken = default)
    {
        var period = grant.PeriodStarting(periodStart);
        if (period is null)
        {
            return null;
        }

        var indicators = await IndicatorStore.ListForGrantAsync(session, grant.Grant.Id, cancellationToken);
        var actuals = (indicators.Count == 0 ? [] : await IndicatorStore.ActualsForGrantAsync(session, grant.Grant.Id, cancellationToken)).ToLookup(a => a.IndicatorId);
        var returns = indicators.Any(i => i.Source == IndicatorSource.Partners)
            ? (await PartnerReturns.PartnerReturns.AcceptedForGrantAsync(session, grant.Grant.Id, period.Start, cancellationToken)).Select(r => (r.PeriodStart, r.Results)).ToList()
            : [];
        var rows = indicators.Select(i => Row(i, actuals[i.Id], returns, period, thresholds)).ToList();
        return new GrantOutcomes(period, rows, await Narratives.GetAsync(session, grant.Grant.Id, period.Start, cancellationToken));
    }

    /// <summary>For each grant given, its indicators as of its last ended period (as <paramref name="today"/> stands), in three queries.</summary>
    public static async Task<IReadOnlyDictionary<long, OutcomeSummary>> SummariesAsync(
        DbSession session, IReadOnlyDictionary<long, (IReadOnlyList<ReportingPeriod> Periods, RagThresholds Thresholds)> grants, DateOnly today, CancellationToken cancellationToken = default)
    {
        var indicators = (await session.QueryAsync<Indicator>(IndicatorStore.SelectLive, null, cancellationToken)).Where(i => grants.ContainsKey(i.GrantId)).ToList();
        if (indicators.Count == 0)
        {
            return new Dictionary<long, OutcomeSummary>();
        }

        var actuals = (await session.QueryAsync<IndicatorActual>(IndicatorStore.ActualsLive, null, cancellationToken)).ToLookup(a => a.IndicatorId);
        var returns = (await session.QueryAsync<ReturnResults>(AcceptedLiveResults, null, cancellationToken))
            .Select(r => (r.GrantId, Return: (r.PeriodStart, new PartnerReturn { ResultsJson = r.ResultsJson }.Results)))
            .ToLookup(r => r.GrantId, r => r.Return);
        var summaries = new Dictionary<long, OutcomeSummary>();
        foreach (var byGrant in indicators.GroupBy(i => i.GrantId))
        {
            var (periods, thresholds) = grants[byGrant.Key];
            if (periods.LastOrDefault(p => p.End < today) is not { } last)
            {
                continue;
            }

            var grantReturns = returns[byGrant.Key].ToList();
            var rows = byGrant.Select(i => Row(i, actuals[i.Id], grantReturns, last, thresholds)).ToList();
            summaries[byGrant.Key] = new OutcomeSummary(
                byGrant.Key, last.Label, rows.Count(r => r.Rag == "green"), rows.Count(r => r.Rag == "amber"), rows.Count(r => r.Rag == "red"), rows.Count(r => r.Rag is null));
        }

        return summaries;
    }

    private static OutcomeRow Row(
        Indicator indicator, IEnumerable<IndicatorActual> ofIndicator, IReadOnlyList<(DateOnly PeriodStart, IReadOnlyList<ReturnResult> Results)> returns, ReportingPeriod period,
        RagThresholds thresholds)
    {
        var actuals = ofIndicator.Where(a => a.PeriodStart <= period.Start).ToList();
        var figures = new SortedDictionary<DateOnly, long>();
        var breakdown = new List<CommunityFigure>();
        if (indicator.Source == IndicatorSource.Partners)
        {
            foreach (var (start, results) in returns.Where(r => r.PeriodStart <= period.Start))
            {
                foreach (var result in results.Where(r => r.IndicatorId == indicator.Id))
                {
                    figures[start] = checked(figures.GetValueOrDefault(start) + result.Value);
                    if (start == period.Start)
                    {
                        foreach (var line in result.Breakdown)
                        {
                            var at = breakdown.FindIndex(b => b.Community == line.Community);
                            if (at < 0)
                            {
                                breakdown.Add(line);
                            }
                            else
                            {
                                breakdown[at] = line with { Value = checked(breakdown[at].Value + line.Value) };
                            }
                        }
                    }
                }
            }
        }
        else
        {
            foreach (var actual in actuals.Where(a => a.ValueX100 is not null))
            {
                figures[actual.PeriodStart] = actual.ValueX100!.Value;
            }

            breakdown.AddRange(actuals.FirstOrDefault(a => a.PeriodStart == period.Start)?.Breakdown ?? []);
        }

        var targets = indicator.Targets.Where(t => t.PeriodStart <= period.Start).ToList();
        long? periodTarget = targets.FirstOrDefault(t => t.PeriodStart == period.Start)?.Value;
        long? periodActual = figures.TryGetValue(period.Start, out var value) ? value : null;
        long? targetToDate, actualToDate;
        if (indicator.ToDate == IndicatorToDate.Latest)
        {
            targetToDate = targets.Count == 0 ? null : targets[^1].Value;
            actualToDate = figures.Count == 0 ? null : figures.Last().Value;
        }
        else
        {
            targetToDate = targets.Count == 0 ? null : targets.Sum(t => t.Value);
            actualToDate = figures.Count == 0 ? null : figures.Values.Sum();
        }

        return new OutcomeRow(
            indicator.Id, indicator.Name, indicator.Unit, indicator.HigherIsBetter, indicator.Source, indicator.ToDate, indicator.BaselineX100,
            periodTarget, periodActual, targetToDate, actualToDate, indicator.TotalTarget,
            RagFor(indicator.HigherIsBetter, targetToDate, actualToDate, thresholds)?.ToCode(),
            actuals.FirstOrDefault(a => a.PeriodStart == period.Start)?.Note,
            [.. breakdown.OrderBy(b => b.Community, StringComparer.Ordinal)]);
    }

    /// <summary>The RAG of an actual against its target, or null without a target.</summary>
    public static Rag? RagFor(bool higherIsBetter, long? target, long? actual, RagThresholds thresholds)
    {
        if (target is not { } t)
        {
            return null;
        }

        if (actual is not { } a)
        {
            return Rag.Red;
        }

        var shortfall = higherIsBetter ? t - a : a - t;
        return shortfall <= 0 ? Rag.Green : BurnMath.RagFor(shortfall, t, thresholds);
    }

    private sealed class ReturnResults
    {
        public long GrantId { get; set; }
        public DateOnly PeriodStart { get; set; }
        public string ResultsJson { get; set; } = "[]";
    }
}
