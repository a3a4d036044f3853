using ClosedXML.Excel;
using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Reports.Pdf;
using Portfolio.Reports.Quarterly;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;
using UglyToad.PdfPig;

namespace Portfolio.Tests.Reports;

/// <summary>
/// The quarterly report for 2026/27 Q2 of <see cref="ReportScenario"/>, on every engine. By hand, as of 30 Sep 2026:
/// budget to date = Q1 20,000.00 + Q2 30,000.00 = 50,000.00; actual to date = 14,000 + 4,000 + 16,500 + 7,000 +
/// 6,000 - 500 = 47,000.00 (the voided 9,999.99 left out); Q2 actual = 29,000.00 against a Q2 budget of 30,000.00.
/// </summary>
public class QuarterlyReportTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    private static readonly DateOnly Q2 = new(2026, 7, 1);
    private QuarterlyReport _report = null!;
    private long _grantId;

    [OneTimeSetUp]
    public async Task BuildAsync()
    {
        if (Engine == DatabaseEngine.Postgres)
        {
            TestEnvironment.RequirePostgres();
        }

        _grantId = (await ReportScenario.CreateAsync(Database)).Id;
        await using var session = await Database.OpenAsync();
        var (outcome, report) = await QuarterlyReportSource.BuildAsync(session, _grantId, Q2, new ReportOrganisation("Test Partnership", "1234567", "07654321", "1 Test Street, London", "Finance team", "finance@partnership.example"), new DateOnly(2026, 10, 20));
        outcome.Should().Be(ReportSourceOutcome.Ready);
        _report = report!;
    }

    [Test]
    public async Task TheModel_SaysWhatTheBurnCalculationSaysAtThePeriodEnd()
    {
        await using var session = await Database.OpenAsync();
        var burn = (await BurnQueries.ForGrantAsync(session, _grantId, new DateOnly(2026, 9, 30)))!.Value.Burn;
        var s = _report.Summary;

        s.BudgetToDate.Should().Be(5_000_000).And.Be(burn.Totals.BudgetToDate);
        s.ActualToDate.Should().Be(4_700_000).And.Be(burn.Totals.ActualToDate);
        s.Variance.Should().Be(-300_000);
        s.VariancePercent.Should().Be(-6.0m);
        s.PeriodBudget.Should().Be(3_000_000);
        s.PeriodActual.Should().Be(2_900_000);
        s.ForecastAtCompletion.Should().Be(burn.Totals.ForecastAtCompletion);
        s.Rag.Should().Be("green");
        _report.Header.PeriodLabel.Should().Be("2026/27 Q2");
        _report.Header.PeriodEnd.Should().Be(new DateOnly(2026, 9, 30));

        var delivery = _report.Categories.Single(c => c.Category == "delivery");
        delivery.PeriodBudget.Should().Be(1_000_000);
        delivery.PeriodActual.Should().Be(650_000); // 7,000 - 500
        delivery.ActualToDate.Should().Be(1_050_000);
        _report.Categories.Sum(c => c.ActualToDate).Should().Be(s.ActualToDate);
        _report.Categories.Sum(c => c.PeriodActual).Should().Be(s.PeriodActual);

        _report.Trend.Select(t => t.Label).Should().Equal("2026/27 Q1", "2026/27 Q2");
        _report.Trend[^1].CumulativeActual.Should().Be(s.ActualToDate);
        _report.Transactions.Should().HaveCount(4, "Q2 has four transactions once the voided one is left out");
        _report.Transactions.Should().NotContain(t => t.Description == "Posted twice");
        _report.Partners.Single().Should().Be(new PartnerRow("Sahara Women's Network", 2_000_000, 700_000, 700_000, 1_300_000));
        _report.Income.ReceivedInPeriod.Should().Be(3_000_000);
        _report.Income.ReceivedToDate.Should().Be(6_000_000);
        _report.Income.Outstanding.Should().Be(6_000_000);
        _report.Notes.Single().Text.Should().Be("Training brought forward from Q3.");
    }

    [Test]
    public void TheWorkbook_HoldsTheModelsFigures_AsValuesAndLiveFormulas()
    {
        using var workbook = new XLWorkbook(new MemoryStream(QuarterlyWorkbook.Render(_report, ReportStamp.Draft)));

        workbook.Worksheets.Select(w => w.Name).Should().Equal("Summary", "Budget vs Actual", "Trend", "Transactions", "Partners", "Income", "Notes");
        workbook.Properties.Title.Should().Contain(_report.Header.GrantReference);
        workbook.Properties.Author.Should().Be("Test Partnership");

        var summary = workbook.Worksheet("Summary");
        Amount(summary, "Award").Should().Be(120_000.00m);
        Amount(summary, "Budget to date").Should().Be(50_000.00m);
        Amount(summary, "Actual to date").Should().Be(47_000.00m);
        var variance = Row(summary, "Variance (actual - budget to date)").Cell(2);
        variance.HasFormula.Should().BeTrue();
        Math.Round(variance.GetValue<decimal>(), 2).Should().Be(-3_000.00m);
        var forecast = Row(summary, "Forecast at completion").Cell(2);
        forecast.HasFormula.Should().BeTrue();
        Math.Round(forecast.GetValue<decimal>(), 2).Should().Be(Portfolio.Core.Money.Money.ToPounds(_report.Summary.ForecastAtCompletion));
        Row(summary, "Period start").Cell(2).DataType.Should().Be(XLDataType.DateTime, "dates are dates");
        Row(summary, "Unallocated (award - budget)").Cell(2).HasFormula.Should().BeTrue();
        Row(summary, "Funder's organisation identifier").Cell(2).GetString().Should().Be(_report.Header.FunderOrgIdentifier ?? "not recorded");
        Row(summary, "Registered charity number").Cell(2).GetString().Should().Be("1234567");
        Row(summary, "Queries email").Cell(2).GetString().Should().Be("finance@partnership.example");
        summary.Cell(2, 1).GetString().Should().Be("DRAFT – awaiting approval, not sent");
        Row(summary, "Award").Cell(2).Style.NumberFormat.Format.Should().Be(QuarterlyWorkbook.MoneyFormat);

        var categories = workbook.Worksheet("Budget vs Actual");
        categories.Tables.Should().ContainSingle().Which.ShowAutoFilter.Should().BeTrue();
        var total = Row(categories, "Total");
        total.Cell(4).HasFormula.Should().BeTrue();
        Math.Round(total.Cell(4).GetValue<decimal>(), 2).Should().Be(29_000.00m);
        Math.Round(total.Cell(8).GetValue<decimal>(), 2).Should().Be(-3_000.00m);
        var delivery = Row(categories, "Delivery");
        Math.Round(delivery.Cell(2).GetValue<decimal>(), 2).Should().Be(4_000.00m, "Q1's delivery spend: the previous period's actual");
        delivery.Cell(5).HasFormula.Should().BeTrue();
        Math.Round(delivery.Cell(5).GetValue<decimal>(), 2).Should().Be(-3_500.00m); // 6,500 - 10,000

        var trend = workbook.Worksheet("Trend");
        Math.Round(trend.Cell(3, 7).GetValue<decimal>(), 2).Should().Be(47_000.00m);
        trend.Cell(3, 7).HasFormula.Should().BeTrue();

        var transactions = workbook.Worksheet("Transactions");
        var transactionTotal = Row(transactions, "Total", column: 5);
        Math.Round(transactionTotal.Cell(6).GetValue<decimal>(), 2).Should().Be(29_000.00m);
        transactions.Cell(2, 1).DataType.Should().Be(XLDataType.DateTime);

        var partners = workbook.Worksheet("Partners");
        Math.Round(Row(partners, "Sahara Women's Network").Cell(5).GetValue<decimal>(), 2).Should().Be(13_000.00m);
        var income = workbook.Worksheet("Income");
        Math.Round(Row(income, "Still to receive (award - received to date)", column: 2).Cell(3).GetValue<decimal>(), 2).Should().Be(60_000.00m);
        workbook.Worksheet("Notes").Cell(2, 2).GetString().Should().Be("Training brought forward from Q3.");
    }

    [Test]
    public void FormulaLikeText_IsWrittenAsText_InTheWorkbookAndThePdf()
    {
        using var workbook = new XLWorkbook(new MemoryStream(QuarterlyWorkbook.Render(_report, ReportStamp.Draft)));
        var cell = workbook.Worksheet("Transactions").CellsUsed().Single(c => c.GetString() == ReportScenario.HyperlinkDescription);
        cell.HasFormula.Should().BeFalse();
        cell.DataType.Should().Be(XLDataType.Text);
        cell.Style.IncludeQuotePrefix.Should().BeTrue();

        var fonts = PdfFonts.Load();
        using var pdf = PdfDocument.Open(QuarterlyPdf.Render(_report, fonts, ReportStamp.Draft));
        var text = string.Join(" ", pdf.GetPages().Select(p => p.Text));
        text.Should().Contain("=HYPERLINK(\"http://x\",\"click\")");
    }

    [Test]
    public void ThePdf_ShowsTheReferencePeriodAndEveryCategorysFigures_AsTheModelFormatsThem()
    {
        var fonts = PdfFonts.Load();
        var bytes = QuarterlyPdf.Render(_report, fonts, ReportStamp.Draft);
        using var pdf = PdfDocument.Open(bytes);
        var text = Documents.PdfText(bytes);

        text.Should().Contain(_report.Header.GrantReference).And.Contain("2026/27 Q2");
        foreach (var label in new[] { "Award date", "Grant starts", "Grant ends", "Budget to date", "Actual to date", "Variance to date", "Cumulative budget and actual", "Cumulative actual", "DRAFT" })
        {
            text.Should().Contain(label, "every label is read back as whole words, once");
        }

        text.Should().NotContainAny(["CCuumm", "aaccttuuaall"], "the chart's labels are drawn once");
        ((UglyToad.PdfPig.Tokens.StringToken)pdf.Structure.Catalog.CatalogDictionary.Data["Lang"]).Data.Should().Be("en-GB");
        foreach (var c in _report.Categories)
        {
            foreach (var amount in new[] { c.PeriodBudget, c.PeriodActual, c.PeriodVariance, c.BudgetToDate, c.ActualToDate, c.Variance })
            {
                text.Should().Contain(Portfolio.Core.Money.Money.Format(amount), "category {0}", c.Name);
            }
        }

        text.Should().Contain("£47,000.00").And.Contain("-£3,000.00").And.Contain("£120,000.00");
        pdf.Information.Title.Should().Contain("2026/27 Q2");
        pdf.GetPage(1).Width.Should().BeApproximately(595.28, 1, "A4 portrait");
        pdf.GetPage(1).Height.Should().BeApproximately(841.89, 1);
        pdf.GetPage(pdf.NumberOfPages).Text.Should().Contain($"Page {pdf.NumberOfPages} of {pdf.NumberOfPages}");
    }

    [Test]
    public void AFontFolderWithoutTheFonts_FailsGeneration_SayingWhatToDo()
    {
        var act = () => PdfFonts.Load("/nonexistent/fonts");
        act.Should().Throw<ReportFontsMissingException>().WithMessage("*/nonexistent/fonts*DejaVuSans.ttf*remove the setting*");
    }

    private static IXLRow Row(IXLWorksheet sheet, string label, int column = 1) =>
        sheet.RowsUsed().Single(r => r.Cell(column).GetString() == label);

    private static decimal Amount(IXLWorksheet sheet, string label) => Row(sheet, label).Cell(2).GetValue<decimal>();
}

