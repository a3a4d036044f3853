using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Portfolio.Core.Data;

namespace Portfolio.Tests.Infrastructure;

/// <summary>
/// An API test closed once per engine: the real host over a fresh database, with a client per role holding a
/// key made through the API itself.
/// </summary>
[TestFixtureSource(typeof(Engines), nameof(Engines.Real))]
public abstract class ApiTest(DatabaseEngine engine)
{
    public const string BootstrapKey = "pk_test_bootstrap_admin_key_0123456789";

    protected DatabaseEngine Engine { get; } = engine;

    protected Database Database { get; private set; } = null!;

    protected PortfolioApp App { get; private set; } = null!;

    protected HttpClient Anonymous { get; private set; } = null!;

    protected HttpClient Admin { get; private set; } = null!;

    protected HttpClient Finance { get; private set; } = null!;

    protected HttpClient Lead { get; private set; } = null!;

    protected HttpClient Viewer { get; private set; } = null!;

    /// <summary>The programme area the <see cref="Lead"/> key leads; grants made by <see cref="CreateGrantAsync"/> are in it.</summary>
    protected long LeadAreaId { get; private set; }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        Database = new Database(options);
        var settings = new Dictionary<string, string?>
        {
            ["Portfolio:BootstrapAdminKey"] = BootstrapKey,
            ["Portfolio:SeedDemo"] = "false",
        };
        foreach (var (key, value) in await SettingsAsync())
        {
            settings[key] = value;
        }

