using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Transactions;

/// <summary>Finance records a line of spend on a grant: Core's <c>Spend.RecordAsync</c>, every rule and control included.</summary>
[Authorize(Policy = Policies.Write)]
public sealed class RecordSpendModel(Database database) : BoundFormPage<TransactionInput>
{
    public Grant Grant { get; private set; } = null!;

    /// <summary>When spend on the grant may be dated: its dates and its closed periods.</summary>
    public string DateHint { get; private set; } = "";

    private IReadOnlyList<Core.Periods.ReportingPeriod> Periods { get; set; } = [];

    public IReadOnlyList<(string Value, string Text)> CategoryOptions { get; private set; } = [];

    public IReadOnlyList<(string Value, string Text)> PartnerOptions { get; private set; } = [];

    /// <summary>The unpaid instalments of the grant's partner agreements, for a payment to say which it pays.</summary>
    public IReadOnlyList<(string Value, string Text)> InstalmentOptions { get; private set; } = [];

    /// <summary>The grant's delivery areas, or every area when the grant names none.</summary>
    public IReadOnlyList<(string Value, string Text)> AreaOptions { get; private set; } = [];

    /// <summary>Whether Core found the same line already recorded, so the form asks to confirm a second one.</summary>
    public bool AskToConfirmDuplicate { get; private set; }

    protected override FieldLabels<TransactionInput> FieldLabels { get; } = new()
    {
        [x => x.Date] = "Date of spend",
        [x => x.Amount] = "Amount",
        [x => x.Category] = "Cost category",
        [x => x.Description] = "Description",
        [x => x.PartnerId] = "Partner",
        [x => x.SourceReference] = "Reference in the accounts",
        [x => x.AreaCode] = "Delivery area",
        [x => x.InstalmentId] = "Instalment paid",
        [x => x.ConfirmDuplicate] = "Second line",
    };

    protected override string FirstField => "date";

    public async Task<IActionResult> OnGetAsync(long grantId)
    {
        return await LoadAsync(grantId, withOptions: true) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostAsync(long grantId)
    {
        if (!await LoadAsync(grantId, withOptions: false))
        {
            return NotFound();
        }

        ReadPostedForm();
        if (await SubmitAsync(database, new { GrantId = grantId }, (session, input) => Spend.RecordAsync(session, input, HttpContext.Change(), HttpContext.RequestAborted)) is not { } outcome)
        {
            return await ShownAgainAsync(grantId);
        }

        if (outcome.Refused is { } refusal)
        {
            AskToConfirmDuplicate = refusal is BrokenControl broken && broken.Errors.ContainsKey(Id(x => x.ConfirmDuplicate));
            await LoadAsync(grantId, withOptions: true);
            return Refused(refusal);
        }

        var recorded = outcome.Value!.View;
        TempData[Notice.Key] = $"Spend of {Show.Money(Core.Money.Money.FromPounds(recorded.Amount).Pence)} on {Show.Date(recorded.Date)} recorded.";
        return Redirect($"/grants/{grantId}?period={PeriodOf(recorded.Date)}#transactions");
    }

    private string? PeriodOf(DateOnly date) =>
        Periods.FirstOrDefault(p => p.Start <= date && date <= p.End)?.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The form again, with its errors: the drop-downs and hints are loaded only now, not for a post that succeeds.</summary>
    private async Task<IActionResult> ShownAgainAsync(long grantId) =>
        await LoadAsync(grantId, withOptions: true) ? Page() : NotFound();

    private async Task<bool> LoadAsync(long grantId, bool withOptions)
    {
        var cancellationToken = HttpContext.RequestAborted;
        await using var session = await database.OpenAsync(cancellationToken);
        if (await GrantPeriods.LoadAsync(session, grantId, cancellationToken) is not { } loaded)
        {
            return false;
        }

        (Grant, Periods) = (loaded.Grant, loaded.Periods);
        if (!withOptions)
        {
            return true;
        }

        DateHint = Show.MoneyDates(loaded, await ClosedPeriods.LoadAsync(session, grantId, cancellationToken));
        CategoryOptions = (await CostCategoryStore.ListAsync(session, cancellationToken)).Select(c => (c.Code, c.Name)).ToList();
        var agreements = (await PartnerAgreementStore.ListAsync(session, new PartnerAgreementFilter(grantId), new PageRequest(1, PageRequest.MaxPageSize), cancellationToken)).Items;
        var agreed = agreements.Select(a => a.PartnerId).ToHashSet();
        var areas = await DeliveryAreaStore.ListAsync(session, cancellationToken);
        AreaOptions = areas.Where(a => Grant.AreaCodes.Count == 0 || Grant.AreaCodes.Contains(a.Code)).Select(a => (a.Code, a.Name)).ToList();
        PartnerOptions = (await PartnerStore.ListAsync(session, new PageRequest(1, PageRequest.MaxPageSize), cancellationToken)).Items
            .Where(p => agreed.Contains(p.Id)).Select(p => (p.Id.ToString(CultureInfo.InvariantCulture), p.Name)).ToList();
        var names = PartnerOptions.ToDictionary(p => p.Value, p => p.Text);
        InstalmentOptions = agreements
            .SelectMany(a => a.Instalments.Where(i => i.PaidByTransactionId is null)
                .Select(i => (i.DueDate, Option: (i.Id.ToString(CultureInfo.InvariantCulture),
                    $"{names.GetValueOrDefault(a.PartnerId.ToString(CultureInfo.InvariantCulture))}: {Show.Money(i.AmountPence)} due {Show.Date(i.DueDate)}"))))
            .OrderBy(x => x.DueDate).Select(x => x.Option).ToList();
        return true;
    }
}
