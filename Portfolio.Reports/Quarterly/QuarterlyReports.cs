using Portfolio.Core.Data;
using Portfolio.Reports.Pdf;

namespace Portfolio.Reports.Quarterly;

/// <summary>Report settings: <c>Portfolio:Organisation</c> and <c>Portfolio:Reports:FontDirectory</c> (unset: the shipped fonts).</summary>
public sealed record ReportOptions(ReportOrganisation Organisation, string? FontDirectory);

/// <summary>Builds the model once and renders it to both files.</summary>
public sealed class QuarterlyReports(Database database, ReportOptions options)
{
    // PublicationOnly: a failure (a font folder set but empty) is not cached, so fixing it needs no restart.
    private readonly Lazy<PdfFonts> _fonts = new(() => PdfFonts.Load(options.FontDirectory), LazyThreadSafetyMode.PublicationOnly);

    public async Task<(ReportSourceOutcome Outcome, QuarterlyReport? Report)> BuildAsync(long grantId, DateOnly periodStart, DateOnly prepared, CancellationToken cancellationToken = default)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        return await BuildAsync(session, grantId, periodStart, prepared, cancellationToken);
    }

    /// <summary>The model from the books as <paramref name="session"/> sees them (inside its transaction, when it has one).</summary>
    public Task<(ReportSourceOutcome Outcome, QuarterlyReport? Report)> BuildAsync(DbSession session, long grantId, DateOnly periodStart, DateOnly prepared, CancellationToken cancellationToken = default) =>
        QuarterlyReportSource.BuildAsync(session, grantId, periodStart, options.Organisation, prepared, cancellationToken);

    public static byte[] Excel(QuarterlyReport report, ReportStamp stamp) => QuarterlyWorkbook.Render(report, stamp);

    /// <summary>The PDF; throws <see cref="ReportFontsMissingException"/> when the configured font folder lacks the fonts.</summary>
    public byte[] Pdf(QuarterlyReport report, ReportStamp stamp) => QuarterlyPdf.Render(report, _fonts.Value, stamp);

    /// <summary>
    /// The report's cumulative chart as SVG, drawn by the same plot and typeface as the PDF's (for the grant page;
    /// its figures belong in a table beside it).
    /// </summary>
    public string ChartSvg(QuarterlyReport report, int width, int height)
    {
        ChartFonts.Use(_fonts.Value.Chart);
        return TrendChart.Plot(report.Trend, ChartFonts.Family).GetSvgXml(width, height);
    }

    /// <summary>Loads the fonts now, so a missing font is found at start and by the health check, not by the first funder's report.</summary>
    public void CheckFonts() => _ = _fonts.Value;

    /// <summary>How a preview of <paramref name="report"/> is marked on <paramref name="today"/>: provisional until its period has ended.</summary>
    public static ReportStamp PreviewStamp(QuarterlyReport report, DateOnly today) =>
        report.Header.PeriodEnd < today ? ReportStamp.Preview : ReportStamp.Provisional;
}
