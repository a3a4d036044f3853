using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portfolio.Core.Data;

namespace Portfolio.Tests.Infrastructure;

/// <summary>The API host with its in-process Hangfire server, sending through a test SMTP server with quick retries.</summary>
public sealed class JobsApp(DatabaseOptions database, IReadOnlyDictionary<string, string?> settings) : PortfolioApp(database, settings: settings)
{
    public static JobsApp Create(DatabaseOptions database, SmtpTestServer? smtp, Dictionary<string, string?>? extra = null, bool runServer = true)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Portfolio:BootstrapAdminKey"] = ApiTest.BootstrapKey,
            ["Portfolio:SeedDemo"] = "false",
            ["Portfolio:Organisation:Name"] = "Test Partnership",
            ["Portfolio:Email:Mode"] = "Smtp",
            ["Portfolio:Email:From"] = "Reports <reports@partnership.example>",
            ["Portfolio:Email:Smtp:Host"] = "127.0.0.1",
            ["Portfolio:Email:Smtp:Port"] = (smtp?.Port ?? 25).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Portfolio:Jobs:Schedule:OnStart"] = "false",
            ["Portfolio:Jobs:Delivery:Attempts"] = "30",
            ["Portfolio:Jobs:Delivery:RetryDelaysSeconds"] = "1,1,1,2",
            ["Portfolio:Jobs:RunInProcess"] = runServer ? "true" : "false",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return new JobsApp(database, settings);
    }

    public HttpClient Admin()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiTest.BootstrapKey);
        return client;
    }

    public static async Task<JsonObject> WaitForRunAsync(HttpClient client, long runId, string status, int seconds = 90)
    {
        JsonObject? run = null;
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            run = await client.GetFromJsonAsync<JsonObject>($"/api/report-runs/{runId}");
            if (run!["status"]!.GetValue<string>() == status)
            {
                return run;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"Waited {seconds} s for run {runId} to be {status}; it is: {run?.ToJsonString()}");
        return run!;
    }

    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"Waited {seconds} s for {what}.");
    }
}
