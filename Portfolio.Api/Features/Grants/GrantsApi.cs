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
        group.MapGet("/{id:long}", RecordHttp.GetAsync<Core.Domain.Grants, Grant, GrantView>).WithName("GetGrant").Produces<GrantView>().ProducesProblem(404);
        group.MapPost("/", RecordHttp.RecordAsync<Core.Domain.Grants, Grant, GrantInput, GrantView>).WithName("CreateGrant").RequireAuthorization(Policies.Write)
            .Accepts<GrantInput>("application/json").Produces<GrantView>(201).ProducesValidationProblem().ProducesProblem(409);
        group.MapPut("/{id:long}", RecordHttp.ChangeAsync<Core.Domain.Grants, Grant, GrantInput, GrantView>).WithName("UpdateGrant").RequireAuthorization(Policies.Write)
            .Accepts<GrantInput>("application/json").Produces<GrantView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(422).ProducesProblem(428);
        group.MapDelete("/{id:long}", RecordHttp.DeleteAsync<Core.Domain.Grants, Grant, GrantView>).WithName("DeleteGrant").RequireAuthorization(Policies.Write)
            .Produces(204).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }


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
        return TypedResults.Ok(ListResponse<GrantView>.From(await GrantStore.ListAsync(session, filter, page, cancellationToken), Core.Domain.Grants.View));
    }
}
