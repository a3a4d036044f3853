using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Payments;

/// <summary>Finance records income received on a grant: Core's <c>Income.RecordAsync</c>.</summary>
[Authorize(Policy = Policies.Write)]
public sealed class RecordIncomeModel(Database database) : BoundFormPage<PaymentInput>
{
    public Grant Grant { get; private set; } = null!;

    public string FunderName { get; private set; } = "";

    /// <summary>When income on the grant may be dated: its dates and its closed periods.</summary>
    public string DateHint { get; private set; } = "";

    private IReadOnlyList<Core.Periods.ReportingPeriod> periods = [];

    protected override FieldLabels<PaymentInput> FieldLabels { get; } = new()
    {
        [x => x.Date] = "Date received",
        [x => x.Amount] = "Amount",
        [x => x.Reference] = "Reference",
    };

    protected override string FirstField => "date";

    public async Task<IActionResult> OnGetAsync(long grantId) => await LoadAsync(grantId) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(long grantId)
    {
        if (!await LoadAsync(grantId))
        {
            return NotFound();
        }

        ReadPostedForm();
        if (await SubmitAsync(database, new { GrantId = grantId }, (session, input) => Income.RecordAsync(session, input, HttpContext.Change(), HttpContext.RequestAborted)) is not { } outcome)
        {
            return Page();
        }

        if (outcome.Refused is { } refusal)
        {
            return Refused(refusal);
        }

        var recorded = outcome.Value!.View;
        TempData[Notice.Key] = $"Income of {Show.Money(Core.Money.Money.FromPounds(recorded.Amount).Pence)} received on {Show.Date(recorded.Date)} recorded.";
        var period = periods.FirstOrDefault(p => p.Start <= recorded.Date && recorded.Date <= p.End)?.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return Redirect($"/grants/{grantId}?period={period}#income");
    }

    private async Task<bool> LoadAsync(long grantId)
    {
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        if (await GrantPeriods.LoadAsync(session, grantId, HttpContext.RequestAborted) is not { } loaded)
        {
            return false;
        }

        (Grant, FunderName, periods) = (loaded.Grant, loaded.Funder.Name, loaded.Periods);
        DateHint = Show.MoneyDates(loaded, await ClosedPeriods.LoadAsync(session, grantId, HttpContext.RequestAborted));
        return true;
    }
}
