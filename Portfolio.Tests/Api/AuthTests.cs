using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Api;

public class AuthTests(DatabaseEngine engine) : ApiTest(engine)
{
    private static readonly string[] ReadRoutes =
    [
        "/api/funders", "/api/programme-areas", "/api/partners", "/api/grants", "/api/transactions", "/api/payments",
        "/api/partner-agreements", "/api/audit", "/api/cost-categories",
    ];

    [Test]
    public async Task WithoutAKey_EveryApiRouteAnswers401ProblemDetails()
    {
        foreach (var route in ReadRoutes.Append("/api/api-keys"))
        {
            var response = await Anonymous.GetAsync(route);
            ShouldBeProblem(response, 401);
        }

        ShouldBeProblem(await PostJsonAsync(Anonymous, "/api/funders", """{"name":"x","kind":"trust"}"""), 401);
    }

    [Test]
    public async Task AWrongKey_Gets401()
    {
        var stranger = ClientWithKey("pk_not_a_real_key");
        ShouldBeProblem(await stranger.GetAsync("/api/funders"), 401);
    }

    [Test]
    public async Task EveryRole_CanRead()
    {
        foreach (var client in new[] { Admin, Finance, Lead, Viewer })
        {
            foreach (var route in ReadRoutes)
            {
                (await client.GetAsync(route)).StatusCode.Should().Be(HttpStatusCode.OK, route);
            }
        }
    }

    [Test]
    public async Task ViewersAndProgrammeLeads_CannotWriteMoney_AndNothingChanges()
    {
        var grant = await CreateGrantAsync();
        var before = await RowCountsAsync();
        var transaction = $$"""{"grantId":{{grant["id"]}},"date":"2026-05-01","amount":10.00,"category":"staff","description":"x"}""";

        foreach (var client in new[] { Viewer, Lead })
        {
            ShouldBeProblem(await PostJsonAsync(client, "/api/transactions", transaction), 403);
            ShouldBeProblem(await PostJsonAsync(client, "/api/funders", """{"name":"x","kind":"trust"}"""), 403);
            ShouldBeProblem(await PutJsonAsync(client, $"/api/grants/{grant["id"]}", "{}", "\"1\""), 403);
            ShouldBeProblem(await SendJsonAsync(client, HttpMethod.Delete, $"/api/grants/{grant["id"]}", null, "\"1\"", null), 403);
            ShouldBeProblem(await PostJsonAsync(client, "/api/api-keys", """{"name":"x","role":"admin"}"""), 403);
        }

        (await RowCountsAsync()).Should().Equal(before);
    }

    [Test]
    public async Task Finance_WritesMoney_ButCannotManageKeys()
    {
        var grant = await CreateGrantAsync();
        var response = await PostJsonAsync(Finance, "/api/transactions", $$"""{"grantId":{{grant["id"]}},"date":"2026-05-01","amount":10.00,"category":"staff","description":"x"}""");
        response.StatusCode.Should().Be(HttpStatusCode.Created);

        ShouldBeProblem(await PostJsonAsync(Finance, "/api/api-keys", """{"name":"x","role":"admin"}"""), 403);
        ShouldBeProblem(await Finance.GetAsync("/api/api-keys"), 403);
    }

    [Test]
    public async Task AnAdminKey_IsShownOnce_StoredAsAHash_AndStopsWorkingWhenRevoked()
    {
        var created = await CreateAsync(Admin, "/api/api-keys", new { name = "integration", role = "viewer" });
        var key = created["key"]!.GetValue<string>();
        key.Should().StartWith("pk_").And.HaveLength(46);
        var id = (long)created["id"]!;

        var client = ClientWithKey(key);
        (await client.GetAsync("/api/funders")).StatusCode.Should().Be(HttpStatusCode.OK);

        var read = await Admin.GetAsync($"/api/api-keys/{id}");
        var readText = await read.Content.ReadAsStringAsync();
        readText.Should().NotContain(key).And.NotContain("\"key\"");
        var list = await Admin.GetStringAsync("/api/api-keys?pageSize=500");
        list.Should().NotContain(key);

        var revoke = await SendJsonAsync(Admin, HttpMethod.Delete, $"/api/api-keys/{id}", null, ETagOf(read), null);
        revoke.StatusCode.Should().Be(HttpStatusCode.NoContent);
        ShouldBeProblem(await client.GetAsync("/api/funders"), 401);
    }

