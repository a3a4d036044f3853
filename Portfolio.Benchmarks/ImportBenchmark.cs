using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using Portfolio.Core.Data;
using Portfolio.Core.Imports;
using Portfolio.Core.Operations;

/// <summary>
/// A 100,000-row Xero Account Transactions export on PostgreSQL (issue 13): preview time, commit time and the
/// process's peak working set, beside a bare COPY of the same rows into <c>spend_transaction</c> in the same run
/// (rolled back). Run in a process of its own so the peak is this work's; scripts/benchmark-import.sh starts a
/// throwaway server.
/// </summary>
internal static class ImportBenchmark
{
    private const int Grants = 50;

    public static async Task<int> RunAsync(string connectionString, int rows)
    {
        var database = new Database(new DatabaseOptions(DatabaseEngine.Postgres, connectionString));
        await new Migrator(database).MigrateAsync();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(Seed, connection);
            await command.ExecuteNonQueryAsync();
        }

        var change = new ChangeContext("benchmark", DateTime.UtcNow);
        await UnitOfWork.RunAsync(database, session => ImportRules.SetAsync(session, 0, new ImportRulesInput(
            [new AccountRule("7000", "spend", "staff"), new AccountRule("7100", "spend", "delivery"), new AccountRule("1200", "ignore")], []), change));

        var file = Path.Combine(Path.GetTempPath(), $"portfolio-import-bench-{Guid.NewGuid():N}.csv");
        try
        {
            var lines = WriteExport(file, rows);
            Console.WriteLine($"file: {rows:N0} journal lines, {new FileInfo(file).Length:N0} bytes; {lines.Count:N0} rows to copy; peak working set before: {Peak()} MB");

            var copy = await CopyAsync(connectionString, lines);
            Console.WriteLine($"bare COPY of the same {lines.Count:N0} rows into spend_transaction (rolled back): {copy.TotalSeconds:F2} s, {lines.Count / copy.TotalSeconds:N0} rows/s");
            lines.Clear();
            lines.TrimExcess();
            GC.Collect();

            var watch = Stopwatch.StartNew();
            long id;
            await using (var session = await database.OpenAsync())
            {
                await session.BeginAsync();
                var started = await AccountImports.StartAsync(session, "bench.csv", file, change);
                await session.CommitAsync();
                id = started.Value!.Id;
            }

            var previewed = await AccountImports.PreviewAsync(database, id, file, change);
            var preview = watch.Elapsed;
            Console.WriteLine($"preview: {preview.TotalSeconds:F2} s ({previewed.Rows.Total:N0} rows: {previewed.Rows.Ready:N0} ready, {previewed.Rows.Refused:N0} refused, {previewed.Rows.Ignored:N0} ignored); peak working set {Peak()} MB");

            await using (var session = await database.OpenAsync())
            {
                foreach (var row in (await AccountImports.RowsAsync(session, id, RowStatuses.Refused, new PageRequest(1, 3))).Items)
                {
                    Console.WriteLine($"  refused line {row.Line}: {string.Join("; ", row.Reasons)}");
                }
            }

            watch.Restart();
            var committed = await AccountImports.CommitAsync(database, id, change with { At = DateTime.UtcNow });
            var commit = watch.Elapsed;
            if (committed.Refused is { } refused)
            {
                Console.Error.WriteLine($"commit refused: {refused.Detail}");
                return 1;
            }

            Console.WriteLine($"commit: {commit.TotalSeconds:F2} s, {committed.Value!.Written / commit.TotalSeconds:N0} rows/s ({committed.Value.Written:N0} written; {committed.Value.Written / commit.TotalSeconds / (rows / copy.TotalSeconds):P0} of the bare COPY's rate); peak working set {Peak()} MB");

            watch.Restart();
            var again = await AccountImports.PreviewAsync(database, (await StartAgainAsync(database, file, change)), file, change);
            Console.WriteLine($"the same file again: preview {watch.Elapsed.TotalSeconds:F2} s, {again.Rows.Duplicate:N0} duplicates, {again.Rows.Ready:N0} ready");
            return 0;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<long> StartAgainAsync(Database database, string file, ChangeContext change)
    {
        await using var session = await database.OpenAsync();
        await session.BeginAsync();
        var started = await AccountImports.StartAsync(session, "bench again.csv", file, change);
        await session.CommitAsync();
        return started.Value!.Id;
    }

    private static long Peak() => Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024;

    private sealed record CopyRow(long GrantReference, DateOnly Date, long Pence, string Category, string Description, string Reference);

    /// <summary>The export as Xero lays it out (see Portfolio.Tests/Imports/SampleExports.cs), and the rows a COPY would write.</summary>
    private static List<CopyRow> WriteExport(string path, int rows)
    {
        var copy = new List<CopyRow>(rows);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(true));
        writer.Write("Account Transactions\r\nBenchmark Partnership\r\nFor the period 1 April 2026 to 31 October 2026\r\n\r\n");
        writer.Write("Date,Source,Description,Reference,Debit,Credit,Running Balance,Gross,VAT,Grant\r\n");
        foreach (var (code, name, category) in new[] { ("7000", "Staff salaries", "staff"), ("7100", "Delivery", "delivery") })
        {
            writer.Write($"{code} - {name}\r\n");
            for (var i = 0; i < rows / 2; i++)
            {
                var date = new DateOnly(2026, 4, 1).AddDays(i % 200);
                var pence = 1000 + (i * 7919L % 500000);
                var grant = i % Grants + 1;
                var reference = $"#{code}-{i}";
                var description = $"{name} line {i}";
                var amount = (pence / 100m).ToString("#,##0.00", CultureInfo.InvariantCulture);
                writer.Write($"{date.ToString("dd MMM yyyy", CultureInfo.InvariantCulture)},Manual Journal,{description},{reference},\"{amount}\",0.00,,\"{amount}\",0.00,BENCH-{grant}\r\n");
                copy.Add(new CopyRow(grant, date, pence, category, description, reference));
            }

            writer.Write($"Total {code} - {name},,,,0.00,0.00,,,,\r\n");
        }

        writer.Write("Total,,,,0.00,0.00,,,,\r\n");
        return copy;
    }

