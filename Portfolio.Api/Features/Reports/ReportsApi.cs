using Portfolio.Reports.Runs;
using System.Globalization;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Periods;
using Portfolio.Reports.Pdf;
using Portfolio.Reports.Quarterly;

namespace Portfolio.Api.Features.Reports;

/// <summary>Previews of the quarterly funder report, generated on request. Any role may read.</summary>
public static class ReportsApi
{
    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/grants/{grantId:long}/reports").WithTags("Reports").RequireAuthorization(Policies.Read);
        group.MapGet("/{periodStart}.xlsx", ExcelAsync).WithName("GetReportExcel").RendersReports()
            .Produces(200, contentType: QuarterlyWorkbook.ContentType).ProducesValidationProblem().ProducesProblem(404);
        group.MapGet("/{periodStart}.pdf", PdfAsync).WithName("GetReportPdf").RendersReports()
            .Produces(200, contentType: QuarterlyPdf.ContentType).ProducesValidationProblem().ProducesProblem(404);
        return app;
    }

    private static Task<IResult> ExcelAsync(long grantId, string periodStart, QuarterlyReports reports, TimeProvider clock, CancellationToken cancellationToken) =>
        RenderAsync(grantId, periodStart, reports, clock, "xlsx", QuarterlyWorkbook.ContentType, QuarterlyReports.Excel, cancellationToken);

    private static Task<IResult> PdfAsync(long grantId, string periodStart, QuarterlyReports reports, TimeProvider clock, CancellationToken cancellationToken) =>
        RenderAsync(grantId, periodStart, reports, clock, "pdf", QuarterlyPdf.ContentType, reports.Pdf, cancellationToken);

    private static async Task<IResult> RenderAsync(
        long grantId, string periodStart, QuarterlyReports reports, TimeProvider clock, string extension, string contentType, Func<QuarterlyReport, ReportStamp, byte[]> render, CancellationToken cancellationToken)
    {
        var preview = await PreviewAsync(grantId, periodStart, reports, clock, extension, cancellationToken);
        return preview.File is { } file
            ? TypedResults.File(file.Content, file.ContentType, file.FileName)
            : preview.Status switch
            {
                StatusCodes.Status404NotFound => Problems.NotFound("grant", grantId),
                StatusCodes.Status400BadRequest => Problems.Field("periodStart", preview.Message!),
                _ => TypedResults.Problem(detail: preview.Message, statusCode: preview.Status, title: "PDF fonts are missing"),
            };
    }

    /// <summary>A file made for a person or a program: its bytes, type and name.</summary>
    public sealed record PreviewFile(byte[] Content, string ContentType, string FileName);

    /// <summary>A preview, or why there is none (a status, the API's message and a sentence for a person): shared by the API and the page route.</summary>
    public sealed record Preview(PreviewFile? File, int Status, string? Message, string? ForPeople = null)
    {
        public string? ForPeople { get; init; } = ForPeople ?? Message;
    }

    /// <summary>
    /// The funder report for one grant and period, generated now without being stored: <paramref name="extension"/>
    /// is <c>pdf</c> or <c>xlsx</c>. A period that has not ended is marked provisional on every page and on the Summary sheet.
    /// </summary>
    internal static async Task<Preview> PreviewAsync(long grantId, string periodStart, QuarterlyReports reports, TimeProvider clock, string extension, CancellationToken cancellationToken)
    {
        if (!DateOnly.TryParseExact(periodStart, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
        {
            return new(null, StatusCodes.Status400BadRequest, "must be a date written YYYY-MM-DD", "The address does not name a reporting period. Open the report from the grant's page.");
        }

        var today = UkDate.Today(clock);
        var (outcome, report) = await reports.BuildAsync(grantId, start, today, cancellationToken);
        switch (outcome)
        {
            case ReportSourceOutcome.GrantNotFound:
                return new(null, StatusCodes.Status404NotFound, "There is no such grant.");
            case ReportSourceOutcome.NotAPeriodStart:
                return new(null, StatusCodes.Status400BadRequest, $"{Features.Shared.Show.Date(start)} is not the first day of one of the grant's reporting periods.");
        }

        try
        {
            var stamp = QuarterlyReports.PreviewStamp(report!, today);
            var (bytes, contentType) = extension == "pdf"
                ? (reports.Pdf(report!, stamp), QuarterlyPdf.ContentType)
                : (QuarterlyReports.Excel(report!, stamp), QuarterlyWorkbook.ContentType);
            return new(new(bytes, contentType, Portfolio.Reports.Runs.ReportRunService.FileName(report!.Header.GrantReference, report.Header.PeriodLabel, extension)), StatusCodes.Status200OK, null);
        }
        catch (ReportFontsMissingException ex)
        {
            return new(null, StatusCodes.Status503ServiceUnavailable, ex.Message);
        }
    }
}
