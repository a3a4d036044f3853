using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Portfolio.Core.Data;

/// <summary>
/// The write path: <c>POST /api/transactions</c> with an <c>Idempotency-Key</c> (real Kestrel, a keep-alive client,
/// authentication, every check, the audit entry and the idempotency record), beside a bare single-row insert
/// transaction on the same engine in the same run. Each is run for a fixed time by the same number of workers.
/// </summary>
internal static class WriteBenchmark
{
    private const string AdminKey = "pk_benchmark_admin_key_0123456789abcdef";

    private static readonly Sql BareInsert = Sql.Common("""
        INSERT INTO spend_transaction (grant_id, transaction_date, amount_pence, category_code, description, version, created_at, created_by, updated_at)
        VALUES (@GrantId, @Date, @Amount, 'staff', 'Bare insert', 1, @At, 'benchmark', @At)
        """);

    public static async Task<int> RunAsync(DatabaseEngine engine, string? connectionString, int seconds, int workers)
    {
        string? file = null;
        if (engine == DatabaseEngine.Sqlite)
        {
            file = Path.Combine(Path.GetTempPath(), $"portfolio-write-bench-{Guid.NewGuid():N}.db");
            connectionString = $"Data Source={file}";
        }

        try
        {
            var database = new Database(new DatabaseOptions(engine, connectionString!));
            await new Migrator(database).MigrateAsync();

            await using var app = new WebApplicationFactory<global::Program>().WithWebHostBuilder(builder =>
            {
                builder.UseEnvironment("Production");
                builder.UseSetting("Portfolio:Database:Engine", engine.ToCode());
                builder.UseSetting("ConnectionStrings:Portfolio", connectionString);
                builder.UseSetting("Portfolio:BootstrapAdminKey", AdminKey);
                builder.UseSetting("Portfolio:SeedDemo", "false");
                builder.UseSetting("Portfolio:Jobs:Schedule:OnStart", "false");
                builder.UseSetting("Logging:LogLevel:Default", "Warning");
                builder.UseSetting("Portfolio:RateLimit:Burst", "1000000");
                builder.UseSetting("Portfolio:RateLimit:PerSecond", "1000000");
                builder.UseUrls("http://127.0.0.1:0");
            });
            app.UseKestrel();
            app.StartServer();
            using var client = app.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);

            var funder = await PostAsync(client, "/api/funders", new { name = "Benchmark funder " + Guid.NewGuid(), kind = "trust" });
            var grant = await PostAsync(client, "/api/grants", new
            {
                funderId = funder,
                reference = "BENCH-" + Guid.NewGuid().ToString("N")[..8],
                title = "Write benchmark",
                amountAwarded = 1_000_000_000.00m,
                awardDate = "2025-03-01",
                startDate = "2025-04-01",
                endDate = "2028-03-31",
            });

            var counter = 0L;
            async Task ApiWrite()
            {
                var n = Interlocked.Increment(ref counter);
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/transactions")
                {
                    Content = JsonContent.Create(new
                    {
                        grantId = grant,
                        date = "2026-06-30",
                        amount = 10.00m + (n % 1000),
                        category = "staff",
                        description = "Benchmark line " + n,
                        sourceReference = "BENCH-" + n,
                    }),
                };
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
                using var response = await client.SendAsync(request);
                if ((int)response.StatusCode != 201)
                {
                    throw new InvalidOperationException($"POST /api/transactions answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }

            async Task BareWrite()
            {
                var n = Interlocked.Increment(ref counter);
                await using var session = await database.OpenAsync();
                await session.BeginAsync();
                await session.ExecuteAsync(BareInsert, new { GrantId = grant, Date = new DateOnly(2026, 6, 30), Amount = 1000 + (n % 1000), At = DateTime.UtcNow });
                await session.CommitAsync();
            }

            async Task CoreWrite()
            {
                var n = Interlocked.Increment(ref counter);
                var input = new Portfolio.Core.Domain.TransactionInput(
                    grant, new DateOnly(2026, 6, 30), Portfolio.Core.Money.Money.FromPounds(10m + (n % 1000)), "staff", "Benchmark line " + n, null, "CORE-" + n);
                var outcome = await Portfolio.Core.Operations.UnitOfWork.RunAsync(
                    database, session => Portfolio.Core.Domain.Spend.RecordAsync(session, input, new ChangeContext("benchmark", DateTime.UtcNow)));
                if (!outcome.Succeeded)
                {
                    throw new InvalidOperationException(outcome.Refused!.Detail);
                }
            }

            async Task AuthenticatedRead()
            {
                using var response = await client.GetAsync("/api/cost-categories");
                response.EnsureSuccessStatusCode();
                _ = await response.Content.ReadAsByteArrayAsync();
            }

            // Warm-up, then each measured in turn, twice, alternating, so drift on a shared machine shows.
            await RateAsync(ApiWrite, 2, workers);
            await RateAsync(BareWrite, 2, workers);
            await RateAsync(CoreWrite, 1, workers);
            await RateAsync(AuthenticatedRead, 1, workers);
            var results = new List<(string What, double Rate)>();
            for (var round = 0; round < 2; round++)
            {
                results.Add(("bare insert transaction", await RateAsync(BareWrite, seconds, workers)));
                results.Add(("POST /api/transactions", await RateAsync(ApiWrite, seconds, workers)));
            }

            results.Add(("Spend.RecordAsync (Core, no HTTP)", await RateAsync(CoreWrite, seconds, workers)));
            results.Add(("GET /api/cost-categories", await RateAsync(AuthenticatedRead, seconds, workers)));

            Console.WriteLine($"engine: {engine.ToCode()}; {workers} worker(s), {seconds} s each, two rounds alternating");
            foreach (var (what, rate) in results)
            {
                Console.WriteLine($"{what,-34}: {rate,8:F0} per second");
            }

            var api = results.Where(r => r.What.StartsWith("POST", StringComparison.Ordinal)).Average(r => r.Rate);
            var bare = results.Where(r => r.What.StartsWith("bare", StringComparison.Ordinal)).Average(r => r.Rate);
            Console.WriteLine($"ratio (mean of rounds): {api / bare:P0} of the bare rate");
            return 0;
        }
        finally
        {
            if (file is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var path in new[] { file, file + "-wal", file + "-shm" })
                {
                    File.Delete(path);
                }
            }
        }
    }

    private static async Task<long> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var json = await response.Content.ReadFromJsonAsync<JsonObject>();
        return response.IsSuccessStatusCode
            ? json!["id"]!.GetValue<long>()
            : throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {json}");
    }

    /// <summary>Completed operations per second over <paramref name="seconds"/>, by <paramref name="workers"/> running it back to back.</summary>
    private static async Task<double> RateAsync(Func<Task> operation, int seconds, int workers)
    {
        var done = 0L;
        var watch = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            while (watch.Elapsed < until)
            {
                await operation();
                Interlocked.Increment(ref done);
            }
        }));
        return done / watch.Elapsed.TotalSeconds;
    }
}
