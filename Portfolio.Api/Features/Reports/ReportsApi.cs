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
        if (!DateOnly.TryParseExact(periodStart, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
        {
            return Problems.Field("periodStart", "must be a date written YYYY-MM-DD");
        }

        var today = UkDate.Today(clock);
        var (outcome, report) = await reports.BuildAsync(grantId, start, today, cancellationToken);
        switch (outcome)
        {
            case ReportSourceOutcome.GrantNotFound:
                return Problems.NotFound("grant", grantId);
            case ReportSourceOutcome.NotAPeriodStart:
                return Problems.Field("periodStart", $"{periodStart} is not the first day of one of the grant's reporting periods (see GET /api/grants/{grantId}/budget for them)");
        }

        try
        {
            // A period that has not ended is marked provisional on every page and on the Summary sheet.
            var bytes = render(report!, QuarterlyReports.PreviewStamp(report!, today));
            return TypedResults.File(bytes, contentType, Portfolio.Jobs.ReportRuns.ReportRunService.FileName(report!.Header.GrantReference, report.Header.PeriodLabel, extension));
        }
        catch (ReportFontsMissingException ex)
        {
            return TypedResults.Problem(detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "PDF fonts are missing");
        }
    }
}
