using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Security;

/// <summary>
/// Every route the app maps, with who may call it, kept as data and checked in full: a new endpoint without a row
/// here fails the build's tests, and every row is called with every role.
/// </summary>
public class RouteAccessTests(DatabaseEngine engine) : ApiTest(engine)
{
    public enum Access
    {
        Anyone,
        Read,
        Notes,
        Write,
        Admin,

        /// <summary>A page for signed-in people: without the sign-in cookie (and keys do not count) it redirects to sign in.</summary>
        SignedIn,

        /// <summary>The page a refused person is sent to: 403 to everyone.</summary>
        Denied,
    }

    /// <summary>Method, route pattern as mapped, and who may call it.</summary>
    public static readonly (string Method, string Pattern, Access Access)[] Table =
    [
        ("GET", "/", Access.SignedIn),
        ("GET", "sign-in", Access.Anyone),
        ("GET", "set-password", Access.Anyone),
        ("GET", "sign-out", Access.Anyone),
        ("GET", "access-denied", Access.Denied),
        ("GET", "status/{code}", Access.Denied),
        ("GET", "grants/{id}", Access.SignedIn),
        ("GET", "grants/{grantId}/notes/new", Access.SignedIn),
        ("GET", "grants/{grantId}/notes/{noteId}/edit", Access.SignedIn),
        ("GET", "grants/new", Access.SignedIn),
        ("GET", "grants/{id}/edit", Access.SignedIn),
        ("GET", "grants/{grantId}/budget", Access.SignedIn),
        ("GET", "grants/{grantId}/spend/new", Access.SignedIn),
        ("GET", "grants/{grantId}/income/new", Access.SignedIn),
        ("GET", "transactions/{id}/void", Access.SignedIn),
        ("GET", "payments/{id}/void", Access.SignedIn),
        ("GET", "funders", Access.SignedIn),
        ("GET", "funders/new", Access.SignedIn),
        ("GET", "funders/{id}/edit", Access.SignedIn),
        ("GET", "partners", Access.SignedIn),
        ("GET", "partners/new", Access.SignedIn),
        ("GET", "partners/{id}/edit", Access.SignedIn),
        ("GET", "programme-areas", Access.SignedIn),
        ("GET", "programme-areas/new", Access.SignedIn),
        ("GET", "programme-areas/{id}/edit", Access.SignedIn),
        ("GET", "report-runs", Access.SignedIn),
        ("GET", "report-runs/{id}", Access.SignedIn),
        ("GET", "report-runs/{id}/{format}", Access.SignedIn),
        ("GET", "grants/{grantId}/reports/{periodStart}.{format}", Access.SignedIn),
        ("GET", "grants/{grantId}/periods/{periodStart}/reopen", Access.SignedIn),
        ("GET", "exports/360giving.{format}", Access.SignedIn),
        ("GET", "imports", Access.SignedIn),
        ("GET", "imports/{id}", Access.SignedIn),
        ("GET", "partner-agreements/{id}/returns", Access.SignedIn),
        ("GET", "partner-agreements/{id}/edit", Access.SignedIn),
        ("GET", "grants/{grantId}/agreements/new", Access.SignedIn),
        ("GET", "grants/{grantId}/indicators/new", Access.SignedIn),
        ("GET", "grants/{grantId}/indicators/{indicatorId}/edit", Access.SignedIn),
        ("GET", "grants/{grantId}/indicators/{indicatorId}/actuals/{periodStart}", Access.SignedIn),
        ("GET", "grants/{grantId}/narratives/{periodStart}", Access.SignedIn),
        ("GET", "exports", Access.SignedIn),
        ("GET", "partner-returns/{id}", Access.SignedIn),
        ("GET", "returns/{agreementId}/{periodStart}/{token}", Access.Anyone),
        ("GET", "admin/users", Access.SignedIn),
        ("GET", "admin/users/invite", Access.SignedIn),
        ("GET", "admin/api-keys", Access.SignedIn),
        ("GET", "admin/audit", Access.SignedIn),
        ("GET", "/health/live", Access.Anyone),
        ("GET", "/health/ready", Access.Anyone),
        ("GET", "/openapi/{documentName}.json", Access.Anyone),
        ("GET", "/scalar/{documentName?}", Access.Anyone),
        ("GET", "/scalar/scalar.js", Access.Anyone),
        ("GET", "/scalar/scalar.aspnetcore.js", Access.Anyone),
        ("GET", "/scalar/favicon.svg", Access.Anyone),
        ("GET", "/api/funders", Access.Read),
        ("GET", "/api/funders/{id}", Access.Read),
        ("POST", "/api/funders", Access.Write),
        ("PUT", "/api/funders/{id}", Access.Write),
        ("DELETE", "/api/funders/{id}", Access.Write),
        ("GET", "/api/programme-areas", Access.Read),
        ("GET", "/api/programme-areas/{id}", Access.Read),
        ("POST", "/api/programme-areas", Access.Write),
        ("PUT", "/api/programme-areas/{id}", Access.Write),
        ("DELETE", "/api/programme-areas/{id}", Access.Write),
        ("GET", "/api/partners", Access.Read),
        ("GET", "/api/partners/{id}", Access.Read),
        ("POST", "/api/partners", Access.Write),
        ("PUT", "/api/partners/{id}", Access.Write),
        ("DELETE", "/api/partners/{id}", Access.Write),
        ("GET", "/api/grants", Access.Read),
        ("GET", "/api/grants/{id}", Access.Read),
        ("POST", "/api/grants", Access.Write),
        ("PUT", "/api/grants/{id}", Access.Write),
        ("DELETE", "/api/grants/{id}", Access.Write),
        ("GET", "/api/grants/{grantId}/budget", Access.Read),
        ("PUT", "/api/grants/{grantId}/budget", Access.Write),
        ("GET", "/api/transactions", Access.Read),
        ("GET", "/api/transactions/{id}", Access.Read),
        ("POST", "/api/transactions", Access.Write),
        ("PUT", "/api/transactions/{id}", Access.Write),
        ("POST", "/api/transactions/{id}/void", Access.Write),
        ("GET", "/api/payments", Access.Read),
        ("GET", "/api/payments/{id}", Access.Read),
        ("POST", "/api/payments", Access.Write),
        ("PUT", "/api/payments/{id}", Access.Write),
        ("POST", "/api/payments/{id}/void", Access.Write),
        ("GET", "/api/partner-agreements", Access.Read),
        ("GET", "/api/partner-agreements/{id}", Access.Read),
        ("POST", "/api/partner-agreements", Access.Write),
        ("PUT", "/api/partner-agreements/{id}", Access.Write),
        ("DELETE", "/api/partner-agreements/{id}", Access.Write),
        ("GET", "/api/audit", Access.Read),
        ("GET", "/api/audit/verify", Access.Admin),
        ("GET", "/api/cost-categories", Access.Read),
        ("GET", "/api/delivery-areas", Access.Read),
        ("GET", "/api/api-keys", Access.Admin),
        ("GET", "/api/api-keys/{id}", Access.Admin),
        ("POST", "/api/api-keys", Access.Admin),
        ("DELETE", "/api/api-keys/{id}", Access.Admin),
        ("GET", "/api/users", Access.Admin),
        ("GET", "/api/users/{id}", Access.Admin),
        ("POST", "/api/users", Access.Admin),
        ("GET", "/api/grants/{grantId}/burn", Access.Read),
        ("GET", "/api/burn", Access.Read),
        ("GET", "/api/grants/{grantId}/variance-notes", Access.Read),
        ("POST", "/api/grants/{grantId}/variance-notes", Access.Notes),
        ("PUT", "/api/grants/{grantId}/variance-notes/{noteId}", Access.Notes),
        ("GET", "/api/grants/{grantId}/reports/{periodStart}.xlsx", Access.Read),
        ("GET", "/api/grants/{grantId}/reports/{periodStart}.pdf", Access.Read),
        ("GET", "/api/report-runs", Access.Read),
        ("GET", "/api/report-runs/{id}", Access.Read),
        ("GET", "/api/report-runs/{id}/xlsx", Access.Read),
        ("GET", "/api/report-runs/{id}/pdf", Access.Read),
        ("POST", "/api/report-runs", Access.Write),
        ("POST", "/api/report-runs/{id}/approve", Access.Write),
        ("POST", "/api/report-runs/{id}/regenerate", Access.Write),
        ("POST", "/api/report-runs/{id}/cancel", Access.Write),
        ("POST", "/api/report-runs/{id}/resend", Access.Write),
        ("POST", "/api/grants/{grantId}/periods/{periodStart}/reopen", Access.Admin),
        ("GET", "/api/import-mappings", Access.Read),
        ("PUT", "/api/import-mappings", Access.Write),
        ("GET", "/api/imports", Access.Read),
        ("GET", "/api/imports/{id}", Access.Read),
        ("GET", "/api/imports/{id}/rows", Access.Read),
        ("POST", "/api/imports", Access.Write),
        ("POST", "/api/imports/{id}/preview", Access.Write),
        ("POST", "/api/imports/{id}/commit", Access.Write),
        ("POST", "/api/imports/{id}/reverse", Access.Write),
        ("GET", "/api/partner-agreements/overdue-instalments", Access.Read),
        ("GET", "/api/partner-agreements/overdue-returns", Access.Read),
        ("GET", "/api/partner-agreements/{agreementId}/returns", Access.Read),
        ("POST", "/api/partner-agreements/{agreementId}/returns/{periodStart}/link", Access.Write),
        ("POST", "/api/partner-return-links/{id}/revoke", Access.Write),
        ("GET", "/api/partner-returns", Access.Read),
        ("GET", "/api/partner-returns/{id}", Access.Read),
        ("GET", "/api/grants/{grantId}/indicators", Access.Read),
        ("POST", "/api/grants/{grantId}/indicators", Access.Notes),
        ("GET", "/api/grants/{grantId}/indicators/{indicatorId}", Access.Read),
        ("PUT", "/api/grants/{grantId}/indicators/{indicatorId}", Access.Notes),
        ("GET", "/api/grants/{grantId}/indicators/{indicatorId}/actuals", Access.Read),
        ("PUT", "/api/grants/{grantId}/indicators/{indicatorId}/actuals/{periodStart}", Access.Notes),
        ("GET", "/api/grants/{grantId}/narratives", Access.Read),
        ("PUT", "/api/grants/{grantId}/narratives/{periodStart}", Access.Notes),
        ("GET", "/api/grants/{grantId}/outcomes", Access.Read),
        ("GET", "/api/exports/360giving.json", Access.Write),
        ("GET", "/api/exports/360giving.xlsx", Access.Write),
        ("POST", "/api/partner-returns/{id}/accept", Access.Notes),
        ("POST", "/api/partner-returns/{id}/send-back", Access.Notes),
    ];

