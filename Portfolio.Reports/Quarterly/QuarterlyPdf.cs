using System.Globalization;
using System.Text;
using System.Text.Json;
using Portfolio.Core.Money;
using Portfolio.Core.Results;
using Portfolio.Reports.Pdf;
using SkiaSharp;

namespace Portfolio.Reports.Quarterly;

/// <summary>The quarterly report as an A4 PDF, set with <see cref="PdfLayout"/>, with a ScottPlot chart drawn as vectors.</summary>
public static class QuarterlyPdf
{
    public const string ContentType = "application/pdf";
    private const float ChartHeight = 210f;

    public static byte[] Render(QuarterlyReport report, PdfFonts fonts, ReportStamp stamp)
    {
        var h = report.Header;
        var s = report.Summary;
        var o = h.Organisation;
        // Every character the report prints is in its font subset: the model's text, the stamp, and the base alphabet.
        using var faces = fonts.ForText(TextOf(report) + stamp.Text);
        using var layout = new PdfLayout(faces);

        layout.Heading($"{h.GrantReference}: report for {h.PeriodLabel}");
        layout.Paragraph(h.GrantTitle, 11f, bold: true);
        layout.Paragraph($"Reporting period {Date(h.PeriodStart)} to {Date(h.PeriodEnd)}. Prepared {Date(h.Prepared)}.", 9.5f);
        layout.KeyFigures(
        [
            new("Funder", h.FunderName),
            new("Funder's organisation identifier", h.FunderOrgIdentifier ?? "not recorded"),
            new("Funds", h.Restricted ? "Restricted" : "Unrestricted"),
            new("Award date", h.AwardDate is { } awarded ? Date(awarded) : "not recorded"),
            new("Grant starts", Date(h.GrantStart)),
            new("Grant ends", Date(h.GrantEnd)),
        ]);
        layout.Paragraph(string.Join(" ", new[] { $"From {o.Name}.", o.Registration, o.Address is { Length: > 0 } address ? address + "." : null, o.Queries is { Length: > 0 } queries ? queries + "." : null }
            .Where(x => !string.IsNullOrEmpty(x))), 8.5f);

        layout.Heading("Summary", 2);
        layout.Badge("Budget status (RAG):", s.Rag.ToUpperInvariant(), RagColour(s.Rag));
        layout.KeyFigures([.. SummaryFigures(s).Select(f => new KeyFigure(f.Label, f.Value))]);
        layout.Paragraph(RagLegend(s), 8f, colour: new SKColor(0x44, 0x44, 0x44));

        layout.Heading("Budget against actual by cost category", 2);
        var categoryRows = report.Categories
            .Select(c => (IReadOnlyList<string>)[c.Name, Previous(c.PreviousPeriodActual), Money.Format(c.PeriodBudget), Money.Format(c.PeriodActual), Money.Format(c.PeriodVariance), Money.Format(c.BudgetToDate), Money.Format(c.ActualToDate), Money.Format(c.Variance)])
            .Append(["Total", Money.Format(report.Categories.Sum(c => c.PreviousPeriodActual ?? 0)),
                Money.Format(report.Categories.Sum(c => c.PeriodBudget)), Money.Format(report.Categories.Sum(c => c.PeriodActual)), Money.Format(report.Categories.Sum(c => c.PeriodVariance)),
                Money.Format(report.Categories.Sum(c => c.BudgetToDate)), Money.Format(report.Categories.Sum(c => c.ActualToDate)), Money.Format(report.Categories.Sum(c => c.Variance))])
            .ToList();
        layout.Table(
        [
            new("Category", 1.5f), new("Actual previous period", 1f, CellAlign.Right), new("Budget this period", 1f, CellAlign.Right), new("Actual this period", 1f, CellAlign.Right),
            new("Variance this period", 1f, CellAlign.Right), new("Budget to date", 1f, CellAlign.Right), new("Actual to date", 1f, CellAlign.Right), new("Variance to date", 1f, CellAlign.Right),
        ], categoryRows, new HashSet<int> { categoryRows.Count - 1 });

        layout.Heading("Cumulative budget and actual", 2, keepWithNext: ChartHeight);
        layout.Drawing(ChartHeight, (canvas, rect) => DrawTrendChart(canvas, rect, report.Trend, fonts.Chart));
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

            layout.Paragraph("What partners report: their own figures from accepted returns, to the end of this period.");
            layout.Table(
            [
                new("Partner", 2f), new("Paid to date", 1f, CellAlign.Right), new("Reported spent", 1f, CellAlign.Right), new("Unspent by partner", 1f, CellAlign.Right), new("People reached this period", 1f, CellAlign.Right),
            ], report.Partners.Select(p => (IReadOnlyList<string>)[
                p.Partner, Money.Format(p.PaidToDate), p.ReportedSpend is { } spent ? Money.Format(spent) : "no accepted return",
                p.UnspentByPartner is { } unspent ? Money.Format(unspent) : "", p.PeopleReached?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? ""]).ToList());
        }

