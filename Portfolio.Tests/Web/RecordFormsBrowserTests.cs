using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Web;

/// <summary>
/// The record forms in Chromium, where Core's refusals must land beside the right field: a funder's second contact,
/// a programme area's code already in use, a partner's community, one cell of the budget grid; a change made in
/// another tab; voiding spend with a reason. Each refused form leaves the books as they were.
/// </summary>
public sealed class RecordFormsBrowserTests(DatabaseEngine engine) : BrowserTest(engine)
{
    private IPage finance = null!;

    [OneTimeSetUp]
    public async Task SignInFinanceAsync() => finance = await SignInAsync(await CreateUserAsync("finance", "Farah Shah"));

    [Test]
    public async Task AFundersContactError_IsShownBesideThatContact_AndTheFunderSavedOnceCorrected()
    {
        var name = Unique.Text("Contact Trust");
        await finance.GotoAsync("/funders/new");
        await finance.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await finance.GetByLabel("Contact 2 name").FillAsync("Second Officer");
        await finance.GetByLabel("Contact 2 email address").FillAsync("not an email");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Save funder" }).ClickAsync();

        (await finance.Locator(".govuk-error-summary a[href='#contact2-email']").InnerTextAsync()).Should().StartWith("Contact 2 email address ");
        (await finance.Locator("#contact2-email").GetAttributeAsync("class")).Should().Contain("govuk-input--error");
        (await finance.Locator("#contact1-email").GetAttributeAsync("class")).Should().NotContain("govuk-input--error");
        await ShouldBeAccessibleAsync(finance, "funder-form-errors");
        (await FunderNamedAsync(name)).Should().BeNull("a refused form records nothing");

        await finance.GetByLabel("Contact 2 email address").FillAsync("second@trust.example");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Save funder" }).ClickAsync();
        await finance.WaitForURLAsync("**/funders");
        var funder = (await FunderNamedAsync(name))!;
        funder["contacts"]!.AsArray().Select(c => c!["email"]!.GetValue<string>()).Should().Equal("second@trust.example");
    }

    [Test]
    public async Task AProgrammeAreaCodeAlreadyInUse_IsRefusedBesideTheCode()
    {
        var code = Unique.Text("PFA");
        await CreateAsync(Admin, "/api/programme-areas", new { name = "First", code });
        await finance.GotoAsync("/programme-areas/new");
        await finance.GetByLabel("Name", new() { Exact = true }).FillAsync("Second");
        await finance.GetByLabel("Short code").FillAsync(code);
        await finance.GetByRole(AriaRole.Button, new() { Name = "Save programme area" }).ClickAsync();

        (await finance.Locator(".govuk-error-summary a[href='#code']").InnerTextAsync()).Should().Contain($"The code '{code}' is already used");
        await ShouldBeAccessibleAsync(finance, "programme-area-form-errors");
    }

    [Test]
    public async Task APartnersCommunities_AreOnePerLine_AndATooLongOneIsRefusedBesideTheBox()
    {
        var name = Unique.Text("Sisters");
        await finance.GotoAsync("/partners/new");
        await finance.GetByLabel("Name").FillAsync(name);
        await finance.GetByLabel("Communities served").FillAsync("Black and minoritised women\n" + new string('x', 101));
        await finance.GetByRole(AriaRole.Button, new() { Name = "Save partner" }).ClickAsync();
        (await finance.Locator(".govuk-error-summary a[href='#communities']").InnerTextAsync()).Should().StartWith("Communities served ");

        await finance.GetByLabel("Communities served").FillAsync("Black and minoritised women\n\nDeaf survivors\n");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Save partner" }).ClickAsync();
        await finance.WaitForURLAsync("**/partners");
        var partners = await Finance.GetFromJsonAsync<JsonObject>("/api/partners?pageSize=200");
        partners!["items"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == name)!["communities"]!.AsArray()
            .Select(c => c!.GetValue<string>()).Should().Equal("Black and minoritised women", "Deaf survivors");
    }

    [Test]
    public async Task AGrantChangedInAnotherTab_IsNotOverwritten()
    {
        var grant = await CreateGrantAsync();
        var grantId = (long)grant["id"]!;
        var other = await finance.Context.NewPageAsync();
        await finance.GotoAsync($"/grants/{grantId}/edit");
        await other.GotoAsync($"/grants/{grantId}/edit");

        await other.GetByLabel("Title").FillAsync("Changed in the other tab");
        await other.GetByRole(AriaRole.Button, new() { Name = "Save grant" }).ClickAsync();
        await other.WaitForURLAsync($"**/grants/{grantId}");
        await finance.GetByLabel("Title").FillAsync("Changed here later");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Save grant" }).ClickAsync();

        (await finance.Locator(".govuk-error-summary").InnerTextAsync()).Should().Contain("Someone else changed this while you were editing it");
        (await Finance.GetFromJsonAsync<JsonObject>($"/api/grants/{grantId}"))!["title"]!.GetValue<string>().Should().Be("Changed in the other tab");
        await other.CloseAsync();
    }

