using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.Budgets;

/// <summary>A grant's whole spend profile: read it, or replace it with a new version (the old is kept).</summary>
public static class BudgetApi
{
    public static IEndpointRouteBuilder MapBudgets(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/grants/{grantId:long}/budget").WithTags("Budgets").RequireAuthorization(Policies.Read);
        group.MapGet("/", GetAsync).WithName("GetBudget").Produces<BudgetView>().ProducesProblem(404);
        group.MapPut("/", PutAsync).WithName("PutBudget").RequireAuthorization(Policies.Write)
            .Accepts<BudgetInput>("application/json").Produces<BudgetView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    private static async Task<IResult> GetAsync(long grantId, HttpContext http, Database database, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        if (await Core.Domain.Budgets.GetAsync(session, grantId, cancellationToken) is not { } budget)
        {
            return Problems.NotFound("grant", grantId);
        }

        ETags.Set(http, budget.Version);
        return TypedResults.Ok(budget);
    }

    private static async Task<IResult> PutAsync(long grantId, HttpContext http, Database database)
    {
        var (expected, preconditionProblem) = ETags.RequireIfMatch(http.Request);
        if (preconditionProblem is not null)
        {
            return preconditionProblem;
        }

        var (input, problem) = await JsonBody.ReadCheckedAsync<BudgetInput>(http.Request);
        if (problem is not null)
        {
            return await ETags.BeforeContentAsync(problem, expected, database, async session => (await Core.Domain.Budgets.GetAsync(session, grantId, http.RequestAborted))?.Version, http.RequestAborted);
        }

        var change = http.Change();
        return await Writes.RunAsync(
            database,
            session => Core.Domain.Budgets.SetAsync(session, grantId, expected, input!, change, http.RequestAborted),
            budget =>
            {
                ETags.Set(http, budget.Version);
                return TypedResults.Ok(budget);
            },
            http.RequestAborted);
    }
}
