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
/// An indicator of a grant, added (<c>/grants/{id}/indicators/new</c>) or changed, with a target for each of the
/// grant's reporting periods: Core's <c>Indicators.CreateAsync</c> and <c>EditAsync</c>.
/// </summary>
[Authorize(Policy = Policies.Notes)]
public sealed class IndicatorFormModel(Database database) : FormPageModel
{
    public Grant Grant { get; private set; } = null!;

    public IReadOnlyList<ReportingPeriod> Periods { get; private set; } = [];

    public long? IndicatorId { get; private set; }

    /// <summary>The target field of each entry in the input's targets, in order (to show Core's <c>targets[i]</c> errors beside them).</summary>
    private readonly List<string> _targetFields = [];

    public static string TargetField(int periodIndex) => $"target-{periodIndex}";

    protected override IReadOnlyDictionary<string, string> Labels => _labels ??= BuildLabels();

    private Dictionary<string, string>? _labels;

    private Dictionary<string, string> BuildLabels()
    {
        var labels = new Dictionary<string, string>
        {
            ["name"] = "Indicator",
            ["unit"] = "Unit",
            ["higherIsBetter"] = "Which way is better",
            ["baseline"] = "Baseline",
            ["source"] = "Who reports the figure",
            ["toDate"] = "To date",
            ["byCommunity"] = "Breakdown",
        };
        for (var i = 0; i < Periods.Count; i++)
        {
            labels[TargetField(i)] = $"Target for {Periods[i].Label}";
        }

        labels["totalTarget"] = "Target for the whole grant";
        return labels;
    }

    protected override string FirstField => "name";

    protected override string FieldFor(string coreField)
    {
        if (coreField.StartsWith("targets[", StringComparison.Ordinal) && int.TryParse(coreField["targets[".Length..coreField.IndexOf(']', StringComparison.Ordinal)], out var i) && i < _targetFields.Count)
        {
            return _targetFields[i];
        }

        return coreField == "targets" ? FirstField : coreField;
    }

    public async Task<IActionResult> OnGetAsync(long grantId, long? indicatorId)
    {
        if (!await LoadAsync(grantId))
        {
            return NotFound();
        }

        if (!HttpContext.MayWriteNotesIn(Grant.ProgrammeAreaId))
        {
            return Forbid();
        }

        if (indicatorId is { } id)
        {
            await using var session = await database.OpenAsync(HttpContext.RequestAborted);
            if (await IndicatorStore.GetAsync(session, grantId, id, HttpContext.RequestAborted) is not { } indicator)
            {
                return NotFound();
            }

            IndicatorId = id;
            Values["version"] = indicator.Version.ToString(CultureInfo.InvariantCulture);
            Values["name"] = indicator.Name;
            Values["unit"] = indicator.Unit;
            Values["higherIsBetter"] = indicator.HigherIsBetter ? "true" : "false";
            Values["baseline"] = indicator.BaselineX100 is { } b ? Quantity.Format(b) : null;
            Values["source"] = indicator.Source;
            Values["toDate"] = indicator.ToDate;
            Values["byCommunity"] = indicator.ByCommunity ? "true" : null;
            Values["totalTarget"] = indicator.TotalTargetX100 is { } t ? Quantity.Format(t) : null;
            for (var i = 0; i < Periods.Count; i++)
            {
                Values[TargetField(i)] = indicator.Targets.FirstOrDefault(x => x.PeriodStart == Periods[i].Start) is { } target ? Quantity.Format(target.Value) : null;
            }
        }
        else
        {
            Values["higherIsBetter"] = "true";
            Values["source"] = IndicatorSource.Lead;
            Values["toDate"] = IndicatorToDate.Sum;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long grantId, long? indicatorId)
    {
        if (!await LoadAsync(grantId))
        {
            return NotFound();
        }

        IndicatorId = indicatorId;
        ReadPostedForm();
        var targets = new List<TargetInput>();
        for (var i = 0; i < Periods.Count; i++)
        {
            if (ReadText(TargetField(i)) is not null && ReadQuantity(TargetField(i)) is { } value)
            {
                targets.Add(new TargetInput(Periods[i].Start, value));
                _targetFields.Add(TargetField(i));
            }
        }

        var baseline = ReadText("baseline") is null ? null : ReadQuantity("baseline");
        var total = ReadText("totalTarget") is null ? null : ReadQuantity("totalTarget");
        var higher = ReadText("higherIsBetter");
        if (higher is not ("true" or "false"))
        {
            AddError("higherIsBetter", "Select which way is better");
        }

        var input = new IndicatorInput(
            ReadText("name") ?? "", ReadText("unit") ?? "", higher == "true", baseline, targets, total,
            ReadText("source") ?? IndicatorSource.Lead, ReadText("toDate") ?? IndicatorToDate.Sum, ReadFlag("byCommunity"));
        var change = HttpContext.Change();
        var outcome = await RunAsync(
            database,
            session => indicatorId is { } id
                ? Indicators.EditAsync(session, grantId, id, ReadVersion(), input, change, HttpContext.RequestAborted)
                : Indicators.CreateAsync(session, grantId, input, change, HttpContext.RequestAborted));
        if (outcome is null)
        {
            return Page();
        }

        if (outcome.Refused is { } refusal)
        {
            return Refused(refusal);
        }

        TempData[Notice.Key] = $"Indicator {input.Name} saved.";
        return Redirect($"/grants/{grantId}#outcomes");
    }

    private async Task<bool> LoadAsync(long grantId)
    {
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        if (await GrantPeriods.LoadAsync(session, grantId, HttpContext.RequestAborted) is not { } loaded)
        {
            return false;
        }

        (Grant, Periods) = (loaded.Grant, loaded.Periods);
        return true;
    }
}
