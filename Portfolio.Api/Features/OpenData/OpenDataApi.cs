using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Reports.OpenData;
using Portfolio.Reports.Quarterly;

namespace Portfolio.Api.Features.OpenData;

/// <summary>The grants received and the sub-grants made, in the 360Giving Data Standard: JSON and the spreadsheet. Finance and admins.</summary>
public static class OpenDataApi
{
    public const string JsonContentType = "application/json";

    public static IEndpointRouteBuilder MapOpenData(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/exports").WithTags("Open data").RequireAuthorization(Policies.Write);
        var range = new[]
        {
            QueryParameter.Date("from", "Only grants awarded on or after this date."),
            QueryParameter.Date("to", "Only grants awarded on or before this date."),
        };
        group.MapGet("/360giving.json", JsonAsync).ReadsQuery(range).WithName("Export360GivingJson")
            .Produces(200, contentType: JsonContentType).ProducesValidationProblem().ProducesProblem(422);
        group.MapGet("/360giving.xlsx", XlsxAsync).ReadsQuery(range).WithName("Export360GivingXlsx")
            .Produces(200, contentType: QuarterlyWorkbook.ContentType).ProducesValidationProblem().ProducesProblem(422);
        return app;
    }

    private static async Task<IResult> JsonAsync(HttpRequest request, Database database, ReportOptions reports, OpenDataOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (package, problem) = await BuildAsync(request, database, reports, options, clock, cancellationToken);
        return problem ?? TypedResults.File(ThreeSixtyGiving.ToJson(package!), JsonContentType, FileName(package!, "json"));
    }

    private static async Task<IResult> XlsxAsync(HttpRequest request, Database database, ReportOptions reports, OpenDataOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (package, problem) = await BuildAsync(request, database, reports, options, clock, cancellationToken);
        return problem ?? TypedResults.File(ThreeSixtyGivingWorkbook.Render(package!), QuarterlyWorkbook.ContentType, FileName(package!, "xlsx"));
    }

    private static async Task<(GivingPackage? Package, IResult? Problem)> BuildAsync(
        HttpRequest request, Database database, ReportOptions reports, OpenDataOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var from = query.Date("from");
        var to = query.Date("to");
        if (query.Problem() is { } problem)
        {
            return (null, problem);
        }

        if (from > to)
        {
            return (null, Problems.Field("to", "must not be before from"));
        }

        var (package, refusal) = await ExportAsync(database, reports, options, from, to, clock, cancellationToken);
        return refusal is null ? (package, null) : (null, Problems.Unprocessable(refusal));
    }

    /// <summary>The package, or why there is none (no prefix configured, or nothing awarded in the range): shared with the page.</summary>
    internal static async Task<(GivingPackage? Package, string? Refusal)> ExportAsync(
        Database database, ReportOptions reports, OpenDataOptions options, DateOnly? from, DateOnly? to, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var (outcome, package) = await ThreeSixtyGiving.BuildAsync(session, reports.Organisation, options, from, to, clock.GetUtcNow().UtcDateTime, cancellationToken);
        return outcome switch
        {
            GivingExportOutcome.NoPrefix => (null, "The organisation's 360Giving publisher prefix is not configured: set Portfolio:OpenData:Prefix (such as 360G-examplecharity), which 360Giving issues, and restart."),
            GivingExportOutcome.NoGrants => (null, "No grants or sub-grants were awarded in that range, so there is nothing to publish: 360Giving data holds at least one grant."),
            _ => (package, null),
        };
    }

    internal static string FileName(GivingPackage package, string extension) => $"{package.Identifier}.{extension}";
}
