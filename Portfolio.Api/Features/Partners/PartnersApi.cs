using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.Partners;

public static class PartnersApi
{
    public static IEndpointRouteBuilder MapPartners(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/partners").WithTags("Partners").RequireAuthorization(Policies.Read);
        group.MapGet("/", Handlers.ListAsync).WithName("ListPartners").Produces<ListResponse<PartnerDto>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", Handlers.GetAsync).WithName("GetPartner").Produces<PartnerDto>().ProducesProblem(404);
        group.MapPost("/", Handlers.CreateAsync).WithName("CreatePartner").RequireAuthorization(Policies.Write)
            .Accepts<PartnerRequest>("application/json").Produces<PartnerDto>(201).ProducesValidationProblem();
        group.MapPut("/{id:long}", Handlers.UpdateAsync).WithName("UpdatePartner").RequireAuthorization(Policies.Write)
            .Accepts<PartnerRequest>("application/json").Produces<PartnerDto>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(412).ProducesProblem(428);
        group.MapDelete("/{id:long}", Handlers.DeleteAsync).WithName("DeletePartner").RequireAuthorization(Policies.Write)
            .Produces(204).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    internal static readonly ResourceHandlers<Partner, PartnerDto> Handlers = new()
    {
        Entity = "partner",
        BasePath = "/api/partners",
        Fields = ["name", "kind", "orgIdentifier", "communities", "contactEmail"],
        Load = PartnerStore.GetAsync,
        ListPage = PartnerStore.ListAsync,
        Read = input => new Partner
        {
            Name = input.Text("name", required: true, 300) ?? "",
            Kind = input.Code("kind", Codes.PartnerKinds, null) ?? "",
            OrgIdentifier = input.OrgIdentifier("orgIdentifier"),
            Communities = input.Strings("communities", maxItems: 20, maxLength: 100),
            ContactEmail = input.Email("contactEmail", required: false),
        },
        Insert = PartnerStore.InsertAsync,
        Update = PartnerStore.UpdateAsync,
        Delete = PartnerStore.DeleteAsync,
        DeleteBlocker = async (session, partner, ct) =>
            await PartnerStore.ReferenceCountAsync(session, partner.Id, ct) > 0
                ? "The partner has agreements or transactions and cannot be deleted."
                : null,
        ToDto = p => new PartnerDto(p.Id, p.Name, p.Kind, p.OrgIdentifier, p.Communities, p.ContactEmail, p.Version, p.CreatedAt, p.UpdatedAt),
    };

}

public sealed record PartnerDto(long Id, string Name, string Kind, string? OrgIdentifier, IReadOnlyList<string> Communities, string? ContactEmail, int Version, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record PartnerRequest(string Name, string Kind, string? OrgIdentifier, IReadOnlyList<string>? Communities, string? ContactEmail);
