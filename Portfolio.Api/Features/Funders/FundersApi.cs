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
        group.MapGet("/", RecordHttp.ListAsync<Core.Domain.Funders, Funder, FunderView>).ReadsPagedQuery().WithName("ListFunders").Produces<ListResponse<FunderView>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", RecordHttp.GetAsync<Core.Domain.Funders, Funder, FunderView>).WithName("GetFunder").Produces<FunderView>().ProducesProblem(404);
        group.MapPost("/", RecordHttp.RecordAsync<Core.Domain.Funders, Funder, FunderInput, FunderView>).WithName("CreateFunder").RequireAuthorization(Policies.Write)
            .Accepts<FunderInput>("application/json").Produces<FunderView>(201).ProducesValidationProblem();
        group.MapPut("/{id:long}", RecordHttp.ChangeAsync<Core.Domain.Funders, Funder, FunderInput, FunderView>).WithName("UpdateFunder").RequireAuthorization(Policies.Write)
            .Accepts<FunderInput>("application/json").Produces<FunderView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(412).ProducesProblem(428);
        group.MapDelete("/{id:long}", RecordHttp.DeleteAsync<Core.Domain.Funders, Funder, FunderView>).WithName("DeleteFunder").RequireAuthorization(Policies.Write)
            .Produces(204).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

}
