using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portfolio.Core.Data;
using Portfolio.Tests.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Results;

/// <summary>
/// Results in Chromium (issue 15): a programme lead adds an indicator, records an actual below target, sees it held
/// for a note on the grant page, explains it and writes the narrative; a partner reports a result by community on
/// its return form, and once accepted it is the indicator's figure. Every page passes axe-core.
/// </summary>
public sealed partial class ResultsBrowserTests(DatabaseEngine engine) : BrowserTest(engine)
{
    protected override bool SendsEmail => true;

    protected override TimeProvider? Clock { get; } = new FixedClock(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));

    [Test]
    public async Task ALead_AddsAnIndicator_RecordsAShortfall_ExplainsIt_AndWritesTheNarrative()
    {
        var grantId = (long)(await CreateGrantAsync())["id"]!;
        var lead = await SignInAsync(await CreateUserAsync("programme-lead", "Amira Khan", LeadAreaId));
        await lead.GotoAsync($"/grants/{grantId}?period=2026-04-01");
        await Expect(lead.Locator("#outcomes")).ToContainTextAsync("Outcomes in 2026/27 Q1");
        await lead.GetByRole(AriaRole.Link, new() { Name = "Add an indicator" }).ClickAsync();

        await lead.GetByLabel("Indicator", new() { Exact = true }).FillAsync("Survivors supported");
        await lead.GetByLabel("Unit", new() { Exact = true }).FillAsync("people");
        await lead.GetByLabel("Target for 2026/27 Q1").FillAsync("12.345");
        await lead.GetByRole(AriaRole.Button, new() { Name = "Save indicator" }).ClickAsync();
        await Expect(lead.Locator(".govuk-error-summary")).ToContainTextAsync("Target for 2026/27 Q1 must have at most two decimal places");
        await ShouldBeAccessibleAsync(lead, "indicator-form-error");
        (await Viewer.GetFromJsonAsync<JsonObject>($"/api/grants/{grantId}/indicators"))!["total"]!.GetValue<long>().Should().Be(0, "a refused form saves nothing");

        await lead.GetByLabel("Target for 2026/27 Q1").FillAsync("100");
        await lead.GetByLabel("Target for 2026/27 Q2").FillAsync("100");
        await lead.GetByRole(AriaRole.Button, new() { Name = "Save indicator" }).ClickAsync();
        await Expect(lead.Locator(".govuk-notification-banner--success")).ToContainTextAsync("Indicator Survivors supported saved");

        await lead.GotoAsync($"/grants/{grantId}?period=2026-04-01");
        await lead.GetByRole(AriaRole.Link, new() { Name = "Record actual for Survivors supported, 2026/27 Q1" }).ClickAsync();
        await ShouldBeAccessibleAsync(lead, "actual-form");
        await lead.GetByLabel("Actual (people)").FillAsync("70");
        await lead.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        var row = lead.Locator("#outcomes-table tbody tr").First;
        await Expect(row).ToContainTextAsync("70");
        await Expect(row).ToContainTextAsync("Red");
        await Expect(row).ToContainTextAsync("Needs a note");
        await ShouldBeAccessibleAsync(lead, "grant-outcomes-held");

        await lead.GetByRole(AriaRole.Link, new() { Name = "Record actual for Survivors supported, 2026/27 Q1" }).ClickAsync();
        (await lead.GetByLabel("Actual (people)").InputValueAsync()).Should().Be("70", "the form shows what was recorded");
        await lead.GetByLabel("Note").FillAsync("The refuge closed for repairs in May.");
        await lead.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(row).ToContainTextAsync("The refuge closed for repairs in May.");
        (await row.TextContentAsync()).Should().NotContain("Needs a note");

        await lead.GetByRole(AriaRole.Link, new() { Name = "Write the narrative for 2026/27 Q1" }).ClickAsync();
        await ShouldBeAccessibleAsync(lead, "narrative-form");
        await lead.GetByRole(AriaRole.Button, new() { Name = "Save narrative" }).ClickAsync();
        await Expect(lead.Locator(".govuk-error-summary")).ToContainTextAsync("What happened");
        await lead.GetByLabel("What happened").FillAsync("Group work began in Slough.");
        await lead.GetByRole(AriaRole.Button, new() { Name = "Save narrative" }).ClickAsync();
        await Expect(lead.Locator("#narrative + dl")).ToContainTextAsync("Group work began in Slough.");
        await ScreenshotAsync(lead, "grant-outcomes");

        // The page shows what the API (and so the report) says.
        var outcomes = (await Viewer.GetFromJsonAsync<JsonObject>($"/api/grants/{grantId}/outcomes?periodStart=2026-04-01"))!["indicators"]![0]!;
        (outcomes["periodActual"]!.GetValue<decimal>(), (string)outcomes["rag"]!, (string)outcomes["note"]!).Should().Be((70m, "red", "The refuge closed for repairs in May."));
        var cells = await row.Locator("td").AllTextContentsAsync();
        cells.Take(4).Select(c => c.Trim()).Should().Equal("100", "70", "100", "70");
    }

    [Test]
    public async Task APartner_ReportsAResultByCommunity_AndOnceAcceptedItIsTheIndicatorsFigure()
    {
        var grantId = (long)(await CreateGrantAsync())["id"]!;
        await CreateAsync(Finance, $"/api/grants/{grantId}/indicators", new
        {
            name = "Survivors in refuge", unit = "people", higherIsBetter = true, source = "partners", byCommunity = true,
            targets = new[] { new { periodStart = "2026-07-01", value = 40m } },
        });
        var contact = $"{Unique.Text("partner")}@partner.example".ToLowerInvariant();
        var partnerId = (long)(await CreateAsync(Finance, "/api/partners", new { name = "Rainbow Safe Space", kind = "by-and-for", communities = new[] { "LGBT+", "Young people" }, contactEmail = contact }))["id"]!;
        var agreementId = (long)(await CreateAsync(Finance, "/api/partner-agreements", new { grantId, partnerId, amount = 8000m, startDate = "2026-04-01", endDate = "2027-03-31" }))["id"]!;
        (await Finance.PostAsync($"/api/partner-agreements/{agreementId}/returns/2026-07-01/link", null)).EnsureSuccessStatusCode();
        var path = new Uri(LinkPattern().Match(Smtp.Messages().Single(m => m.To.ToString().Contains(contact, StringComparison.Ordinal)).TextBody ?? "").Value).AbsolutePath;

        var partner = await NewPageAsync();
        await partner.GotoAsync(path);
        await partner.GetByLabel("What went well").FillAsync("The refuge was full.");
        await partner.GetByLabel("What got in the way").FillAsync("Nothing did.");
        await partner.GetByRole(AriaRole.Button, new() { Name = "Submit return" }).ClickAsync();
        await Expect(partner.Locator(".govuk-error-summary")).ToContainTextAsync("must give a figure for Survivors in refuge");
        await ShouldBeAccessibleAsync(partner, "partner-return-results-error");

        await partner.GetByLabel("Survivors in refuge: LGBT+").FillAsync("12");
        await partner.GetByLabel("Survivors in refuge: Young people").FillAsync("5");
        await partner.GetByRole(AriaRole.Button, new() { Name = "Submit return" }).ClickAsync();
        await Expect(partner.Locator("#submitted")).ToContainTextAsync("Return submitted");
        await Expect(partner.Locator("main")).ToContainTextAsync("Survivors in refuge");
        await Expect(partner.Locator("main")).ToContainTextAsync("LGBT+ 12; Young people 5");

        var returnId = (long)(await Finance.GetFromJsonAsync<JsonObject>($"/api/partner-returns?agreementId={agreementId}"))!["items"]![0]!["id"]!;
        var finance = await SignInAsync(await CreateUserAsync("finance", "Farah Finance"));
        await finance.GotoAsync($"/partner-returns/{returnId}");
        await Expect(finance.Locator("#return")).ToContainTextAsync("Survivors in refuge");
        await Expect(finance.Locator("#return")).ToContainTextAsync("17 people (LGBT+ 12; Young people 5)");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Accept return" }).ClickAsync();
        await Expect(finance.Locator(".govuk-notification-banner--success")).ToContainTextAsync("accepted");
        var row = (await Viewer.GetFromJsonAsync<JsonObject>($"/api/grants/{grantId}/outcomes?periodStart=2026-07-01"))!["indicators"]![0]!;
        row["periodActual"]!.GetValue<decimal>().Should().Be(17m);
        row["breakdown"]!.AsArray().Select(b => ((string)b!["community"]!, b["value"]!.GetValue<decimal>())).Should().Equal(("LGBT+", 12m), ("Young people", 5m));
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [GeneratedRegex(@"https?://\S+/returns/\S+")]
    private static partial Regex LinkPattern();
}
