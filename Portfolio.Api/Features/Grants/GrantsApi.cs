using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.Grants;

public static class GrantsApi
{
    public static IEndpointRouteBuilder MapGrants(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/grants").WithTags("Grants").RequireAuthorization(Policies.Read);
        group.MapGet("/", ListAsync).ReadsPagedQuery(
            QueryParameter.Id("funderId", "Only this funder's grants."),
            QueryParameter.Id("programmeAreaId", "Only grants in this programme area."),
            QueryParameter.Code("status", "Only grants with this status.", Codes.GrantStatuses)).WithName("ListGrants").Produces<ListResponse<GrantView>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", Handlers.GetAsync).WithName("GetGrant").Produces<GrantView>().ProducesProblem(404);
        group.MapPost("/", Handlers.CreateAsync).WithName("CreateGrant").RequireAuthorization(Policies.Write)
            .Accepts<GrantInput>("application/json").Produces<GrantView>(201).ProducesValidationProblem().ProducesProblem(409);
        group.MapPut("/{id:long}", Handlers.UpdateAsync).WithName("UpdateGrant").RequireAuthorization(Policies.Write)
            .Accepts<GrantInput>("application/json").Produces<GrantView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(422).ProducesProblem(428);
        group.MapDelete("/{id:long}", Handlers.DeleteAsync).WithName("DeleteGrant").RequireAuthorization(Policies.Write)
            .Produces(204).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    internal static readonly ResourceHandlers<Grant, GrantInput, GrantView> Handlers = new()
    {
        Resource = Core.Domain.Grants.Resource,
        BasePath = "/api/grants",
    };

    private static async Task<IResult> ListAsync(HttpRequest request, Database database, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var filter = new GrantFilter(query.Id("funderId"), query.Id("programmeAreaId"), query.Code("status", Codes.GrantStatuses));
        var page = query.Page();
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(ListResponse<GrantView>.From(await GrantStore.ListAsync(session, filter, page, cancellationToken), Core.Domain.Grants.Resource.View));
    }
}
