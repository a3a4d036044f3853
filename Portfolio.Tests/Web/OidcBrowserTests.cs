using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Web;

/// <summary>
/// Signing in through an organisation's identity provider, against a real OpenID Connect provider the test starts
/// (npm's oidc-provider 9.13.3 on Node, <c>Portfolio.Tests/Oidc/provider.mjs</c>), in Chromium: a person Portfolio
/// knows by email is signed in with the role Portfolio holds for them; someone unknown whose role claim maps to a
/// role is added with it; someone unknown without one is told to ask for an invitation, and nothing is added.
/// </summary>
public sealed class OidcBrowserTests(DatabaseEngine engine) : BrowserTest(engine)
{
    private readonly int pagesPort = FreePort();
    private Process? provider;

    protected override int PagesPort => pagesPort;

    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync()
    {
        var script = Path.Combine(SqlServerSyntaxTestsRoot(), "Portfolio.Tests", "Oidc", "provider.mjs");
        if (!Directory.Exists(Path.Combine(Path.GetDirectoryName(script)!, "node_modules", "oidc-provider")))
        {
            Assert.Fail("The test OpenID Connect provider is not installed: scripts/setup.sh runs npm ci in Portfolio.Tests/Oidc (scripts/test.sh runs it).");
        }

        var port = FreePort();
        provider = Process.Start(new ProcessStartInfo("node", [script, port.ToString(System.Globalization.CultureInfo.InvariantCulture), $"https://127.0.0.1:{pagesPort}/signin-oidc"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        provider.ErrorDataReceived += (_, _) => { };
        provider.BeginErrorReadLine();
        var ready = provider.StandardOutput.ReadLineAsync();
        if (await Task.WhenAny(ready, Task.Delay(TimeSpan.FromSeconds(30))) != ready || ready.Result?.StartsWith("listening", StringComparison.Ordinal) != true)
        {
            Assert.Fail($"The test OpenID Connect provider did not start: {(ready.IsCompleted ? ready.Result : "no answer in 30 s")}");
        }

        return new Dictionary<string, string?>
        {
            ["Portfolio:Auth:Oidc:Authority"] = $"http://127.0.0.1:{port}",
            ["Portfolio:Auth:Oidc:ClientId"] = "portfolio",
            ["Portfolio:Auth:Oidc:ClientSecret"] = "portfolio-test-secret",
            ["Portfolio:Auth:Oidc:RequireHttpsMetadata"] = "false",
            ["Portfolio:Auth:Oidc:DisplayName"] = "Test Provider",
            ["Portfolio:Auth:Oidc:RoleValues:viewer"] = "portfolio-viewers",
        };
    }

    [OneTimeTearDown]
    public void StopProvider()
    {
        if (provider is { HasExited: false })
        {
            provider.Kill(entireProcessTree: true);
        }

        provider?.Dispose();
    }

    [Test]
    public async Task APersonPortfolioKnows_SignsInThroughTheProvider_WithTheRolePortfolioHolds()
    {
        var email = await InviteAsync("finance", "Fiona Provider");
        var page = await SignInThroughProviderAsync(email);
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        (await page.Locator(".app-service-navigation__user").InnerTextAsync()).Should().Contain("Fiona Provider (finance)");
        await ShouldBeAccessibleAsync(page, "dashboard-after-provider-sign-in");
    }

    [Test]
    public async Task SomeoneUnknownWithAMappedRoleClaim_IsAddedWithThatRole()
    {
        var email = $"viewer-{Unique.Text("x")}@org.example".ToLowerInvariant();
        var page = await SignInThroughProviderAsync(email);
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        (await page.Locator(".app-service-navigation__user").InnerTextAsync()).Should().Contain("(viewer)");
        var users = (await Admin.GetFromJsonAsync<JsonObject>("/api/users?pageSize=200"))!["items"]!.AsArray();
        var added = users.Single(u => u!["email"]!.GetValue<string>() == email)!;
        added["role"]!.GetValue<string>().Should().Be("viewer");
        added["passwordSet"]!.GetValue<bool>().Should().BeFalse("they sign in through their organisation, not with a password");
    }

    [Test]
    public async Task SomeoneUnknownWithoutARole_IsToldToAskForAnInvitation_AndNotAdded()
    {
        var email = $"stranger-{Unique.Text("x")}@org.example".ToLowerInvariant();
        var page = await SignInThroughProviderAsync(email);
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/sign-in");
        (await page.Locator(".govuk-notification-banner").InnerTextAsync()).Should().Contain($"{email} has no Portfolio account. Ask an admin to invite you.");
        await ShouldBeAccessibleAsync(page, "sign-in-refused-by-portfolio");
        (await Admin.GetFromJsonAsync<JsonObject>("/api/users?pageSize=200"))!["items"]!.AsArray()
            .Should().NotContain(u => u!["email"]!.GetValue<string>() == email);
        (await page.GotoAsync("/"))!.Url.Should().Contain("/sign-in", "no session was made");
    }

    private async Task<string> InviteAsync(string role, string name)
    {
        var email = $"{Unique.Text(role)}@org.example".ToLowerInvariant();
        (await Admin.PostAsJsonAsync("/api/users", new { email, name, role })).StatusCode.Should().Be(HttpStatusCode.Created);
        return email;
    }

    /// <summary>From Portfolio's sign-in page, through the provider's login and consent, back to Portfolio.</summary>
    private async Task<IPage> SignInThroughProviderAsync(string email)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/sign-in");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Test Provider" }).ClickAsync();
        await page.Locator("input[name=login]").FillAsync(email);
        await page.Locator("input[name=password]").FillAsync("any password: the development login takes any");
        await page.Locator("button.login-submit").ClickAsync();
        await page.Locator("button.login-submit").ClickAsync(); // consent: "Continue"
        return page;
    }

    private static string SqlServerSyntaxTestsRoot() => Core.Data.SqlServerSyntaxTests.RepositoryRoot();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
