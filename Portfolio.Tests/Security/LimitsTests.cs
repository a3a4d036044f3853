using System.Net;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Security;

public class LimitsTests
{
    [Test]
    public async Task BeyondItsBurst_AKeyGets429WithRetryAfter_WhileAnotherKeyIsUnaffected()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(DatabaseEngine.Sqlite);
        await using var app = new LimitedApp(options, new() { ["Portfolio:RateLimit:Burst"] = "5", ["Portfolio:RateLimit:PerSecond"] = "1" });
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiTest.BootstrapKey);

        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add(await client.GetAsync("/api/cost-categories"));
        }

        statuses.Take(5).Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        var limited = statuses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        limited.Should().NotBeEmpty();
        limited[0].Headers.RetryAfter!.Delta.Should().BeGreaterThan(TimeSpan.Zero);
        limited[0].Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");

        using var other = app.CreateClient();
        other.DefaultRequestHeaders.Add("X-Api-Key", "pk_some_other_key");
        (await other.GetAsync("/api/cost-categories")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "another key has its own bucket");
        (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK, "health checks are not limited");
    }

    [Test]
    public async Task Cors_IsClosedUnlessConfigured()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(DatabaseEngine.Sqlite);
        await using (var closed = new LimitedApp(options, []))
        {
            var response = await Preflight(closed.CreateClient(), "https://evil.example");
            response.Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse();
        }

        await using var open = new LimitedApp(options, new() { ["Portfolio:Cors:AllowedOrigins:0"] = "https://dashboard.partnership.example" });
        (await Preflight(open.CreateClient(), "https://dashboard.partnership.example")).Headers.GetValues("Access-Control-Allow-Origin").Should().Equal("https://dashboard.partnership.example");
        (await Preflight(open.CreateClient(), "https://evil.example")).Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse();
    }

    private static async Task<HttpResponseMessage> Preflight(HttpClient client, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/funders");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "X-Api-Key");
        return await client.SendAsync(request);
    }

    private sealed class LimitedApp(DatabaseOptions options, Dictionary<string, string?> extra) : PortfolioApp(options, settings: Settings(extra))
    {
        private static Dictionary<string, string?> Settings(Dictionary<string, string?> extra)
        {
            var settings = new Dictionary<string, string?> { ["Portfolio:BootstrapAdminKey"] = ApiTest.BootstrapKey, ["Portfolio:SeedDemo"] = "false" };
            foreach (var (key, value) in extra)
            {
                settings[key] = value;
            }

            return settings;
        }
    }
}
