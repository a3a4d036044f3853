using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using Portfolio.Core.Data;
using Portfolio.Core.Operations;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Infrastructure;

public static class Roles
{
    public const string Admin = "admin";
    public const string Finance = "finance";
    public const string ProgrammeLead = "programme-lead";
    public const string Viewer = "viewer";
}

public static class Policies
{
    /// <summary>Any role may read.</summary>
    public const string Read = "read";

    /// <summary>Finance staff and administrators record money.</summary>
    public const string Write = "write";

    /// <summary>Keys and other administration.</summary>
    public const string Admin = "admin";

    /// <summary>Variance notes: programme leads explain variances; finance and admin may too.</summary>
    public const string Notes = "notes";

    /// <summary>The web app's pages: a person signed in with the cookie (API keys and tokens do not open pages).</summary>
    public const string People = "people";
}

/// <summary>Authenticates the <c>X-Api-Key</c> header against the stored hashes.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    Database database)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string KeyIdClaim = "portfolio:key-id";
    public const string ProgrammeAreaClaim = "portfolio:programme-area";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var supplied = Request.Headers[HeaderName].ToString();
        if (string.IsNullOrEmpty(supplied))
        {
            return AuthenticateResult.NoResult();
        }

        if (supplied.Length > 200)
        {
            return AuthenticateResult.Fail("The API key is not valid.");
        }

        await using var session = await database.OpenAsync(Context.RequestAborted);
        var key = await ApiKeyStore.FindActiveAsync(session, supplied, Context.RequestAborted);
        if (key is null)
        {
            return AuthenticateResult.Fail("The API key is not valid.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, $"key:{key.Id}:{key.Name}"),
                new Claim(ClaimTypes.Role, key.Role),
                new Claim(KeyIdClaim, key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                .. key.ProgrammeAreaIds.Select(id => new Claim(ProgrammeAreaClaim, id.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{HeaderName}";
        await Results.Problem(
            detail: $"Send a valid API key in the {HeaderName} header.",
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthenticated").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(
            detail: "Your key's role does not allow this.",
            statusCode: StatusCodes.Status403Forbidden,
            title: "Forbidden").ExecuteAsync(Context);
    }
}

/// <summary><c>Portfolio:Auth:Jwt</c>, checked at start: bearer tokens are accepted when an authority or a signing key is set.</summary>
public sealed record JwtOptions(Uri? Authority, string? Audience, string? Issuer, byte[]? SigningKey, bool RequireHttpsMetadata, int ClockSkewSeconds, string RoleClaim)
{
    public bool Enabled => Authority is not null || SigningKey is not null;

    public static JwtOptions FromConfiguration(IConfiguration configuration)
    {
        var settings = new Portfolio.Jobs.Hosting.Settings(configuration, "Portfolio:Auth:Jwt");
        var authority = settings.Url("Authority");
        var requireHttps = settings.Bool("RequireHttpsMetadata", true);
        byte[]? signingKey = null;
        if (settings.Text("SigningKey") is { } key)
        {
            try
            {
                signingKey = Convert.FromBase64String(key);
            }
            catch (FormatException)
            {
            }

            settings.Require(signingKey is { Length: >= 32 }, "SigningKey", "it must be base64 of at least 32 random bytes");
        }

        var options = new JwtOptions(
            authority,
            settings.Text("Audience"),
            settings.Text("Issuer"),
            signingKey is { Length: >= 32 } ? signingKey : null,
            requireHttps,
            settings.Int("ClockSkewSeconds", 30, 0, 30),
            settings.Text("RoleClaim", "role"));
        settings.Require(authority is null || !requireHttps || authority.Scheme == "https", "Authority", "it must be an https:// URL (or set RequireHttpsMetadata to false for a local test provider)");
        settings.Require(!options.Enabled || options.Audience is not null, "Audience", "it is required when bearer tokens are accepted (Authority or SigningKey is set)");
        settings.ThrowIfInvalid();
        return options;
    }
}

public static class AuthExtensions
{
    public const string Scheme = "Portfolio";

    /// <summary>The web app's sign-in cookie.</summary>
    public const string CookieScheme = Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>Paths for programs (API keys and tokens); every other path is a page, opened with the cookie.</summary>
    public static bool IsForPrograms(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/hangfire") || path.StartsWithSegments("/health")
        || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/scalar");

    /// <summary>The claims a signed-in person's cookie carries: who (as the audit names them), role and areas.</summary>
    public static ClaimsPrincipal PrincipalOf(SignedInUser user) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, $"user:{user.Id}:{user.Name}"),
            new Claim(ClaimTypes.Email, user.Email),
            new Claim(DisplayNameClaim, user.Name),
            new Claim(ClaimTypes.Role, user.Role),
            new Claim(UserIdClaim, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(SessionStampClaim, user.SessionStamp),
            .. user.ProgrammeAreaIds.Select(id => new Claim(ApiKeyAuthenticationHandler.ProgrammeAreaClaim, id.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        ],
        CookieScheme));

    public const string DisplayNameClaim = "portfolio:display-name";
    public const string UserIdClaim = "portfolio:user-id";
    public const string SessionStampClaim = "portfolio:session-stamp";

    /// <summary>The signed-in person's id and session stamp, as their cookie carries them (null for keys and tokens).</summary>
    public static (long Id, string Stamp)? Session(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirst(UserIdClaim)?.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
        && user.FindFirst(SessionStampClaim)?.Value is { Length: > 0 } stamp
            ? (id, stamp)
            : null;

    /// <summary>
    /// Every request with a sign-in cookie is checked against the person's row: a cookie from before they signed out
    /// (or set a new password) is refused and deleted, as is one of a person removed or locked out; a changed role or
    /// set of areas replaces the cookie's claims, so the new rights hold from this request on, on every instance.
    /// </summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var http = context.HttpContext;
        var current = context.Principal?.Session() is { } session
            ? await Users.CurrentAsync(http.RequestServices.GetRequiredService<Database>(), session.Id, session.Stamp, http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime, http.RequestAborted)
            : null;
        if (current is null)
        {
            context.RejectPrincipal();
            await http.SignOutAsync(CookieScheme);
            return;
        }

        var fresh = PrincipalOf(current);
        if (!SameClaims(context.Principal!, fresh))
        {
            context.ReplacePrincipal(fresh);
            context.ShouldRenew = true;
        }
    }

    private static bool SameClaims(ClaimsPrincipal a, ClaimsPrincipal b) =>
        a.Claims.Select(c => (c.Type, c.Value)).Order().SequenceEqual(b.Claims.Select(c => (c.Type, c.Value)).Order());

    /// <summary>
    /// API keys (<c>X-Api-Key</c>) always; JWT bearer tokens too when <c>Portfolio:Auth:Jwt</c> names an authority
    /// (production sign-in) or a signing key. A request with <c>Authorization: Bearer</c> is judged by the token,
    /// any other by its API key.
    /// </summary>
    public static IServiceCollection AddPortfolioAuth(this IServiceCollection services, IConfiguration configuration, bool development)
    {
        var jwt = JwtOptions.FromConfiguration(configuration);
        var authentication = services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API key, bearer token or the web app's cookie", options => options.ForwardDefaultSelector = context =>
                !IsForPrograms(context.Request.Path)
                    ? CookieScheme
                    : jwt.Enabled && context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                        ? Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerDefaults.AuthenticationScheme
                        : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(CookieScheme, options =>
            {
                options.LoginPath = "/sign-in";
                options.LogoutPath = "/sign-out";
                options.AccessDeniedPath = "/access-denied";
                options.Cookie.Name = "portfolio";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Lax;
                options.Cookie.SecurePolicy = development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                options.Events.OnValidatePrincipal = ValidateSessionAsync;

                // A signed-in person refused a page gets 403 and the page saying so (the status-code pages), not a redirect.
                options.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });
        var oidc = OidcOptions.FromConfiguration(configuration);
        services.AddSingleton(oidc);
        authentication.AddPortfolioOidc(oidc);
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "portfolio-antiforgery";
            options.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Lax;

            // Secure whenever the request is: pages are served only over HTTPS outside Development (WebPages), and
            // the jobs dashboard, which uses the same service, keeps working over plain HTTP where it did.
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        if (jwt.Enabled)
        {
            authentication.AddJwtBearer(options =>
            {
                options.Authority = jwt.Authority?.ToString();
                options.Audience = jwt.Audience;
                options.MapInboundClaims = false;
                options.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
                options.TokenValidationParameters = new Microsoft.IdentityModel.Tokens.TokenValidationParameters
                {
                    ValidateIssuer = jwt.Issuer is not null || jwt.Authority is not null,
                    ValidIssuer = jwt.Issuer,
                    ValidateAudience = true,
                    ValidAudience = jwt.Audience,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    ClockSkew = TimeSpan.FromSeconds(jwt.ClockSkewSeconds),
                    RoleClaimType = jwt.RoleClaim,
                    NameClaimType = "sub",
                    IssuerSigningKey = jwt.SigningKey is null ? null : new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(jwt.SigningKey),
                };
            });
        }

        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Read, p => p.RequireRole(Roles.Admin, Roles.Finance, Roles.ProgrammeLead, Roles.Viewer))
            .AddPolicy(Policies.Write, p => p.RequireRole(WriteRoles))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Notes, p => p.RequireRole(Roles.Admin, Roles.Finance, Roles.ProgrammeLead))
            .AddPolicy(Policies.People, p => p.AddAuthenticationSchemes(CookieScheme).RequireAuthenticatedUser());
        services.AddHostedService<BootstrapAdminKey>();
        return services;
    }

    /// <summary>Whether this person or program records money and reports (admin or finance): the <see cref="Policies.Write"/> rule, for pages that show or hide what it allows.</summary>
    public static bool MayWrite(this ClaimsPrincipal user) => WriteRoles.Any(user.IsInRole);

    private static readonly string[] WriteRoles = [Roles.Admin, Roles.Finance];

    /// <summary>
    /// Whether this person may write notes, results and narratives (and review returns) on a grant in this programme
    /// area: the <see cref="Policies.Notes"/> roles, held to Core's area rule (<c>ChangeContext.MayActInArea</c>), so
    /// a page shows no form whose post Core would refuse.
    /// </summary>
    public static bool MayWriteNotesIn(this HttpContext http, long? programmeAreaId) =>
        (http.User.MayWrite() || http.User.IsInRole(Roles.ProgrammeLead)) && http.Change().MayActInArea(programmeAreaId);

    /// <summary>Who is making the change, for the audit log: <c>key:{id}:{name}</c> or <c>jwt:{subject}</c>.</summary>
    public static string Actor(this ClaimsPrincipal user) => user.Identity switch
    {
        { AuthenticationType: ApiKeyAuthenticationHandler.SchemeName, Name: { } name } => name,
        { AuthenticationType: CookieScheme, Name: { } person } => person,
        { Name: { } subject } => "jwt:" + subject,
        _ => "anonymous",
    };

    /// <summary>
    /// The programme areas the caller may act in: null (any) for finance and admin, the key's areas for a
    /// programme lead (none for other roles, which do not write).
    /// </summary>
    public static IReadOnlyCollection<long>? Areas(this ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Finance)
            ? null
            : user.FindAll(ApiKeyAuthenticationHandler.ProgrammeAreaClaim)
                .Select(c => long.Parse(c.Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
}

/// <summary>
/// With no API keys at all, <c>Portfolio:BootstrapAdminKey</c> becomes the first admin key; without it a new
/// admin key is generated and written once to a file only the service can read (never to the log). It runs after
/// migrations, before requests are served.
/// </summary>
public sealed class BootstrapAdminKey(Database database, IConfiguration configuration, ILogger<BootstrapAdminKey> logger, TimeProvider clock) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await EnsureAdminKeyAsync(cancellationToken);
        }
        catch (System.Data.Common.DbException ex) when (!Problems.IsUniqueViolation(ex))
        {
            // The service still starts, so /health/ready can say what is wrong (unmigrated or unreachable database).
#pragma warning disable CA1848 // a one-off message at start-up
            logger.LogWarning("Could not check for API keys at start ({Reason}); no bootstrap key was made. Migrate the database and restart.", ex.Message);
#pragma warning restore CA1848
        }
        catch (System.Data.Common.DbException)
        {
            // Another process started at the same moment with the same configured key and stored it first.
        }
    }

    private async Task EnsureAdminKeyAsync(CancellationToken cancellationToken)
    {
        var configured = configuration["Portfolio:BootstrapAdminKey"];
        var generated = string.IsNullOrWhiteSpace(configured);
        var key = generated ? ApiKeyStore.GenerateKey() : configured!.Trim();
        var made = await UnitOfWork.CommitAsync(database, async session =>
        {
            if (await ApiKeyStore.CountAsync(session, cancellationToken) > 0)
            {
                return false;
            }

            var change = new ChangeContext("system:bootstrap", clock.GetUtcNow().UtcDateTime);
            var created = await ApiKeyStore.InsertAsync(session, "bootstrap admin", Roles.Admin, key, change, cancellationToken);
            await AuditLog.WriteAsync(session, change, "create", "api-key", created.Id, null, new { created.Id, created.Name, created.Role, created.KeyPrefix }, cancellationToken);
            return true;
        }, cancellationToken);
        if (!made)
        {
            return;
        }

        if (generated)
        {
            // Written once to a file only the service's user can read (never to the log), so the operator can
            // make the first real keys; the database holds only its hash.
            var path = Path.GetFullPath(configuration["Portfolio:BootstrapKeyFile"] is { Length: > 0 } file ? file : "./data/bootstrap-admin-key.txt");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, key + "\n", cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

#pragma warning disable CA1848 // a one-off message at start-up
            logger.LogWarning("No API keys existed, so an admin key was created and written to {KeyFile}. Read it, make your own keys, then delete the file.", path);
#pragma warning restore CA1848
        }
        else
        {
#pragma warning disable CA1848
            logger.LogInformation("No API keys existed: Portfolio:BootstrapAdminKey is now an admin key.");
#pragma warning restore CA1848
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