    [Test]
    public async Task AProgrammeLead_WritesNotesOnlyForGrantsInItsAreas()
    {
        var own = await CreateGrantAsync();
        var otherArea = await CreateAsync(Admin, "/api/programme-areas", new { name = "Other", code = Unique.Text("OTHER") });
        var funderId = await CreateFunderAsync();
        var elsewhere = await CreateAsync(Finance, "/api/grants", new { funderId, programmeAreaId = (long)otherArea["id"]!, reference = Unique.Text("G"), title = "Other area", amountAwarded = 100m, startDate = "2026-04-01", endDate = "2027-03-31" });
        var note = """{"periodStart":"2026-04-01","text":"Explained."}""";
        var before = await RowCountsAsync();

        var refused = await PostJsonAsync(Lead, $"/api/grants/{elsewhere["id"]}/variance-notes", note);

        ShouldBeProblem(refused, 403);
        (await RowCountsAsync()).Should().Equal(before);
        (await PostJsonAsync(Lead, $"/api/grants/{own["id"]}/variance-notes", note)).StatusCode.Should().Be(HttpStatusCode.Created);
        (await PostJsonAsync(Finance, $"/api/grants/{elsewhere["id"]}/variance-notes", note)).StatusCode.Should().Be(HttpStatusCode.Created, "finance may write notes anywhere");
    }

    [Test]
    public async Task ProgrammeLeadKeys_MustNameTheirAreas_AndOnlyTheyMay()
    {
        var before = await RowCountsAsync();
        ShouldBeProblem(await PostJsonAsync(Admin, "/api/api-keys", """{"name":"x","role":"programme-lead"}"""), 400, "programmeAreaIds");
        ShouldBeProblem(await PostJsonAsync(Admin, "/api/api-keys", $$"""{"name":"x","role":"viewer","programmeAreaIds":[{{LeadAreaId}}]}"""), 400, "programmeAreaIds");
        ShouldBeProblem(await PostJsonAsync(Admin, "/api/api-keys", """{"name":"x","role":"programme-lead","programmeAreaIds":[999999]}"""), 400, "programmeAreaIds");
        (await RowCountsAsync()).Should().Equal(before);
    }

    [Test]
    public async Task CreatingAKey_RefusesAnUnknownRole()
    {
        var before = await RowCountsAsync();
        ShouldBeProblem(await PostJsonAsync(Admin, "/api/api-keys", """{"name":"x","role":"superuser"}"""), 400, "role");
        (await RowCountsAsync()).Should().Equal(before);
    }
}

public class BootstrapKeyTests
{
    [Test]
    public async Task WithNoKeysAndNoConfiguredKey_AnAdminKeyIsWrittenToAFileOnce_AndNeverToTheLog()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(DatabaseEngine.Sqlite);
        var keyFile = Path.Combine(Path.GetTempPath(), "portfolio-tests", $"bootstrap-{Guid.NewGuid():N}.txt");
        var logs = new CapturingLoggerProvider();
        await using var app = new LoggingPortfolioApp(options, logs, new Dictionary<string, string?>
        {
            ["Portfolio:SeedDemo"] = "false",
            ["Portfolio:BootstrapKeyFile"] = keyFile,
            ["Portfolio:Email:Smtp:Password"] = "smtp-secret-password",
        });
        using var anonymous = app.CreateClient();
        (await anonymous.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);

        var key = (await File.ReadAllTextAsync(keyFile)).Trim();
        key.Should().MatchRegex(@"^pk_[A-Za-z0-9_-]{43}$");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(keyFile).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        using var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", key);
        var keys = await admin.GetFromJsonAsync<JsonObject>("/api/api-keys");
        ((long)keys!["total"]!).Should().Be(1);
        keys["items"]![0]!["role"]!.GetValue<string>().Should().Be("admin");
        var created = await admin.PostAsJsonAsync("/api/api-keys", new { name = "second", role = "viewer" });
        var second = (await created.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
        (await admin.GetAsync("/api/funders?pageSize=0")).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        logs.Messages.Should().Contain(m => m.Contains(keyFile, StringComparison.Ordinal), "the log says where the key is");
        logs.Messages.Should().NotContain(m => m.Contains(key, StringComparison.Ordinal) || m.Contains(second, StringComparison.Ordinal) || m.Contains("smtp-secret-password", StringComparison.Ordinal),
            "API keys and passwords are never logged");
    }

    private sealed class LoggingPortfolioApp(DatabaseOptions options, CapturingLoggerProvider logs, IReadOnlyDictionary<string, string?> settings) : PortfolioApp(options, settings: settings)
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));
        }
    }
}
