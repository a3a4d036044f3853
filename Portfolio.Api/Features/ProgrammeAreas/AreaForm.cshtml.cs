using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.ProgrammeAreas;

/// <summary>Finance records a programme area (<c>/programme-areas/new</c>) or changes one: Core's <c>ProgrammeAreas.RecordAsync</c> and <c>ChangeAsync</c>.</summary>
[Authorize(Policy = Policies.Write)]
public sealed class AreaFormModel(Database database) : FormPageModel
{
    public long? Id { get; private set; }

    protected override IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string>
    {
        ["name"] = "Name",
        ["code"] = "Short code",
        ["leadName"] = "Programme lead's name",
        ["leadEmail"] = "Programme lead's email address",
        ["description"] = "Description",
    };

    /// <summary>The one conflict an area can meet is a code already in use, so refusals go beside the code.</summary>
    protected override string FirstField => "code";

    public async Task<IActionResult> OnGetAsync(long? id)
    {
        if (id is { } areaId)
        {
            await using var session = await database.OpenAsync(HttpContext.RequestAborted);
            if (await Core.Domain.ProgrammeAreas.LoadAsync(session, areaId, HttpContext.RequestAborted) is not { } a)
            {
                return NotFound();
            }

            Id = areaId;
            Values["version"] = a.Version.ToString(CultureInfo.InvariantCulture);
            Values["name"] = a.Name;
            Values["code"] = a.Code;
            Values["leadName"] = a.LeadName;
            Values["leadEmail"] = a.LeadEmail;
            Values["description"] = a.Description;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id)
    {
        Id = id;
        ReadPostedForm();
        var input = new Core.Domain.ProgrammeAreaInput(ReadText("name") ?? "", ReadText("code") ?? "", ReadText("leadName"), ReadText("leadEmail"), ReadText("description"));
        return await SaveAsync<Core.Domain.ProgrammeAreas, Core.Domain.ProgrammeAreaInput, Core.Domain.ProgrammeAreaView>(database, id, input, $"Programme area {input.Name} saved.", _ => "/programme-areas");
    }
}
