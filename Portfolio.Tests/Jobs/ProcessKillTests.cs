using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using MimeKit;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Jobs;

/// <summary>
/// The real thing: the API runs as its own process, is killed while its report deliveries are under way (their SMTP
/// connections hang before any of the message is sent), and is started again; the run completes and each recipient
/// gets the report once.
/// </summary>
[NonParallelizable]
public class ProcessKillTests
{
    [Test]
    public async Task AProcessKilledMidRun_CompletesTheRunAfterRestart_EachRecipientOnce()
    {
        using var smtp = await SmtpTestServer.StartAsync();
        var options = await TestEnvironment.CreateDatabaseAsync(DatabaseEngine.Sqlite);
        var database = new Database(options);
        var grant = await ReportScenario.CreateAsync(database);
        await Portfolio.Core.Operations.UnitOfWork.CommitAsync(database, async session =>
        {
            var funder = (await FunderStore.GetAsync(session, grant.FunderId))!;
            funder.Contacts.Add(new FunderContact { Name = "Finance", Email = "finance@funder.example" });
            return await FunderStore.UpdateAsync(session, funder.Id, funder.Version, funder, A.Change());
        });

        using var hanging = new HangingSmtp();
        long runId;
        using (var first = await ApiProcess.StartAsync(options, hanging.Port))
        {
            var run = (await (await first.Client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-07-01" })).Content.ReadFromJsonAsync<JsonObject>())!;
            runId = (long)run["id"]!;
            (await first.Client.PostAsync($"/api/report-runs/{runId}/approve", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
            await JobsApp.EventuallyAsync(async () =>
            {
                await using var session = await database.OpenAsync();
                return (await ReportRunStore.ListDeliveriesAsync(session, runId)).All(d => d.Status == "sending") && hanging.Connections >= 2;
            }, "both deliveries to be claimed and connecting");
            first.Kill();
        }

        await Task.Delay(TimeSpan.FromSeconds(3)); // past the 2 s lease the test configures
        using var second = await ApiProcess.StartAsync(options, smtp.Port);
        await JobsApp.WaitForRunAsync(second.Client, runId, "sent");

        var messages = smtp.Messages();
        messages.Select(m => ((MailboxAddress)m.To.Single()).Address).Should().BeEquivalentTo([ReportScenario.ContactEmail, "finance@funder.example"]);
    }

    /// <summary>Accepts SMTP connections and never answers, so a sender waits for the greeting.</summary>
    private sealed class HangingSmtp : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<TcpClient> _clients = [];
        private readonly CancellationTokenSource _stop = new();

        public HangingSmtp()
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                        lock (_clients)
                        {
                            _clients.Add(client);
                        }
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections
        {
            get
            {
                lock (_clients)
                {
                    return _clients.Count;
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_clients)
            {
                _clients.ForEach(c => c.Dispose());
            }
        }
    }

    /// <summary>The built API run as an operator would run it, in a process of its own.</summary>
    private sealed class ApiProcess : IDisposable
    {
        private readonly Process _process;

        private ApiProcess(Process process, HttpClient client)
        {
            _process = process;
            Client = client;
        }

        public HttpClient Client { get; }

        public static async Task<ApiProcess> StartAsync(DatabaseOptions options, int smtpPort)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Portfolio.Api.dll"));
            info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            info.Environment["Portfolio__Database__Engine"] = "sqlite";
            info.Environment["ConnectionStrings__Portfolio"] = options.ConnectionString;
            info.Environment["Portfolio__BootstrapAdminKey"] = ApiTest.BootstrapKey;
            info.Environment["Portfolio__Email__Mode"] = "Smtp";
            info.Environment["Portfolio__Email__Smtp__Host"] = "127.0.0.1";
            info.Environment["Portfolio__Email__Smtp__Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            info.Environment["Portfolio__Jobs__Schedule__OnStart"] = "false";
            info.Environment["Portfolio__Jobs__Delivery__LeaseSeconds"] = "2";
            info.Environment["Portfolio__Jobs__Delivery__RetryDelaysSeconds"] = "1";
            info.Environment["Portfolio__RateLimit__Burst"] = "100000";
            info.Environment["Portfolio__RateLimit__PerSecond"] = "100000";
            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            client.DefaultRequestHeaders.Add("X-Api-Key", ApiTest.BootstrapKey);
            var api = new ApiProcess(process, client);
            await JobsApp.EventuallyAsync(async () =>
            {
                try
                {
                    return (await client.GetAsync("/health/ready")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, "the API process to be ready", 60);
            return api;
        }

        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                Kill();
            }

            _process.Dispose();
            Client.Dispose();
        }
    }
}
