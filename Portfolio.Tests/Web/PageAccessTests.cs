using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;
using Portfolio.Tests.Security;

namespace Portfolio.Tests.Web;

/// <summary>
/// Every page with who may open it, kept as data and checked in full with a signed-in person of each role (the
/// API's table, <see cref="RouteAccessTests"/>, checks that without the cookie every page sends you to sign in).
/// </summary>
public sealed partial class PageAccessTests(DatabaseEngine engine) : ApiTest(engine)
{
    private const string Password = "page access password";

    public enum PageAccess
    {
        /// <summary>Any signed-in person.</summary>
        People,

        /// <summary>Those who write variance notes: admin, finance, programme leads.</summary>
        Notes,
    }

    /// <summary>Every page that needs sign-in (the API table's <c>SignedIn</c> rows), with who may open it.</summary>
    public static readonly (string Pattern, PageAccess Access)[] Pages =
    [
        ("/", PageAccess.People),
        ("grants/{id}", PageAccess.People),
        ("grants/{grantId}/notes/new", PageAccess.Notes),
        ("grants/{grantId}/notes/{noteId}/edit", PageAccess.Notes),
    ];


    [Test]
    public void ThePageTable_ListsEverySignedInRouteOfTheApiTable()
    {
        Pages.Select(p => p.Pattern).Should().BeEquivalentTo(
            RouteAccessTests.Table.Where(r => r.Access == RouteAccessTests.Access.SignedIn).Select(r => r.Pattern));
    }

    [Test]
    public async Task EveryPage_AnswersEachSignedInRole_AsTheTableSays()
    {
        var grant = await CreateGrantAsync();
        var grantId = (long)grant["id"]!;
        var failures = new List<string>();
        foreach (var role in new[] { "viewer", "programme-lead", "finance", "admin" })
        {
            using var browser = await SignedInAsync(role);
            foreach (var (pattern, access) in Pages)
            {
                var path = "/" + pattern.TrimStart('/')
                    .Replace("{id}", grantId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                    .Replace("{grantId}", grantId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                    .Replace("{noteId}", "999999", StringComparison.Ordinal)
                    + (pattern.EndsWith("/new", StringComparison.Ordinal) ? "?period=2026-04-01" : "");
                using var response = await browser.GetAsync(path);
                var status = (int)response.StatusCode;
                var allowed = access == PageAccess.People || role != "viewer";
                var ok = allowed ? status is 200 or 404 : status == 403;
                if (!ok)
                {
                    failures.Add($"{path} as {role}: {status}, expected {(allowed ? "200 (or 404 for a made-up id)" : "403")}");
                }
            }
        }

        failures.Should().BeEmpty();
    }

    private async Task<HttpClient> SignedInAsync(string role)
    {
        var email = $"{Unique.Text(role)}@example.org".ToLowerInvariant();
        var areas = role == "programme-lead" ? new[] { LeadAreaId } : [];
        var invited = await Admin.PostAsJsonAsync("/api/users", new { email, name = role, role, programmeAreaIds = areas });
        invited.StatusCode.Should().Be(HttpStatusCode.Created);
        var link = new Uri((await invited.Content.ReadFromJsonAsync<JsonObject>())!["setPasswordUrl"]!.GetValue<string>());
        var browser = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = true, HandleCookies = true, BaseAddress = new Uri("https://localhost") });
        var form = await (await browser.GetAsync(link.PathAndQuery)).Content.ReadAsStringAsync();
        var token = Uri.UnescapeDataString(link.Query["?token=".Length..]);
        var set = await browser.PostAsync("/set-password", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", Documents.AntiforgeryToken(form)), new("token", token), new("password", Password), new("confirmPassword", Password),
        ]));
        set.RequestMessage!.RequestUri!.AbsolutePath.Should().Be("/", "setting the password signs the person in");
        return browser;
    }
}
