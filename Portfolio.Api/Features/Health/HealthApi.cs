using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Portfolio.Core.Data;
using Portfolio.Reports.Pdf;
using Portfolio.Reports.Quarterly;

namespace Portfolio.Api.Features.Health;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous().DisableRateLimiting();
        group.MapGet("/live", () => TypedResults.Ok(new { status = "live" })).WithName("Live");
        group.MapGet("/ready", ReadyAsync).WithName("Ready");
        return app;
    }

    /// <summary>Ready when the report fonts load, the database answers and every migration embedded in this build has been applied.</summary>
    private static async Task<Results<Ok<ReadyResponse>, ProblemHttpResult>> ReadyAsync(Migrator migrator, Database database, QuarterlyReports reports, CancellationToken cancellationToken)
    {
        try
        {
            reports.CheckFonts();
        }
        catch (ReportFontsMissingException ex)
        {
            // Without fonts no report can be made: not ready, and saying why.
            return TypedResults.Problem(detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Report fonts missing");
        }

        try
        {
            var applied = await migrator.AppliedAsync(cancellationToken);
            var missing = Migrator.ScriptsFor(database.Engine).Select(m => m.Id).Except(applied).ToList();
            if (missing.Count > 0)
            {
                return TypedResults.Problem(
                    detail: $"Migrations not applied: {string.Join(", ", missing)}. Run: dotnet run --project Portfolio.Api -- migrate",
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Database not migrated");
            }

            return TypedResults.Ok(new ReadyResponse("ready", database.Engine.ToCode(), applied));
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            return TypedResults.Problem(
                detail: "The database did not answer.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Database unavailable");
        }
    }

    public sealed record ReadyResponse(string Status, string Engine, IReadOnlyList<string> Migrations);
}
