using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Periods;

namespace Portfolio.Api.Features.Funders;

public static class FundersApi
{
    public static IEndpointRouteBuilder MapFunders(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/funders").WithTags("Funders").RequireAuthorization(Policies.Read);
        group.MapGet("/", Handlers.ListAsync).ReadsPagedQuery().WithName("ListFunders").Produces<ListResponse<FunderView>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", Handlers.GetAsync).WithName("GetFunder").Produces<FunderView>().ProducesProblem(404);
        group.MapPost("/", Handlers.CreateAsync).WithName("CreateFunder").RequireAuthorization(Policies.Write)
            .Accepts<FunderInput>("application/json").Produces<FunderView>(201).ProducesValidationProblem();
        group.MapPut("/{id:long}", Handlers.UpdateAsync).WithName("UpdateFunder").RequireAuthorization(Policies.Write)
            .Accepts<FunderInput>("application/json").Produces<FunderView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(412).ProducesProblem(428);
        group.MapDelete("/{id:long}", Handlers.DeleteAsync).WithName("DeleteFunder").RequireAuthorization(Policies.Write)
            .Produces(204).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    internal static readonly ResourceHandlers<Funder, FunderInput, FunderView> Handlers = new()
    {
        Resource = Core.Domain.Funders.Resource,
        BasePath = "/api/funders",
        ListPage = FunderStore.ListAsync,
    };
}
