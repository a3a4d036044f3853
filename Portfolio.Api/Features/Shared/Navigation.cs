using System.Security.Claims;
using Portfolio.Api.Infrastructure;

namespace Portfolio.Api.Features.Shared;

/// <summary>The service navigation: the pages a signed-in person's role may open.</summary>
public static class Navigation
{
    public static IEnumerable<(string Href, string Text)> For(ClaimsPrincipal user)
    {
        yield return ("/", "Dashboard");
        yield return ("/report-runs", "Reports");
        yield return ("/funders", "Funders");
        yield return ("/partners", "Partners");
        yield return ("/programme-areas", "Programme areas");
        if (user.MayWrite())
        {
            yield return ("/imports", "Imports");
            yield return ("/exports", "Open data");
        }

        if (user.IsInRole(Roles.Admin))
        {
            yield return ("/admin/users", "Admin");
        }
    }
}
