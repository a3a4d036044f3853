using Portfolio.Core.Periods;

namespace Portfolio.Core.Burn;

/// <summary>
/// Summable burn figures in pence. Everything else (variance, percentages, RAG) is derived from these, so a roll-up
/// computed from summed figures says the same as a grant computed alone.
/// </summary>
public sealed record BurnTotals(long Award, long Budget, long BudgetToDate, long ActualToDate, long? RunRateForecast)
{
    public static readonly BurnTotals Zero = new(0, 0, 0, 0, 0);

    public long Unallocated => Award - Budget;

    public long Variance => ActualToDate - BudgetToDate;

    public decimal? VariancePercent => BurnMath.Percent(Variance, BudgetToDate);

    public decimal? BurnPercent => BurnMath.Percent(ActualToDate, Budget);

    /// <summary>Actual to date plus the budget still to come.</summary>
    public long ForecastAtCompletion => ActualToDate + (Budget - BudgetToDate);

    public Rag RagWith(RagThresholds thresholds) => BurnMath.RagFor(Variance, BudgetToDate, thresholds);

    public static BurnTotals operator +(BurnTotals a, BurnTotals b) => new(
        checked(a.Award + b.Award),
        checked(a.Budget + b.Budget),
        checked(a.BudgetToDate + b.BudgetToDate),
        checked(a.ActualToDate + b.ActualToDate),
        a.RunRateForecast is null || b.RunRateForecast is null ? null : checked(a.RunRateForecast.Value + b.RunRateForecast.Value));
}

/// <summary>One grant's burn at a date, with its breakdowns.</summary>
public sealed record GrantBurn(
    DateOnly AsOf,
    BurnTotals Totals,
    decimal TimeElapsedPercent,
    Rag Rag,
    IReadOnlyList<CategoryBurn> ByCategory,
    IReadOnlyList<PeriodBurn> ByPeriod);

public sealed record CategoryBurn(string Category, BurnTotals Totals, Rag Rag);

public sealed record PeriodBurn(
    ReportingPeriod Period,
    long Budget,
    long BudgetToDate,
    long Actual,
    long CumulativeBudget,
    long CumulativeBudgetToDate,
    long CumulativeActual,
    Rag Rag,
    IReadOnlyList<PeriodCategoryBurn> ByCategory)
{
    public long Variance => Actual - BudgetToDate;

    public decimal? VariancePercent => BurnMath.Percent(Variance, BudgetToDate);
}

/// <summary>One category within one period: what the quarterly report's budget-against-actual table shows.</summary>
public sealed record PeriodCategoryBurn(string Category, long Budget, long BudgetToDate, long Actual)
{
    public long Variance => Actual - BudgetToDate;
}

/// <summary>A budget line: one category in one period.</summary>
public sealed record BudgetAmount(string Category, DateOnly PeriodStart, long Amount);

/// <summary>Spend on one day in one category (the database's grouped sum).</summary>
public sealed record DailyActual(string Category, DateOnly Date, long Amount);

/// <summary>What the calculation needs to know about a grant.</summary>
public sealed record GrantBurnInput(
    long Award,
    DateOnly Start,
    DateOnly End,
    IReadOnlyList<ReportingPeriod> Periods,
    RagThresholds Thresholds,
    IReadOnlyList<BudgetAmount> Budget);
