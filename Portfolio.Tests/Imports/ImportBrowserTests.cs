using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portfolio.Core.Data;
using Portfolio.Jobs.Imports;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Imports;

/// <summary>
/// The upload page in Chromium, as finance uses it: upload a Xero export, see the refused rows first, add a rule
/// beside them, read the file again, commit, watch the progress bar until the job finishes, and see the grant's
/// actual to date change. Every file here runs as a Hangfire job (no inline threshold).
/// </summary>
public sealed class ImportBrowserTests(DatabaseEngine engine) : BrowserTest(engine)
{
    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync()
    {
        var settings = new Dictionary<string, string?>(await base.SettingsAsync())
        {
            ["Portfolio:Imports:Folder"] = Path.Combine(Path.GetTempPath(), $"portfolio-imports-{Guid.NewGuid():N}"),
            ["Portfolio:Imports:InlineBytes"] = "0",
            ["Portfolio:Imports:InlineRows"] = "0",
            ["Portfolio:Jobs:RunInProcess"] = "false", // this test is the worker: it runs each job once the page has shown it queued
        };
        return settings;
    }

    [Test]
    public async Task Finance_UploadsAnExport_FixesARefusedRowWithARule_Commits_AndTheGrantsBurnChanges()
    {
        var grant = await CreateGrantAsync();
        var grantId = (long)grant["id"]!;
        var current = await Finance.GetAsync("/api/import-mappings");
        (await PutJsonAsync(Finance, "/api/import-mappings",
            """{"accounts":[{"code":"7000","kind":"spend","category":"staff"},{"code":"4100","kind":"income"},{"code":"1200","kind":"ignore"}],"tracking":[]}""",
            current.Headers.ETag!.Tag == "\"0\"" ? null : current.Headers.ETag.Tag)).EnsureSuccessStatusCode();
        var file = Path.Combine(Path.GetTempPath(), $"Account Transactions {Guid.NewGuid():N}.csv");
        await File.WriteAllBytesAsync(file, SampleExports.Csv(SampleExports.XeroCsv, (string)grant["reference"]!, new UTF8Encoding(false), byteOrderMark: true));
        var jobs = App.Services.GetRequiredService<ImportJobs>();
        var page = await SignInAsync(await CreateUserAsync("finance", "Farah Shah"));

        await page.GotoAsync($"/grants/{grantId}");
        (await SummaryAsync(page))["Actual to date"].Should().Be("£0.00");
        await page.GetByRole(AriaRole.Link, new() { Name = "Imports", Exact = true }).ClickAsync();
        await page.GetByLabel("Export file").SetInputFilesAsync(file);
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and preview" }).ClickAsync();

        // Queued: the page shows the bar and follows the job until the job has read the file.
        await page.WaitForURLAsync("**/imports/*");
        var id = long.Parse(page.Url.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
        if (TestIsTheWorker)
        {
            (await page.Locator("progress").CountAsync()).Should().Be(1);
            (await page.Locator("[data-import-progress]").CountAsync()).Should().Be(1, "the page's script follows the job");
            await ShouldBeAccessibleAsync(page, "import-reading");
            await jobs.PreviewAsync(id, "user:test", CancellationToken.None);
        }

        await page.Locator("progress").WaitForAsync(new() { State = WaitForSelectorState.Detached, Timeout = 15000 });

        // Refused rows first, with the reason; the account's code is suggested in the rule form.
        var firstRow = page.Locator("#rows tbody tr").First;
        (await firstRow.InnerTextAsync()).Should().Contain("refused").And.Contain("no rule for account 7450");
        (await page.GetByLabel("Account code").InputValueAsync()).Should().Be("7450");
        await ShouldBeAccessibleAsync(page, "import-previewed");
        await ScreenshotAsync(page, "import-previewed");

        // A rule without its category is refused beside the field, then saved and the file read again.
        await page.GetByLabel("Spend, in a cost category").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the rule and read again" }).First.ClickAsync();
        (await page.Locator(".govuk-error-summary a[href='#category']").InnerTextAsync()).Should().Contain("cost category");
        await page.GetByLabel("Cost category", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Value = "delivery" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the rule and read again" }).First.ClickAsync();
        await page.WaitForURLAsync($"**/imports/{id}");
        if (TestIsTheWorker)
        {
            (await page.Locator("progress").CountAsync()).Should().Be(1, "the file is queued to be read again");
            await jobs.PreviewAsync(id, "user:test", CancellationToken.None);
        }

        await page.Locator("progress").WaitForAsync(new() { State = WaitForSelectorState.Detached, Timeout = 15000 });
        (await page.GetByRole(AriaRole.Button, new() { Name = "Commit 5 ready rows" }).CountAsync()).Should().Be(1);

        // The money to tick against the export before committing: by status, and what each grant will gain.
        var ready = await page.Locator("#money tr[data-money-status='ready'] td").AllInnerTextsAsync();
        ready.Should().Equal(["£12,350.00", "£5,000.00", "£0.00"], "6,240.00 + 6,240.00 - 180.00 + 50.00 of spend and the 5,000.00 instalment");
        (await page.Locator("#money tr[data-money-status='refused'] td").AllInnerTextsAsync()).Should().Equal(["£0.00", "£0.00", "£0.00"]);
        (await page.Locator($"#money-by-grant tr[data-grant-id='{grantId}'] td").AllInnerTextsAsync()).Should().Equal(["£12,350.00", "£5,000.00"]);
        (await page.Locator($"#money-by-grant tr[data-grant-id='{grantId}'] th").InnerTextAsync()).Should().Contain((string)grant["reference"]!);
        // Beside the file's own grand Total row (debits 12,530.00 less credits 17,660.00), which the lines add up to.
        (await page.Locator("#file-totals [data-lines-total]").InnerTextAsync()).Should().Be("-£5,130.00");
        (await page.Locator("#file-totals [data-file-total]").InnerTextAsync()).Should().Be("-£5,130.00");
        (await page.Locator("#file-totals [data-file-check]").InnerTextAsync()).Should().Contain("Agrees");
        await ShouldBeAccessibleAsync(page, "import-file-totals");

        await page.GetByRole(AriaRole.Button, new() { Name = "Commit 5 ready rows" }).ClickAsync();
        await page.WaitForURLAsync($"**/imports/{id}");
        if (TestIsTheWorker)
        {
            (await page.Locator("progress").CountAsync()).Should().Be(1, "the commit is queued: the page shows it under way");
            (await page.GetByRole(AriaRole.Button, new() { Name = "Commit 5 ready rows" }).CountAsync()).Should().Be(0, "it cannot be committed twice");
            await jobs.CommitAsync(id, "user:test", CancellationToken.None);
        }

        await page.Locator("progress").WaitForAsync(new() { State = WaitForSelectorState.Detached, Timeout = 15000 });
        (await page.Locator(".govuk-summary-list").First.InnerTextAsync()).Should().Contain("Committed").And.Contain("5 rows recorded");
        (await page.Locator("#rows .govuk-tag").AllInnerTextsAsync()).Count(t => t.Trim() == "recorded").Should().Be(5);
        await ShouldBeAccessibleAsync(page, "import-committed");

        await page.GotoAsync($"/grants/{grantId}");
        (await SummaryAsync(page))["Actual to date"].Should().Be("£12,350.00", "6,240.00 + 6,240.00 - 180.00 + 50.00");
    }

    /// <summary>
    /// On PostgreSQL this test is the worker (no Hangfire server in the host), so it sees each job queued before it
    /// runs it. On SQLite the host always runs its own server (its job storage is in memory), which may finish a
    /// job before the page is first drawn; there the journey is followed to the end without timing the bar.
    /// </summary>
    private bool TestIsTheWorker => Engine == DatabaseEngine.Postgres;

    private static async Task<Dictionary<string, string>> SummaryAsync(IPage page)
    {
        var figures = new Dictionary<string, string>();
        foreach (var row in await page.Locator("#summary .govuk-summary-list__row").AllAsync())
        {
            figures[(await row.Locator("dt").InnerTextAsync()).Trim()] = (await row.Locator("dd").InnerTextAsync()).Trim();
        }

        return figures;
    }
}
