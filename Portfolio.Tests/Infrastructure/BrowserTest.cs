using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portfolio.Core.Data;

namespace Portfolio.Tests.Infrastructure;

/// <summary>
/// Page tests in a real browser: the real host on Kestrel over HTTPS on a loopback port (a certificate made for the
/// run, so the cookies are <c>Secure</c> as in production), Debian's Chromium driven by Playwright, axe-core for
/// accessibility. API clients (for arranging data) use the same host over plain HTTP on a second loopback port.
/// A screenshot of every page a test visits is kept under <c>TestResults/screenshots</c>.
/// </summary>
public abstract class BrowserTest(DatabaseEngine engine) : ApiTest(engine)
{
    public const string Chromium = "/usr/bin/chromium";

    protected const string Password = "correct horse battery staple";

    private IBrowser? browser;

    protected Uri PagesAddress { get; private set; } = null!;

    /// <summary>The HTTPS port for the pages: 0 for any free one; a fixture that must name it beforehand (a redirect URI) picks one.</summary>
    protected virtual int PagesPort => 0;

    /// <summary>Whether the host sends email, through <see cref="Smtp"/> (a real SMTP server on 127.0.0.1), with jobs in process.</summary>
    protected virtual bool SendsEmail => false;

    protected SmtpTestServer Smtp { get; private set; } = null!;

    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync()
    {
        if (!SendsEmail)
        {
            return await base.SettingsAsync();
        }

        if (SmtpTestServer.UnavailableReason() is { } why)
        {
            Assert.Fail(why);
        }

        Smtp = await SmtpTestServer.StartAsync();
        return Smtp.HostSettings();
    }

    [OneTimeTearDown]
    public void StopSmtp() => Smtp?.Dispose();

    protected override void BeforeStart(PortfolioApp app)
    {
        var certificate = LoopbackCertificate();
        app.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Listen(IPAddress.Loopback, PagesPort, listen => listen.UseHttps(certificate));
        });
        app.StartServer();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        PagesAddress = new Uri(addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal)));
        var http = new Uri(addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal)));
        app.ClientOptions.BaseAddress = http;
    }

    [OneTimeSetUp]
    public async Task StartBrowserAsync() => browser = await SharedBrowser.GetAsync();

    /// <summary>Closes the profiles this fixture opened: the browser itself is shared by the run.</summary>
    [OneTimeTearDown]
    public async Task CloseProfilesAsync()
    {
        foreach (var context in browser?.Contexts.ToList() ?? [])
        {
            await context.CloseAsync();
        }
    }

    /// <summary>A fresh browser profile (no cookies) that trusts the run's certificate, at the pages' address.</summary>
    protected async Task<IPage> NewPageAsync()
    {
        var context = await browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = PagesAddress.ToString().TrimEnd('/'),
            IgnoreHTTPSErrors = true,
            Locale = "en-GB",
            ViewportSize = new ViewportSize { Width = 1200, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>A user invited through the API whose password is set through the link, as an admin and the user would.</summary>
    protected async Task<string> CreateUserAsync(string role, string? name = null, params long[] programmeAreaIds)
    {
        var email = $"{Unique.Text(role)}@example.org".ToLowerInvariant();
        var response = await Admin.PostAsJsonAsync("/api/users", new { email, name = name ?? $"Test {role}", role, programmeAreaIds });
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(201), text);
        var link = new Uri(JsonNode.Parse(text)!["setPasswordUrl"]!.GetValue<string>());
        var page = await NewPageAsync();
        await page.GotoAsync(link.PathAndQuery);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByLabel("Confirm password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Set password" }).ClickAsync();

        // The password is set once the form has answered (it redirects away); closing the profile before that can
        // abort the request on a busy machine, and the sign-in that follows then fails.
        await page.WaitForURLAsync(url => !url.Contains("/set-password", StringComparison.Ordinal));
        await page.Context.CloseAsync();
        return email;
    }

    /// <summary>A new browser profile signed in as <paramref name="email"/>, on the dashboard.</summary>
    protected async Task<IPage> SignInAsync(string email)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/sign-in", StringComparison.Ordinal));
        return page;
    }

    /// <summary>
    /// Fails with every violation named unless axe-core finds none at WCAG 2.2 AA, and keeps a screenshot of the page
    /// (both under the test's name). A page's markup does not depend on the database engine, so axe runs once per page
    /// and state: on the SQLite fixture; the PostgreSQL fixture still walks the same pages and asserts what they show.
    /// </summary>
    protected async Task ShouldBeAccessibleAsync(IPage page, string name)
    {
        if (Engine != DatabaseEngine.Sqlite)
        {
            return;
        }

        await ScreenshotAsync(page, name);
        var problems = await Accessibility.ViolationsAsync(page);
        problems.Should().BeEmpty($"{name} ({page.Url}) should pass axe-core at WCAG 2.2 AA");
    }

    protected async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(Portfolio.Tests.Core.Data.SqlServerSyntaxTests.RepositoryRoot(), "TestResults", "screenshots", Engine.ToCode());
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}.png"), FullPage = true });
    }

    /// <summary>A self-signed certificate for localhost and 127.0.0.1, made for this run only.</summary>
    private static X509Certificate2 LoopbackCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
