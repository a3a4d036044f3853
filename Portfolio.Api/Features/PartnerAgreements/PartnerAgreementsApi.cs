using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.PartnerAgreements;

/// <summary>Sub-grants: part of a grant passed on to a partner. A grant's agreements may not add up to more than its award.</summary>
public static class PartnerAgreementsApi
{
    public static IEndpointRouteBuilder MapPartnerAgreements(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/partner-agreements").WithTags("Partner agreements").RequireAuthorization(Policies.Read);
        group.MapGet("/", ListAsync).ReadsPagedQuery(
            QueryParameter.Id("grantId", "Only agreements on this grant."),
            QueryParameter.Id("partnerId", "Only agreements with this partner.")).WithName("ListPartnerAgreements").Produces<ListResponse<PartnerAgreementView>>().ProducesValidationProblem();
        group.MapGet("/overdue-instalments", OverdueAsync).WithName("ListOverdueInstalments").Produces<ListResponse<OverdueInstalmentDto>>();
        group.MapGet("/overdue-returns", OverdueReturnsAsync).WithName("ListOverdueReturns").Produces<ListResponse<OverdueReturnDto>>();
        group.MapGet("/{id:long}", RecordHttp.GetAsync<Core.Domain.PartnerAgreements, PartnerAgreement, PartnerAgreementView>).WithName("GetPartnerAgreement").Produces<PartnerAgreementView>().ProducesProblem(404);
        group.MapPost("/", RecordHttp.RecordAsync<Core.Domain.PartnerAgreements, PartnerAgreement, PartnerAgreementInput, PartnerAgreementView>).AcceptsIdempotencyKey().WithName("CreatePartnerAgreement").RequireAuthorization(Policies.Write)
            .Accepts<PartnerAgreementInput>("application/json").Produces<PartnerAgreementView>(201).ProducesValidationProblem().ProducesProblem(422);
        group.MapPut("/{id:long}", RecordHttp.ChangeAsync<Core.Domain.PartnerAgreements, PartnerAgreement, PartnerAgreementInput, PartnerAgreementView>).WithName("UpdatePartnerAgreement").RequireAuthorization(Policies.Write)
            .Accepts<PartnerAgreementInput>("application/json").Produces<PartnerAgreementView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(412).ProducesProblem(422).ProducesProblem(428);
        group.MapDelete("/{id:long}", RecordHttp.DeleteAsync<Core.Domain.PartnerAgreements, PartnerAgreement, PartnerAgreementView>).WithName("DeletePartnerAgreement").RequireAuthorization(Policies.Write)
            .Produces(204).ProducesProblem(404).ProducesProblem(412).ProducesProblem(428);
        return app;
    }


    /// <summary>Every unpaid instalment past its due date (UK today), oldest first.</summary>
    private static async Task<IResult> OverdueAsync(Database database, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var today = Core.Periods.UkDate.Today(clock);
        var items = (await InstalmentStore.OverdueAsync(session, today, cancellationToken)).Select(i => OverdueInstalmentDto.Of(i, today)).ToList();
        return TypedResults.Ok(new ListResponse<OverdueInstalmentDto>(items, 1, items.Count, items.Count));
    }

    /// <summary>Every partner return past its due date (UK today) and neither submitted nor accepted, oldest first.</summary>
    private static async Task<IResult> OverdueReturnsAsync(Database database, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var today = Core.Periods.UkDate.Today(clock);
        var items = (await Core.PartnerReturns.ReturnSchedule.OverdueAsync(session, today, cancellationToken))
            .Select(r => new OverdueReturnDto(r.Due.AgreementId, r.GrantId, r.GrantReference, r.PartnerName, r.Due.PeriodStart, r.Due.PeriodLabel, r.Due.DueDate, r.Status, today.DayNumber - r.Due.DueDate.DayNumber))
            .ToList();
        return TypedResults.Ok(new ListResponse<OverdueReturnDto>(items, 1, items.Count, items.Count));
    }

    private static async Task<IResult> ListAsync(HttpRequest request, Database database, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var filter = new PartnerAgreementFilter(query.Id("grantId"), query.Id("partnerId"));
        var page = query.Page();
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(ListResponse<PartnerAgreementView>.From(await PartnerAgreementStore.ListAsync(session, filter, page, cancellationToken), Core.Domain.PartnerAgreements.View));
    }
}


/// <summary>An unpaid instalment past its due date: whose, how much, and how many days late.</summary>
public sealed record OverdueInstalmentDto(long InstalmentId, long AgreementId, long GrantId, string GrantReference, long PartnerId, string PartnerName, DateOnly DueDate, decimal Amount, int DaysOverdue)
{
    public static OverdueInstalmentDto Of(OverdueInstalment i, DateOnly today) =>
        new(i.Id, i.AgreementId, i.GrantId, i.GrantReference, i.PartnerId, i.PartnerName, i.DueDate, Core.Money.Money.ToPounds(i.AmountPence), today.DayNumber - i.DueDate.DayNumber);
}

/// <summary>A partner return past its due date: whose, for which period, where it stands, and how many days late.</summary>
public sealed record OverdueReturnDto(long AgreementId, long GrantId, string GrantReference, string PartnerName, DateOnly PeriodStart, string PeriodLabel, DateOnly DueDate, string Status, int DaysOverdue);
