using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Infrastructure;

/// <summary>
/// <c>Portfolio:Auth:Oidc</c>: sign-in through the organisation's identity provider (Microsoft Entra ID, Google
/// Workspace, or any OpenID Connect provider), checked at start. Off unless <c>Authority</c> is set.
/// </summary>
/// <param name="RoleClaim">The claim whose values may give a role to someone not yet a user (Entra's app roles: <c>roles</c>).</param>
/// <param name="RoleValues">Claim value to role (<c>RoleValues:admin = Portfolio.Admins</c>); only admin, finance and viewer.</param>
public sealed record OidcOptions(
    Uri? Authority, string? ClientId, string? ClientSecret, string DisplayName, bool RequireHttpsMetadata, string RoleClaim,
    IReadOnlyDictionary<string, string> RoleValues)
{
    public const string Scheme = OpenIdConnectDefaults.AuthenticationScheme;

    public bool Enabled => Authority is not null;

    public static OidcOptions FromConfiguration(IConfiguration configuration)
    {
        var settings = new Portfolio.Jobs.Hosting.Settings(configuration, "Portfolio:Auth:Oidc");
        var authority = settings.Url("Authority");
        var requireHttps = settings.Bool("RequireHttpsMetadata", true);
        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var role in new[] { "admin", "finance", "viewer" })
        {
            if (settings.Text($"RoleValues:{role}") is { } value)
            {
                roles[value] = role;
            }
        }

        var options = new OidcOptions(
            authority, settings.Text("ClientId"), settings.Secret("ClientSecret"), settings.Text("DisplayName", "your organisation"),
            requireHttps, settings.Text("RoleClaim", "roles"), roles);
        settings.Require(authority is null || !requireHttps || authority.Scheme == "https", "Authority", "it must be an https:// URL (or set RequireHttpsMetadata to false for a local test provider)");
        settings.Require(authority is null || options.ClientId is not null, "ClientId", "it is required when Authority is set");
        settings.Require(authority is null || options.ClientSecret is not null, "ClientSecret", "it is required when Authority is set");
        settings.ThrowIfInvalid();
        return options;
    }

    /// <summary>The role the provider's claims give, if any maps (the first, in the order admin, finance, viewer).</summary>
    public string? RoleFrom(ClaimsPrincipal principal)
    {
        // A token's array of roles arrives as one claim per value; the user-info endpoint's, as one claim holding the
        // JSON array (["Portfolio.Finance"]). Both are read.
        var values = principal.FindAll(RoleClaim).SelectMany(c => OidcSignIn.ValuesOf(c.Value)).ToHashSet(StringComparer.Ordinal);
        return new[] { "admin", "finance", "viewer" }.FirstOrDefault(role => RoleValues.Any(r => r.Value == role && values.Contains(r.Key)));
    }
}

public static class OidcSignIn
{
    /// <summary>A claim's values: itself, or the strings of the JSON array it holds.</summary>
    internal static IEnumerable<string> ValuesOf(string value)
    {
        if (!value.StartsWith('['))
        {
            return [value];
        }

        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<string[]>(value) ?? [];
        }
        catch (System.Text.Json.JsonException)
        {
            return [value];
        }
    }

    /// <summary>
    /// Adds the OpenID Connect handler (authorization code with PKCE; the provider's own claims are read only to find
    /// the person) and, once the provider has vouched for them, swaps its principal for Portfolio's own: the user
    /// with that email address (Core's <c>Users.SignInWithProviderAsync</c>), with the role and areas Portfolio holds.
    /// </summary>
    public static AuthenticationBuilder AddPortfolioOidc(this AuthenticationBuilder authentication, OidcOptions oidc)
    {
        if (!oidc.Enabled)
        {
            return authentication;
        }

        return authentication.AddOpenIdConnect(OidcOptions.Scheme, oidc.DisplayName, options =>
        {
            options.Authority = oidc.Authority!.ToString();
            options.ClientId = oidc.ClientId;
            options.ClientSecret = oidc.ClientSecret;
            options.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            options.ResponseType = "code";
            options.UsePkce = true;
            options.SignInScheme = AuthExtensions.CookieScheme;
            options.MapInboundClaims = false;
            options.GetClaimsFromUserInfoEndpoint = true;
            options.SaveTokens = false;
            options.Scope.Clear();
            foreach (var scope in new[] { "openid", "profile", "email" })
            {
                options.Scope.Add(scope);
            }

            if (oidc.RoleValues.Count > 0 && oidc.RoleClaim == "roles")
            {
                options.Scope.Add("roles");
            }

            options.ClaimActions.MapAll();
            options.CallbackPath = "/signin-oidc";
            options.Events.OnTicketReceived = async context =>
            {
                var principal = context.Principal!;
                var email = principal.FindFirst("email")?.Value ?? principal.FindFirst("preferred_username")?.Value ?? principal.FindFirst("upn")?.Value;
                var name = principal.FindFirst("name")?.Value;
                var services = context.HttpContext.RequestServices;
                var clock = services.GetRequiredService<TimeProvider>();
                var outcome = await UnitOfWork.RunAsync(
                    services.GetRequiredService<Database>(),
                    session => Users.SignInWithProviderAsync(session, email, name, oidc.RoleFrom(principal), new ChangeContext("system:sign-in", clock.GetUtcNow().UtcDateTime), context.HttpContext.RequestAborted),
                    context.HttpContext.RequestAborted);
                if (outcome.Refused is { } refusal)
                {
                    context.HandleResponse();
                    Tell(context.HttpContext, refusal.Detail);
                    context.Response.Redirect("/sign-in");
                    return;
                }

                context.Principal = AuthExtensions.PrincipalOf(outcome.Value!);
            };
            options.Events.OnRemoteFailure = context =>
            {
                context.HandleResponse();
                Tell(context.HttpContext, $"Signing in with {oidc.DisplayName} did not work. Try again, or ask an admin.");
                context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OidcSignIn))
                    .LogWarning(context.Failure, "OpenID Connect sign-in failed");
                context.Response.Redirect("/sign-in");
                return Task.CompletedTask;
            };
        });
    }

    /// <summary>Why sign-in did not happen, said once on the sign-in page (kept server-side, not in the address).</summary>
    private static void Tell(HttpContext http, string message)
    {
        var tempData = http.RequestServices.GetRequiredService<Microsoft.AspNetCore.Mvc.ViewFeatures.ITempDataDictionaryFactory>().GetTempData(http);
        tempData[Features.Shared.Notice.ImportantKey] = message;
        tempData.Save();
    }
}
