using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;
using Portfolio.Core.Burn;
using Portfolio.Core.Data;

// Budget burn at scale: 500 grants and 1,000,000 transactions on PostgreSQL.
// Usage: dotnet run -c Release --project Portfolio.Benchmarks -- burn "Host=...;Database=...;Username=..." [runs]
// scripts/benchmark-burn.sh starts a throwaway PostgreSQL server and runs this.
internal static class BurnBenchmark
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length >= 1 && args[0] == "report")
        {
            return await ReportBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
        }

        if (args.Length >= 2 && args[0] == "imports")
        {
            // imports "<postgres connection string>" [rows]
            return await ImportBenchmark.RunAsync(args[1], args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
        }

        if (args.Length >= 2 && args[0] == "writes")
        {
            // writes sqlite [seconds] [workers] | writes postgres "<connection string>" [seconds] [workers]
            var engine = DatabaseEngineNames.Parse(args[1]);
            var rest = engine == DatabaseEngine.Sqlite ? args[2..] : args[3..];
            return await WriteBenchmark.RunAsync(
                engine,
                engine == DatabaseEngine.Sqlite ? null : args[2],
                rest.Length > 0 ? int.Parse(rest[0], System.Globalization.CultureInfo.InvariantCulture) : 10,
                rest.Length > 1 ? int.Parse(rest[1], System.Globalization.CultureInfo.InvariantCulture) : 1);
        }

        if (args.Length < 2 || args[0] != "burn")
        {
            Console.Error.WriteLine("usage: Portfolio.Benchmarks burn <postgres connection string> [runs] | report [runs] | writes sqlite [seconds] [workers] | writes postgres <connection string> [seconds] [workers]");
            return 2;
        }

        var connectionString = args[1];
        var runs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 9;
        var options = new DatabaseOptions(DatabaseEngine.Postgres, connectionString);
        var database = new Database(options);
        await new Migrator(database).MigrateAsync();

        var setup = Stopwatch.StartNew();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandTimeout = 600;
            command.CommandText = BenchmarkData.Generate;
            await command.ExecuteNonQueryAsync();
        }

        // The generated rows bypass the store, so the kept spend and budget totals are recounted once, as after a bulk load.
        await Portfolio.Core.Operations.UnitOfWork.CommitAsync(database, async session =>
        {
            await SpendTotals.RebuildAsync(session);
            await BudgetTotals.RebuildAsync(session);
            return true;
        });
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandTimeout = 600;

            // As autovacuum would in service: sets the visibility map so the sums can use index-only scans.
            command.CommandText = "VACUUM ANALYZE";
            await command.ExecuteNonQueryAsync();
        }

        Console.WriteLine($"data: 500 grants, 1,000,000 transactions (1% voided), 36,000 budget lines, created in {setup.Elapsed.TotalSeconds:F1} s");

        var asOf = new DateOnly(2026, 11, 23);
        await using (var session = await database.OpenAsync())
        {
            var rollup = await BurnQueries.RollupAsync(session, new BurnFilter(), BurnGrouping.Grant, asOf, RagThresholds.Default);
            Console.WriteLine($"check: {rollup.Groups.Count} grant rows, portfolio actual to date {Portfolio.Core.Money.Money.Format(rollup.Portfolio.ActualToDate)}");
        }

        var bare = await MedianAsync(runs, async () =>
        {
            await using var session = await database.OpenAsync();
            _ = (await session.QueryAsync<long>(BenchmarkData.BareSum)).Count();
        });
        var query = await MedianAsync(runs, async () =>
        {
            await using var session = await database.OpenAsync();
            _ = await BurnQueries.RollupAsync(session, new BurnFilter(), BurnGrouping.Grant, asOf, RagThresholds.Default);
        });

        await using var app = new WebApplicationFactory<global::Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Portfolio:Database:Engine", "postgres");
            builder.UseSetting("ConnectionStrings:Portfolio", connectionString);
            builder.UseSetting("Portfolio:BootstrapAdminKey", "pk_benchmark_admin_key_0123456789abcdef");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Portfolio:RateLimit:Burst", "1000000");
            builder.UseSetting("Portfolio:RateLimit:PerSecond", "1000000");

            // No Hangfire server in this process: its schedule would start at once on drafts for the 500 grants'
            // ended periods (rendering each report's PDF and workbook) while the pages are being timed.
            builder.UseSetting("Portfolio:Jobs:RunInProcess", "false");
        });
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "pk_benchmark_admin_key_0123456789abcdef");
        var http = await MedianAsync(runs, async () =>
        {
            using var response = await client.GetAsync($"/api/burn?groupBy=grant&asOf={asOf:yyyy-MM-dd}");
            response.EnsureSuccessStatusCode();
            _ = await response.Content.ReadAsByteArrayAsync();
        });

        var dashboardCore = await MedianAsync(runs, async () =>
        {
            await using var session = await database.OpenAsync();
            _ = await Dashboards.LoadAsync(session, new BurnFilter(), asOf, RagThresholds.Default, null);
        });

        // The pages, signed in as a person would be (HTTPS, the session cookie).
        using var browser = await PageClient.SignedInAsync(app, client);
        long dashboardBytes = 0;
        var dashboardPage = await MedianAsync(runs, async () =>
        {
            using var response = await browser.GetAsync("/");
            response.EnsureSuccessStatusCode();
            dashboardBytes = (await response.Content.ReadAsByteArrayAsync()).LongLength;
        });
        long firstGrant;
        await using (var session = await database.OpenAsync())
        {
            firstGrant = await session.ExecuteScalarAsync<long>(BenchmarkData.FirstGrant);
        }

        long grantBytes = 0;
        var grantPage = await MedianAsync(runs, async () =>
        {
            using var response = await browser.GetAsync($"/grants/{firstGrant}");
            response.EnsureSuccessStatusCode();
            grantBytes = (await response.Content.ReadAsByteArrayAsync()).LongLength;
        });

        Console.WriteLine($"runs: {runs} each, after one warm-up; median wall-clock milliseconds");
        Console.WriteLine($"bare SELECT grant_id, SUM(amount_pence) ... GROUP BY grant_id : {bare,8:F1} ms");
        Console.WriteLine($"burn roll-up, groupBy=grant (queries + calculation)        : {query,8:F1} ms");
        Console.WriteLine($"GET /api/burn?groupBy=grant (in-process HTTP, JSON)        : {http,8:F1} ms");
        Console.WriteLine($"dashboard data (Dashboards.LoadAsync: 500 grants, roll-ups): {dashboardCore,8:F1} ms  ({dashboardCore / bare:P0} of bare)");
        Console.WriteLine($"GET / (the dashboard page, signed in, HTML)                : {dashboardPage,8:F1} ms  ({dashboardPage / bare:P0} of bare; {dashboardBytes:N0} bytes of HTML)");
        Console.WriteLine($"GET /grants/{{id}} (a grant page: 2,000 transactions)        : {grantPage,8:F1} ms  ({grantPage / bare:P0} of bare; {grantBytes:N0} bytes of HTML)");
        return 0;
    }

    private static async Task<double> MedianAsync(int runs, Func<Task> work)
    {
        await work();
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await work();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }
}

