using System.Diagnostics;
using Portfolio.Core.Data;
using Portfolio.Reports.Quarterly;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;

namespace Portfolio.Tests.Reports;

/// <summary>
/// The workbook prints whole (issue 26, item 10): printed to PDF by LibreOffice, as a funder's officer might, its
/// text read back holds every sheet's headers whole, a long variance note and a long partner name whole, and the RAG
/// legend on the same page as the summary it explains. LibreOffice keeps each row as tall as the file says, so a row
/// too short for its wrapped text prints clipped.
/// </summary>
public sealed class WorkbookPrintTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    private const string Soffice = "/usr/bin/soffice";

    private const string LongNote =
        "Spend on staff ran behind the profile because two caseworkers started in August rather than July, after the " +
        "recruitment panel was moved; the partnership has agreed with the funder that the underspend carries into the " +
        "next quarter, when both posts are full time and the delayed group work begins in the three police force areas.";

    private const string LongPartner = "Cymorth i Fenywod Cymru – Welsh Women's Aid Specialist Services (demo)";

    [Test]
    public async Task PrintedThroughLibreOffice_TheWorkbookShowsEveryHeaderNoteAndNameWhole_AndTheLegendWithItsTable()
    {
        if (!File.Exists(Soffice))
        {
            Assert.Fail($"{Soffice} is missing: scripts/setup.sh installs Debian's libreoffice-calc-nogui package (scripts/test.sh runs it).");
        }

        var grant = await ReportScenario.CreateAsync(Database);
        await using var session = await Database.OpenAsync();
        var report = (await QuarterlyReportSource.BuildAsync(session, grant.Id, new DateOnly(2026, 7, 1), new ReportOrganisation("Test Partnership"), new DateOnly(2026, 10, 20))).Report!;
        report = report with
        {
            Notes = [new NoteRow("staff", LongNote, "Farah Shah", new DateTime(2026, 10, 5, 9, 0, 0, DateTimeKind.Utc))],
            Partners = [.. report.Partners, new PartnerRow(LongPartner, 1_000_000, 250_000, 250_000, 750_000, 200_000, 40)],
            Transactions = [.. report.Transactions, new TransactionRow(new DateOnly(2026, 9, 1), "Partner grants", "Partner grant instalment due Sep 2026 for the specialist outreach service", LongPartner, "JNL-2609-1234", 250_000)],
        };

        var pages = PrintedPages(QuarterlyWorkbook.Render(report, ReportStamp.Draft));
        foreach (var header in new[] { "Reported spent by partner", "Unspent by partner", "People reached this period", "Actual previous period", "Variance to date", "Cumulative budget", "Source reference" })
        {
            pages.Should().Contain(p => PrintsWhole(p, header), "the header '{0}' prints whole", header);
        }

        pages.Should().Contain(p => PrintsWhole(p, LongNote), "the variance note prints whole, wrapped in its cell");
        pages.Count(p => PrintsWhole(p, LongPartner)).Should().Be(2, "a long partner name prints whole, on the partners' sheet and the transactions'");
        pages.Single(p => PrintsWhole(p, "Unallocated (award - budget)")).Should().Match<IReadOnlyList<Word>>(p => PrintsWhole(p, "RAG compares the variance to date"),
            "the legend prints on the page of the summary it explains");
    }

    /// <summary>
    /// Whether <paramref name="text"/> is on the page as one cell prints it: its words in order, each after the one
    /// before on the same line, or at the start of the next line under the first word (wrapped). A word cut off, or a
    /// line hidden by a row too short, breaks the run.
    /// </summary>
    private static bool PrintsWhole(IReadOnlyList<Word> page, string text)
    {
        var wanted = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var first in page.Where(w => w.Text == wanted[0]))
        {
            var current = first;
            var whole = true;
            foreach (var next in wanted.Skip(1))
            {
                var sameLine = page.Where(w => Math.Abs(w.BoundingBox.Bottom - current.BoundingBox.Bottom) < 1.5 && w.BoundingBox.Left > current.BoundingBox.Right - 0.5)
                    .MinBy(w => w.BoundingBox.Left);
                var nextLine = page.Where(w => current.BoundingBox.Bottom - w.BoundingBox.Bottom is > 4 and < 30 && Math.Abs(w.BoundingBox.Left - first.BoundingBox.Left) < 3)
                    .MaxBy(w => w.BoundingBox.Bottom);
                var found = sameLine is not null && sameLine.Text == next && sameLine.BoundingBox.Left - current.BoundingBox.Right < 12 ? sameLine
                    : nextLine is not null && nextLine.Text == next ? nextLine : null;
                if (found is null)
                {
                    whole = false;
                    break;
                }

                current = found;
            }

            if (whole)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The workbook printed to PDF by LibreOffice, as the words of each page.</summary>
    private static List<IReadOnlyList<Word>> PrintedPages(byte[] workbook)
    {
        var folder = Directory.CreateTempSubdirectory("portfolio-print-");
        try
        {
            var xlsx = Path.Combine(folder.FullName, "report.xlsx");
            File.WriteAllBytes(xlsx, workbook);
            var start = new ProcessStartInfo(Soffice, ["--headless", $"-env:UserInstallation=file://{folder.FullName}/profile", "--convert-to", "pdf", "--outdir", folder.FullName, xlsx])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            process.WaitForExit(120_000).Should().BeTrue("LibreOffice prints a workbook in well under two minutes");
            var pdf = Path.Combine(folder.FullName, "report.pdf");
            File.Exists(pdf).Should().BeTrue(process.StandardError.ReadToEnd());
            using var document = PdfDocument.Open(File.ReadAllBytes(pdf));
            return document.GetPages().Select(p => (IReadOnlyList<Word>)p.GetWords().ToList()).ToList();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
