using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portfolio.Core.Data;
using Portfolio.Tests.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.PartnerReturns;

/// <summary>
/// A partner makes its return on a phone, from the emailed link, with no account: saves a draft, comes back in a
/// fresh browser, submits; then finance reviews and accepts it. Every state passes axe-core.
/// </summary>
public sealed partial class PartnerReturnBrowserTests(DatabaseEngine engine) : BrowserTest(engine)
{
    protected override bool SendsEmail => true;

    protected override TimeProvider? Clock { get; } = new FixedClock(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));

    [Test]
    public async Task APartner_OnAPhone_SavesADraft_ComesBack_Submits_AndFinanceAcceptsIt()
    {
        var grant = await CreateGrantAsync();
        var contact = $"{Unique.Text("partner")}@partner.example".ToLowerInvariant();
        var partnerId = (long)(await CreateAsync(Finance, "/api/partners", new { name = "Rainbow Safe Space", kind = "by-and-for", communities = new[] { "LGBT+", "Young people" }, contactEmail = contact }))["id"]!;
        var agreementId = (long)(await CreateAsync(Finance, "/api/partner-agreements", new { grantId = grant["id"], partnerId, amount = 8000m, startDate = "2026-04-01", endDate = "2027-03-31" }))["id"]!;
        var made = await Finance.PostAsync($"/api/partner-agreements/{agreementId}/returns/2026-07-01/link", null);
        made.EnsureSuccessStatusCode();
        var emailed = Smtp.Messages().Single(m => m.To.ToString().Contains(contact, StringComparison.Ordinal));
        var path = new Uri(LinkPattern().Match(emailed.TextBody ?? "").Value).AbsolutePath;

        var phone = await PhoneAsync();
        await phone.GotoAsync(path);
        await Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "Your return for 2026/27 Q2" })).ToBeVisibleAsync();
        (await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth")).Should().BeTrue("the form fits a phone's width");
        await ShouldBeAccessibleAsync(phone, "partner-return-form");

        await phone.GetByLabel("Staff").FillAsync("-1");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Expect(phone.Locator(".govuk-error-summary")).ToContainTextAsync("Staff must not be negative");
        await ShouldBeAccessibleAsync(phone, "partner-return-error");

        await phone.GetByLabel("Staff").FillAsync("2,400.00");
        await phone.GetByLabel("Delivery").FillAsync("600.25");
        await phone.GetByLabel("LGBT+").FillAsync("31");
        await phone.GetByLabel("What went well").FillAsync("The new evening group filled up.");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Expect(phone.Locator(".govuk-notification-banner--success")).ToContainTextAsync("Your draft has been saved");
        await ShouldBeAccessibleAsync(phone, "partner-return-draft");
        await phone.Context.CloseAsync();

        // Coming back later, in a fresh browser, from the same link.
        var later = await PhoneAsync();
        await later.GotoAsync(path);
        (await later.GetByLabel("Staff").InputValueAsync()).Should().Be("2,400.00");
        (await later.GetByLabel("LGBT+").InputValueAsync()).Should().Be("31");
        (await later.GetByLabel("What went well").InputValueAsync()).Should().Be("The new evening group filled up.");
        await later.GetByLabel("Young people").FillAsync("4");
        await later.GetByLabel("What got in the way").FillAsync("Two volunteers left.");
        await later.GetByRole(AriaRole.Button, new() { Name = "Submit return" }).ClickAsync();
        await Expect(later.Locator("#submitted")).ToContainTextAsync("Return submitted");
        await Expect(later.Locator("main")).ToContainTextAsync("£3,000.25");
        (await later.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).CountAsync()).Should().Be(0, "a submitted return has no form");
        await ShouldBeAccessibleAsync(later, "partner-return-submitted");

        // Finance reviews it from the agreement's returns page.
        var finance = await SignInAsync(await CreateUserAsync("finance", "Farah Finance"));
        await finance.GotoAsync($"/partner-agreements/{agreementId}/returns");
        await Expect(finance.Locator("#returns")).ToContainTextAsync("Submitted");
        await ShouldBeAccessibleAsync(finance, "partner-agreement-returns");
        await finance.GetByRole(AriaRole.Link, new() { Name = "Review the return for 2026/27 Q2" }).ClickAsync();
        await Expect(finance.Locator("#return")).ToContainTextAsync("£3,000.25");
        await ShouldBeAccessibleAsync(finance, "partner-return-review");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Accept return" }).ClickAsync();
        await Expect(finance.Locator(".govuk-notification-banner--success")).ToContainTextAsync("accepted");
        await Expect(finance.Locator("#returns")).ToContainTextAsync("Accepted");

        var returns = await Viewer.GetFromJsonAsync<JsonObject>($"/api/partner-returns?agreementId={agreementId}");
        var saved = returns!["items"]![0]!;
        saved["status"]!.GetValue<string>().Should().Be("accepted");
        saved["peopleReached"]!.GetValue<int>().Should().Be(35);
        saved["reviewedBy"]!.GetValue<string>().Should().Be("Farah Finance");
    }

    private async Task<IPage> PhoneAsync()
    {
        var page = await NewPageAsync();
        await page.SetViewportSizeAsync(375, 740);
        return page;
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [GeneratedRegex(@"https?://\S+/returns/\S+")]
    private static partial Regex LinkPattern();
}
