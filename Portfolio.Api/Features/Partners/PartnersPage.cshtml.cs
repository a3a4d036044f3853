using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.Partners;

/// <summary>Every partner organisation; finance and admins add and edit them.</summary>
[Authorize(Policy = Policies.People)]
public sealed class PartnersPageModel(Database database) : PageModel
{
    public IReadOnlyList<PartnerView> Partners { get; private set; } = [];

    public bool CanEdit { get; private set; }

    public async Task OnGetAsync()
    {
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        Partners = (await PartnerStore.ListAsync(session, new PageRequest(1, PageRequest.MaxPageSize), HttpContext.RequestAborted)).Items
            .Select(Core.Domain.Partners.View).OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToList();
        CanEdit = User.MayWrite();
    }
}