/// <summary>A client of the in-process host signed in to the pages: a viewer invited with the admin key, password set through the form.</summary>
internal static class PageClient
{
    public static async Task<HttpClient> SignedInAsync(WebApplicationFactory<global::Program> app, HttpClient admin)
    {
        var email = $"bench-{Guid.NewGuid():N}@example.org";
        using var invited = await admin.PostAsync("/api/users", new StringContent(
            $$"""{"email":"{{email}}","name":"Benchmark Viewer","role":"viewer"}""", System.Text.Encoding.UTF8, "application/json"));
        invited.EnsureSuccessStatusCode();
        var link = new Uri(System.Text.Json.JsonDocument.Parse(await invited.Content.ReadAsStringAsync()).RootElement.GetProperty("setPasswordUrl").GetString()!);
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = true, HandleCookies = true, BaseAddress = new Uri("https://localhost") });
        var form = await browser.GetStringAsync(link.PathAndQuery);
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        using var set = await browser.PostAsync("/set-password", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", token), new("token", Uri.UnescapeDataString(link.Query["?token=".Length..])),
            new("password", "benchmark page password"), new("confirmPassword", "benchmark page password"),
        ]));
        set.EnsureSuccessStatusCode();
        return browser;
    }
}

internal static class BenchmarkData
{
    public static readonly Sql FirstGrant = Sql.Common("SELECT MIN(id) FROM grant_award");

    public static readonly Sql BareSum = Sql.Common("SELECT grant_id, SUM(amount_pence) FROM spend_transaction GROUP BY grant_id");

    public const string Generate = """
        INSERT INTO funder (name, kind, reporting_calendar, report_lag_days, delivery_mode, rag_amber_percent, rag_red_percent, created_at, updated_at)
        SELECT 'Benchmark funder ' || i, 'trust', 'uk-financial-year', 30, 'approval', 10, 20, now(), now() FROM generate_series(1, 5) i;
        INSERT INTO programme_area (name, code, created_at, updated_at)
        SELECT 'Benchmark area ' || i, 'BENCH' || i, now(), now() FROM generate_series(1, 6) i;
        INSERT INTO grant_award (funder_id, programme_area_id, reference, title, amount_awarded_pence, currency, start_date, end_date, restricted, status, created_at, updated_at)
        SELECT (SELECT min(id) FROM funder) + i % 5, (SELECT min(id) FROM programme_area) + i % 6, 'BENCH-' || i, 'Benchmark grant ' || i,
               120000000, 'GBP', date '2025-04-01', date '2028-03-31', true, 'active', now(), now()
        FROM generate_series(1, 500) i;
        INSERT INTO budget_version (grant_id, version_number, created_at, created_by) SELECT id, 1, now(), 'benchmark' FROM grant_award;
        INSERT INTO budget_line (budget_version_id, category_code, period_start, amount_pence)
        SELECT bv.id, c.code, (date '2025-04-01' + q * interval '3 months')::date, 1666666
        FROM budget_version bv CROSS JOIN cost_category c CROSS JOIN generate_series(0, 11) q;
        INSERT INTO spend_transaction (grant_id, transaction_date, amount_pence, category_code, description, version, created_at, created_by, updated_at,
                                       voided_at, voided_by, void_reason)
        SELECT g.first_id + i % 500, date '2025-04-01' + i % 1000, 1000 + i % 50000,
               (ARRAY['staff', 'delivery', 'partner-grants', 'training', 'evaluation', 'overheads'])[1 + i % 6], 'Benchmark', 1, now(), 'benchmark', now(),
               CASE WHEN i % 100 = 0 THEN now() END, CASE WHEN i % 100 = 0 THEN 'benchmark' END, CASE WHEN i % 100 = 0 THEN 'benchmark void' END
        FROM generate_series(1, 1000000) i, (SELECT min(id) AS first_id FROM grant_award) g;
        """;
}
