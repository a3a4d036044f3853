using Portfolio.Core.Data;
using Portfolio.Reports.Pdf;

namespace Portfolio.Reports.Quarterly;

/// <summary>Report settings: <c>Portfolio:Organisation:Name</c> and <c>Portfolio:Reports:FontDirectory</c>.</summary>
public sealed record ReportOptions(string OrganisationName, string? FontDirectory);

/// <summary>Builds the model once and renders it to both files.</summary>
public sealed class QuarterlyReports(Database database, ReportOptions options)
{
    // PublicationOnly: a failure (fonts not installed yet) is not cached, so installing the fonts needs no restart.
    private readonly Lazy<PdfFonts> _fonts = new(() => PdfFonts.Load(options.FontDirectory), LazyThreadSafetyMode.PublicationOnly);

    public async Task<(ReportSourceOutcome Outcome, QuarterlyReport? Report)> BuildAsync(long grantId, DateOnly periodStart, DateOnly prepared, CancellationToken cancellationToken = default)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        return await QuarterlyReportSource.BuildAsync(session, grantId, periodStart, options.OrganisationName, prepared, cancellationToken);
    }

    public static byte[] Excel(QuarterlyReport report) => QuarterlyWorkbook.Render(report);

    /// <summary>The PDF; throws <see cref="ReportFontsMissingException"/> when the font files are not there.</summary>
    public byte[] Pdf(QuarterlyReport report) => QuarterlyPdf.Render(report, _fonts.Value);

    /// <summary>Loads the fonts now, so a missing font is found at start, not by the first funder's report.</summary>
    public void CheckFonts() => _ = _fonts.Value;
}
