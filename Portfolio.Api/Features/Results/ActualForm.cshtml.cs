using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;
using Portfolio.Core.Periods;
using Portfolio.Core.Results;

namespace Portfolio.Api.Features.Results;

/// <summary>
/// The lead records what was achieved against an indicator in one period, its breakdown by community and a note
/// (for an indicator partners deliver, only the note): Core's <c>Indicators.RecordActualAsync</c>.
/// </summary>
[Authorize(Policy = Policies.Notes)]
public sealed class ActualFormModel(Database database, TimeProvider clock) : FormPageModel
{
    public Grant Grant { get; private set; } = null!;

    public Indicator Indicator { get; private set; } = null!;

    public ReportingPeriod Period { get; private set; } = null!;

    /// <summary>The communities a breakdown can name: those the grant's partners serve, and any already recorded.</summary>
    public IReadOnlyList<string> Communities { get; private set; } = [];

    public long? Target { get; private set; }

    public static string CommunityField(int index) => $"community-{index}";

    protected override IReadOnlyDictionary<string, string> Labels => _labels ??= BuildLabels();

    private Dictionary<string, string>? _labels;

    private readonly List<string> _breakdownFields = [];

    private Dictionary<string, string> BuildLabels()
    {
        var labels = new Dictionary<string, string> { ["value"] = $"Actual ({Indicator.Unit})" };
        for (var i = 0; i < Communities.Count; i++)
        {
            labels[CommunityField(i)] = Communities[i];
        }

        labels["breakdown"] = "Breakdown by community";
        labels["note"] = "Note";
        return labels;
    }

    protected override string FirstField => Indicator.Source == IndicatorSource.Partners ? "note" : "value";

    protected override string FieldFor(string coreField)
    {
        if (coreField.StartsWith("breakdown[", StringComparison.Ordinal) && int.TryParse(coreField["breakdown[".Length..coreField.IndexOf(']', StringComparison.Ordinal)], out var i) && i < _breakdownFields.Count)
        {
            return _breakdownFields[i];
        }

        return coreField is "periodStart" ? FirstField : coreField;
    }

    public async Task<IActionResult> OnGetAsync(long grantId, long indicatorId, string periodStart)
    {
        if (!await LoadAsync(grantId, indicatorId, periodStart))
        {
            return NotFound();
        }

        if (!HttpContext.MayWriteNotesIn(Grant.ProgrammeAreaId))
        {
            return Forbid();
        }

        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        var actual = await IndicatorStore.GetActualAsync(session, indicatorId, Period.Start, HttpContext.RequestAborted);
        Values["version"] = (actual?.Version ?? 0).ToString(CultureInfo.InvariantCulture);
        Values["value"] = actual?.ValueX100 is { } v ? Quantity.Format(v) : null;
        Values["note"] = actual?.Note;
        for (var i = 0; i < Communities.Count; i++)
        {
            Values[CommunityField(i)] = actual?.Breakdown.FirstOrDefault(b => b.Community == Communities[i]) is { } figure ? Quantity.Format(figure.Value) : null;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long grantId, long indicatorId, string periodStart)
    {
        if (!await LoadAsync(grantId, indicatorId, periodStart))
        {
            return NotFound();
        }

        ReadPostedForm();
        Quantity? value = null;
        var breakdown = new List<CommunityFigureInput>();
        if (Indicator.Source == IndicatorSource.Lead)
        {
            value = ReadText("value") is null ? null : ReadQuantity("value");
            for (var i = 0; i < Communities.Count && Indicator.ByCommunity; i++)
            {
                if (ReadText(CommunityField(i)) is not null && ReadQuantity(CommunityField(i)) is { } figure)
                {
                    breakdown.Add(new CommunityFigureInput(Communities[i], figure));
                    _breakdownFields.Add(CommunityField(i));
                }
            }
        }

        var input = new IndicatorActualInput(value, ReadText("note"), breakdown.Count == 0 ? null : breakdown);
        var outcome = await RunAsync(
            database,
            session => Indicators.RecordActualAsync(session, grantId, indicatorId, Period.Start, ReadVersion(), input, HttpContext.Change(), UkDate.Today(clock), HttpContext.RequestAborted));
        if (outcome is null)
        {
            return Page();
        }

        if (outcome.Refused is { } refusal)
        {
            return Refused(refusal);
        }

        TempData[Notice.Key] = $"{Indicator.Name} for {Period.Label} saved.";
        return Redirect(BackToApproval.From(Request) ?? $"/grants/{grantId}?period={Period.Start:yyyy-MM-dd}#outcomes");
    }

    private async Task<bool> LoadAsync(long grantId, long indicatorId, string periodStart)
    {
        if (!DateOnly.TryParseExact(periodStart, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
        {
            return false;
        }

        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        var loaded = await GrantPeriods.LoadAsync(session, grantId, HttpContext.RequestAborted);
        var indicator = loaded is null ? null : await IndicatorStore.GetAsync(session, grantId, indicatorId, HttpContext.RequestAborted);
        if (loaded?.PeriodStarting(start) is not { } period || indicator is null)
        {
            return false;
        }

        (Grant, Indicator, Period) = (loaded.Grant, indicator, period);
        Target = indicator.Targets.FirstOrDefault(t => t.PeriodStart == start)?.Value;
        if (indicator.ByCommunity)
        {
            var agreements = await PartnerAgreementStore.ListAsync(session, new PartnerAgreementFilter(grantId), new PageRequest(1, PageRequest.MaxPageSize), HttpContext.RequestAborted);
            var communities = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var partnerId in agreements.Items.Select(a => a.PartnerId).Distinct())
            {
                communities.UnionWith((await PartnerStore.GetAsync(session, partnerId, HttpContext.RequestAborted))?.Communities ?? []);
            }

            communities.UnionWith((await IndicatorStore.GetActualAsync(session, indicatorId, start, HttpContext.RequestAborted))?.Breakdown.Select(b => b.Community) ?? []);
            Communities = [.. communities];
        }

        return true;
    }
}
