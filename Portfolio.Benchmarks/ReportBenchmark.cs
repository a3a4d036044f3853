using System.Diagnostics;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Reports.Quarterly;

/// <summary>
/// One grant-period report with 5,000 transactions in the period, both files, on a SQLite file: time (median of
/// several runs after a warm-up) and the process's peak working set. Run in a process of its own so the peak is
/// this work's.
/// </summary>
internal static class ReportBenchmark
{
    public static async Task<int> RunAsync(int runs)
    {
        var file = Path.Combine(Path.GetTempPath(), $"portfolio-report-bench-{Guid.NewGuid():N}.db");
        try
        {
            var database = new Database(new DatabaseOptions(DatabaseEngine.Sqlite, $"Data Source={file}"));
            await new Migrator(database).MigrateAsync();
            var grantId = await SeedAsync(database, 5000);
            var reports = new QuarterlyReports(database, new ReportOptions(new ReportOrganisation("Benchmark Partnership", "1234567", "07654321"), null));
            reports.CheckFonts();
            var periodStart = new DateOnly(2026, 7, 1);

            long xlsxBytes = 0, pdfBytes = 0;
            var model = new List<double>();
            var excel = new List<double>();
            var pdf = new List<double>();
            for (var run = 0; run <= runs; run++)
            {
                var watch = Stopwatch.StartNew();
                var report = (await reports.BuildAsync(grantId, periodStart, new DateOnly(2026, 11, 23))).Report!;
                var built = watch.Elapsed.TotalMilliseconds;
                var xlsx = QuarterlyReports.Excel(report, ReportStamp.Draft);
                var excelDone = watch.Elapsed.TotalMilliseconds;
                var bytes = reports.Pdf(report, ReportStamp.Draft);
                var pdfDone = watch.Elapsed.TotalMilliseconds;
                if (run == 0)
                {
                    continue; // warm-up
                }

                model.Add(built);
                excel.Add(excelDone - built);
                pdf.Add(pdfDone - excelDone);
                xlsxBytes = xlsx.Length;
                pdfBytes = bytes.Length;
            }

            using var process = Process.GetCurrentProcess();
            process.Refresh();
            Console.WriteLine($"report: 1 grant, 2026/27 Q2 with 5,000 transactions; {runs} runs after a warm-up; medians");
            Console.WriteLine($"model (queries + burn)  : {Median(model),8:F1} ms");
            Console.WriteLine($"Excel (ClosedXML)       : {Median(excel),8:F1} ms  ({xlsxBytes / 1024.0:F0} KiB)");
            Console.WriteLine($"PDF (SkiaSharp)         : {Median(pdf),8:F1} ms  ({pdfBytes / 1024.0:F0} KiB)");
            Console.WriteLine($"both files, total       : {Median(model) + Median(excel) + Median(pdf),8:F1} ms");
            Console.WriteLine($"peak working set        : {process.PeakWorkingSet64 / (1024.0 * 1024):F0} MiB (whole process, including the runtime)");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private static async Task<long> SeedAsync(Database database, int transactions)
    {
        return await Portfolio.Core.Operations.UnitOfWork.CommitAsync(database, async session =>
        {
            var change = new ChangeContext("benchmark", DateTime.UtcNow);
            var funderId = await FunderStore.InsertAsync(session, new Funder { Name = "Benchmark funder", Kind = "trust" }, change);
            var partnerId = await PartnerStore.InsertAsync(session, new Partner { Name = "Benchmark partner", Kind = "by-and-for" }, change);
            var grantId = await GrantStore.InsertAsync(session, new Grant
            {
                FunderId = funderId,
                Reference = "BENCH-1",
                Title = "Report benchmark",
                AmountAwardedPence = 100_000_000,
                StartDate = new DateOnly(2026, 4, 1),
                EndDate = new DateOnly(2027, 3, 31),
                Status = "active",
            }, change);
            var categories = new[] { "staff", "delivery", "partner-grants", "training", "evaluation", "overheads" };
            var lines = new List<BudgetLine>();
            foreach (var quarter in new[] { new DateOnly(2026, 4, 1), new DateOnly(2026, 7, 1), new DateOnly(2026, 10, 1), new DateOnly(2027, 1, 1) })
            {
                lines.AddRange(categories.Select(c => new BudgetLine { CategoryCode = c, PeriodStart = quarter, AmountPence = 100_000_000 / 24 }));
            }

            await BudgetStore.InsertVersionAsync(session, grantId, lines, change);
            await PartnerAgreementStore.InsertAsync(session, new PartnerAgreement { GrantId = grantId, PartnerId = partnerId, AmountPence = 10_000_000, StartDate = new DateOnly(2026, 4, 1), EndDate = new DateOnly(2027, 3, 31) }, change);
            for (var i = 0; i < transactions; i++)
            {
                await TransactionStore.InsertAsync(session, new SpendTransaction
                {
                    GrantId = grantId,
                    TransactionDate = new DateOnly(2026, 7, 1).AddDays(i % 92),
                    AmountPence = 1_000 + i * 7 % 90_000,
                    CategoryCode = categories[i % categories.Length],
                    Description = $"Benchmark transaction {i + 1}: supplier invoice for services delivered",
                    PartnerId = i % 10 == 0 ? partnerId : null,
                    SourceReference = $"JNL-{i + 1:00000}",
                }, change);
            }

            await PaymentStore.InsertAsync(session, new Payment { GrantId = grantId, PaymentDate = new DateOnly(2026, 7, 5), AmountPence = 25_000_000, Reference = "Q2" }, change);
            return grantId;
        });
    }
}
