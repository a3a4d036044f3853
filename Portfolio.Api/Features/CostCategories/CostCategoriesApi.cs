using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.CostCategories;

public static class CostCategoriesApi
{
    public static IEndpointRouteBuilder MapCostCategories(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/cost-categories").WithTags("Cost categories").RequireAuthorization(Policies.Read);
        group.MapGet("/", ListAsync).WithName("ListCostCategories").Produces<ListResponse<CostCategoryDto>>();
        return app;
    }

    private static async Task<IResult> ListAsync(Database database, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var categories = (await CostCategoryStore.ListAsync(session, cancellationToken)).Select(c => new CostCategoryDto(c.Code, c.Name)).ToList();
        return TypedResults.Ok(new ListResponse<CostCategoryDto>(categories, 1, categories.Count, categories.Count));
    }
}

public sealed record CostCategoryDto(string Code, string Name);
