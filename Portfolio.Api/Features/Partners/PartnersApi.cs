using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.Partners;

public static class PartnersApi
{
    public static IEndpointRouteBuilder MapPartners(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/partners").WithTags("Partners").RequireAuthorization(Policies.Read);
        group.MapGet("/", RecordHttp.ListAsync<Core.Domain.Partners, Partner, PartnerView>).ReadsPagedQuery().WithName("ListPartners").Produces<ListResponse<PartnerView>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", RecordHttp.GetAsync<Core.Domain.Partners, Partner, PartnerView>).WithName("GetPartner").Produces<PartnerView>().ProducesProblem(404);
        group.MapPost("/", RecordHttp.RecordAsync<Core.Domain.Partners, Partner, PartnerInput, PartnerView>).WithName("CreatePartner").RequireAuthorization(Policies.Write)
            .Accepts<PartnerInput>("application/json").Produces<PartnerView>(201).ProducesValidationProblem();
        group.MapPut("/{id:long}", RecordHttp.ChangeAsync<Core.Domain.Partners, Partner, PartnerInput, PartnerView>).WithName("UpdatePartner").RequireAuthorization(Policies.Write)
            .Accepts<PartnerInput>("application/json").Produces<PartnerView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(412).ProducesProblem(428);
        group.MapDelete("/{id:long}", RecordHttp.DeleteAsync<Core.Domain.Partners, Partner, PartnerView>).WithName("DeletePartner").RequireAuthorization(Policies.Write)
            .Produces(204).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

}
