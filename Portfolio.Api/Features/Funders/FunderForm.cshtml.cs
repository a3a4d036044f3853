using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Funders;

/// <summary>Finance records a funder (<c>/funders/new</c>) or changes one (<c>/funders/{id}/edit</c>): Core's <c>Funders.RecordAsync</c> and <c>ChangeAsync</c>.</summary>
[Authorize(Policy = Policies.Write)]
public sealed partial class FunderFormModel(Database database) : FormPageModel
{
    /// <summary>Blank contact rows offered beyond those the funder has.</summary>
    private const int SpareContacts = 2;

    public long? Id { get; private set; }

    public int ContactRows { get; private set; } = SpareContacts;

    public static readonly IReadOnlyList<(string Value, string Text)> KindOptions =
        [("lottery", "Lottery"), ("government", "Government"), ("trust", "Charitable trust or foundation"), ("corporate", "Corporate"), ("other", "Other")];

    public static readonly IReadOnlyList<(string Value, string Text)> CalendarOptions =
        [("uk-financial-year", "UK financial year quarters (April to March)"), ("calendar-year", "Calendar year quarters (January to December)"), ("grant-anniversary", "Quarters from the grant's start date")];

    public static readonly IReadOnlyList<(string Value, string Text)> DeliveryOptions =
        [("approval", "Finance approves each report before it is sent"), ("auto", "Reports are sent automatically when the period's figures are complete")];

    private readonly Dictionary<string, string> labels = new()
    {
        ["name"] = "Name",
        ["kind"] = "Kind of funder",
        ["orgIdentifier"] = "Organisation identifier",
        ["reportingCalendar"] = "Reporting periods",
        ["reportLagDays"] = "Days after a period ends that its report is due",
        ["deliveryMode"] = "Sending reports",
        ["ragAmberPercent"] = "Amber when spend is off budget by",
        ["ragRedPercent"] = "Red when spend is off budget by",
    };

    protected override IReadOnlyDictionary<string, string> Labels => labels;

    protected override string FirstField => "name";

    public async Task<IActionResult> OnGetAsync(long? id)
    {
        Values["kind"] = "trust";
        Values["reportingCalendar"] = "uk-financial-year";
        Values["reportLagDays"] = "30";
        Values["deliveryMode"] = "approval";
        Values["ragAmberPercent"] = "10";
        Values["ragRedPercent"] = "20";
        if (id is { } funderId)
        {
            await using var session = await database.OpenAsync(HttpContext.RequestAborted);
            if (await Core.Domain.Funders.LoadAsync(session, funderId, HttpContext.RequestAborted) is not { } f)
            {
                return NotFound();
            }

            Id = funderId;
            Values["version"] = f.Version.ToString(CultureInfo.InvariantCulture);
            Values["name"] = f.Name;
            Values["kind"] = f.Kind;
            Values["orgIdentifier"] = f.OrgIdentifier;
            Values["reportingCalendar"] = f.ReportingCalendar;
            Values["reportLagDays"] = f.ReportLagDays.ToString(CultureInfo.InvariantCulture);
            Values["deliveryMode"] = f.DeliveryMode;
            Values["ragAmberPercent"] = f.RagAmberPercent.ToString(CultureInfo.InvariantCulture);
            Values["ragRedPercent"] = f.RagRedPercent.ToString(CultureInfo.InvariantCulture);
            for (var i = 0; i < f.Contacts.Count; i++)
            {
                Values[$"contact{i + 1}-name"] = f.Contacts[i].Name;
                Values[$"contact{i + 1}-email"] = f.Contacts[i].Email;
            }

            ContactRows = f.Contacts.Count + SpareContacts;
        }

        AddContactLabels();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id)
    {
        Id = id;
        ReadPostedForm();
        ContactRows = Math.Clamp(int.TryParse(ReadText("contactRows"), out var rows) ? rows : SpareContacts, SpareContacts, FunderInput.MaxContacts);
        AddContactLabels();

        // Rows left blank are not contacts; the rows kept are numbered as Core numbers them, so its errors land beside them.
        var filled = Enumerable.Range(1, ContactRows).Where(i => ReadText($"contact{i}-name") is not null || ReadText($"contact{i}-email") is not null).ToList();
        contactRowByIndex = filled;
        var contacts = filled.Select(i => new FunderContactInput(ReadText($"contact{i}-name") ?? "", ReadText($"contact{i}-email") ?? "")).ToList();
        var lag = ReadWholeNumber("reportLagDays");
        var amber = ReadWholeNumber("ragAmberPercent");
        var red = ReadWholeNumber("ragRedPercent");
        var input = new FunderInput(
            ReadText("name") ?? "", ReadText("kind") ?? "", ReadText("orgIdentifier"), ReadText("reportingCalendar") ?? "", lag ?? 0,
            ReadText("deliveryMode") ?? "", contacts, amber ?? 0, red ?? amber ?? 0);
        return await SaveAsync<Core.Domain.Funders, FunderInput, FunderView>(database, id, input, $"Funder {input.Name} saved.", _ => "/funders");
    }

    private List<int> contactRowByIndex = [];

    protected override string FieldFor(string coreField) => ContactField().Match(coreField) is { Success: true } m
        && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) is var index && index < contactRowByIndex.Count
            ? $"contact{contactRowByIndex[index]}-{m.Groups[2].Value}"
            : coreField;

    private void AddContactLabels()
    {
        for (var i = 1; i <= ContactRows; i++)
        {
            labels[$"contact{i}-name"] = $"Contact {i} name";
            labels[$"contact{i}-email"] = $"Contact {i} email address";
        }
    }

    [GeneratedRegex(@"^contacts\[(\d+)\]\.(name|email)$")]
    private static partial Regex ContactField();
}
