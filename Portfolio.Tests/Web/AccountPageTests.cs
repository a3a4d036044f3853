using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Web;

/// <summary>
/// The web app's account pages over HTTP, as a browser would use them: cookies, anti-forgery tokens, redirects.
/// (Browser tests with Chromium and axe-core are still to come: see the README.)
/// </summary>
public partial class AccountPageTests(DatabaseEngine engine) : ApiTest(engine)
{
    private const string Password = "three random words here";

    private HttpClient Browser() => App.CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = true,
        BaseAddress = new Uri("https://localhost"),
    });


    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string path, string pageHtml, params (string Name, string Value)[] fields) =>
        await browser.PostAsync(path, new FormUrlEncodedContent([new("__RequestVerificationToken", Documents.AntiforgeryToken(pageHtml)), .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]));

    [Test]
    public async Task SignedOut_TheHomePageRedirectsToSignIn_WhoseFormHasTheContractedFields()
    {
        using var browser = Browser();
        var home = await browser.GetAsync("/");
        home.StatusCode.Should().Be(HttpStatusCode.Redirect);
        home.Headers.Location!.ToString().Should().Be("https://localhost/sign-in?ReturnUrl=%2F");

        var page = await browser.GetAsync("/sign-in");
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        var html = await page.Content.ReadAsStringAsync();
        html.Should().Contain("""<label class="govuk-label" for="email">Email address</label>""")
            .And.Contain("""<label class="govuk-label" for="password">Password</label>""")
            .And.Contain(">Sign in</button>");
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        csp.Should().Contain("script-src 'self'").And.NotContain("unsafe-inline");
        Regex.Matches(html, @"<script(?![^>]*\bsrc=)", RegexOptions.IgnoreCase).Should().BeEmpty("no inline script, as the policy allows none");
        Regex.Matches(html, @"\sstyle=", RegexOptions.IgnoreCase).Should().BeEmpty("no inline style either");
    }

    [Test]
    public async Task TheStylesheetAndScript_AreCompressed_ButPagesAreNot()
    {
        using var browser = Browser();
        browser.DefaultRequestHeaders.Add("Accept-Encoding", "br, gzip");
        foreach (var asset in new[] { "/vendor/govuk-frontend/govuk-frontend.min.css", "/vendor/govuk-frontend/govuk-frontend.min.js" })
        {
            var response = await browser.GetAsync(asset);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            response.Content.Headers.ContentEncoding.Should().Equal(["br"], asset);
            var size = new FileInfo(Path.Combine(Portfolio.Tests.Core.Data.SqlServerSyntaxTests.RepositoryRoot(), "Portfolio.Api", "wwwroot") + asset).Length;
            (await response.Content.ReadAsByteArrayAsync()).Length.Should().BeLessThan((int)(size / 3), $"{asset} ({size} bytes) compresses well");
        }

        var page = await browser.GetAsync("/sign-in");
        page.Content.Headers.ContentEncoding.Should().BeEmpty("a page carries an anti-forgery token: compressing it over HTTPS invites BREACH");
    }

    [Test]
    public async Task OutsideDevelopment_APageOverPlainHttp_IsRedirectedToHttps_AndTheApiIsNot()
    {
        using var plain = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var page = await plain.GetAsync("/sign-in?ReturnUrl=%2F");
        page.StatusCode.Should().Be(HttpStatusCode.PermanentRedirect);
        page.Headers.Location!.ToString().Should().Be("https://localhost/sign-in?ReturnUrl=%2F");
        (await plain.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task SignInWithBlankFields_NamesEachInTheErrorSummary_AndSetsNoCookie()
    {
        using var browser = Browser();
        var page = await (await browser.GetAsync("/sign-in")).Content.ReadAsStringAsync();

        var blank = await PostFormAsync(browser, "/sign-in", page, ("email", " "), ("password", ""));

        blank.StatusCode.Should().Be(HttpStatusCode.OK);
        var html = await blank.Content.ReadAsStringAsync();
        html.Should().Contain("""<a href="#email">Enter your email address</a>""").And.Contain("""<a href="#password">Enter your password</a>""");
        html.Should().Contain("""<p id="email-error" class="govuk-error-message">""");
        var cookies = blank.Headers.TryGetValues("Set-Cookie", out var set) ? set : [];
        cookies.Should().NotContain(c => c.StartsWith("portfolio=", StringComparison.Ordinal), "nobody was signed in");
    }

    [Test]
    public async Task AFormPostedWithoutItsAntiforgeryToken_IsRefused()
    {
        using var browser = Browser();
        var response = await browser.PostAsync("/sign-in", new FormUrlEncodedContent([new("email", "a@b.example"), new("password", "x")]));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task AnInvitedPerson_SetsTheirPassword_IsSignedIn_SignsOut_AndSignsInAgain()
    {
        var email = Unique.Text("sam") + "@partnership.example";
        var invited = await CreateAsync(Admin, "/api/users", new { email, name = "Sam Finance", role = "finance" });
        var link = new Uri(invited["setPasswordUrl"]!.GetValue<string>());
        using var browser = Browser();

        var form = await (await browser.GetAsync(link.PathAndQuery)).Content.ReadAsStringAsync();
        form.Should().Contain("""for="password">Password</label>""").And.Contain("""for="confirmPassword">Confirm password</label>""").And.Contain(">Set password</button>");

        var token = Uri.UnescapeDataString(link.Query["?token=".Length..]);
        var mismatch = await PostFormAsync(browser, "/set-password", form, ("token", token), ("password", Password), ("confirmPassword", Password + "!"));
        mismatch.StatusCode.Should().Be(HttpStatusCode.OK);
        var mismatchHtml = await mismatch.Content.ReadAsStringAsync();
        mismatchHtml.Should().Contain("govuk-error-summary").And.Contain("Enter the same password twice").And.Contain("<title>Error: ");

        var set = await PostFormAsync(browser, "/set-password", mismatchHtml, ("token", token), ("password", Password), ("confirmPassword", Password));
        set.StatusCode.Should().Be(HttpStatusCode.Redirect);
        set.Headers.Location!.ToString().Should().Be("/");

        var home = await browser.GetAsync("/");
        home.StatusCode.Should().Be(HttpStatusCode.OK);
        var homeHtml = await home.Content.ReadAsStringAsync();
        homeHtml.Should().Contain("Sam Finance (finance)");

        var signedOut = await PostFormAsync(browser, "/sign-out", homeHtml);
        signedOut.Headers.Location!.ToString().Should().Be("/sign-in");
        (await browser.GetAsync("/")).StatusCode.Should().Be(HttpStatusCode.Redirect);

        (await (await browser.GetAsync(link.PathAndQuery)).Content.ReadAsStringAsync()).Should().Contain("This link has expired", "the link works once");

        var signIn = await (await browser.GetAsync("/sign-in?ReturnUrl=%2F")).Content.ReadAsStringAsync();
        var wrong = await PostFormAsync(browser, "/sign-in?ReturnUrl=%2F", signIn, ("email", email), ("password", "not my password"));
        var wrongHtml = await wrong.Content.ReadAsStringAsync();
        wrong.StatusCode.Should().Be(HttpStatusCode.OK);
        wrongHtml.Should().Contain("govuk-error-summary").And.Contain("one of them is wrong");

        var right = await PostFormAsync(browser, "/sign-in?ReturnUrl=%2F", wrongHtml, ("email", email.ToUpperInvariant()), ("password", Password));
        right.StatusCode.Should().Be(HttpStatusCode.Redirect);
        right.Headers.Location!.ToString().Should().Be("/");
        (await browser.GetAsync("/")).StatusCode.Should().Be(HttpStatusCode.OK);

        // The cookie opens pages, not the API; an API key opens the API, not pages.
        (await browser.GetAsync("/api/funders")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var program = Browser();
        program.DefaultRequestHeaders.Add("X-Api-Key", BootstrapKey);
        (await program.GetAsync("/")).StatusCode.Should().Be(HttpStatusCode.Redirect);
    }

    [Test]
    public async Task SigningOut_EndsTheSessionOnTheServer_SoACopyOfTheCookieOpensNothing()
    {
        var email = Unique.Text("lee") + "@partnership.example";
        var invited = await CreateAsync(Admin, "/api/users", new { email, name = "Lee Finance", role = "finance" });
        var link = new Uri(invited["setPasswordUrl"]!.GetValue<string>());
        using var browser = Browser();
        var form = await (await browser.GetAsync(link.PathAndQuery)).Content.ReadAsStringAsync();
        var set = await PostFormAsync(browser, "/set-password", form, ("token", Uri.UnescapeDataString(link.Query["?token=".Length..])), ("password", Password), ("confirmPassword", Password));
        var copied = CookieOf(set);

        using var thief = CookieClient(copied);
        (await thief.GetAsync("/")).StatusCode.Should().Be(HttpStatusCode.OK, "before sign-out the copy is as good as the original");

        var home = await (await browser.GetAsync("/")).Content.ReadAsStringAsync();
        (await PostFormAsync(browser, "/sign-out", home)).Headers.Location!.ToString().Should().Be("/sign-in");

        var after = await thief.GetAsync("/");
        after.StatusCode.Should().Be(HttpStatusCode.Redirect, "a cookie issued before sign-out opens nothing after it");
        after.Headers.Location!.AbsolutePath.Should().Be("/sign-in");
        (await thief.GetAsync("/report-runs")).StatusCode.Should().Be(HttpStatusCode.Redirect);

        // Signing in again works, with a cookie of its own; the old copy stays dead.
        var signIn = await (await browser.GetAsync("/sign-in?ReturnUrl=%2F")).Content.ReadAsStringAsync();
        var again = await PostFormAsync(browser, "/sign-in?ReturnUrl=%2F", signIn, ("email", email), ("password", Password));
        again.StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await browser.GetAsync("/")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await thief.GetAsync("/")).StatusCode.Should().Be(HttpStatusCode.Redirect);
    }

    [Test]
    public async Task APersonsNewRole_Removal_OrLockout_HoldsOnTheirNextRequest()
    {
        var email = Unique.Text("pat") + "@partnership.example";
        var invited = await CreateAsync(Admin, "/api/users", new { email, name = "Pat Finance", role = "finance" });
        var id = invited["user"]!["id"]!.GetValue<long>();
        var link = new Uri(invited["setPasswordUrl"]!.GetValue<string>());
        using var browser = Browser();
        var form = await (await browser.GetAsync(link.PathAndQuery)).Content.ReadAsStringAsync();
        await PostFormAsync(browser, "/set-password", form, ("token", Uri.UnescapeDataString(link.Query["?token=".Length..])), ("password", Password), ("confirmPassword", Password));
        (await (await browser.GetAsync("/")).Content.ReadAsStringAsync()).Should().Contain("Pat Finance (finance)");
        (await browser.GetAsync("/imports")).StatusCode.Should().Be(HttpStatusCode.OK, "finance may import");

        await ExecuteAsync("UPDATE app_user SET role = 'viewer' WHERE id = @Id", id);
        (await (await browser.GetAsync("/")).Content.ReadAsStringAsync()).Should().Contain("Pat Finance (viewer)", "the role is read from the database on each request");
        (await browser.GetAsync("/imports")).StatusCode.Should().NotBe(HttpStatusCode.OK, "a viewer may not import");

        await ExecuteAsync("UPDATE app_user SET locked_until = @Until WHERE id = @Id", id, DateTime.UtcNow.AddMinutes(15));
        var locked = await browser.GetAsync("/");
        locked.StatusCode.Should().Be(HttpStatusCode.Redirect, "a locked-out person's session ends");
        locked.Headers.Location!.AbsolutePath.Should().Be("/sign-in");
    }

    private async Task ExecuteAsync(string sql, long id, DateTime? until = null)
    {
        await using var session = await Database.OpenAsync();
        await session.ExecuteAsync(Sql.Common(sql), new { Id = id, Until = until });
    }

    private static string CookieOf(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("portfolio=", StringComparison.Ordinal)).Split(';')[0];

    private HttpClient CookieClient(string cookie)
    {
        var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("https://localhost") });
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        return client;
    }

    [Test]
    public async Task TheSignInCookie_IsHttpOnly_SameSiteLax_AndSecure()
    {
        var email = Unique.Text("kim") + "@partnership.example";
        var invited = await CreateAsync(Admin, "/api/users", new { email, name = "Kim Viewer", role = "viewer" });
        var link = new Uri(invited["setPasswordUrl"]!.GetValue<string>());
        using var browser = Browser();
        var form = await (await browser.GetAsync(link.PathAndQuery)).Content.ReadAsStringAsync();

        var set = await PostFormAsync(browser, "/set-password", form, ("token", Uri.UnescapeDataString(link.Query["?token=".Length..])), ("password", Password), ("confirmPassword", Password));

        var cookie = set.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("portfolio=", StringComparison.Ordinal)).ToLowerInvariant();
        cookie.Should().Contain("httponly").And.Contain("samesite=lax").And.Contain("secure");
    }
}
