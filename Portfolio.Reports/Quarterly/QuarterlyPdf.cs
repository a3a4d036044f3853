using System.Globalization;
using Portfolio.Core.Money;
using Portfolio.Reports.Pdf;
using SkiaSharp;

namespace Portfolio.Reports.Quarterly;

/// <summary>The quarterly report as an A4 PDF, set with <see cref="PdfLayout"/>, with a ScottPlot chart drawn as vectors.</summary>
public static class QuarterlyPdf
{
    public const string ContentType = "application/pdf";
    private const float ChartHeight = 210f;

    private static readonly Lock ChartFontsLock = new();
    private static string? _chartFontsFrom;

    public static byte[] Render(QuarterlyReport report, PdfFonts fonts)
    {
        var h = report.Header;
        var s = report.Summary;
        using var layout = new PdfLayout(fonts);

        layout.Heading($"{h.GrantReference}: report for {h.PeriodLabel}");
        layout.Paragraph(h.GrantTitle, 11f, bold: true);
        layout.Paragraph($"Funder: {h.FunderName}. Period {Date(h.PeriodStart)} to {Date(h.PeriodEnd)}. Prepared {Date(h.Prepared)} by {h.Organisation}.", 9.5f);

        layout.Heading("Summary", 2);
        layout.Badge("Budget status (RAG):", s.Rag.ToUpperInvariant(), RagColour(s.Rag));
        layout.KeyFigures(
        [
            new("Award", Money.Format(s.Award)),
            new("Budget", Money.Format(s.Budget)),
            new("Forecast at completion", Money.Format(s.ForecastAtCompletion)),
            new("Budget this period", Money.Format(s.PeriodBudget)),
            new("Actual this period", Money.Format(s.PeriodActual)),
            new("Time elapsed", Percent(s.TimeElapsedPercent)),
            new("Budget to date", Money.Format(s.BudgetToDate)),
            new("Actual to date", Money.Format(s.ActualToDate)),
            new("Burn (actual / budget)", Percent(s.BurnPercent)),
            new("Variance to date", Money.Format(s.Variance)),
            new("Variance %", Percent(s.VariancePercent)),
        ]);

        layout.Heading("Budget against actual by cost category", 2);
        var categoryRows = report.Categories
            .Select(c => (IReadOnlyList<string>)[c.Name, Money.Format(c.PeriodBudget), Money.Format(c.PeriodActual), Money.Format(c.PeriodVariance), Money.Format(c.BudgetToDate), Money.Format(c.ActualToDate), Money.Format(c.Variance)])
            .Append(["Total", Money.Format(report.Categories.Sum(c => c.PeriodBudget)), Money.Format(report.Categories.Sum(c => c.PeriodActual)), Money.Format(report.Categories.Sum(c => c.PeriodVariance)),
                Money.Format(report.Categories.Sum(c => c.BudgetToDate)), Money.Format(report.Categories.Sum(c => c.ActualToDate)), Money.Format(report.Categories.Sum(c => c.Variance))])
            .ToList();
        layout.Table(
        [
            new("Category", 1.5f), new("Budget this period", 1.1f, CellAlign.Right), new("Actual this period", 1.1f, CellAlign.Right), new("Variance this period", 1.1f, CellAlign.Right),
            new("Budget to date", 1.1f, CellAlign.Right), new("Actual to date", 1.1f, CellAlign.Right), new("Variance to date", 1.1f, CellAlign.Right),
        ], categoryRows, new HashSet<int> { categoryRows.Count - 1 });

        layout.Heading("Cumulative budget and actual", 2, keepWithNext: ChartHeight);
        layout.Drawing(ChartHeight, (canvas, rect) => DrawTrendChart(canvas, rect, report.Trend, fonts));
        layout.Table(
        [
            new("Period", 1.2f), new("Budget", 1f, CellAlign.Right), new("Actual", 1f, CellAlign.Right), new("Cumulative budget", 1.1f, CellAlign.Right), new("Cumulative actual", 1.1f, CellAlign.Right),
        ], report.Trend.Select(t => (IReadOnlyList<string>)[t.Label, Money.Format(t.Budget), Money.Format(t.Actual), Money.Format(t.CumulativeBudget), Money.Format(t.CumulativeActual)]).ToList());

        layout.Heading($"Spend in the period ({report.Transactions.Count} transactions)", 2);
        if (report.Transactions.Count == 0)
        {
            layout.Paragraph("No spend was recorded in this period.");
        }
        else
        {
            var rows = report.Transactions
                .Select(t => (IReadOnlyList<string>)[Date(t.Date), t.Category, t.Description, t.Partner ?? "", t.SourceReference ?? "", Money.Format(t.Amount)])
                .Append(["", "", "Total", "", "", Money.Format(report.Transactions.Sum(t => t.Amount))])
                .ToList();
            layout.Table(
            [
                new("Date", 0.95f), new("Category", 1f), new("Description", 2.2f), new("Partner", 1.3f), new("Source reference", 1.3f), new("Amount", 1f, CellAlign.Right),
            ], rows, new HashSet<int> { rows.Count - 1 });
        }

        layout.Heading("Partners", 2);
        if (report.Partners.Count == 0)
        {
            layout.Paragraph("No partner agreements on this grant.");
        }
        else
        {
            var rows = report.Partners
                .Select(p => (IReadOnlyList<string>)[p.Partner, Money.Format(p.Agreed), Money.Format(p.PaidInPeriod), Money.Format(p.PaidToDate), Money.Format(p.Remaining)])
                .Append(["Total", Money.Format(report.Partners.Sum(p => p.Agreed)), Money.Format(report.Partners.Sum(p => p.PaidInPeriod)), Money.Format(report.Partners.Sum(p => p.PaidToDate)), Money.Format(report.Partners.Sum(p => p.Remaining))])
                .ToList();
            layout.Table(
            [
                new("Partner", 2f), new("Agreed", 1f, CellAlign.Right), new("Paid this period", 1f, CellAlign.Right), new("Paid to date", 1f, CellAlign.Right), new("Remaining", 1f, CellAlign.Right),
            ], rows, new HashSet<int> { rows.Count - 1 });
        }

        layout.Heading("Income", 2);
        var income = report.Income;
        if (income.InPeriod.Count == 0)
        {
            layout.Paragraph("No income was received in this period.");
        }
        else
        {
            layout.Table(
                [new("Date", 1f), new("Reference", 3f), new("Amount", 1.2f, CellAlign.Right)],
                income.InPeriod.Select(i => (IReadOnlyList<string>)[Date(i.Date), i.Reference ?? "", Money.Format(i.Amount)]).ToList());
        }

        layout.KeyFigures(
        [
            new("Received this period", Money.Format(income.ReceivedInPeriod)),
            new("Received to date", Money.Format(income.ReceivedToDate)),
            new("Still to receive of the award", Money.Format(income.Outstanding)),
        ]);

        layout.Heading("Variance notes", 2);
        if (report.Notes.Count == 0)
        {
            layout.Paragraph("No variance notes for this period.");
        }
        else
        {
            foreach (var note in report.Notes)
            {
                layout.Paragraph($"{note.Category ?? "All categories"} ({note.Author}, {Date(DateOnly.FromDateTime(note.CreatedAt))})", 8.5f, bold: true);
                layout.Paragraph(note.Text);
            }
        }

        return layout.Render(
            $"{h.GrantReference} report for {h.PeriodLabel}",
            h.Organisation,
            $"{h.Organisation}: {h.GrantReference}",
            $"{h.FunderName}, {h.PeriodLabel}",
            $"Prepared {Date(h.Prepared)}. Amounts in pounds sterling.");
    }

