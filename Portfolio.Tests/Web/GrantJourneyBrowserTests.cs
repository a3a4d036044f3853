using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Portfolio.Core.Data;
using Portfolio.Tests.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Web;

/// <summary>
/// A programme lead's journey in Chromium, on a host whose clock is 23 Nov 2026: the dashboard shows the grant
/// amber with the API's figures; the grant page shows the PDF's summary figures for the last ended quarter; the
/// lead explains the variance with a note, which the API then returns under the lead's name.
/// (Finance arranges the grant through the API here; <see cref="FinanceJourneyBrowserTests"/> uses the forms.)
/// </summary>
public sealed class GrantJourneyBrowserTests(DatabaseEngine engine) : BrowserTest(engine)
{
    protected override TimeProvider? Clock { get; } = new FixedClock(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    private long grantId;
    private string reference = "";

    [OneTimeSetUp]
    public async Task ArrangeAGrantThatIsAmberAsync()
    {
        var grant = await CreateGrantAsync(amount: 120000m);
        grantId = (long)grant["id"]!;
        reference = grant["reference"]!.GetValue<string>();
        var lines = new List<object>();
        foreach (var period in new[] { "2026-04-01", "2026-07-01", "2026-10-01", "2027-01-01" })
        {
            lines.Add(new { category = "staff", periodStart = period, amount = 20000m });
            lines.Add(new { category = "delivery", periodStart = period, amount = 10000m });
        }

        (await SendJsonAsync(Finance, HttpMethod.Put, $"/api/grants/{grantId}/budget", System.Text.Json.JsonSerializer.Serialize(new { lines }), "\"0\"", null)).EnsureSuccessStatusCode();
        foreach (var (date, category, amount) in new[]
                 {
                     ("2026-05-15", "staff", 20000m), ("2026-05-20", "delivery", 10000m),
                     ("2026-08-15", "staff", 20000m), ("2026-08-20", "delivery", 3000m),
                     ("2026-11-01", "staff", 10000m), ("2026-11-02", "delivery", 5300m),
                 })
        {
            await CreateAsync(Finance, "/api/transactions", new { grantId, date, amount, category, description = $"{category} {date}" });
        }
    }

    [Test]
    public async Task ALead_SeesAmberWithTheApisFigures_FindsThePdfsFiguresOnTheGrantPage_AndExplainsTheVariance()
    {
        var lead = await CreateUserAsync("programme-lead", "Amira Khan", LeadAreaId);
        var page = await SignInAsync(lead);

        // The dashboard: this grant, amber, with the figures the burn API gives for today.
        var row = page.Locator($"tr[data-grant-id='{grantId}']");
        (await row.Locator(".govuk-tag").First.InnerTextAsync()).Should().Be("Amber");
        var rollup = await Finance.GetFromJsonAsync<JsonObject>("/api/burn?groupBy=grant&asOf=2026-11-23");
        var burn = rollup!["items"]!.AsArray().Single(g => (long)g!["id"]! == grantId)!;
        (await row.Locator("[data-figure='actual-to-date']").InnerTextAsync()).Should().Be(Pounds(burn["actualToDate"]!));
        (await row.Locator("[data-figure='budget-to-date']").InnerTextAsync()).Should().Be(Pounds(burn["budgetToDate"]!));
        (await row.InnerTextAsync()).Should().Contain("your area");
        await ShouldBeAccessibleAsync(page, "dashboard");

        // The grant page opens at the last quarter that has ended, with the PDF's summary figures.
        await row.GetByRole(AriaRole.Link, new() { Name = reference }).ClickAsync();
        await page.WaitForURLAsync($"**/grants/{grantId}");
        (await page.Locator("h2").First.InnerTextAsync()).Should().Contain("2026/27 Q2");
        var summary = await page.Locator("#summary .govuk-summary-list__row").AllInnerTextsAsync();
        summary.Should().HaveCountGreaterThan(9);
        var pdf = Documents.PdfText(await Finance.GetByteArrayAsync($"/api/grants/{grantId}/reports/2026-07-01.pdf"));
        foreach (var figure in summary)
        {
            var parts = figure.Split('\n', '\t').Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
            pdf.Should().Contain(parts[^1], $"the PDF prints \"{parts[0]}\" as the page does");
        }

        summary.Should().Contain(s => s.Contains("Actual to date") && s.Contains("£53,000.00"), "Q1 and Q2 spend, 30,000 + 23,000");
        (await page.Locator("#trend").InnerTextAsync()).Should().Contain("£53,000.00");
        (await page.Locator(".app-chart svg").CountAsync()).Should().Be(1, "the chart is drawn on the page, beside its figures");
        await ShouldBeAccessibleAsync(page, "grant");

        // The lead explains the delivery underspend; an empty note is refused beside the field first.
        await page.GetByRole(AriaRole.Link, new() { Name = "Add a note on Delivery" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save note" }).ClickAsync();
        (await page.Locator(".govuk-error-summary").InnerTextAsync()).Should().Contain("There is a problem").And.Contain("Note must not be empty");
        (await page.TitleAsync()).Should().StartWith("Error: ");
        await ShouldBeAccessibleAsync(page, "variance-note-error");
        await page.GetByLabel("Note", new() { Exact = true }).FillAsync("Delivery started late: the venue opened in September. Spend catches up in Q3.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save note" }).ClickAsync();
        await page.WaitForURLAsync($"**/grants/{grantId}?period=2026-07-01#categories");
        (await page.Locator("tr[data-category='delivery']").InnerTextAsync()).Should().Contain("venue opened in September").And.Contain("Amira Khan");

        var notes = await Finance.GetFromJsonAsync<JsonObject>($"/api/grants/{grantId}/variance-notes");
        var note = notes!["items"]!.AsArray().Single()!;
        note["category"]!.GetValue<string>().Should().Be("delivery");
        note["authorName"]!.GetValue<string>().Should().Be("Amira Khan", "the note carries the person's name, not a key's");
    }

    [Test]
    public async Task AViewer_SeesTheGrant_ButNoNoteLinks_AndIsRefusedTheNoteForm()
    {
        var viewer = await CreateUserAsync("viewer");
        var page = await SignInAsync(viewer);
        await page.GotoAsync($"/grants/{grantId}");
        (await page.GetByRole(AriaRole.Link, new() { Name = "Add a note on Delivery" }).CountAsync()).Should().Be(0);
        var response = await page.GotoAsync($"/grants/{grantId}/notes/new?period=2026-07-01");
        response!.Status.Should().Be(403);
        await ShouldBeAccessibleAsync(page, "access-denied");
    }

    private static string Pounds(JsonNode amount) =>
        Portfolio.Core.Money.Money.Format((long)(amount.GetValue<decimal>() * 100m));
}