    private static async Task<TimeSpan> CopyAsync(string connectionString, List<CopyRow> rows)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var ids = new Dictionary<long, long>();
        await using (var read = new NpgsqlCommand("SELECT id, reference FROM grant_award", connection))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                ids[long.Parse(reader.GetString(1)["BENCH-".Length..], CultureInfo.InvariantCulture)] = reader.GetInt64(0);
            }
        }

        var now = DateTime.UtcNow;
        var watch = Stopwatch.StartNew();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY spend_transaction (grant_id, transaction_date, amount_pence, category_code, description, source_reference, version, created_at, created_by, updated_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in rows)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(ids[row.GrantReference], NpgsqlDbType.Bigint);
                await importer.WriteAsync(row.Date, NpgsqlDbType.Date);
                await importer.WriteAsync(row.Pence, NpgsqlDbType.Bigint);
                await importer.WriteAsync(row.Category, NpgsqlDbType.Text);
                await importer.WriteAsync(row.Description, NpgsqlDbType.Text);
                await importer.WriteAsync(row.Reference, NpgsqlDbType.Text);
                await importer.WriteAsync(1, NpgsqlDbType.Integer);
                await importer.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await importer.WriteAsync("benchmark", NpgsqlDbType.Text);
                await importer.WriteAsync(now, NpgsqlDbType.TimestampTz);
            }

            await importer.CompleteAsync();
        }

        var elapsed = watch.Elapsed;
        await transaction.RollbackAsync();
        return elapsed;
    }

    private const string Seed = """
        INSERT INTO funder (name, kind, reporting_calendar, report_lag_days, delivery_mode, rag_amber_percent, rag_red_percent, created_at, updated_at)
        VALUES ('Benchmark funder', 'trust', 'uk-financial-year', 30, 'approval', 10, 20, now(), now());
        INSERT INTO grant_award (funder_id, reference, title, amount_awarded_pence, currency, start_date, end_date, restricted, status, created_at, updated_at)
        SELECT (SELECT min(id) FROM funder), 'BENCH-' || i, 'Benchmark grant ' || i, 120000000, 'GBP', date '2025-04-01', date '2028-03-31', true, 'active', now(), now()
        FROM generate_series(1, 50) i;
        """;
}
