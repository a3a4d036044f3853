using System.Text.RegularExpressions;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Money;
using Portfolio.Reports.Pdf;
using Portfolio.Reports.Quarterly;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;
using SkiaSharp;
using UglyToad.PdfPig;

namespace Portfolio.Tests.Reports;

/// <summary>
/// What a grants officer sees in the files: cached formula values, A4 print set-up, the stamp on every page, the
/// grant's facts and the organisation's details, whole amounts, a chart with its points, and small PDFs.
/// </summary>
public partial class ReportPresentationTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    private static readonly ReportOrganisation Organisation = new(
        "Test Partnership", "1234567", "07654321", "1 Test Street, London N1 1AA", "Finance team", "finance@partnership.example", "020 7946 0000");

    private QuarterlyReport _report = null!;
    private PdfFonts _fonts = null!;

    [OneTimeSetUp]
    public async Task BuildAsync()
    {
        if (Engine == DatabaseEngine.Postgres)
        {
            TestEnvironment.RequirePostgres();
        }

        var grant = await ReportScenario.CreateAsync(Database);
        await using var session = await Database.OpenAsync();
        _report = (await QuarterlyReportSource.BuildAsync(session, grant.Id, new DateOnly(2026, 7, 1), Organisation, new DateOnly(2026, 10, 20))).Report!;
        _fonts = PdfFonts.Load();
    }

    [Test]
    public void EveryFormulaInTheWorkbook_CarriesItsValue_EqualToTheModel_ReadWithoutRecalculating()
    {
        using var package = SpreadsheetDocument.Open(new MemoryStream(QuarterlyWorkbook.Render(_report, ReportStamp.Draft)), false);
        var sheets = package.WorkbookPart!.Workbook.Sheets!.Elements<Sheet>().ToDictionary(s => s.Name!.Value!, s => (WorksheetPart)package.WorkbookPart.GetPartById(s.Id!));
        var formulas = 0;
        foreach (var (name, part) in sheets)
        {
            foreach (var cell in part.Worksheet.Descendants<Cell>().Where(c => c.CellFormula is not null))
            {
                formulas++;
                cell.CellValue.Should().NotBeNull("{0}!{1} ({2}) must carry its value", name, cell.CellReference, cell.CellFormula!.Text);
                cell.CellValue!.Text.Should().NotBeNullOrEmpty();
            }
        }

        formulas.Should().BeGreaterThan(20);
        decimal Cached(string sheet, string reference) =>
            decimal.Parse(sheets[sheet].Worksheet.Descendants<Cell>().Single(c => c.CellReference == reference).CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture);

        // Budget vs Actual: Delivery's variance this period (row 3) and the totals row, each against the model.
        var delivery = _report.Categories.Select((c, i) => (c, Row: i + 2)).Single(x => x.c.Category == "delivery");
        Cached("Budget vs Actual", $"E{delivery.Row}").Should().Be(Money.ToPounds(delivery.c.PeriodVariance));
        var totalRow = _report.Categories.Count + 2;
        Cached("Budget vs Actual", $"D{totalRow}").Should().Be(Money.ToPounds(_report.Summary.PeriodActual));
        Cached("Budget vs Actual", $"H{totalRow}").Should().Be(Money.ToPounds(_report.Summary.Variance));
        Cached("Trend", $"G{_report.Trend.Count + 1}").Should().Be(Money.ToPounds(_report.Summary.ActualToDate));
        Cached("Transactions", $"F{_report.Transactions.Count + 2}").Should().Be(Money.ToPounds(_report.Transactions.Sum(t => t.Amount)));
    }

    [Test]
    public void TheWorkbook_PrintsOnA4FittedToTheWidth_RepeatsItsHeaderRows_AndSaysPortfolioWroteIt()
    {
        using var package = SpreadsheetDocument.Open(new MemoryStream(QuarterlyWorkbook.Render(_report, ReportStamp.Draft)), false);
        package.ExtendedFilePropertiesPart!.Properties.Application!.Text.Should().Be("Portfolio");
        var names = package.WorkbookPart!.Workbook.Descendants<Sheet>().ToDictionary(s => s.Id!.Value!, s => s.Name!.Value!);
        foreach (var part in package.WorkbookPart!.WorksheetParts)
        {
            var setup = part.Worksheet.Descendants<PageSetup>().Single();
            var summary = names[package.WorkbookPart.GetIdOfPart(part)] == "Summary";
            setup.PaperSize!.Value.Should().Be(9u, "9 is A4 in SpreadsheetML");
            (setup.FitToWidth?.Value ?? 1u).Should().Be(1u, "one page wide (1 is the schema's default, so it may be left out)");
            (setup.FitToHeight?.Value ?? 1u).Should().Be(summary ? 1u : 0u, "the summary fits one page, with its RAG legend; the others run on as long as they are");
            part.Worksheet.Descendants<SheetProperties>().Single().PageSetupProperties!.FitToPage!.Value.Should().BeTrue();
        }

        var titles = package.WorkbookPart.Workbook.DefinedNames!.Elements<DefinedName>().Where(d => d.Name == "_xlnm.Print_Titles").ToList();
        titles.Should().HaveCount(7, "every sheet repeats its header rows on each printed page");
        titles.Select(d => d.OuterXml).Should().Contain(x => x.Contains(">Transactions!1:1<", StringComparison.Ordinal));
    }

    [Test]
    public void ThePdf_ShowsTheGrantsFacts_WhoSentIt_TheRagLegend_AndThePreviousPeriodsActuals()
    {
        using var pdf = PdfDocument.Open(QuarterlyPdf.Render(_report, _fonts, ReportStamp.Draft));
        var text = string.Join(" ", pdf.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
        text.Should().Contain(_report.Header.FunderOrgIdentifier!)
            .And.Contain("Restricted")
            .And.Contain("1 Mar 2026", "the award date")
            .And.Contain("1 Apr 2026").And.Contain("31 Mar 2027")
            .And.Contain("Registered charity 1234567.").And.Contain("Company 07654321.")
            .And.Contain("finance@partnership.example")
            .And.Contain("GREEN within 10% either way, AMBER within 20%, RED beyond 20%")
            .And.Contain("a negative variance is an underspend")
            .And.Contain("previous");
        // Q1's delivery spend (£4,000.00) is the previous period's actual beside Q2's.
        text.Should().Contain(Money.Format(_report.Categories.Single(c => c.Category == "delivery").PreviousPeriodActual!.Value));
        _report.Summary.Unallocated.Should().Be(0);
        text.Should().NotContain("Unallocated", "award and budget are equal here");

        var unbalanced = _report with { Summary = _report.Summary with { Budget = _report.Summary.Budget - 123_45, Unallocated = 123_45 } };
        using var shown = PdfDocument.Open(QuarterlyPdf.Render(unbalanced, _fonts, ReportStamp.Draft));
        string.Join(" ", shown.GetPages().Select(p => p.Text)).Should().Contain("Unallocated (award - budget)").And.Contain("£123.45");
    }

    [TestCase(ReportStage.Provisional, "PROVISIONAL – period not ended")]
    [TestCase(ReportStage.Draft, "DRAFT – awaiting approval, not sent")]
    public void EveryPdfPage_AndTheSummarySheet_CarryTheStamp(ReportStage stage, string expected)
    {
        var stamp = new ReportStamp(stage);
        using var pdf = PdfDocument.Open(QuarterlyPdf.Render(_report, _fonts, stamp));
        pdf.NumberOfPages.Should().BeGreaterThan(1);
        pdf.GetPages().Should().OnlyContain(p => p.Text.Contains(expected.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal) || p.Text.Contains(expected, StringComparison.Ordinal));

        using var workbook = new ClosedXML.Excel.XLWorkbook(new MemoryStream(QuarterlyWorkbook.Render(_report, stamp)));
        workbook.Worksheet("Summary").Cell(2, 1).GetString().Should().Be(expected);
    }

    [Test]
    public void TheFinalFiles_NameTheApproverAndTheTime()
    {
        var stamp = ReportStamp.Final("Priya Shah", new DateTime(2026, 11, 23, 14, 5, 0, DateTimeKind.Utc));
        stamp.Text.Should().Be("Approved by Priya Shah on 23 Nov 2026 14:05 UK time");
        using var pdf = PdfDocument.Open(QuarterlyPdf.Render(_report, _fonts, stamp));
        pdf.GetPages().Should().OnlyContain(p => p.Text.Contains("ApprovedbyPriyaShah", StringComparison.Ordinal) || p.Text.Contains("Approved by Priya Shah", StringComparison.Ordinal));
    }

    [Test]
    public void AFirstPeriodChart_ShowsItsPoints()
    {
        var onePoint = new[] { new TrendRow("2026/27 Q1", new DateOnly(2026, 4, 1), new DateOnly(2026, 6, 30), 2_000_000, 1_800_000, 2_000_000, 1_800_000) };
        using var bitmap = new SKBitmap(500, 220);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            QuarterlyPdf.DrawTrendChart(canvas, new SKRect(0, 0, 500, 220), onePoint, _fonts.Chart);
        }

        // The actual series is orange (#ED7D31): with one period there is no line, so orange in the middle of the plot
        // (away from the legend at the upper left) is the point itself.
        var orange = 0;
        for (var x = 220; x < 330; x++)
        {
            for (var y = 0; y < 220; y++)
            {
                var p = bitmap.GetPixel(x, y);
                if (Math.Abs(p.Red - 0xED) < 40 && Math.Abs(p.Green - 0x7D) < 40 && Math.Abs(p.Blue - 0x31) < 40)
                {
                    orange++;
                }
            }
        }

        orange.Should().BeGreaterThan(10, "the single period's actual is drawn as a marker");
    }

    [Test]
    public void APdf_EmbedsOnlyTheCharactersItUses_SoItIsSmall_AndReadsBackLettersBeyondLatin1()
    {
        var named = _report with { Partners = [.. _report.Partners, new PartnerRow("Cymorth Ŵyr Cymru – Łódź", 1, 0, 0, 1)] };
        var bytes = QuarterlyPdf.Render(named, _fonts, ReportStamp.Draft);
        bytes.Length.Should().BeLessThan(200 * 1024, "the whole DejaVu files would be about 1.5 MB");
        using var pdf = PdfDocument.Open(bytes);
        string.Join(" ", pdf.GetPages().Select(p => p.Text)).Should().Contain("Ŵyr Cymru").And.Contain("Łódź");
    }
}

