using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portfolio.Core.Data;
using Portfolio.Tests.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Web;

/// <summary>
/// Every page in the page table (<see cref="PageAccessTests.Pages"/>), opened in Chromium by an admin over a grant
/// that has everything a page can show (budget, spend, income, an agreement, a note, a report), answers 200 and
/// passes axe-core at WCAG 2.2 AA; so do the report list's tabs. A page added to the table without a way to fill
/// in its ids here fails, so no page escapes the check.
/// </summary>
public sealed class EveryPageBrowserTests(DatabaseEngine engine) : BrowserTest(engine)
{
    protected override TimeProvider? Clock { get; } = new FixedClock(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    /// <summary>The window the pages must fit: a wide table scrolls inside its own container instead of widening the page.</summary>
    private const int WindowWidth = 1280;

    [Test]
    public async Task EveryPage_AnswersAnAdmin_FitsA1280PixelWindow_AndPassesAxe()
    {
        var grant = await CreateGrantAsync();
        var grantId = (long)grant["id"]!;
        var funderId = (long)grant["funderId"]!;
        var partnerId = await CreatePartnerAsync();
        (await SendJsonAsync(Finance, HttpMethod.Put, $"/api/grants/{grantId}/budget",
            """{"lines":[{"category":"staff","periodStart":"2026-04-01","amount":1000.00},{"category":"staff","periodStart":"2026-07-01","amount":1000.00}]}""", "\"0\"", null)).EnsureSuccessStatusCode();
        var agreementId = (long)(await CreateAsync(Finance, "/api/partner-agreements", new { grantId, partnerId, amount = 500m, startDate = "2026-04-01", endDate = "2027-03-31", instalments = new[] { new { dueDate = "2026-04-15", amount = 500m } } }))["id"]!;
        var returnId = await Portfolio.Tests.PartnerReturns.PartnerReturnsApiTests.SubmittedReturnAsync(Finance, Database, agreementId, "2026-04-01");
        var transactionId = (long)(await CreateAsync(Finance, "/api/transactions", new { grantId, date = "2026-08-15", amount = 1500m, category = "staff", description = "Outreach" }))["id"]!;
        await CreateAsync(Finance, "/api/transactions", new { grantId, date = "2026-08-20", amount = 100m, category = "partner-grants", description = "Partner", partnerId });
        var paymentId = (long)(await CreateAsync(Finance, "/api/payments", new { grantId, date = "2026-07-01", amount = 3000m, reference = "REMIT" }))["id"]!;
        var noteId = (long)(await CreateAsync(Finance, $"/api/grants/{grantId}/variance-notes", new { periodStart = "2026-07-01", category = "staff", text = "Started early: the caseworker we recruited for the Slough outreach began in June rather than September, so staff costs ran ahead of the budget for two months before the grant's second instalment arrived." }))["id"]!;
        var indicatorId = (long)(await CreateAsync(Finance, $"/api/grants/{grantId}/indicators", new
        {
            name = "Survivors supported", unit = "people", higherIsBetter = true, byCommunity = true,
            targets = new[] { new { periodStart = "2026-04-01", value = 40m }, new { periodStart = "2026-07-01", value = 40m } },
        }))["id"]!;
        (await Finance.PutAsJsonAsync($"/api/grants/{grantId}/indicators/{indicatorId}/actuals/2026-07-01", new { value = 30m, note = "A caseworker left.", breakdown = new[] { new { community = "LGBT+", value = 30m } } })).EnsureSuccessStatusCode();
        (await Finance.PutAsJsonAsync($"/api/grants/{grantId}/narratives/2026-07-01", new { whatHappened = "Outreach began.", whatsNext = "Recruit." })).EnsureSuccessStatusCode();
        var run = await PostJsonAsync(Finance, "/api/report-runs", $$"""{"grantId":{{grantId}},"periodStart":"2026-07-01"}""");
        run.EnsureSuccessStatusCode();
        var runId = (long)JsonNode.Parse(await run.Content.ReadAsStringAsync())!["id"]!;
        var areaId = LeadAreaId;
        using var upload = new MultipartFormDataContent { { new ByteArrayContent(Portfolio.Tests.Imports.SampleExports.Csv(Portfolio.Tests.Imports.SampleExports.XeroCsv, (string)grant["reference"]!, new System.Text.UTF8Encoding(false))), "file", "Account Transactions.csv" } };
        var imported = await Finance.PostAsync("/api/imports", upload);
        imported.EnsureSuccessStatusCode();
        var importId = (long)JsonNode.Parse(await imported.Content.ReadAsStringAsync())!["id"]!;

        string Path(string pattern)
        {
            string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
            var path = "/" + pattern.TrimStart('/');
            var id = pattern switch
            {
                _ when !pattern.Contains("{id}", StringComparison.Ordinal) => null,
                _ when pattern.StartsWith("grants/", StringComparison.Ordinal) => Id(grantId),
                _ when pattern.StartsWith("transactions/", StringComparison.Ordinal) => Id(transactionId),
                _ when pattern.StartsWith("payments/", StringComparison.Ordinal) => Id(paymentId),
                _ when pattern.StartsWith("funders/", StringComparison.Ordinal) => Id(funderId),
                _ when pattern.StartsWith("partners/", StringComparison.Ordinal) => Id(partnerId),
                _ when pattern.StartsWith("programme-areas/", StringComparison.Ordinal) => Id(areaId),
                _ when pattern.StartsWith("report-runs/", StringComparison.Ordinal) => Id(runId),
                _ when pattern.StartsWith("imports/", StringComparison.Ordinal) => Id(importId),
                _ when pattern.StartsWith("partner-agreements/", StringComparison.Ordinal) => Id(agreementId),
                _ when pattern.StartsWith("partner-returns/", StringComparison.Ordinal) => Id(returnId),
                _ => throw new AssertionException($"EveryPageBrowserTests does not know which record's id to put in {pattern}: add it."),
            };
            path = path.Replace("{id}", id, StringComparison.Ordinal).Replace("{grantId}", Id(grantId), StringComparison.Ordinal).Replace("{noteId}", Id(noteId), StringComparison.Ordinal)
                .Replace("{indicatorId}", Id(indicatorId), StringComparison.Ordinal).Replace("{periodStart}", "2026-07-01", StringComparison.Ordinal);
            return pattern.EndsWith("notes/new", StringComparison.Ordinal) ? path + "?period=2026-07-01" : path;
        }

        var page = await SignInAsync(await CreateUserAsync("admin", "Ada Admin"));
        await page.SetViewportSizeAsync(WindowWidth, 900);
        // The routes ending in {format} answer files (a PDF or workbook), not pages: their content is checked by the
        // quarter-end journey (FinanceJourneyBrowserTests), and their access by PageAccessTests.
        var paths = PageAccessTests.Pages.Where(p => !p.Pattern.Contains("{format}", StringComparison.Ordinal)).Select(p => Path(p.Pattern))
            .Concat(["/report-runs?show=needs-note", "/report-runs?show=sent", "/report-runs?show=failed", "/report-runs?show=overdue", "/report-runs?show=all",
                     $"/grants/{grantId}?period=2026-04-01&category=staff", "/admin/audit?verify=true&checkTotals=true",
                     "/exports?from-day=1&from-month=4&from-year=2026"])
            .ToList();
        var failures = new List<string>();
        foreach (var path in paths)
        {
            var response = await page.GotoAsync(path);
            if (response!.Status != 200)
            {
                failures.Add($"{path}: {response.Status}");
                continue;
            }

            var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
            if (width > WindowWidth)
            {
                var widest = await page.EvaluateAsync<string>("""
                    () => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                        .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '')).slice(0, 3).join(', ')
                    """);
                failures.Add($"{path}: {width} px wide in a {WindowWidth} px window ({widest})");
            }

            var loose = await page.EvaluateAsync<int>("[...document.querySelectorAll('table')].filter(t => !t.closest('.app-scroll') || getComputedStyle(t.querySelector('tr > :first-child')).position !== 'sticky').length");
            if (loose > 0)
            {
                failures.Add($"{path}: {loose} table(s) not in a scrolling container with the first column kept in view");
            }

            await ShouldBeAccessibleAsync(page, "every-page" + path.Replace('/', '_').Replace('?', '_').Replace('&', '_').Replace('=', '-'));
        }

        failures.Should().BeEmpty();
        paths.Should().HaveCountGreaterThan(30);
    }

    /// <summary>The check itself can fail: a page with an image without alternative text and an unlabelled field is refused, by name.</summary>
    [Test]
    public async Task TheAxeCheck_NamesEachViolation_OnAPageThatHasThem()
    {
        var page = await NewPageAsync();
        await page.SetContentAsync("""<!DOCTYPE html><html lang="en"><head><title>Bad</title></head><body><main><h1>Bad</h1><img src="x.png"><input type="text" id="q"></main></body></html>""");
        var problems = await Accessibility.ViolationsAsync(page);
        problems.Should().Contain(p => p.StartsWith("image-alt (critical)", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("label (critical)", StringComparison.Ordinal) && p.EndsWith("#q", StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }
}