/// <summary>Page counts and repeated table headers for periods with no spend, a little, and a great deal.</summary>
public class ReportPagingTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    [TestCase(0, 2, 3)]
    [TestCase(10, 2, 4)]
    [TestCase(5000, 100, 200)]
    public async Task PageCounts_AreSensible_AndTheTransactionHeaderRepeatsOnEveryPage(int extra, int minPages, int maxPages)
    {
        var grant = await ReportScenario.CreateAsync(Database, extra);
        await using var session = await Database.OpenAsync();
        var report = (await QuarterlyReportSource.BuildAsync(session, grant.Id, extra == 0 ? new DateOnly(2027, 1, 1) : new DateOnly(2026, 7, 1), new ReportOrganisation("Test"), new DateOnly(2026, 11, 1))).Report!;
        var fonts = PdfFonts.Load();

        using var pdf = PdfDocument.Open(QuarterlyPdf.Render(report, fonts, ReportStamp.Draft));

        pdf.NumberOfPages.Should().BeInRange(minPages, maxPages);
        var pages = pdf.GetPages().ToList();
        pages.Select((p, i) => p.Text.Contains($"Page {i + 1} of {pages.Count}", StringComparison.Ordinal)).Should().AllBeEquivalentTo(true);
        var withRows = pages.Where(p => p.Text.Contains("long month", StringComparison.Ordinal)).ToList();
        if (extra == 0)
        {
            withRows.Should().BeEmpty();
        }
        else
        {
            withRows.Should().NotBeEmpty();
        }

        foreach (var page in withRows)
        {
            page.Text.Should().Contain("Source").And.Contain("Description", "the table header is drawn again on each page it continues to");
        }

        if (extra == 5000)
        {
            withRows.Count.Should().BeGreaterThan(90);
        }
    }
}
