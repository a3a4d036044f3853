using Microsoft.Playwright;
using Portfolio.Core.Demo;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Web;

/// <summary>
/// The README's screenshots, taken from the demo portfolio as its people see it: run by scripts/render-samples.sh,
/// which starts a fresh demo server and names it in <c>PORTFOLIO_DEMO_URL</c>; the pictures go to
/// <c>PORTFOLIO_SCREENSHOTS</c> (docs/screenshots). Not part of the test suite (it needs that server).
/// </summary>
[Explicit("Run by scripts/render-samples.sh against the demo server it starts")]
[Category("Screenshots")]
public sealed class DemoScreenshots
{
    [Test]
    public async Task TheReadmesScreenshots_AreOfTheDemo()
    {
        var url = Environment.GetEnvironmentVariable("PORTFOLIO_DEMO_URL") ?? throw new InvalidOperationException("PORTFOLIO_DEMO_URL names the demo server");
        var folder = Environment.GetEnvironmentVariable("PORTFOLIO_SCREENSHOTS") ?? throw new InvalidOperationException("PORTFOLIO_SCREENSHOTS names the folder");
        Directory.CreateDirectory(folder);
        var browser = await SharedBrowser.GetAsync();

        var lead = await SignInAsync(browser, url, "amira@partnership.example");
        await lead.GotoAsync("/");
        await ShotAsync(lead, folder, "dashboard");
        await lead.Context.CloseAsync();

        var finance = await SignInAsync(browser, url, "finance@partnership.example");
        await finance.GotoAsync("/report-runs?show=drafts");
        var draft = finance.Locator("#runs a[href^='/report-runs/']").First;
        await draft.ClickAsync();
        await finance.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await ShotAsync(finance, folder, "report-run");
        await finance.GotoAsync("/grants/2");
        await ShotAsync(finance, folder, "grant");
        await finance.GotoAsync("/grants/1/budget");
        await ShotAsync(finance, folder, "budget");
        await finance.GotoAsync("/imports");
        var csv = Path.Combine(Path.GetTempPath(), "Account Transactions.csv");
        await File.WriteAllBytesAsync(csv, Portfolio.Tests.Imports.SampleExports.Csv(Portfolio.Tests.Imports.SampleExports.XeroCsv, "NLCF-20250142", new System.Text.UTF8Encoding(false)));
        await finance.Locator("input[type=file]").SetInputFilesAsync(csv);
        await finance.Locator("form:has(input[type=file]) button[type=submit]").ClickAsync();
        await finance.Locator("progress").WaitForAsync(new() { State = WaitForSelectorState.Detached, Timeout = 60000 });
        await finance.Locator("#file-totals").WaitForAsync();
        await ShotAsync(finance, folder, "import");
        File.Delete(csv);
        Directory.GetFiles(folder, "*.png").Should().HaveCountGreaterThanOrEqualTo(5);
    }

    private static async Task<IPage> SignInAsync(IBrowser browser, string url, string email)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = url, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(DemoPortfolio.UserPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(u => !u.Contains("/sign-in", StringComparison.Ordinal));
        return page;
    }

    private static Task ShotAsync(IPage page, string folder, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}.png"), FullPage = true });
}
