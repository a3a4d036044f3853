using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Api;

/// <summary>PostgreSQL stopped in the middle of a run of requests: 503s, no partial writes, and recovery without a restart.</summary>
[NonParallelizable]
public class FaultTests
{
    [Test]
    public async Task WithPostgresStoppedMidRun_RequestsGet503_NothingPartialIsLeft_AndTheServiceRecoversOnItsOwn()
    {
        TestEnvironment.RequirePostgres();
        var options = await TestEnvironment.CreateDatabaseAsync(DatabaseEngine.Postgres);
        await using var app = JobsApp.Create(options, null, new() { ["Portfolio:Jobs:RunInProcess"] = "false" }, runServer: false);
        using var client = app.Admin();
        var funder = await client.PostAsJsonAsync("/api/funders", new { name = "Funder", kind = "trust" });
        var funderId = (long)(await funder.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var grant = await client.PostAsJsonAsync("/api/grants", new { funderId, reference = "F-1", title = "Fault", amountAwarded = 1000m, startDate = "2026-04-01", endDate = "2027-03-31" });
        var grantId = (long)(await grant.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        var statuses = new List<HttpStatusCode>();
        var created = new List<string>();
        try
        {
            for (var i = 0; i < 60; i++)
            {
                if (i == 20)
                {
                    await TestEnvironment.Postgres.StopAsync();
                }

                if (i == 40)
                {
                    await TestEnvironment.Postgres.StartAgainAsync();
                }

                var description = $"Request {i}";
                var response = await client.PostAsJsonAsync("/api/transactions", new { grantId, date = "2026-05-01", amount = 1m, category = "staff", description });
                statuses.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    created.Add(description);
                }
                else
                {
                    response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, await response.Content.ReadAsStringAsync());
                    response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
                    response.Headers.RetryAfter.Should().NotBeNull();
                }
            }
        }
        finally
        {
            await TestEnvironment.Postgres.EnsureRunningAsync();
            Npgsql.NpgsqlConnection.ClearAllPools();
        }

        statuses.Take(20).Should().OnlyContain(s => s == HttpStatusCode.Created);
        statuses.Skip(20).Take(20).Should().OnlyContain(s => s == HttpStatusCode.ServiceUnavailable);
        statuses.Skip(45).Should().OnlyContain(s => s == HttpStatusCode.Created, "the service reconnects by itself once the database is back");

        var stored = (await client.GetFromJsonAsync<JsonObject>($"/api/transactions?grantId={grantId}&pageSize=500"))!["items"]!.AsArray()
            .Select(t => t!["description"]!.GetValue<string>()).ToList();
        stored.Should().BeEquivalentTo(created, "every acknowledged write is there and nothing refused was half-written");
        var audit = await client.GetFromJsonAsync<JsonObject>("/api/audit?entity=transaction&pageSize=500");
        ((long)audit!["total"]!).Should().Be(created.Count, "each stored transaction has its audit entry and no other");
    }
}