    [Test]
    public async Task ABadBudgetCell_IsRefusedBesideIt_AndNoVersionIsSaved()
    {
        var grantId = (long)(await CreateGrantAsync())["id"]!;
        await finance.GotoAsync($"/grants/{grantId}/budget");
        await finance.Locator("#b-staff-20260401").FillAsync("1,000.00");
        await finance.Locator("#b-delivery-20260701").FillAsync("12.345");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Save as version 1" }).ClickAsync();

        var error = finance.Locator(".govuk-error-summary a[href='#b-delivery-20260701']");
        (await error.InnerTextAsync()).Should().Be("Delivery, 2026/27 Q2 must have at most two decimal places (whole pence)");
        (await finance.Locator("#b-delivery-20260701").InputValueAsync()).Should().Be("12.345");
        (await finance.Locator("#b-staff-20260401").InputValueAsync()).Should().Be("1,000.00");
        await ShouldBeAccessibleAsync(finance, "budget-errors");
        (await Finance.GetFromJsonAsync<JsonObject>($"/api/grants/{grantId}/budget"))!["version"]!.GetValue<int>().Should().Be(0);

        var viewer = await SignInAsync(await CreateUserAsync("viewer"));
        await viewer.GotoAsync($"/grants/{grantId}/budget");
        (await viewer.Locator("#budget input").CountAsync()).Should().Be(0, "a viewer reads the grid but cannot change it");
        (await viewer.GetByRole(AriaRole.Button, new() { Name = "Save as version 1" }).CountAsync()).Should().Be(0);
    }

    [Test]
    public async Task Spend_IsVoidedFromTheGrantPage_WithAReason()
    {
        var grantId = (long)(await CreateGrantAsync())["id"]!;
        var spend = await CreateAsync(Finance, "/api/transactions", new { grantId, date = "2026-05-15", amount = 250.00m, category = "staff", description = "Posted to the wrong grant" });
        await CreateAsync(Finance, "/api/transactions", new { grantId, date = "2026-05-16", amount = 40.10m, category = "staff", description = "Travel" });
        await finance.GotoAsync($"/grants/{grantId}?period=2026-04-01");
        (await finance.Locator("#spend-total").InnerTextAsync()).Should().Be("£290.10 in 2 lines.");
        await finance.GetByRole(AriaRole.Link, new() { Name = "Void Posted to the wrong grant, £250.00" }).ClickAsync();
        await finance.GetByRole(AriaRole.Button, new() { Name = "Void spend" }).ClickAsync();
        (await finance.Locator(".govuk-error-summary").InnerTextAsync()).Should().Contain("Why it is void must not be empty");
        await ShouldBeAccessibleAsync(finance, "void-spend-errors");

        await finance.GetByLabel("Why it is void").FillAsync("Belongs to the county grant.");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Void spend" }).ClickAsync();
        await finance.WaitForURLAsync($"**/grants/{grantId}?period=2026-04-01#transactions");
        (await finance.Locator(".govuk-notification-banner").InnerTextAsync()).Should().Contain("The spend is void.");
        (await finance.Locator("#transactions + form + .app-scroll table").InnerTextAsync()).Should().Contain("Void").And.Contain("Belongs to the county grant.");
        (await finance.Locator("tr[data-void='true'] del").InnerTextAsync()).Should().Be("£250.00", "a void line is struck through");
        (await finance.Locator("#spend-total").InnerTextAsync()).Should().Be("£40.10 in 1 line; 1 void line is shown, marked void, and not counted.");
        var burn = await Finance.GetFromJsonAsync<JsonObject>($"/api/grants/{grantId}/burn?asOf=2026-06-30");
        burn!["byPeriod"]![0]!["actual"]!.GetValue<decimal>().Should().Be(40.10m, "the list's total is the live spend the burn counts");
        var stored = await Finance.GetFromJsonAsync<JsonObject>($"/api/transactions/{(long)spend["id"]!}");
        stored!["voided"]!.GetValue<bool>().Should().BeTrue();
        stored["voidReason"]!.GetValue<string>().Should().Be("Belongs to the county grant.");
    }

    [Test]
    public async Task Spend_IsRecordedWithTheKeyboardAlone_FromTheGrantPage()
    {
        var grantId = (long)(await CreateGrantAsync())["id"]!;
        var page = await SignInAsync(await CreateUserAsync("finance", "Keyboard Only"));
        await page.GotoAsync($"/grants/{grantId}?period=2026-04-01");

        // Tab to the "Record spend" link and follow it; then every field in order, typing; Enter submits.
        await TabToAsync(page, "Record spend");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/spend/new");
        await TabToAsync(page, "Day");
        foreach (var text in new[] { "12", "5", "2026" })
        {
            await page.Keyboard.TypeAsync(text);
            await page.Keyboard.PressAsync("Tab");
        }

        await page.Keyboard.TypeAsync("1,234.56");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("ArrowDown"); // the category select: the first category, Staff
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("Typed without a mouse");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync($"**/grants/{grantId}?period=2026-04-01#transactions");

        (await page.Locator(".govuk-notification-banner").InnerTextAsync()).Should().Contain("Spend of £1,234.56 on 12 May 2026 recorded.");
        var stored = (await Finance.GetFromJsonAsync<JsonObject>($"/api/transactions?grantId={grantId}"))!["items"]!.AsArray().Single()!;
        stored["category"]!.GetValue<string>().Should().Be("staff");
        stored["description"]!.GetValue<string>().Should().Be("Typed without a mouse");
    }

    /// <summary>Presses Tab until the focused element's accessible text or label is <paramref name="name"/> (at most 60 times).</summary>
    private static async Task TabToAsync(IPage page, string name)
    {
        for (var i = 0; i < 60; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await page.EvaluateAsync<string>(
                "(() => { const e = document.activeElement; const l = e && e.id ? document.querySelector(`label[for='${e.id}']`) : null; return ((l ? l.textContent : e.textContent) || '').trim(); })()");
            if (focused == name)
            {
                return;
            }
        }

        Assert.Fail($"Tab never reached \"{name}\"");
    }

    private async Task<JsonNode?> FunderNamedAsync(string name) =>
        (await Finance.GetFromJsonAsync<JsonObject>("/api/funders?pageSize=200"))!["items"]!.AsArray().SingleOrDefault(f => f!["name"]!.GetValue<string>() == name);
}
