using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;
using Portfolio.Core.Periods;

namespace Portfolio.Api.Features.Periods;

/// <summary>
/// An admin reopens a period a sent report closed, with a reason (audited): Core's <c>ClosedPeriods.ReopenAsync</c>,
/// as the API's reopen does. The page says which report closed it and when, and that what was sent stays sent.
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class ReopenPeriodModel(Database database) : FormPageModel
{
    public Grant Grant { get; private set; } = null!;

    public ReportingPeriod Period { get; private set; } = null!;

    public ClosedPeriods.ClosingRun? ClosedBy { get; private set; }

    protected override IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string> { ["reason"] = "Why it is reopened" };

    protected override string FirstField => "reason";

    public async Task<IActionResult> OnGetAsync(long grantId, string periodStart) => await LoadAsync(grantId, periodStart) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(long grantId, string periodStart)
    {
        if (!await LoadAsync(grantId, periodStart))
        {
            return NotFound();
        }

        ReadPostedForm();
        var input = new ReasonInput(ReadText("reason") ?? "");
        var outcome = await RunAsync(database, session => ClosedPeriods.ReopenAsync(session, grantId, Period.Start, input, HttpContext.Change(), HttpContext.RequestAborted));
        if (outcome is null)
        {
            return Page();
        }

        if (outcome.Refused is { } refused)
        {
            return Refused(refused);
        }

        TempData[Notice.Key] = $"{Period.Label} is open again: spend, income and notes in it can be changed. The report that was sent stays as it was sent.";
        return Redirect($"/grants/{grantId}?period={Period.Start:yyyy-MM-dd}#report-runs");
    }

    private async Task<bool> LoadAsync(long grantId, string periodStart)
    {
        if (!DateOnly.TryParseExact(periodStart, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
        {
            return false;
        }

        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        if (await GrantPeriods.LoadAsync(session, grantId, HttpContext.RequestAborted) is not { } loaded || loaded.PeriodStarting(start) is not { } period)
        {
            return false;
        }

        (Grant, Period) = (loaded.Grant, period);
        ClosedBy = (await ClosedPeriods.LoadAsync(session, grantId, HttpContext.RequestAborted)).ClosedBy(period);
        return true;
    }
}
