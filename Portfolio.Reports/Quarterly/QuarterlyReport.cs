using Portfolio.Core.Periods;
using Portfolio.Core.Results;

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
    IReadOnlyList<NoteRow> Notes,
    IReadOnlyList<AreaRow>? Areas = null,
    OutcomeSection? Results = null)
{
    /// <summary>The grant's indicators for the period (empty when it has none, and in drafts kept before results were recorded).</summary>
    public IReadOnlyList<OutcomeRow> OutcomeRows => Results?.Indicators ?? [];

    /// <summary>
    /// One row per delivery area, for a grant that spans more than one (empty otherwise, and in drafts kept before
    /// areas were recorded).
    /// </summary>
    public IReadOnlyList<AreaRow> AreaRows => Areas ?? [];
}

public sealed record ReportHeader(
    ReportOrganisation Organisation,
    string FunderName,
    string? FunderOrgIdentifier,
    string GrantReference,
    string GrantTitle,
    DateOnly? AwardDate,
    bool Restricted,
    DateOnly GrantStart,
    DateOnly GrantEnd,
    string PeriodLabel,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    DateOnly Prepared);

/// <summary>Who sends the report, and whom a grants officer asks about it (<c>Portfolio:Organisation</c>).</summary>
public sealed record ReportOrganisation(
    string Name,
    string? CharityNumber = null,
    string? CompanyNumber = null,
    string? Address = null,
    string? QueriesName = null,
    string? QueriesEmail = null,
    string? QueriesPhone = null)
{
    /// <summary>"Registered charity 1234567. Company 07654321." or empty.</summary>
    public string Registration => string.Join(" ", new[]
    {
        CharityNumber is { Length: > 0 } charity ? $"Registered charity {charity}." : null,
        CompanyNumber is { Length: > 0 } company ? $"Company {company}." : null,
    }.Where(x => x is not null));

    /// <summary>"Queries: Jo Bloggs, finance@example.org, 020 7946 0000" or empty.</summary>
    public string Queries => string.Join(", ", new[] { QueriesName, QueriesEmail, QueriesPhone }.Where(x => !string.IsNullOrWhiteSpace(x))) is { Length: > 0 } q ? $"Queries: {q}" : "";
}

/// <summary>What a rendered report is: a preview, a provisional preview of a period not yet ended, a draft for approval, or the approved final files.</summary>
public enum ReportStage
{
    Preview,
    Provisional,
    Draft,
    Final,
}

/// <summary>
/// The state printed on a rendered report, kept out of the model so that a draft and its final files render the same
/// figures: the final files name who approved them and when.
/// </summary>
public sealed record ReportStamp(ReportStage Stage, string? ApprovedBy = null, DateTime? ApprovedAtUtc = null)
{
    public static readonly ReportStamp Preview = new(ReportStage.Preview);
    public static readonly ReportStamp Provisional = new(ReportStage.Provisional);
    public static readonly ReportStamp Draft = new(ReportStage.Draft);

    public static ReportStamp Final(string approvedBy, DateTime approvedAtUtc) => new(ReportStage.Final, approvedBy, approvedAtUtc);

    /// <summary>The line printed on every PDF page and at the top of the workbook's Summary sheet.</summary>
    public string Text => Stage switch
    {
        ReportStage.Provisional => "PROVISIONAL – period not ended",
        ReportStage.Draft => "DRAFT – awaiting approval, not sent",
        ReportStage.Final => $"Approved by {ApprovedBy} on {UkTime.Format(ApprovedAtUtc!.Value)}",
        _ => "PREVIEW – not an approved report",
    };
}

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
    string Rag,
    long Unallocated,
    decimal RagAmberPercent,
    decimal RagRedPercent);

/// <summary>One cost category: the previous period's actual, this period's budget and actual, and to date (the period's end).</summary>
public sealed record CategoryRow(
    string Category,
    string Name,
    long? PreviousPeriodActual,
    long PeriodBudget,
    long PeriodActual,
    long PeriodVariance,
    long BudgetToDate,
    long ActualToDate,
    long Variance);

public sealed record TrendRow(string Label, DateOnly Start, DateOnly End, long Budget, long Actual, long CumulativeBudget, long CumulativeActual);

public sealed record TransactionRow(DateOnly Date, string Category, string Description, string? Partner, string? SourceReference, long Amount);

/// <summary>
/// One delivery area of the grant: the partner agreements in it (an agreement in several areas shared equally),
/// their budget to date at the period's end, and the spend recorded in the area this period and to date.
/// </summary>
public sealed record AreaRow(string Code, string Name, long Agreed, long BudgetToDate, long SpentInPeriod, long SpentToDate)
{
    public long Variance => SpentToDate - BudgetToDate;
}

/// <summary>
/// One partner: agreed, paid this period and to date, what remains to pay; and, from its accepted returns, what it
/// reports it spent to date (null: no accepted return yet), what it holds unspent, and people reached this period.
/// </summary>
public sealed record PartnerRow(string Partner, long Agreed, long PaidInPeriod, long PaidToDate, long Remaining, long? ReportedSpend = null, int? PeopleReached = null)
{
    /// <summary>Paid to the partner and not yet reported spent by it.</summary>
    public long? UnspentByPartner => ReportedSpend is { } spent ? PaidToDate - spent : null;
}

public sealed record IncomeRow(DateOnly Date, string? Reference, long Amount);

public sealed record IncomeSection(IReadOnlyList<IncomeRow> InPeriod, long ReceivedInPeriod, long ReceivedToDate, long Award, long Outstanding);

public sealed record NoteRow(string? Category, string Text, string Author, DateTime CreatedAt);

/// <summary>What the money achieved this period: each indicator (figures in hundredths) and the lead's narrative.</summary>
public sealed record OutcomeSection(IReadOnlyList<OutcomeRow> Indicators, NarrativeRow? Narrative);

public sealed record NarrativeRow(string WhatHappened, string? WhatChanged, string? WhatsNext, string Author);
