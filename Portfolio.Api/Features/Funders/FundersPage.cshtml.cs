using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.Funders;

/// <summary>Every funder with its reporting terms; finance and admins add and edit them.</summary>
[Authorize(Policy = Policies.People)]
public sealed class FundersPageModel(Database database) : PageModel
{
    public IReadOnlyList<FunderView> Funders { get; private set; } = [];

    public bool CanEdit { get; private set; }

    public async Task OnGetAsync()
    {
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        var funders = (await FunderStore.ListAsync(session, new PageRequest(1, PageRequest.MaxPageSize), HttpContext.RequestAborted)).Items;
        Funders = funders.Select(Core.Domain.Funders.View).OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase).ToList();
        CanEdit = User.MayWrite();
    }
}
