using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portfolio.Api.Infrastructure;
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

    [Test]
    public async Task AClientInventingANewKeyForEachRequest_IsLimitedByItsAddress()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(DatabaseEngine.Sqlite);
        await using var app = new LimitedApp(options, new() { ["Portfolio:RateLimit:AnonymousBurst"] = "5", ["Portfolio:RateLimit:AnonymousPerSecond"] = "1" });
        using var client = app.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 15; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/cost-categories");
            request.Headers.Add("X-Api-Key", "pk_made_up_" + Guid.NewGuid().ToString("N"));
            statuses.Add((await client.SendAsync(request)).StatusCode);
        }

        statuses.Take(5).Should().OnlyContain(s => s == HttpStatusCode.Unauthorized);
        statuses.Should().Contain(HttpStatusCode.TooManyRequests, "made-up keys share their address's bucket");

        client.DefaultRequestHeaders.Add("X-Api-Key", ApiTest.BootstrapKey);
        (await client.GetAsync("/api/cost-categories")).StatusCode.Should().Be(HttpStatusCode.OK, "a valid key has its own bucket, even from that address");
    }

    [Test]
    public async Task ForwardedAddresses_AreBelievedOnlyFromTrustedProxies()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(DatabaseEngine.Sqlite);
        var limits = new Dictionary<string, string?> { ["Portfolio:RateLimit:AnonymousBurst"] = "3", ["Portfolio:RateLimit:AnonymousPerSecond"] = "1" };

        // Untrusted: a client cannot escape its address's bucket by claiming to be someone else.
        await using (var direct = new LimitedApp(options, limits))
        {
            direct.UseKestrel(0);
            direct.StartServer();
            using var client = direct.CreateClient();
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 10; i++)
            {
                statuses.Add(await AnonymousAsync(client, $"203.0.113.{i + 1}"));
            }

            statuses.Should().Contain(HttpStatusCode.TooManyRequests);
        }

        // Behind a trusted proxy (this machine): each forwarded client has its own bucket.
        await using var proxied = new LimitedApp(options, new(limits) { ["Portfolio:RateLimit:TrustedProxies:0"] = "127.0.0.1", ["Portfolio:RateLimit:TrustedProxies:1"] = "::1" });
        proxied.UseKestrel(0);
        proxied.StartServer();
        using var viaProxy = proxied.CreateClient();
        var first = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            first.Add(await AnonymousAsync(viaProxy, "203.0.113.7"));
        }

        first.Should().Contain(HttpStatusCode.TooManyRequests, "one forwarded client is limited");
        (await AnonymousAsync(viaProxy, "203.0.113.8")).Should().Be(HttpStatusCode.Unauthorized, "another forwarded client is not");
    }

    private static async Task<HttpStatusCode> AnonymousAsync(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/cost-categories");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return (await client.SendAsync(request)).StatusCode;
    }

    [Test]
    public async Task AChunkedBodyOverTheCap_Gets413_OnKestrel()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(DatabaseEngine.Sqlite);
        await using var app = new LimitedApp(options, []);
        app.UseKestrel(0);
        app.StartServer();
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiTest.BootstrapKey);

        for (var attempt = 0; attempt < 5; attempt++)
        {
            // Over the 1 MB cap but under Kestrel's own limit (2 MB), so Kestrel drains the rest after the early 413
            // and the client reads the answer; with 3 MB the server closed mid-upload and CI once saw "response ended".
            var body = "{\"name\":\"" + new string('x', 1536 * 1024) + "\",\"kind\":\"trust\"}";
            using var content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/funders") { Content = content };
            request.Headers.TransferEncodingChunked = true;
            using var response = await client.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge, $"attempt {attempt + 1}");
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        }

        (await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/funders")).GetProperty("total").GetInt64().Should().Be(0);
    }

    [Test]
    public async Task ReportRendering_TakesTurnsBetweenCallers_AndNeverHoldsUpOtherRequests()
    {
        using var limiter = Limits.GlobalLimiter(new LimitOptions(1000, 1000, 1000, 1000, [], ReportConcurrency: 1, ReportQueue: 8, []));
        var a1 = limiter.AttemptAcquire(Request("key:1:alice", renders: true));
        a1.IsAcquired.Should().BeTrue();

        var a2 = limiter.AcquireAsync(Request("key:1:alice", renders: true)).AsTask();
        var b1 = limiter.AcquireAsync(Request("key:2:bob", renders: true)).AsTask();
        await Task.Delay(50);
        a2.IsCompleted.Should().BeFalse();
        b1.IsCompleted.Should().BeFalse();
        limiter.AttemptAcquire(Request("key:2:bob", renders: false)).IsAcquired.Should().BeTrue("requests that render nothing never wait for renderers");

        a1.Dispose();
        (await b1.WaitAsync(TimeSpan.FromSeconds(5))).IsAcquired.Should().BeTrue("Bob asked while Alice was rendering, so the next slot is his");
        await Task.Delay(50);
        a2.IsCompleted.Should().BeFalse("Alice's second rendering waits for Bob's turn");

        (await b1).Dispose();
        (await a2.WaitAsync(TimeSpan.FromSeconds(5))).IsAcquired.Should().BeTrue();
        (await a2).Dispose();

        var many = Enumerable.Range(0, 4).Select(_ => limiter.AcquireAsync(Request("key:3:carol", renders: true)).AsTask()).ToList();
        await Task.Delay(50);
        many.Count(t => t.IsCompleted && t.Result.IsAcquired).Should().Be(1);
        many.Count(t => t.IsCompleted && !t.Result.IsAcquired).Should().Be(1, "a caller may have one rendering and two waiting; the fourth is refused");
        many.Count(t => !t.IsCompleted).Should().Be(2);
    }

    [Test]
    public async Task ReportRendering_StillWorks_AfterTheLimiterHasSatIdlePastItsCleanUp()
    {
        // The runtime's partitioned limiter disposes partitions idle for more than ten seconds on its own clock
        // (not configurable, not a TimeProvider), so this waits that long for real.
        using var limiter = Limits.GlobalLimiter(new LimitOptions(1000, 1000, 1000, 1000, [], ReportConcurrency: 1, ReportQueue: 8, []));
        using (var first = limiter.AttemptAcquire(Request("key:1:alice", renders: true)))
        {
            first.IsAcquired.Should().BeTrue();
        }

        await Task.Delay(TimeSpan.FromSeconds(12));

        using var second = await limiter.AcquireAsync(Request("key:1:alice", renders: true)).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        second.IsAcquired.Should().BeTrue("rendering slots idle past the clean-up are made afresh, not handed back disposed");
        using var other = limiter.AttemptAcquire(Request("key:2:bob", renders: true));
        other.IsAcquired.Should().BeFalse("the fresh slots still limit: one in all, and Alice holds it");
    }

    private static DefaultHttpContext Request(string caller, bool renders)
    {
        var http = new DefaultHttpContext
        {
            User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
                [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, caller)], "ApiKey")),
        };
        http.SetEndpoint(new Endpoint(null, renders ? new EndpointMetadataCollection(Limits.RendersReportsMetadata.Instance) : EndpointMetadataCollection.Empty, "test"));
        return http;
    }

    [Test]
    public async Task ThePreviewAndGenerationRoutes_AreMarkedAsRenderingReports()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(DatabaseEngine.Sqlite);
        await using var app = new LimitedApp(options, []);
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints;
        var rendering = endpoints.Where(e => e.Metadata.GetMetadata<Limits.RendersReportsMetadata>() is not null)
            .Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? ((RouteEndpoint)e).RoutePattern.RawText);
        rendering.Should().BeEquivalentTo(["GetReportExcel", "GetReportPdf", "CreateReportRun", "RegenerateReportRun", "grants/{grantId:long}/reports/{periodStart}.{format:regex(^(pdf|xlsx)$)}"],
            "the page route for people's previews renders as the API's does");
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