    private static void DrawTrendChart(SKCanvas canvas, SKRect rect, IReadOnlyList<TrendRow> trend, PdfFonts fonts)
    {
        EnsureChartFonts(fonts);
        var plot = new ScottPlot.Plot();
        plot.Font.Set("DejaVu Sans", ScottPlot.FontWeight.Normal, ScottPlot.FontSlant.Upright, ScottPlot.FontSpacing.Normal);
        var xs = Enumerable.Range(0, trend.Count).Select(i => (double)i).ToArray();
        var budget = plot.Add.ScatterLine(xs, trend.Select(t => (double)Money.ToPounds(t.CumulativeBudget)).ToArray(), ScottPlot.Color.FromHex("#4472C4"));
        budget.LegendText = "Cumulative budget";
        budget.LineWidth = 2;
        budget.MarkerSize = 5;
        var actual = plot.Add.ScatterLine(xs, trend.Select(t => (double)Money.ToPounds(t.CumulativeActual)).ToArray(), ScottPlot.Color.FromHex("#ED7D31"));
        actual.LegendText = "Cumulative actual";
        actual.LineWidth = 2;
        actual.MarkerSize = 5;

        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var i = 0; i < trend.Count; i++)
        {
            ticks.AddMajor(i, trend[i].Label);
        }

        plot.Axes.Bottom.TickGenerator = ticks;
        plot.YLabel("£");
        plot.Axes.Bottom.TickLabelStyle.FontSize = 9;
        plot.Axes.Left.TickLabelStyle.FontSize = 9;
        plot.Legend.FontSize = 9;
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.Axes.SetLimitsX(-0.3, Math.Max(1, trend.Count - 1) + 0.3);
        plot.Axes.SetLimitsY(0, Math.Max(1, trend.Max(t => (double)Money.ToPounds(Math.Max(t.CumulativeBudget, t.CumulativeActual)))) * 1.1);
        plot.Render(canvas, new ScottPlot.PixelRect(rect.Left, rect.Right, rect.Bottom, rect.Top));
    }

    /// <summary>ScottPlot draws text with its own font registry: give it the same font files, or chart labels silently vanish.</summary>
    private static void EnsureChartFonts(PdfFonts fonts)
    {
        lock (ChartFontsLock)
        {
            if (_chartFontsFrom == fonts.RegularPath)
            {
                return;
            }

            ScottPlot.Fonts.AddFontFile("DejaVu Sans", fonts.RegularPath, bold: false, italic: false);
            ScottPlot.Fonts.AddFontFile("DejaVu Sans", fonts.BoldPath, bold: true, italic: false);
            ScottPlot.Fonts.Default = "DejaVu Sans";
            _chartFontsFrom = fonts.RegularPath;
        }
    }

    private static SKColor RagColour(string rag) => rag switch
    {
        "green" => new SKColor(0x2E, 0x7D, 0x32),
        "amber" => new SKColor(0xC7, 0x7C, 0x02),
        _ => new SKColor(0xC6, 0x28, 0x28),
    };

    private static string Date(DateOnly date) => date.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    private static string Percent(decimal? percent) => percent is null ? "n/a" : percent.Value.ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
