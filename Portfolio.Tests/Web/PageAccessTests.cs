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
    public enum PageAccess
    {
        /// <summary>Any signed-in person.</summary>
        People,

        /// <summary>Those who write variance notes: admin, finance, programme leads.</summary>
        Notes,

        /// <summary>Those who record money and reports: admin and finance.</summary>
        Write,

        /// <summary>Admins only: users, API keys, the audit log.</summary>
        Admin,
    }

    /// <summary>Every page that needs sign-in (the API table's <c>SignedIn</c> rows), with who may open it.</summary>
    public static readonly (string Pattern, PageAccess Access)[] Pages =
    [
        ("/", PageAccess.People),
        ("grants/{id}", PageAccess.People),
        ("grants/{grantId}/notes/new", PageAccess.Notes),
        ("grants/{grantId}/notes/{noteId}/edit", PageAccess.Notes),
        ("grants/new", PageAccess.Write),
        ("grants/{id}/edit", PageAccess.Write),
        ("grants/{grantId}/budget", PageAccess.People),
        ("grants/{grantId}/spend/new", PageAccess.Write),
        ("grants/{grantId}/income/new", PageAccess.Write),
        ("transactions/{id}/void", PageAccess.Write),
        ("payments/{id}/void", PageAccess.Write),
        ("funders", PageAccess.People),
        ("funders/new", PageAccess.Write),
        ("funders/{id}/edit", PageAccess.Write),
        ("partners", PageAccess.People),
        ("partners/new", PageAccess.Write),
        ("partners/{id}/edit", PageAccess.Write),
        ("programme-areas", PageAccess.People),
        ("programme-areas/new", PageAccess.Write),
        ("programme-areas/{id}/edit", PageAccess.Write),
        ("report-runs", PageAccess.People),
        ("report-runs/{id}", PageAccess.People),
        ("report-runs/{id}/{format}", PageAccess.People),
        ("grants/{grantId}/reports/{periodStart}.{format}", PageAccess.People),
        ("grants/{grantId}/periods/{periodStart}/reopen", PageAccess.Admin),
        ("exports/360giving.{format}", PageAccess.Write),
        ("imports", PageAccess.Write),
        ("imports/{id}", PageAccess.Write),
        ("partner-agreements/{id}/returns", PageAccess.People),
        ("partner-agreements/{id}/edit", PageAccess.Write),
        ("grants/{grantId}/agreements/new", PageAccess.Write),
        ("grants/{grantId}/indicators/new", PageAccess.Notes),
        ("grants/{grantId}/indicators/{indicatorId}/edit", PageAccess.Notes),
        ("grants/{grantId}/indicators/{indicatorId}/actuals/{periodStart}", PageAccess.Notes),
        ("grants/{grantId}/narratives/{periodStart}", PageAccess.Notes),
        ("exports", PageAccess.Write),
        ("partner-returns/{id}", PageAccess.People),
        ("admin/users", PageAccess.Admin),
        ("admin/users/invite", PageAccess.Admin),
        ("admin/api-keys", PageAccess.Admin),
        ("admin/audit", PageAccess.Admin),
    ];

    /// <summary>
    /// Every form that writes, with who may post it: a page anyone may open can still refuse the post (the budget
    /// grid, a report's approval). Posted with a valid anti-forgery token, so only the role decides.
    /// </summary>
    public static readonly (string Path, PageAccess Access)[] Posts =
    [
        ("grants/new", PageAccess.Write),
        ("grants/{id}/edit", PageAccess.Write),
        ("grants/{id}/budget", PageAccess.Write),
        ("grants/{id}/spend/new", PageAccess.Write),
        ("grants/{id}/income/new", PageAccess.Write),
        ("grants/{id}/notes/new?period=2026-04-01", PageAccess.Notes),
        ("transactions/999999/void", PageAccess.Write),
        ("payments/999999/void", PageAccess.Write),
        ("funders/new", PageAccess.Write),
        ("partners/new", PageAccess.Write),
        ("programme-areas/new", PageAccess.Write),
        ("imports", PageAccess.Write),
        ("partner-agreements/999999/returns?handler=Link&periodStart=2026-04-01", PageAccess.Write),
        ("partner-agreements/999999/edit", PageAccess.Write),
        ("grants/{id}/agreements/new", PageAccess.Write),
        ("grants/{id}/indicators/new", PageAccess.Notes),
        ("grants/{id}/indicators/999999/edit", PageAccess.Notes),
        ("grants/{id}/indicators/999999/actuals/2026-04-01", PageAccess.Notes),
        ("grants/{id}/narratives/2026-04-01", PageAccess.Notes),
        ("partner-agreements/999999/returns?handler=Revoke&linkId=999999", PageAccess.Write),
        ("partner-returns/999999", PageAccess.Notes),
        ("report-runs/999999?handler=Confirm", PageAccess.Write),
        ("report-runs/999999?handler=Approve", PageAccess.Write),
        ("grants/{id}/periods/2026-04-01/reopen", PageAccess.Admin),
        ("report-runs/999999?handler=Cancel", PageAccess.Write),
        ("report-runs/999999?handler=Resend", PageAccess.Write),
        ("report-runs/999999?handler=Regenerate", PageAccess.Write),
        ("report-runs/0?handler=Generate", PageAccess.Write),
        ("admin/users/invite", PageAccess.Admin),
        ("admin/api-keys?handler=Issue", PageAccess.Admin),
        ("admin/api-keys?handler=Revoke&id=999999", PageAccess.Admin),
    ];


    [Test]
    public void ThePageTable_ListsEverySignedInRouteOfTheApiTable()
    {
        Pages.Select(p => p.Pattern).Should().BeEquivalentTo(
            RouteAccessTests.Table.Where(r => r.Access == RouteAccessTests.Access.SignedIn).Select(r => r.Pattern));
    }

    private static readonly Sql BreakGrantDates = Sql.Common("UPDATE grant_award SET end_date = '2200-12-31' WHERE id = @Id");

    [Test]
    public async Task AGrantThatCannotBeComputed_AnswersItsPageWithAPageSayingSo_AndTheApiWithItsProblem()
    {
        var grantId = (long)(await CreateGrantAsync())["id"]!;
        await Portfolio.Core.Operations.UnitOfWork.CommitAsync(Database, s => s.ExecuteAsync(BreakGrantDates, new { Id = grantId }));
        using var browser = await SignedInAsync("finance");

        using var page = await browser.GetAsync($"/grants/{grantId}");

        ((int)page.StatusCode).Should().Be(409);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        var html = await page.Content.ReadAsStringAsync();
        html.Should().Contain("This grant&#x27;s figures cannot be worked out").And.Contain("31 December 2200").And.Contain("Other grants are not affected")
            .And.NotContain("2200-12-31").And.NotContain("\"status\"").And.NotContain($"Grant {grantId}");
        ShouldBeProblem(await Viewer.GetAsync($"/api/grants/{grantId}/burn"), 409);
    }

    [Test]
    public async Task ALeadOfAnotherArea_IsShownNoFormForTheGrant_AndEachFormPageRefusesHer()
    {
        var grantId = (long)(await CreateGrantAsync())["id"]!;
        var indicatorId = (long)(await CreateAsync(Finance, $"/api/grants/{grantId}/indicators", new
        {
            name = "Survivors supported", unit = "people", higherIsBetter = true, targets = new[] { new { periodStart = "2026-04-01", value = 10m } },
        }))["id"]!;
        var noteId = (long)(await CreateAsync(Finance, $"/api/grants/{grantId}/variance-notes", new { periodStart = "2026-04-01", text = "Started late." }))["id"]!;
        var otherArea = (long)(await CreateAsync(Admin, "/api/programme-areas", new { name = Unique.Text("Other"), code = Unique.Text("OTH") }))["id"]!;
        using var outsider = await SignedInAsync("programme-lead", [otherArea]);
        using var insider = await SignedInAsync("programme-lead");
        string[] forms =
        [
            $"/grants/{grantId}/notes/new?period=2026-04-01", $"/grants/{grantId}/notes/{noteId}/edit", $"/grants/{grantId}/indicators/new",
            $"/grants/{grantId}/indicators/{indicatorId}/edit", $"/grants/{grantId}/indicators/{indicatorId}/actuals/2026-04-01", $"/grants/{grantId}/narratives/2026-04-01",
        ];

        var grantPage = await outsider.GetStringAsync($"/grants/{grantId}?period=2026-04-01");

        grantPage.Should().Contain("Started late.", "she may read the grant").And.NotContain("Add a note").And.NotContain($"/grants/{grantId}/narratives/");
        foreach (var form in forms)
        {
            ((int)(await outsider.GetAsync(form)).StatusCode).Should().Be(403, form);
            ((int)(await insider.GetAsync(form)).StatusCode).Should().Be(200, form);
        }

        (await insider.GetStringAsync($"/grants/{grantId}?period=2026-04-01")).Should().Contain("Add a note");
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
                    .Replace("{indicatorId}", "999999", StringComparison.Ordinal)
                    .Replace("{periodStart}", "2026-04-01", StringComparison.Ordinal)
                    .Replace("{format}", "xlsx", StringComparison.Ordinal)
                    + (pattern.EndsWith("/new", StringComparison.Ordinal) ? "?period=2026-04-01" : "");
                using var response = await browser.GetAsync(path);
                var status = (int)response.StatusCode;
                var allowed = Allowed(access, role);
                var ok = allowed ? status is 200 or 404 : status == 403;
                if (!ok)
                {
                    failures.Add($"{path} as {role}: {status}, expected {(allowed ? "200 (or 404 for a made-up id)" : "403")}");
                }
            }
        }

        failures.Should().BeEmpty();
    }

    [Test]
    public async Task EveryForm_RefusesThePostOfARoleThatMayNotWrite_AndChangesNothing()
    {
        var grant = await CreateGrantAsync();
        var grantId = ((long)grant["id"]!).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var people = new List<(string Role, HttpClient Browser, string Token)>();
        foreach (var role in new[] { "viewer", "programme-lead", "finance" })
        {
            var signedIn = await SignedInAsync(role);
            people.Add((role, signedIn, Documents.AntiforgeryToken(await signedIn.GetStringAsync("/"))));
        }

        var before = await RowCountsAsync();
        var failures = new List<string>();
        foreach (var (role, browser, token) in people)
        {
            foreach (var (path, access) in Posts.Where(p => !Allowed(p.Access, role)))
            {
                using var response = await browser.PostAsync("/" + path.Replace("{id}", grantId, StringComparison.Ordinal), new FormUrlEncodedContent(
                [
                    new("__RequestVerificationToken", token), new("grantId", grantId), new("periodStart", "2026-04-01"), new("reason", "probe"),
                    new("name", "Probe"), new("code", "PROBE"), new("kind", "other"), new("text", "probe"), new("reference", "PROBE-1"),
                    new("email", "probe@example.org"), new("role", "viewer"),
                ]));
                if ((int)response.StatusCode != 403)
                {
                    failures.Add($"POST {path} as {role}: {(int)response.StatusCode}, expected 403");
                }
            }
        }

        failures.Should().BeEmpty();
        (await RowCountsAsync()).Should().Equal(before, "a refused post writes nothing");
        people.ForEach(p => p.Browser.Dispose());
    }

    private static bool Allowed(PageAccess access, string role) => access switch
    {
        PageAccess.People => true,
        PageAccess.Notes => role != "viewer",
        PageAccess.Write => role is "finance" or "admin",
        _ => role == "admin",
    };
}
