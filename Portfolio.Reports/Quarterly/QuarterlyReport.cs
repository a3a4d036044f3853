namespace Portfolio.Reports.Quarterly;

/// <summary>
/// What a funder reads about one grant for one period. No logic: built by <see cref="QuarterlyReportSource"/>
/// from the burn calculation, rendered by <see cref="QuarterlyWorkbook"/> and <see cref="QuarterlyPdf"/>, so the
/// Excel and the PDF cannot disagree. Amounts are pence.
/// </summary>
public sealed record QuarterlyReport(
    ReportHeader Header,
    ReportSummary Summary,
    IReadOnlyList<CategoryRow> Categories,
    IReadOnlyList<TrendRow> Trend,
    IReadOnlyList<TransactionRow> Transactions,
    IReadOnlyList<PartnerRow> Partners,
    IncomeSection Income,
    IReadOnlyList<NoteRow> Notes);

public sealed record ReportHeader(
    string Organisation,
    string FunderName,
    string GrantReference,
    string GrantTitle,
    string PeriodLabel,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    DateOnly Prepared);

public sealed record ReportSummary(
    long Award,
    long Budget,
    long PeriodBudget,
    long PeriodActual,
    long BudgetToDate,
    long ActualToDate,
    long Variance,
    decimal? VariancePercent,
    decimal? BurnPercent,
    decimal TimeElapsedPercent,
    long ForecastAtCompletion,
    string Rag);

/// <summary>One cost category: this period's budget and actual, and to date (the period's end).</summary>
public sealed record CategoryRow(
    string Category,
    string Name,
    long PeriodBudget,
    long PeriodActual,
    long PeriodVariance,
    long BudgetToDate,
    long ActualToDate,
    long Variance);

public sealed record TrendRow(string Label, DateOnly Start, DateOnly End, long Budget, long Actual, long CumulativeBudget, long CumulativeActual);

public sealed record TransactionRow(DateOnly Date, string Category, string Description, string? Partner, string? SourceReference, long Amount);

public sealed record PartnerRow(string Partner, long Agreed, long PaidInPeriod, long PaidToDate, long Remaining);

public sealed record IncomeRow(DateOnly Date, string? Reference, long Amount);

public sealed record IncomeSection(IReadOnlyList<IncomeRow> InPeriod, long ReceivedInPeriod, long ReceivedToDate, long Award, long Outstanding);

public sealed record NoteRow(string? Category, string Text, string Author, DateTime CreatedAt);
