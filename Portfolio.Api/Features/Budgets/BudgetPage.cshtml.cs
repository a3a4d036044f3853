using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;
using Portfolio.Core.Periods;

namespace Portfolio.Api.Features.Budgets;

/// <summary>
/// A grant's spend profile as a cost category × period grid with totals against the award; finance saves it as a
/// new version (Core's <c>Budgets.SetAsync</c>, at the version shown). Earlier versions are listed with what each
/// changed. A blank cell is no budget line; periods already reported are shown but cannot be changed.
/// </summary>
[Authorize(Policy = Policies.People)]
public sealed partial class BudgetPageModel(Database database) : FormPageModel
{
    private readonly Dictionary<string, string> labels = [];
    private readonly List<(string Category, DateOnly PeriodStart)> cellsInLineOrder = [];

    public Grant Grant { get; private set; } = null!;

    public IReadOnlyList<ReportingPeriod> Periods { get; private set; } = [];

    public IReadOnlyList<CostCategory> Categories { get; private set; } = [];

    public ClosedPeriodSet Closed { get; private set; } = null!;

    public IReadOnlyList<BudgetHistoryEntry> History { get; private set; } = [];

    public int Version { get; private set; }

    public bool CanEdit { get; private set; }

    protected override IReadOnlyDictionary<string, string> Labels => labels;

    protected override string FirstField => "budget";

    public static string CellId(string category, DateOnly periodStart) => $"b-{category}-{periodStart:yyyyMMdd}";

    public string CategoryName(string code) => Categories.FirstOrDefault(c => c.Code == code)?.Name ?? code;

    public string PeriodLabel(DateOnly start) => Periods.FirstOrDefault(p => p.Start == start)?.Label ?? Show.Date(start);

    /// <summary>The pence in a cell as the form now holds it (0 when blank or unreadable: the totals are a guide; Core checks).</summary>
    public long CellPence(string category, DateOnly periodStart) =>
        Core.Money.Money.TryParse(Values.GetValueOrDefault(CellId(category, periodStart)), out var money, out _) ? money.Pence : 0;

    public async Task<IActionResult> OnGetAsync(long grantId)
    {
        if (!await LoadAsync(grantId))
        {
            return NotFound();
        }

        var current = History.FirstOrDefault();
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        foreach (var line in (await BudgetStore.GetCurrentAsync(session, grantId, HttpContext.RequestAborted))?.Lines ?? [])
        {
            Values[CellId(line.CategoryCode, line.PeriodStart)] = ShowAmount(Core.Money.Money.ToPounds(line.AmountPence));
        }

        Values["version"] = (current?.Version ?? 0).ToString(CultureInfo.InvariantCulture);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long grantId)
    {
        if (!await LoadAsync(grantId))
        {
            return NotFound();
        }

        if (!CanEdit)
        {
            return Forbid();
        }

        ReadPostedForm();
        var lines = new List<BudgetLineInput>();
        foreach (var period in Periods)
        {
            foreach (var category in Categories)
            {
                var id = CellId(category.Code, period.Start);
                if (ReadText(id) is null)
                {
                    continue;
                }

                if (ReadMoney(id) is { } amount)
                {
                    lines.Add(new BudgetLineInput(category.Code, period.Start, amount));
                    cellsInLineOrder.Add((category.Code, period.Start));
                }
            }
        }

        var version = ReadVersion();
        var outcome = await RunAsync(database, session => Core.Domain.Budgets.SetAsync(session, grantId, version, new BudgetInput(lines), HttpContext.Change(), HttpContext.RequestAborted));
        if (outcome is null)
        {
            return Page();
        }

        if (outcome.Refused is { } refusal)
        {
            return Refused(refusal);
        }

        var saved = outcome.Value!;
        TempData[Notice.Key] = $"Budget version {saved.Version} saved: {Show.Money(Core.Money.Money.FromPounds(saved.Total).Pence)} of the {Show.Money(Grant.AmountAwardedPence)} award"
            + (saved.Unallocated == 0 ? "." : $", {Show.Money(Core.Money.Money.FromPounds(saved.Unallocated).Pence)} unallocated.");
        return Redirect($"/grants/{grantId}/budget");
    }

    /// <summary>Core numbers the lines it refuses (<c>lines[3].amount</c>); the grid shows the error beside that cell.</summary>
    protected override string FieldFor(string coreField) =>
        LineField().Match(coreField) is { Success: true } m && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) is var i && i < cellsInLineOrder.Count
            ? CellId(cellsInLineOrder[i].Category, cellsInLineOrder[i].PeriodStart)
            : coreField;

    private async Task<bool> LoadAsync(long grantId)
    {
        var cancellationToken = HttpContext.RequestAborted;
        await using var session = await database.OpenAsync(cancellationToken);
        if (await GrantPeriods.LoadAsync(session, grantId, cancellationToken) is not { } loaded)
        {
            return false;
        }

        (Grant, Periods) = (loaded.Grant, loaded.Periods);
        Categories = await CostCategoryStore.ListAsync(session, cancellationToken);
        Closed = await ClosedPeriods.LoadAsync(session, grantId, cancellationToken);
        History = await Core.Domain.Budgets.HistoryAsync(session, grantId, cancellationToken);
        Version = History.FirstOrDefault()?.Version ?? 0;
        CanEdit = User.MayWrite();
        labels["budget"] = "Budget";
        foreach (var period in Periods)
        {
            foreach (var category in Categories)
            {
                labels[CellId(category.Code, period.Start)] = $"{category.Name}, {period.Label}";
            }
        }

        return true;
    }

    [GeneratedRegex(@"^lines\[(\d+)\](\..+)?$")]
    private static partial Regex LineField();
}