        if (report.AreaRows.Count > 0)
        {
            layout.Heading("Delivery areas", 2);
            layout.Paragraph("Agreed: the partner agreements in the area (an agreement in several areas is shared equally between them). Spent: spend recorded in the area.");
            var areaRows = report.AreaRows
                .Select(a => (IReadOnlyList<string>)[a.Name, Money.Format(a.Agreed), Money.Format(a.BudgetToDate), Money.Format(a.SpentInPeriod), Money.Format(a.SpentToDate), Money.Format(a.Variance)])
                .Append(["Total", Money.Format(report.AreaRows.Sum(a => a.Agreed)), Money.Format(report.AreaRows.Sum(a => a.BudgetToDate)), Money.Format(report.AreaRows.Sum(a => a.SpentInPeriod)),
                    Money.Format(report.AreaRows.Sum(a => a.SpentToDate)), Money.Format(report.AreaRows.Sum(a => a.Variance))])
                .ToList();
            layout.Table(
            [
                new("Delivery area", 2f), new("Agreed", 1f, CellAlign.Right), new("Budget to date", 1f, CellAlign.Right), new("Spent this period", 1f, CellAlign.Right),
                new("Spent to date", 1f, CellAlign.Right), new("Variance", 1f, CellAlign.Right),
            ], areaRows, new HashSet<int> { areaRows.Count - 1 });
        }

