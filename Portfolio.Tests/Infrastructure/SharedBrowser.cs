using Microsoft.Playwright;

namespace Portfolio.Tests.Infrastructure;

/// <summary>
/// One Chromium for the whole run (each test still gets a fresh profile, <see cref="BrowserTest.NewPageAsync"/>):
/// launched when the first page test needs it, launched again if it has gone, closed when the run ends
/// (<see cref="TestEnvironment"/>).
/// </summary>
public static class SharedBrowser
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static IPlaywright? playwright;
    private static IBrowser? browser;

    public static async Task<IBrowser> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (browser is { IsConnected: true })
            {
                return browser;
            }

            if (!File.Exists(BrowserTest.Chromium))
            {
                Assert.Fail($"{BrowserTest.Chromium} is missing: scripts/setup.sh installs Debian's chromium package (scripts/test.sh runs it).");
            }

            playwright ??= await Microsoft.Playwright.Playwright.CreateAsync();
            browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = BrowserTest.Chromium,
                Headless = true,
                Args =
                [
                    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                ],
            });
            return browser;
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task CloseAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
            browser = null;
        }

        playwright?.Dispose();
        playwright = null;
    }
}
