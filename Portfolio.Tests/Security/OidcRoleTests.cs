using System.Security.Claims;
using Portfolio.Api.Infrastructure;

namespace Portfolio.Tests.Security;

/// <summary>Which role an identity provider's claims give someone Portfolio does not know yet.</summary>
public sealed class OidcRoleTests
{
    private static readonly OidcOptions Options = new(
        new Uri("https://login.example/"), "portfolio", "secret", "Entra ID", true, "roles",
        new Dictionary<string, string> { ["Portfolio.Finance"] = "finance", ["Portfolio.Readers"] = "viewer", ["Portfolio.Admins"] = "admin" });

    private static ClaimsPrincipal With(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "oidc"));

    [Test]
    public void ARoleClaimPerValue_OrAJsonArray_GiveTheMappedRole_TheMostPowerfulFirst()
    {
        Options.RoleFrom(With(("roles", "Portfolio.Readers"), ("roles", "Portfolio.Finance"))).Should().Be("finance");
        Options.RoleFrom(With(("roles", """["Portfolio.Readers","Portfolio.Admins"]"""))).Should().Be("admin");
        Options.RoleFrom(With(("roles", "Portfolio.Readers"))).Should().Be("viewer");
    }

    [Test]
    public void NoMappedValue_OrAnotherClaim_GivesNoRole()
    {
        Options.RoleFrom(With(("roles", "Something.Else"))).Should().BeNull();
        Options.RoleFrom(With(("groups", "Portfolio.Finance"))).Should().BeNull("only the configured claim counts");
        Options.RoleFrom(With(("roles", "[not json"))).Should().BeNull();
        Options.RoleFrom(With()).Should().BeNull();
    }
}
