using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.PartnerAgreements;

/// <summary>
/// Finance records a partner agreement on a grant (<c>/grants/{grantId}/agreements/new</c>) or changes one
/// (<c>/partner-agreements/{id}/edit</c>): its partner, amount, dates, delivery areas, return cycle and payment
/// schedule, through Core's <c>PartnerAgreements.RecordAsync</c> and <c>ChangeAsync</c>.
/// </summary>
[Authorize(Policy = Policies.Write)]
public sealed class AgreementFormModel(Database database) : FormPageModel
{
    public long? Id { get; private set; }

    public Grant Grant { get; private set; } = null!;

    public IReadOnlyList<(string Value, string Text)> PartnerOptions { get; private set; } = [];

    public IReadOnlyList<(string Value, string Text)> AreaOptions { get; private set; } = [];

    public static readonly IReadOnlyList<(string Value, string Text)> ReturnsDueOptions =
        [("each-period", "For each reporting period"), ("final-period", "For the final period only"), ("none", "No returns")];

    private IReadOnlyList<PartnerInstalment> _current = [];

    protected override IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string>
    {
        ["partnerId"] = "Partner",
        ["amount"] = "Amount agreed",
        ["startDate"] = "Start date",
        ["endDate"] = "End date",
        ["areaCodes"] = "Delivery areas",
        ["instalments"] = "Payment schedule",
        ["returnsDue"] = "Returns from the partner",
        ["returnLagDays"] = "Days after a period ends that its return is due",
        ["purpose"] = "Purpose",
    };

    protected override string FirstField => "partnerId";

    public async Task<IActionResult> OnGetAsync(long? grantId, long? id)
    {
        if (!await LoadAsync(grantId, id))
        {
            return NotFound();
        }

        Values["returnsDue"] = "each-period";
        Values["returnLagDays"] = "30";
        if (id is not null && await ReadAgreementAsync(id.Value) is { } a)
        {
            Values["version"] = a.Version.ToString(CultureInfo.InvariantCulture);
            Values["partnerId"] = a.PartnerId.ToString(CultureInfo.InvariantCulture);
            Values["amount"] = ShowAmount(Core.Money.Money.ToPounds(a.AmountPence));
            ShowDate("startDate", a.StartDate);
            ShowDate("endDate", a.EndDate);
            Values["purpose"] = a.Purpose;
            Values["returnsDue"] = a.ReturnsDue;
            Values["returnLagDays"] = a.ReturnLagDays.ToString(CultureInfo.InvariantCulture);
            Values["instalments"] = string.Join('\n', a.Instalments.Select(i => $"{i.DueDate:dd/MM/yyyy} {ShowAmount(Core.Money.Money.ToPounds(i.AmountPence))}"));
            Ticked["areaCodes"] = a.AreaCodes.ToHashSet(StringComparer.Ordinal);
        }
        else
        {
            ShowDate("startDate", Grant.StartDate);
            ShowDate("endDate", Grant.EndDate);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? grantId, long? id)
    {
        if (!await LoadAsync(grantId, id))
        {
            return NotFound();
        }

        ReadPostedForm();
        var partnerId = ReadId("partnerId", required: true);
        var amount = ReadMoney("amount");
        var start = ReadDate("startDate");
        var end = ReadDate("endDate");
        var lag = ReadWholeNumber("returnLagDays");
        var instalments = ReadSchedule();
        var input = new PartnerAgreementInput(
            Grant.Id, partnerId ?? 1, amount ?? Core.Money.Money.Zero, start ?? Grant.StartDate, end ?? start ?? Grant.StartDate, ReadText("purpose"),
            [.. Ticked.GetValueOrDefault("areaCodes") ?? []], instalments, ReadText("returnsDue") ?? "each-period", lag ?? 30);
        var partner = PartnerOptions.FirstOrDefault(p => p.Value == partnerId?.ToString(CultureInfo.InvariantCulture)).Text;
        return await SaveAsync<Core.Domain.PartnerAgreements, PartnerAgreementInput, PartnerAgreementView>(
            database, id, input,
            id is null ? $"Agreement with {partner} recorded." : $"Agreement with {partner} saved.",
            _ => $"/grants/{Grant.Id}#partners");
    }

    /// <summary>Core numbers each instalment (<c>instalments[2].dueDate</c>); the form has one box for the schedule.</summary>
    protected override string FieldFor(string coreField) => coreField.StartsWith("instalments", StringComparison.Ordinal) ? "instalments" : coreField;

    /// <summary>
    /// One instalment a line, "date amount" (<c>01/07/2026 375,000.00</c>); a line the same as one already scheduled
    /// keeps it (and the payment linked to it).
    /// </summary>
    private List<InstalmentInput> ReadSchedule()
    {
        var schedule = new List<InstalmentInput>();
        var unmatched = _current.ToList();
        var lines = (ReadText("instalments") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < lines.Length; i++)
        {
            var parts = lines[i].Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2
                || !DateOnly.TryParseExact(parts[0], ["d/M/yyyy", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var due))
            {
                AddError("instalments", $"Payment schedule line {i + 1} must be a date and an amount, like 01/07/2026 375,000.00");
                continue;
            }

            if (!Core.Money.Money.TryParse(parts[1], out var money, out var error))
            {
                AddError("instalments", $"Payment schedule line {i + 1}: the amount {error}");
                continue;
            }

            var same = unmatched.FirstOrDefault(c => c.DueDate == due && c.AmountPence == money.Pence);
            if (same is not null)
            {
                unmatched.Remove(same);
            }

            schedule.Add(new InstalmentInput(due, money, same?.Id));
        }

        return schedule;
    }

    private async Task<PartnerAgreement?> ReadAgreementAsync(long id)
    {
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        return await PartnerAgreementStore.GetAsync(session, id, HttpContext.RequestAborted);
    }

    private async Task<bool> LoadAsync(long? grantId, long? id)
    {
        var cancellationToken = HttpContext.RequestAborted;
        await using var session = await database.OpenAsync(cancellationToken);
        if (id is { } agreementId)
        {
            if (await PartnerAgreementStore.GetAsync(session, agreementId, cancellationToken) is not { } agreement)
            {
                return false;
            }

            Id = agreementId;
            grantId = agreement.GrantId;
            _current = agreement.Instalments;
        }

        if (grantId is null || await GrantStore.GetAsync(session, grantId.Value, cancellationToken) is not { } grant)
        {
            return false;
        }

        Grant = grant;
        PartnerOptions = (await PartnerStore.ListAsync(session, new PageRequest(1, PageRequest.MaxPageSize), cancellationToken)).Items
            .Select(p => (p.Id.ToString(CultureInfo.InvariantCulture), p.Name)).ToList();
        AreaOptions = (await DeliveryAreaStore.ListAsync(session, cancellationToken))
            .Where(a => Grant.AreaCodes.Count == 0 || Grant.AreaCodes.Contains(a.Code)).Select(a => (a.Code, a.Name)).ToList();
        return true;
    }
}
