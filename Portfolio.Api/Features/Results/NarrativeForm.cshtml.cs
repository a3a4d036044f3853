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

/// <summary>The lead's narrative for a grant and period, printed in the funder report: Core's <c>Narratives.SaveAsync</c>.</summary>
[Authorize(Policy = Policies.Notes)]
public sealed class NarrativeFormModel(Database database) : FormPageModel
{
    public Grant Grant { get; private set; } = null!;

    public ReportingPeriod Period { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string>
    {
        ["whatHappened"] = "What happened",
        ["whatChanged"] = "What changed",
        ["whatsNext"] = "What's next",
    };

    protected override string FirstField => "whatHappened";

    public async Task<IActionResult> OnGetAsync(long grantId, string periodStart)
    {
        if (!await LoadAsync(grantId, periodStart))
        {
            return NotFound();
        }

        if (!HttpContext.MayWriteNotesIn(Grant.ProgrammeAreaId))
        {
            return Forbid();
        }

        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        var narrative = await Narratives.GetAsync(session, grantId, Period.Start, HttpContext.RequestAborted);
        Values["version"] = (narrative?.Version ?? 0).ToString(CultureInfo.InvariantCulture);
        Values["whatHappened"] = narrative?.WhatHappened;
        Values["whatChanged"] = narrative?.WhatChanged;
        Values["whatsNext"] = narrative?.WhatsNext;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long grantId, string periodStart)
    {
        if (!await LoadAsync(grantId, periodStart))
        {
            return NotFound();
        }

        ReadPostedForm();
        var input = new NarrativeInput(ReadText("whatHappened") ?? "", ReadText("whatChanged"), ReadText("whatsNext"));
        var outcome = await RunAsync(
            database,
            session => Narratives.SaveAsync(session, grantId, Period.Start, ReadVersion(), input, HttpContext.Change(), HttpContext.RequestAborted));
        if (outcome is null)
        {
            return Page();
        }

        if (outcome.Refused is { } refusal)
        {
            return Refused(refusal);
        }

        TempData[Notice.Key] = $"The narrative for {Period.Label} has been saved.";
        return Redirect($"/grants/{grantId}?period={Period.Start:yyyy-MM-dd}#narrative");
    }

    private async Task<bool> LoadAsync(long grantId, string periodStart)
    {
        if (!DateOnly.TryParseExact(periodStart, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
        {
            return false;
        }

        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        var loaded = await GrantPeriods.LoadAsync(session, grantId, HttpContext.RequestAborted);
        if (loaded?.PeriodStarting(start) is not { } period)
        {
            return false;
        }

        (Grant, Period) = (loaded.Grant, period);
        return true;
    }
}
