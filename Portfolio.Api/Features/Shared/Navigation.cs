using System.Security.Claims;

namespace Portfolio.Api.Features.Shared;

/// <summary>The service navigation: the pages a signed-in person's role may open.</summary>
public static class Navigation
{
    public static IEnumerable<(string Href, string Text)> For(ClaimsPrincipal user)
    {
        yield return ("/", "Dashboard");
    }
}
