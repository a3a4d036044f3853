using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Grants;

/// <summary>Finance records a grant (<c>/grants/new</c>) or changes one (<c>/grants/{id}/edit</c>): Core's <c>Grants.RecordAsync</c> and <c>ChangeAsync</c>.</summary>
[Authorize(Policy = Policies.Write)]
public sealed class GrantFormModel(Database database) : FormPageModel
{
    public long? Id { get; private set; }

    public IReadOnlyList<(string Value, string Text)> FunderOptions { get; private set; } = [];

    public IReadOnlyList<(string Value, string Text)> AreaOptions { get; private set; } = [];

    public IReadOnlyList<(string Value, string Text)> DeliveryAreaOptions { get; private set; } = [];

    public static readonly IReadOnlyList<(string Value, string Text)> StatusOptions =
        [("pipeline", "Pipeline (not yet started)"), ("active", "Active"), ("closed", "Closed")];

    protected override IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string>
    {
        ["funderId"] = "Funder",
        ["reference"] = "Funder's grant reference",
        ["title"] = "Title",
        ["programmeAreaId"] = "Programme area",
        ["amountAwarded"] = "Amount awarded",
        ["awardDate"] = "Award date",
        ["startDate"] = "Start date",
        ["endDate"] = "End date",
        ["restricted"] = "Restricted funds",
        ["status"] = "Status",
        ["description"] = "Description",
        ["areaCodes"] = "Delivery areas",
    };

    protected override string FirstField => "reference";

    public async Task<IActionResult> OnGetAsync(long? id)
    {
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        await LoadOptionsAsync(session);
        Values["status"] = "active";
        Values["restricted"] = "true";
        if (id is { } grantId)
        {
            if (await GrantStore.GetAsync(session, grantId, HttpContext.RequestAborted) is not { } g)
            {
                return NotFound();
            }

            Id = grantId;
            Values["version"] = g.Version.ToString(CultureInfo.InvariantCulture);
            Values["funderId"] = g.FunderId.ToString(CultureInfo.InvariantCulture);
            Values["reference"] = g.Reference;
            Values["title"] = g.Title;
            Values["programmeAreaId"] = g.ProgrammeAreaId?.ToString(CultureInfo.InvariantCulture);
            Values["amountAwarded"] = ShowAmount(Core.Money.Money.ToPounds(g.AmountAwardedPence));
            ShowDate("awardDate", g.AwardDate);
            ShowDate("startDate", g.StartDate);
            ShowDate("endDate", g.EndDate);
            Values["restricted"] = g.Restricted ? "true" : "false";
            Values["status"] = g.Status;
            Values["description"] = g.Description;
            Ticked["areaCodes"] = g.AreaCodes.ToHashSet(StringComparer.Ordinal);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id)
    {
        Id = id;
        await using (var session = await database.OpenAsync(HttpContext.RequestAborted))
        {
            await LoadOptionsAsync(session);
        }

        ReadPostedForm();
        var funderId = ReadId("funderId", required: true);
        var amount = ReadMoney("amountAwarded");
        var awardDate = ReadDate("awardDate", required: false);
        var start = ReadDate("startDate");
        var end = ReadDate("endDate");
        var input = new GrantInput(
            funderId ?? 1, ReadText("reference") ?? "", ReadText("title") ?? "", amount ?? Core.Money.Money.Zero,
            start ?? new DateOnly(2000, 1, 1), end ?? start ?? new DateOnly(2000, 1, 1), ReadId("programmeAreaId", required: false),
            ReadText("description"), awardDate, Restricted: ReadText("restricted") != "false", Status: ReadText("status") ?? "active",
            // Every area unticked is none: a form always says which areas it means.
            AreaCodes: [.. Ticked.GetValueOrDefault("areaCodes") ?? []]);
        return await SaveAsync<Core.Domain.Grants, GrantInput, GrantView>(
            database, id, input,
            id is null ? $"Grant {input.Reference} recorded. Set its budget next." : $"Grant {input.Reference} saved.",
            saved => id is null ? $"/grants/{saved}/budget" : $"/grants/{saved}");
    }

    private async Task LoadOptionsAsync(DbSession session)
    {
        var all = new PageRequest(1, PageRequest.MaxPageSize);
        FunderOptions = (await FunderStore.ListAsync(session, all, HttpContext.RequestAborted)).Items.Select(f => (f.Id.ToString(CultureInfo.InvariantCulture), f.Name)).ToList();
        AreaOptions = (await ProgrammeAreaStore.ListAsync(session, all, HttpContext.RequestAborted)).Items.Select(a => (a.Id.ToString(CultureInfo.InvariantCulture), a.Name)).ToList();
        DeliveryAreaOptions = (await DeliveryAreaStore.ListAsync(session, HttpContext.RequestAborted)).Select(a => (a.Code, a.Name)).ToList();
    }
}
