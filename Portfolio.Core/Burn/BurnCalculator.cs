using Portfolio.Core.Periods;

namespace Portfolio.Core.Burn;

/// <summary>
/// Budget burn, exactly as defined in the design: the only implementation, used by the API, the reports and the
/// dashboard. All sums are whole pence; see <see cref="BurnMath"/> for the rounding.
/// </summary>
public static class BurnCalculator
{
    /// <summary>The grant's figures with breakdowns by category and by period. <paramref name="actuals"/> after <paramref name="asOf"/> are ignored.</summary>
    public static GrantBurn ForGrant(GrantBurnInput grant, IReadOnlyList<DailyActual> actuals, DateOnly asOf)
    {
        var counted = actuals.Where(a => a.Date <= asOf).ToList();
        var lines = grant.Budget.Select(line => (Line: line, ToDate: BudgetToDate(grant, line, asOf))).ToList();
        var actualToDate = counted.Sum(a => a.Amount);
        var totals = new BurnTotals(
            grant.Award,
            lines.Sum(l => l.Line.Amount),
            lines.Sum(l => l.ToDate),
            actualToDate,
            RunRate(grant, actualToDate, asOf));

        var categories = lines.Select(l => l.Line.Category).Concat(counted.Select(a => a.Category)).Distinct().Order(StringComparer.Ordinal).ToList();
        var byCategory = categories.Select(category =>
        {
            var actual = counted.Where(a => a.Category == category).Sum(a => a.Amount);
            var categoryTotals = new BurnTotals(
                0,
                lines.Where(l => l.Line.Category == category).Sum(l => l.Line.Amount),
                lines.Where(l => l.Line.Category == category).Sum(l => l.ToDate),
                actual,
                RunRate(grant, actual, asOf));
            return new CategoryBurn(category, categoryTotals, categoryTotals.RagWith(grant.Thresholds));
        }).ToList();

        var byPeriod = new List<PeriodBurn>(grant.Periods.Count);
        long cumulativeBudget = 0, cumulativeToDate = 0, cumulativeActual = 0;
        foreach (var period in grant.Periods)
        {
            var inPeriod = lines.Where(l => PeriodOf(grant, l.Line) == period).ToList();
            var budget = inPeriod.Sum(l => l.Line.Amount);
            var toDate = inPeriod.Sum(l => l.ToDate);
            var actual = counted.Where(a => period.Contains(a.Date)).Sum(a => a.Amount);
            cumulativeBudget += budget;
            cumulativeToDate += toDate;
            cumulativeActual += actual;
            var periodCategories = categories.Select(category => new PeriodCategoryBurn(
                category,
                inPeriod.Where(l => l.Line.Category == category).Sum(l => l.Line.Amount),
                inPeriod.Where(l => l.Line.Category == category).Sum(l => l.ToDate),
                counted.Where(a => a.Category == category && period.Contains(a.Date)).Sum(a => a.Amount))).ToList();
            byPeriod.Add(new PeriodBurn(period, budget, toDate, actual, cumulativeBudget, cumulativeToDate, cumulativeActual,
                BurnMath.RagFor(actual - toDate, toDate, grant.Thresholds), periodCategories));
        }

        return new GrantBurn(asOf, totals, TimeElapsedPercent(grant.Start, grant.End, asOf), totals.RagWith(grant.Thresholds), byCategory, byPeriod);
    }

    /// <summary>The grant's totals alone, from its budget and its actual to date: what roll-ups add up.</summary>
    public static BurnTotals Totals(GrantBurnInput grant, long actualToDate, DateOnly asOf) =>
        new(grant.Award, grant.Budget.Sum(l => l.Amount), grant.Budget.Sum(l => BudgetToDate(grant, l, asOf)), actualToDate, RunRate(grant, actualToDate, asOf));

    /// <summary>Days from start to <paramref name="asOf"/>, both counted, over the days from start to end: 0 before the start, 100 after the end.</summary>
    public static decimal TimeElapsedPercent(DateOnly start, DateOnly end, DateOnly asOf) =>
        BurnMath.Percent(ElapsedDays(start, end, asOf), TotalDays(start, end)) ?? 0m;

    /// <summary>
    /// A budget line's budget to date: all of it once its period has ended on or before <paramref name="asOf"/>,
    /// none before its period starts, and in its period the share of days from the period's start to
    /// <paramref name="asOf"/>, both counted.
    /// </summary>
    public static long BudgetToDate(GrantBurnInput grant, BudgetAmount line, DateOnly asOf)
    {
        var period = PeriodOf(grant, line);
        if (period is null)
        {
            // A line left outside the grant's periods by a later change of dates: counted whole once its date has passed.
            return line.PeriodStart <= asOf ? line.Amount : 0;
        }

        if (period.End <= asOf)
        {
            return line.Amount;
        }

        if (asOf < period.Start)
        {
            return 0;
        }

        return BurnMath.ProRata(line.Amount, asOf.DayNumber - period.Start.DayNumber + 1, period.Days);
    }

    /// <summary>Pro rata of an amount over a span of dates (a partner agreement), by the same rule as a budget line.</summary>
    public static long ToDateOver(long amount, DateOnly start, DateOnly end, DateOnly asOf) =>
        end <= asOf ? amount : asOf < start ? 0 : BurnMath.ProRata(amount, asOf.DayNumber - start.DayNumber + 1, end.DayNumber - start.DayNumber + 1);

    private static long? RunRate(GrantBurnInput grant, long actual, DateOnly asOf)
    {
        var elapsed = ElapsedDays(grant.Start, grant.End, asOf);
        return elapsed == 0 ? null : BurnMath.ProRata(actual, TotalDays(grant.Start, grant.End), elapsed);
    }

    private static ReportingPeriod? PeriodOf(GrantBurnInput grant, BudgetAmount line) =>
        grant.Periods.FirstOrDefault(p => p.Start == line.PeriodStart) ?? grant.Periods.FirstOrDefault(p => p.Contains(line.PeriodStart));

    private static long TotalDays(DateOnly start, DateOnly end) => end.DayNumber - start.DayNumber + 1;

    private static long ElapsedDays(DateOnly start, DateOnly end, DateOnly asOf) =>
        Math.Clamp(asOf.DayNumber - start.DayNumber + 1, 0, TotalDays(start, end));
}
