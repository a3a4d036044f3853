using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.Home;

/// <summary>The signed-in home page. For now: who you are, and the grants (the dashboard of issue 12 is still to come).</summary>
[Authorize(Policy = Policies.People)]
public sealed class IndexModel(Database database) : PageModel
{
    public string Name { get; private set; } = "";

    public string Role { get; private set; } = "";

    public IReadOnlyList<Grant> Grants { get; private set; } = [];

    public async Task OnGetAsync()
    {
        Name = User.FindFirstValue(AuthExtensions.DisplayNameClaim) ?? "";
        Role = User.FindFirstValue(ClaimTypes.Role) ?? "";
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        Grants = (await GrantStore.ListAsync(session, new GrantFilter(), new PageRequest(1, PageRequest.MaxPageSize), HttpContext.RequestAborted)).Items;
    }
}