    [Test]
    public void TheTable_ListsEveryRouteTheAppMaps_AndNothingElse()
    {
        var mapped = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => $"{m} {Normalise(e.RoutePattern.RawText!)}"))
            .ToHashSet();

        mapped.Should().BeEquivalentTo(Table.Select(r => $"{r.Method} {r.Pattern}"), "every endpoint needs a row saying who may call it");
    }

    [Test]
    public async Task EveryRoute_AnswersEveryRole_AsTheTableSays()
    {
        var roles = new (string Name, HttpClient Client)[] { ("anonymous", Anonymous), ("viewer", Viewer), ("programme-lead", Lead), ("finance", Finance), ("admin", Admin) };
        var failures = new List<string>();
        var before = await RowCountsAsync();
        foreach (var (method, pattern, access) in Table)
        {
            var path = Sample(pattern);
            foreach (var (role, client) in roles)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                var expected = Expected(access, role);
                var ok = expected is null ? status is not (401 or 403) and < 500 : status == expected;
                if (access == Access.SignedIn && response.RequestMessage!.RequestUri!.AbsolutePath != "/sign-in")
                {
                    ok = false;
                }
                if (!ok)
                {
                    failures.Add($"{method} {pattern} as {role}: {status}, expected {(expected?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "allowed")}");
                }
            }
        }

        failures.Should().BeEmpty();
        (await RowCountsAsync()).Should().Equal(before, "the probes change nothing");
    }

    /// <summary>null = allowed (any answer but 401, 403 or 5xx).</summary>
    private static int? Expected(Access access, string role) => (access, role) switch
    {
        (Access.Anyone, _) => null,
        (Access.Denied, _) => 403,
        (Access.SignedIn, _) => 200, // after the redirects: the sign-in page (checked below)
        (_, "anonymous") => 401,
        (Access.Read, _) => null,
        (Access.Notes, "viewer") => 403,
        (Access.Notes, _) => null,
        (Access.Write, "viewer" or "programme-lead") => 403,
        (Access.Write, _) => null,
        (Access.Admin, "admin") => null,
        (Access.Admin, _) => 403,
        _ => throw new ArgumentOutOfRangeException(nameof(access)),
    };

    private static string Sample(string pattern) => pattern
        .Replace("{documentName}", "v1", StringComparison.Ordinal)
        .Replace("{documentName?}", "v1", StringComparison.Ordinal)
        .Replace("{periodStart}", "2026-04-01", StringComparison.Ordinal)
        .Replace("{grantId}", "999999", StringComparison.Ordinal)
        .Replace("{noteId}", "999999", StringComparison.Ordinal)
        .Replace("{indicatorId}", "999999", StringComparison.Ordinal)
        .Replace("{agreementId}", "999999", StringComparison.Ordinal)
        .Replace("{token}", "1.made-up", StringComparison.Ordinal)
        .Replace("{format}", "xlsx", StringComparison.Ordinal)
        .Replace("{code}", "403", StringComparison.Ordinal)
        .Replace("{id}", "999999", StringComparison.Ordinal);

    private static string Normalise(string raw) => Regex.Replace(raw, @"\{(\w+):[^}]+\}", "{$1}").TrimEnd('/') is { Length: > 0 } p ? p : "/";
}
