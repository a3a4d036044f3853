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
            .Accepts<ReasonInput>("application/json").Produces<ReopenedDto>().ProducesValidationProblem().ProducesProblem(404);
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

        var reason = input!.Reason;
        var change = http.Change();
        return await Writes.InTransactionAsync(database, async session =>
        {
            if (await GrantStore.GetAsync(session, grantId, http.RequestAborted) is null)
            {
                return Problems.NotFound("grant", grantId);
            }

            var period = await ClosedPeriods.ReopenAsync(session, grantId, start, reason!, change, http.RequestAborted);
            if (period is null)
            {
                return Problems.Field("periodStart", "must be the first day of one of the grant's reporting periods");
            }

            var dto = new ReopenedDto(grantId, period.Start, period.End, period.Label, reason!, change.Actor, change.At);
            await AuditLog.WriteAsync(session, change, "reopen", "period", $"{grantId}:{period.Start:yyyy-MM-dd}", null, dto, http.RequestAborted);
            return TypedResults.Ok(dto);
        }, http.RequestAborted);
    }
}


public sealed record ReopenedDto(long GrantId, DateOnly PeriodStart, DateOnly PeriodEnd, string Label, string Reason, string ReopenedBy, DateTime ReopenedAt);
