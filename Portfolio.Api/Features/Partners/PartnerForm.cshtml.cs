using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Partners;

/// <summary>Finance records a partner organisation (<c>/partners/new</c>) or changes one (<c>/partners/{id}/edit</c>): Core's <c>Partners.RecordAsync</c> and <c>ChangeAsync</c>.</summary>
[Authorize(Policy = Policies.Write)]
public sealed class PartnerFormModel(Database database) : FormPageModel
{
    public long? Id { get; private set; }

    public static readonly IReadOnlyList<(string Value, string Text)> KindOptions =
        [("by-and-for", "By-and-for: led by and for the communities it serves"), ("specialist", "Specialist domestic abuse service"), ("statutory", "Statutory body"), ("other", "Other")];

    protected override IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string>
    {
        ["name"] = "Name",
        ["kind"] = "Kind of partner",
        ["orgIdentifier"] = "Organisation identifier",
        ["communities"] = "Communities served",
        ["contactEmail"] = "Contact email address",
    };

    protected override string FirstField => "name";

    public async Task<IActionResult> OnGetAsync(long? id)
    {
        Values["kind"] = "by-and-for";
        if (id is { } partnerId)
        {
            await using var session = await database.OpenAsync(HttpContext.RequestAborted);
            if (await Core.Domain.Partners.LoadAsync(session, partnerId, HttpContext.RequestAborted) is not { } p)
            {
                return NotFound();
            }

            Id = partnerId;
            Values["version"] = p.Version.ToString(CultureInfo.InvariantCulture);
            Values["name"] = p.Name;
            Values["kind"] = p.Kind;
            Values["orgIdentifier"] = p.OrgIdentifier;
            Values["communities"] = string.Join('\n', p.Communities);
            Values["contactEmail"] = p.ContactEmail;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id)
    {
        Id = id;
        ReadPostedForm();
        var communities = (ReadText("communities") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var input = new PartnerInput(ReadText("name") ?? "", ReadText("kind") ?? "", ReadText("orgIdentifier"), communities, ReadText("contactEmail"));
        return await SaveAsync<Core.Domain.Partners, PartnerInput, PartnerView>(database, id, input, $"Partner {input.Name} saved.", _ => "/partners");
    }

    /// <summary>Core numbers each community (<c>communities[2]</c>); the form has one box for them all.</summary>
    protected override string FieldFor(string coreField) => coreField.StartsWith("communities[", StringComparison.Ordinal) ? "communities" : coreField;
}
