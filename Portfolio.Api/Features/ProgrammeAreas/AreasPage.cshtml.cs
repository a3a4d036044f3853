using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.ProgrammeAreas;

/// <summary>Every programme area and its lead; finance and admins add and edit them.</summary>
[Authorize(Policy = Policies.People)]
public sealed class AreasPageModel(Database database) : PageModel
{
    public IReadOnlyList<ProgrammeAreaView> Areas { get; private set; } = [];

    public bool CanEdit { get; private set; }

    public async Task OnGetAsync()
    {
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        Areas = (await ProgrammeAreaStore.ListAsync(session, new PageRequest(1, PageRequest.MaxPageSize), HttpContext.RequestAborted)).Items
            .Select(Core.Domain.ProgrammeAreas.View).OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase).ToList();
        CanEdit = User.MayWrite();
    }
}
