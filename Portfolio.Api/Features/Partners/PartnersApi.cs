using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.Partners;

public static class PartnersApi
{
    public static IEndpointRouteBuilder MapPartners(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/partners").WithTags("Partners").RequireAuthorization(Policies.Read);
        group.MapGet("/", Handlers.ListAsync).ReadsPagedQuery().WithName("ListPartners").Produces<ListResponse<PartnerView>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", Handlers.GetAsync).WithName("GetPartner").Produces<PartnerView>().ProducesProblem(404);
        group.MapPost("/", Handlers.CreateAsync).WithName("CreatePartner").RequireAuthorization(Policies.Write)
            .Accepts<PartnerInput>("application/json").Produces<PartnerView>(201).ProducesValidationProblem();
        group.MapPut("/{id:long}", Handlers.UpdateAsync).WithName("UpdatePartner").RequireAuthorization(Policies.Write)
            .Accepts<PartnerInput>("application/json").Produces<PartnerView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(412).ProducesProblem(428);
        group.MapDelete("/{id:long}", Handlers.DeleteAsync).WithName("DeletePartner").RequireAuthorization(Policies.Write)
            .Produces(204).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    internal static readonly ResourceHandlers<Partner, PartnerInput, PartnerView> Handlers = new()
    {
        Resource = Core.Domain.Partners.Resource,
        BasePath = "/api/partners",
        ListPage = PartnerStore.ListAsync,
    };
}