        App = new PortfolioApp(options, settings: settings, clock: Clock);
        BeforeStart(App);
        Anonymous = App.CreateClient();
        Admin = ClientWithKey(BootstrapKey);
        Finance = ClientWithKey(await CreateKeyAsync("finance"));
        LeadAreaId = (long)(await CreateAsync(Admin, "/api/programme-areas", new { name = "Lead's area", code = Unique.Text("LEAD") }))["id"]!;
        Lead = ClientWithKey(await CreateKeyAsync("programme-lead", LeadAreaId));
        Viewer = ClientWithKey(await CreateKeyAsync("viewer"));
    }

    /// <summary>More settings for the host (such as a test SMTP server to send through), started before it.</summary>
    protected virtual Task<IReadOnlyDictionary<string, string?>> SettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>());

    /// <summary>A fixed clock for the host (pages whose figures depend on today), or null for the system clock.</summary>
    protected virtual TimeProvider? Clock => null;

    /// <summary>Called before the host starts: a fixture that needs a real server configures Kestrel here.</summary>
    protected virtual void BeforeStart(PortfolioApp app)
    {
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }

    [SetUp]
    public void RequireEngine()
    {
        if (Engine == DatabaseEngine.Postgres)
        {
            TestEnvironment.RequirePostgres();
        }
    }

    protected HttpClient ClientWithKey(string key)
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    protected async Task<string> CreateKeyAsync(string role, params long[] programmeAreaIds)
    {
        var response = await Admin.PostAsJsonAsync("/api/api-keys", new { name = Unique.Text(role), role, programmeAreaIds });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
    }

    /// <summary>Posts raw JSON text (so tests can send exactly the bytes they mean).</summary>
    protected static Task<HttpResponseMessage> PostJsonAsync(HttpClient client, string path, string json, string? idempotencyKey = null) =>
        SendJsonAsync(client, HttpMethod.Post, path, json, ifMatch: null, idempotencyKey);

    protected static Task<HttpResponseMessage> PutJsonAsync(HttpClient client, string path, string json, string? ifMatch) =>
        SendJsonAsync(client, HttpMethod.Put, path, json, ifMatch, null);

    protected static async Task<HttpResponseMessage> SendJsonAsync(HttpClient client, HttpMethod method, string path, string? json, string? ifMatch, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    protected static async Task<JsonObject> BodyAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    /// <summary>Creates through the API and returns the body; fails the test unless 201.</summary>
    protected static async Task<JsonObject> CreateAsync(HttpClient client, string path, object body)
    {
        var response = await client.PostAsync(path, JsonContent.Create(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(201), text);
        return JsonNode.Parse(text)!.AsObject();
    }

    protected async Task<long> CreateFunderAsync(string calendar = "uk-financial-year") =>
        (long)(await CreateAsync(Finance, "/api/funders", new { name = Unique.Text("Funder"), kind = "trust", reportingCalendar = calendar, contacts = new[] { new { name = "Officer", email = "officer@funder.example" } } }))["id"]!;

    protected async Task<JsonObject> CreateGrantAsync(long? funderId = null, decimal amount = 120000.00m, string start = "2026-04-01", string end = "2027-03-31", string calendar = "uk-financial-year")
    {
        funderId ??= await CreateFunderAsync(calendar);
        return await CreateAsync(Finance, "/api/grants", new { funderId, programmeAreaId = LeadAreaId, reference = Unique.Text("G"), title = "Grant", amountAwarded = amount, startDate = start, endDate = end });
    }

    protected async Task<long> CreatePartnerAsync() =>
        (long)(await CreateAsync(Finance, "/api/partners", new { name = Unique.Text("Partner"), kind = "by-and-for", communities = new[] { "LGBT+" } }))["id"]!;

    /// <summary>Row counts of every table, to prove a refused request changed nothing.</summary>
    protected async Task<Dictionary<string, long>> RowCountsAsync()
    {
        await using var session = await Database.OpenAsync();
        var rows = await session.QueryAsync<TableCount>(RowCounts);
        return rows.ToDictionary(r => r.TableName, r => r.Rows);
    }

    private const string PagePassword = "page access password";

    /// <summary>An HTTP client (cookies kept, redirects followed) signed in as a new person of <paramref name="role"/>, invited through the API.</summary>
    protected async Task<HttpClient> SignedInAsync(string role, long[]? programmeAreaIds = null)
    {
        var email = $"{Unique.Text(role)}@example.org".ToLowerInvariant();
        var areas = programmeAreaIds ?? (role == "programme-lead" ? new[] { LeadAreaId } : []);
        var invited = await Admin.PostAsJsonAsync("/api/users", new { email, name = role, role, programmeAreaIds = areas });
        invited.StatusCode.Should().Be(HttpStatusCode.Created);
        var link = new Uri((await invited.Content.ReadFromJsonAsync<JsonObject>())!["setPasswordUrl"]!.GetValue<string>());
        var browser = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = true, HandleCookies = true, BaseAddress = new Uri("https://localhost") });
        var form = await (await browser.GetAsync(link.PathAndQuery)).Content.ReadAsStringAsync();
        var token = Uri.UnescapeDataString(link.Query["?token=".Length..]);
        var set = await browser.PostAsync("/set-password", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", Documents.AntiforgeryToken(form)), new("token", token), new("password", PagePassword), new("confirmPassword", PagePassword),
        ]));
        set.RequestMessage!.RequestUri!.AbsolutePath.Should().Be("/", "setting the password signs the person in");
        return browser;
    }

    protected static string ETagOf(HttpResponseMessage response) => response.Headers.ETag!.Tag;

    protected static void ShouldBeProblem(HttpResponseMessage response, int status, string? field = null)
    {
        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        ((int)response.StatusCode).Should().Be(status, text);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json", text);
        var problem = JsonNode.Parse(text)!.AsObject();
        ((int)problem["status"]!).Should().Be(status);
        if (field is not null)
        {
            problem["errors"]!.AsObject().Select(e => e.Key).Should().Contain(field, text);
        }
    }

    private static readonly Sql RowCounts = Sql.Common("""
        SELECT 'funder' AS table_name, COUNT(*) AS rows FROM funder
        UNION ALL SELECT 'funder_contact', COUNT(*) FROM funder_contact
        UNION ALL SELECT 'programme_area', COUNT(*) FROM programme_area
        UNION ALL SELECT 'partner', COUNT(*) FROM partner
        UNION ALL SELECT 'grant_award', COUNT(*) FROM grant_award
        UNION ALL SELECT 'partner_agreement', COUNT(*) FROM partner_agreement
        UNION ALL SELECT 'budget_version', COUNT(*) FROM budget_version
        UNION ALL SELECT 'budget_line', COUNT(*) FROM budget_line
        UNION ALL SELECT 'spend_transaction', COUNT(*) FROM spend_transaction
        UNION ALL SELECT 'payment', COUNT(*) FROM payment
        UNION ALL SELECT 'variance_note', COUNT(*) FROM variance_note
        UNION ALL SELECT 'audit_entry', COUNT(*) FROM audit_entry
        UNION ALL SELECT 'api_key', COUNT(*) FROM api_key
        UNION ALL SELECT 'app_user', COUNT(*) FROM app_user
        UNION ALL SELECT 'app_user_programme_area', COUNT(*) FROM app_user_programme_area
        UNION ALL SELECT 'audit_anchor', COUNT(*) FROM audit_anchor
        UNION ALL SELECT 'idempotency_record', COUNT(*) FROM idempotency_record
        UNION ALL SELECT 'grant_area', COUNT(*) FROM grant_area
        UNION ALL SELECT 'partner_agreement_area', COUNT(*) FROM partner_agreement_area
        UNION ALL SELECT 'partner_instalment', COUNT(*) FROM partner_instalment
        UNION ALL SELECT 'partner_return', COUNT(*) FROM partner_return
        UNION ALL SELECT 'partner_return_link', COUNT(*) FROM partner_return_link
        UNION ALL SELECT 'indicator', COUNT(*) FROM indicator
        UNION ALL SELECT 'indicator_actual', COUNT(*) FROM indicator_actual
        UNION ALL SELECT 'grant_narrative', COUNT(*) FROM grant_narrative
        UNION ALL SELECT 'report_run_indicator_hold', COUNT(*) FROM report_run_indicator_hold
        UNION ALL SELECT 'return versions', COALESCE(SUM(version), 0) FROM partner_return
        UNION ALL SELECT 'indicator versions', COALESCE(SUM(version), 0) FROM indicator
        UNION ALL SELECT 'actual versions', COALESCE(SUM(version), 0) FROM indicator_actual
        UNION ALL SELECT 'narrative versions', COALESCE(SUM(version), 0) FROM grant_narrative
        UNION ALL SELECT 'funder versions', COALESCE(SUM(version), 0) FROM funder
        UNION ALL SELECT 'grant versions', COALESCE(SUM(version), 0) FROM grant_award
        UNION ALL SELECT 'transaction versions', COALESCE(SUM(version), 0) FROM spend_transaction
        UNION ALL SELECT 'payment versions', COALESCE(SUM(version), 0) FROM payment
        UNION ALL SELECT 'agreement versions', COALESCE(SUM(version), 0) FROM partner_agreement
        UNION ALL SELECT 'api key versions', COALESCE(SUM(version), 0) FROM api_key
        """);

    private sealed class TableCount
    {
        public string TableName { get; set; } = "";
        public long Rows { get; set; }
    }
}
