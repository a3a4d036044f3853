using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Money;

namespace Portfolio.Api.Features.PartnerAgreements;

/// <summary>Sub-grants: part of a grant passed on to a partner. A grant's agreements may not add up to more than its award.</summary>
public static class PartnerAgreementsApi
{
    public static IEndpointRouteBuilder MapPartnerAgreements(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/partner-agreements").WithTags("Partner agreements").RequireAuthorization(Policies.Read);
        group.MapGet("/", ListAsync).WithName("ListPartnerAgreements").Produces<ListResponse<PartnerAgreementDto>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", Handlers.GetAsync).WithName("GetPartnerAgreement").Produces<PartnerAgreementDto>().ProducesProblem(404);
        group.MapPost("/", Handlers.CreateAsync).WithName("CreatePartnerAgreement").RequireAuthorization(Policies.Write)
            .Accepts<PartnerAgreementRequest>("application/json").Produces<PartnerAgreementDto>(201).ProducesValidationProblem().ProducesProblem(422);
        group.MapPut("/{id:long}", Handlers.UpdateAsync).WithName("UpdatePartnerAgreement").RequireAuthorization(Policies.Write)
            .Accepts<PartnerAgreementRequest>("application/json").Produces<PartnerAgreementDto>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(412).ProducesProblem(422).ProducesProblem(428);
        group.MapDelete("/{id:long}", Handlers.DeleteAsync).WithName("DeletePartnerAgreement").RequireAuthorization(Policies.Write)
            .Produces(204).ProducesProblem(404).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    internal static readonly ResourceHandlers<PartnerAgreement, PartnerAgreementDto> Handlers = new()
    {
        Entity = "partner agreement",
        BasePath = "/api/partner-agreements",
        Fields = ["grantId", "partnerId", "amount", "startDate", "endDate", "purpose"],
        Load = PartnerAgreementStore.GetAsync,
        Read = input =>
        {
            var agreement = new PartnerAgreement
            {
                GrantId = input.Id("grantId", required: true) ?? 0,
                PartnerId = input.Id("partnerId", required: true) ?? 0,
                AmountPence = input.Money("amount", required: true, allowNegative: false) ?? 0,
                StartDate = input.Date("startDate", required: true) ?? default,
                EndDate = input.Date("endDate", required: true) ?? default,
                Purpose = input.Text("purpose", required: false, 2000, multiline: true),
            };
            if (input.IsValid && agreement.EndDate < agreement.StartDate)
            {
                input.Error("endDate", "must not be before startDate");
            }

            return agreement;
        },
        Check = CheckAsync,
        Insert = PartnerAgreementStore.InsertAsync,
        Update = PartnerAgreementStore.UpdateAsync,
        Delete = PartnerAgreementStore.DeleteAsync,
        ToDto = a => new PartnerAgreementDto(a.Id, a.GrantId, a.PartnerId, Money.ToPounds(a.AmountPence), a.StartDate, a.EndDate, a.Purpose, a.Version, a.CreatedAt, a.UpdatedAt),
        Idempotent = true,
    };

    private static async Task<IResult?> CheckAsync(DbSession session, PartnerAgreement proposed, PartnerAgreement? current, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        await GrantStore.LockAsync(session, proposed.GrantId, cancellationToken);
        var grant = await GrantStore.GetAsync(session, proposed.GrantId, cancellationToken);
        if (grant is null)
        {
            errors["grantId"] = [$"there is no grant with id {proposed.GrantId}"];
        }
        else if (proposed.StartDate < grant.StartDate || proposed.EndDate > grant.EndDate)
        {
            errors["startDate"] = [$"the agreement must lie within the grant's dates, {grant.StartDate:yyyy-MM-dd} to {grant.EndDate:yyyy-MM-dd}"];
        }

        if (await PartnerStore.GetAsync(session, proposed.PartnerId, cancellationToken) is null)
        {
            errors["partnerId"] = [$"there is no partner with id {proposed.PartnerId}"];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        // Only the other agreements of the grant count: when this one moves to another grant, none of the old grant's do.
        var excludeId = current is not null && current.GrantId == proposed.GrantId ? current.Id : (long?)null;
        var others = await PartnerAgreementStore.SumForGrantAsync(session, proposed.GrantId, excludeId, cancellationToken);
        var total = others + proposed.AmountPence;
        if (total > grant!.AmountAwardedPence)
        {
            return Problems.Unprocessable(
                $"The grant's partner agreements would total {Money.Format(total)}, more than its award of {Money.Format(grant.AmountAwardedPence)} (by {Money.Format(total - grant.AmountAwardedPence)}).",
                new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["amount"] = [$"must be at most {Money.Format(grant.AmountAwardedPence - others)}"] } });
        }

        return null;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, Database database, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var filter = new PartnerAgreementFilter(query.Id("grantId"), query.Id("partnerId"));
        var page = query.Page();
        if (!query.IsValid)
        {
            return query.Problem();
        }

        await using var session = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(ListResponse<PartnerAgreementDto>.From(await PartnerAgreementStore.ListAsync(session, filter, page, cancellationToken), Handlers.ToDto));
    }
}

public sealed record PartnerAgreementDto(long Id, long GrantId, long PartnerId, decimal Amount, DateOnly StartDate, DateOnly EndDate, string? Purpose, int Version, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record PartnerAgreementRequest(long GrantId, long PartnerId, decimal Amount, DateOnly StartDate, DateOnly EndDate, string? Purpose);
