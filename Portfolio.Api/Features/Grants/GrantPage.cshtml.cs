using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Periods;
using Portfolio.Reports.Quarterly;

namespace Portfolio.Api.Features.Grants;

/// <summary>
/// A grant: the funder report's summary and figures for one period (built by the report's own code, so the page and
/// the PDF agree), the cumulative chart with its figures, variance notes beside the variances, transactions,
/// income, partner agreements and report runs.
/// </summary>
[Authorize(Policy = Policies.People)]
public sealed class GrantPageModel(Database database, QuarterlyReports reports, TimeProvider clock) : PageModel
{
    public const int TransactionsPerPage = 50;

    public Grant Grant { get; private set; } = null!;

    public Funder Funder { get; private set; } = null!;

    public string? ProgrammeAreaName { get; private set; }

    public IReadOnlyList<ReportingPeriod> Periods { get; private set; } = [];

    public ReportingPeriod Period { get; private set; } = null!;

    public QuarterlyReport Report { get; private set; } = null!;

    public bool Provisional { get; private set; }

    public string ChartSvg { get; private set; } = "";

    public IReadOnlyList<VarianceNoteView> Notes { get; private set; } = [];

    /// <summary>What the listed spend adds up to: live lines only, as every total counts them.</summary>
    public SpendListTotal SpendTotal { get; private set; } = new();

    public Page<SpendTransaction> Transactions { get; private set; } = null!;

    public IReadOnlyList<Payment> Income { get; private set; } = [];

    public IReadOnlyList<PartnerAgreement> Agreements { get; private set; } = [];

    public IReadOnlyDictionary<long, string> PartnerNames { get; private set; } = new Dictionary<long, string>();

    /// <summary>Delivery area names by ONS code.</summary>
    public IReadOnlyDictionary<string, string> AreaNames { get; private set; } = new Dictionary<string, string>();

    public string AreaList(IEnumerable<string> codes) => string.Join(", ", codes.Select(c => AreaNames.GetValueOrDefault(c, c)).Order(StringComparer.Ordinal));

    public IReadOnlyList<ReportRun> Runs { get; private set; } = [];

    /// <summary>Whether the signed-in person may write notes on this grant (finance, admin, or a lead of its area).</summary>
    public bool CanWriteNotes { get; private set; }

    /// <summary>Whether the signed-in person records money and reports (finance or admin).</summary>
    public bool CanRecord { get; private set; }

    /// <summary>Only transactions in this cost category (the transactions filter).</summary>
    [FromQuery(Name = "category")]
    public string? CategoryFilter { get; set; }

    public IReadOnlyList<CostCategory> Categories { get; private set; } = [];

    [FromQuery(Name = "period")]
    public string? PeriodText { get; set; }

    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public async Task<IActionResult> OnGetAsync(long id)
    {
        var cancellationToken = HttpContext.RequestAborted;
        var today = UkDate.Today(clock);
        await using var session = await database.OpenAsync(cancellationToken);
        var loaded = await GrantPeriods.LoadAsync(session, id, cancellationToken);
        if (loaded is null)
        {
            return NotFound();
        }

        (Grant, Funder, Periods) = (loaded.Grant, loaded.Funder, loaded.Periods);
        Period = ChoosePeriod(today);
        var (_, report) = await reports.BuildAsync(session, id, Period.Start, today, cancellationToken);
        Report = report!;
        Provisional = Period.End >= today;
        ChartSvg = reports.ChartSvg(Report, 760, 300);
        ProgrammeAreaName = Grant.ProgrammeAreaId is { } areaId ? (await ProgrammeAreaStore.GetAsync(session, areaId, cancellationToken))?.Name : null;
        Notes = (await VarianceNoteStore.ListForGrantAsync(session, id, Period.Start, cancellationToken)).Select(VarianceNoteView.Of).ToList();
        PageNumber = Math.Max(1, PageNumber);
        var spendFilter = new TransactionFilter(id, Period.Start, Period.End, string.IsNullOrEmpty(CategoryFilter) ? null : CategoryFilter);
        Transactions = await TransactionStore.ListAsync(session, spendFilter, new PageRequest(PageNumber, TransactionsPerPage), cancellationToken);
        SpendTotal = await TransactionStore.TotalAsync(session, spendFilter, cancellationToken);
        Income = (await PaymentStore.ListAsync(session, new PaymentFilter(id), new PageRequest(1, PageRequest.MaxPageSize), cancellationToken)).Items;
        Agreements = (await PartnerAgreementStore.ListAsync(session, new PartnerAgreementFilter(id), new PageRequest(1, PageRequest.MaxPageSize), cancellationToken)).Items;
        PartnerNames = (await PartnerStore.ListAsync(session, new PageRequest(1, PageRequest.MaxPageSize), cancellationToken)).Items.ToDictionary(p => p.Id, p => p.Name);
        Runs = (await ReportRunStore.ListAsync(session, new ReportRunFilter(id), new PageRequest(1, PageRequest.MaxPageSize), cancellationToken)).Items;
        Categories = await CostCategoryStore.ListAsync(session, cancellationToken);
        AreaNames = (await DeliveryAreaStore.ListAsync(session, cancellationToken)).ToDictionary(a => a.Code, a => a.Name, StringComparer.Ordinal);
        CanRecord = User.MayWrite();
        CanWriteNotes = HttpContext.MayWriteNotesIn(Grant.ProgrammeAreaId);
        return Page();
    }

    /// <summary>
    /// The period asked for; else the last that has ended (the one a funder report is about); else the one under way.
    /// </summary>
    private ReportingPeriod ChoosePeriod(DateOnly today)
    {
        if (PeriodText is not null && DateOnly.TryParseExact(PeriodText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var asked)
            && Periods.FirstOrDefault(p => p.Start == asked) is { } chosen)
        {
            return chosen;
        }

        return Periods.LastOrDefault(p => p.End < today) ?? Periods[0];
    }

    public string PeriodQuery(DateOnly start) => start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