/// <summary>No amount is ever broken across lines, however large: a £53m grant with 5,000 transactions, read back word by word.</summary>
public partial class LargeGrantLayoutTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    [Test]
    public async Task NoAmountIsBrokenAcrossLines_InAFiftyThreeMillionPoundGrant_With5000Transactions()
    {
        var grant = await Portfolio.Core.Operations.UnitOfWork.CommitAsync(Database, async session =>
        {
            var change = A.Change();
            var funderId = await FunderStore.InsertAsync(session, A.Funder("government"), change);
            var g = A.Grant(funderId, amountPence: 5_300_000_000, start: new DateOnly(2025, 4, 1), end: new DateOnly(2029, 3, 31));
            g.Id = await GrantStore.InsertAsync(session, g, change);
            var lines = new List<BudgetLine>();
            for (var quarter = new DateOnly(2025, 4, 1); quarter < new DateOnly(2029, 4, 1); quarter = quarter.AddMonths(3))
            {
                lines.Add(new BudgetLine { CategoryCode = "partner-grants", PeriodStart = quarter, AmountPence = 250_000_000 });
                lines.Add(new BudgetLine { CategoryCode = "staff", PeriodStart = quarter, AmountPence = 81_250_000 });
            }

            await BudgetStore.InsertVersionAsync(session, g.Id, lines, change);
            for (var i = 0; i < 5000; i++)
            {
                await TransactionStore.InsertAsync(session, new SpendTransaction
                {
                    GrantId = g.Id,
                    TransactionDate = new DateOnly(2026, 7, 1).AddDays(i % 92),
                    AmountPence = 333_744_008 + i * 1_000_017L,
                    CategoryCode = i % 2 == 0 ? "partner-grants" : "staff",
                    Description = $"Instalment {i + 1} to a local service in a police force area with a long name",
                    SourceReference = $"JNL-{i:D6}",
                }, change);
            }

            return g;
        });

        await using var session = await Database.OpenAsync();
        var report = (await QuarterlyReportSource.BuildAsync(session, grant.Id, new DateOnly(2026, 7, 1), new ReportOrganisation("Test Partnership"), new DateOnly(2026, 11, 1))).Report!;
        using var pdf = PdfDocument.Open(QuarterlyPdf.Render(report, PdfFonts.Load(), ReportStamp.Draft));

        var amounts = 0;
        foreach (var page in pdf.GetPages())
        {
            foreach (var word in page.GetWords().Select(w => w.Text).Where(w => w.Contains('£', StringComparison.Ordinal) && w.Trim('£').Length > 0))
            {
                WholeAmount().IsMatch(word).Should().BeTrue("'{0}' on page {1} must be a whole amount", word, page.Number);
                amounts++;
            }
        }

        amounts.Should().BeGreaterThan(5000);
        Money.Format(report.Summary.ActualToDate).Length.Should().BeGreaterThanOrEqualTo("£1,000,000,000.00".Length - 1, "the figures really are large");
    }

    [GeneratedRegex(@"^-?£\d{1,3}(,\d{3})*\.\d{2}$")]
    internal static partial Regex WholeAmount();
}
