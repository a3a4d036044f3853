using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.Users;

/// <summary>Admin: everyone who signs in, their role and areas, whether they have set a password or are locked out.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class UsersPageModel(Database database, TimeProvider clock) : PageModel
{
    public IReadOnlyList<UserView> Users { get; private set; } = [];

    public IReadOnlyDictionary<long, string> AreaNames { get; private set; } = new Dictionary<long, string>();

    public async Task OnGetAsync()
    {
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        var now = clock.GetUtcNow().UtcDateTime;
        Users = (await UserStore.ListAsync(session, new PageRequest(1, PageRequest.MaxPageSize), HttpContext.RequestAborted)).Items
            .Select(u => UserView.Of(u, now)).OrderBy(u => u.Name, StringComparer.OrdinalIgnoreCase).ToList();
        AreaNames = (await ProgrammeAreaStore.ListAsync(session, new PageRequest(1, PageRequest.MaxPageSize), HttpContext.RequestAborted)).Items.ToDictionary(a => a.Id, a => a.Name);
    }
}