        if (report.Results is { } results)
        {
            layout.Heading("Outcomes", 2);
            if (report.OutcomeRows.Count == 0)
            {
                layout.Paragraph("No indicators are set for this grant.");
            }
            else
            {
                layout.Paragraph("To date: the periods' figures added up, or for a rate the latest period's. RAG compares actual to date with target to date, with the thresholds used for money.", 8f);
                layout.Table(
                [
                    new("Indicator", 2.4f), new("Target this period", 1f, CellAlign.Right), new("Actual this period", 1f, CellAlign.Right),
                    new("Target to date", 1f, CellAlign.Right), new("Actual to date", 1f, CellAlign.Right), new("RAG", 0.7f),
                ], report.OutcomeRows.Select(r => (IReadOnlyList<string>)[
                    $"{r.Name} ({r.Unit}{(r.HigherIsBetter ? "" : ", lower is better")})", Figure(r.PeriodTarget), Figure(r.PeriodActual, "not recorded"),
                    Figure(r.TargetToDate), Figure(r.ActualToDate, "not recorded"), r.Rag?.ToUpperInvariant() ?? "no target"]).ToList());
                foreach (var r in report.OutcomeRows.Where(r => r.Breakdown.Count > 0))
                {
                    layout.Paragraph($"{r.Name}, this period, by community served: " + string.Join("; ", r.Breakdown.Select(b => $"{b.Community} {Quantity.Format(b.Value)}")) + ".", 8.5f);
                }

                foreach (var r in report.OutcomeRows.Where(r => !string.IsNullOrWhiteSpace(r.Note)))
                {
                    layout.Paragraph($"{r.Name}: note", 8.5f, bold: true);
                    layout.Paragraph(r.Note!);
                }
            }

            if (results.Narrative is { } narrative)
            {
                layout.Heading($"Narrative (by {narrative.Author})", 2);
                foreach (var (label, text) in new[] { ("What happened", narrative.WhatHappened), ("What changed", narrative.WhatChanged), ("What's next", narrative.WhatsNext) })
                {
                    if (!string.IsNullOrWhiteSpace(text))
                    {
                        layout.Paragraph(label, 8.5f, bold: true);
                        layout.Paragraph(text);
                    }
                }
            }
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
            o.Name,
            $"{o.Name}: {h.GrantReference}",
            $"{h.FunderName}, {h.PeriodLabel}",
            string.Join(" ", new[] { o.Name + ".", o.Registration, "Amounts in pounds sterling." }.Where(x => x.Length > 0)),
            stamp.Text,
            StampColour(stamp.Stage));
    }

    /// <summary>Every string in the model, unescaped: the characters its font subset must hold.</summary>
    private static string TextOf(QuarterlyReport report)
    {
        var text = new StringBuilder();
        void Walk(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    text.Append(element.GetString());
                    break;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        Walk(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Walk(item);
                    }

                    break;
            }
        }

        Walk(JsonSerializer.SerializeToElement(report));
        return text.ToString();
    }

    /// <summary>What RAG means, with the thresholds in force for this funder, and what the sign of a variance says.</summary>
    /// <summary>The summary's key figures, labelled and formatted as the PDF prints them (the grant page shows the same).</summary>
    public static IReadOnlyList<(string Label, string Value)> SummaryFigures(ReportSummary s)
    {
        List<(string Label, string Value)> figures =
        [
            ("Award", Money.Format(s.Award)),
            ("Budget", Money.Format(s.Budget)),
            ("Forecast at completion", Money.Format(s.ForecastAtCompletion)),
            ("Budget this period", Money.Format(s.PeriodBudget)),
            ("Actual this period", Money.Format(s.PeriodActual)),
            ("Time elapsed", Percent(s.TimeElapsedPercent)),
            ("Budget to date", Money.Format(s.BudgetToDate)),
            ("Actual to date", Money.Format(s.ActualToDate)),
            ("Burn (actual / budget)", Percent(s.BurnPercent)),
            ("Variance to date (actual - budget)", Money.Format(s.Variance)),
            ("Variance %", Percent(s.VariancePercent)),
        ];
        if (s.Unallocated != 0)
        {
            figures.Add(("Unallocated (award - budget)", Money.Format(s.Unallocated)));
        }

        return figures;
    }

    public static string RagLegend(ReportSummary s) =>
        $"RAG compares the variance to date with the budget to date: GREEN within {Number(s.RagAmberPercent)}% either way, AMBER within {Number(s.RagRedPercent)}%, " +
        $"RED beyond {Number(s.RagRedPercent)}%. Underspend counts as much as overspend. Variance = actual - budget: a negative variance is an underspend, a positive one an overspend.";

    private static string Figure(long? hundredths, string missing = "") => hundredths is { } value ? Quantity.Format(value) : missing;

    internal static void DrawTrendChart(SKCanvas canvas, SKRect rect, IReadOnlyList<TrendRow> trend, PdfTypefaces chartFaces)
    {
        ChartFonts.Use(chartFaces);
        var plot = TrendChart.Plot(trend, ChartFonts.Family);
        var pixels = new ScottPlot.PixelRect(rect.Left, rect.Right, rect.Bottom, rect.Top);

        // ScottPlot draws its first render twice over (once to measure the axes, once laid out), which a vector PDF
        // keeps: every label was there twice, and read back twice ("aaccttuuaall"). A first render to a recorder
        // that is thrown away settles the layout, so the page gets one drawing.
        using (var recorder = new SKPictureRecorder())
        {
            plot.Render(recorder.BeginRecording(rect), pixels);
        }

        plot.Render(canvas, pixels);
    }

    private static SKColor RagColour(string rag) => rag switch
    {
        "green" => new SKColor(0x2E, 0x7D, 0x32),
        "amber" => new SKColor(0xC7, 0x7C, 0x02),
        _ => new SKColor(0xC6, 0x28, 0x28),
    };

    private static SKColor StampColour(ReportStage stage) => stage switch
    {
        ReportStage.Final => new SKColor(0x2E, 0x7D, 0x32),
        ReportStage.Provisional => new SKColor(0xC6, 0x28, 0x28),
        _ => new SKColor(0xC7, 0x7C, 0x02),
    };

    private static string Previous(long? pence) => pence is { } value ? Money.Format(value) : "-";

    private static string Date(DateOnly date) => date.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    private static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Percent(decimal? percent) => Portfolio.Core.Burn.BurnMath.FormatPercent(percent);
}

/// <summary>
/// ScottPlot finds typefaces through its own static resolvers, by family name. This one answers for our family with
/// the chart's subset typefaces, so a chart's text is set in the same font as the page and embeds a few kilobytes.
/// </summary>
internal sealed class ChartFonts : ScottPlot.IFontResolver
{
    public const string Family = "Portfolio Report Sans";
    private static readonly Lock Gate = new();
    private static ChartFonts? _installed;
    private PdfTypefaces _faces;

    private ChartFonts(PdfTypefaces faces) => _faces = faces;

    public static void Use(PdfTypefaces faces)
    {
        lock (Gate)
        {
            if (_installed is null)
            {
                _installed = new ChartFonts(faces);
                ScottPlot.Fonts.FontResolvers.Insert(0, _installed);
            }
            else
            {
                _installed._faces = faces;
            }
        }
    }

    public SKTypeface? CreateTypeface(string fontName, ScottPlot.FontWeight weight, ScottPlot.FontSlant slant, ScottPlot.FontSpacing spacing) =>
        CreateTypeface(fontName, weight >= ScottPlot.FontWeight.SemiBold, slant != ScottPlot.FontSlant.Upright);

    public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
        fontName == Family ? (bold ? _faces.Bold : _faces.Regular) : null;
}
