using System.Globalization;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Periods;

/// <summary>Reopening a period closed by a sent report: admins only, with a reason, audited.</summary>
public static class PeriodsApi
{
    public static IEndpointRouteBuilder MapPeriods(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/grants/{grantId:long}/periods/{periodStart}/reopen", ReopenAsync)
            .WithTags("Periods").WithName("ReopenPeriod").RequireAuthorization(Policies.Admin)
            .Accepts<ReasonInput>("application/json").Produces<ReopenedView>().ProducesValidationProblem().ProducesProblem(404);
        return app;
    }

    private static async Task<IResult> ReopenAsync(long grantId, string periodStart, HttpContext http, Database database)
    {
        if (!DateOnly.TryParseExact(periodStart, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
        {
            return Problems.Field("periodStart", "must be a date written YYYY-MM-DD");
        }

        var (input, problem) = await JsonBody.ReadCheckedAsync<ReasonInput>(http.Request);
        if (problem is not null)
        {
            return problem;
        }

        var change = http.Change();
        return await Writes.RunAsync(
            database, session => ClosedPeriods.ReopenAsync(session, grantId, start, input!, change, http.RequestAborted), TypedResults.Ok, http.RequestAborted);
    }
}
