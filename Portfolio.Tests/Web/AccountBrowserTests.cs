using Microsoft.Playwright;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Web;

/// <summary>Signing in and out in Chromium, with the keyboard alone, and the account pages through axe-core.</summary>
public sealed class AccountBrowserTests(DatabaseEngine engine) : BrowserTest(engine)
{
    [Test]
    public async Task AFinanceOfficer_SignsInWithTheKeyboardAlone_LandsOnTheDashboard_AndSignsOut()
    {
        var email = await CreateUserAsync("finance", "Fatima Finance");
        var page = await NewPageAsync();

        await page.GotoAsync("/");
        page.Url.Should().EndWith("/sign-in?ReturnUrl=%2F");
        await ShouldBeAccessibleAsync(page, "sign-in");

        // Tab from the top of the page: skip link, service name, then the form, as a keyboard user would.
        await page.Keyboard.PressAsync("Tab");
        (await page.EvaluateAsync<string>("document.activeElement.textContent")).Should().Contain("Skip to main content");
        await page.GetByLabel("Email address").FocusAsync();
        await page.Keyboard.TypeAsync(email);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(Password);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => url.EndsWith('/'));

        (await page.Locator(".app-service-navigation__user").InnerTextAsync()).Should().Contain("Fatima Finance (finance)");
        await ShouldBeAccessibleAsync(page, "dashboard-empty");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/sign-in", StringComparison.Ordinal));
        await page.GotoAsync("/");
        page.Url.Should().Contain("/sign-in", "the session ended with sign-out");
    }

    [Test]
    public async Task AWrongPassword_IsNamedInTheErrorSummary_WhichTakesFocus_AndThePageStaysAccessible()
    {
        var email = await CreateUserAsync("viewer");
        var page = await NewPageAsync();
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync("not the password at all");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var summary = page.Locator(".govuk-error-summary");
        (await summary.InnerTextAsync()).Should().Contain("There is a problem");
        (await page.EvaluateAsync<bool>("document.activeElement.classList.contains('govuk-error-summary')")).Should()
            .BeTrue("GOV.UK Frontend moves focus to the error summary so a screen reader announces it");
        (await page.TitleAsync()).Should().StartWith("Error: ");
        await ShouldBeAccessibleAsync(page, "sign-in-error");
    }
}
