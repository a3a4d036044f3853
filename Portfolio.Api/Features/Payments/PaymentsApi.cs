using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Payments;

/// <summary>Income received from funders. Never deleted: voided with a reason.</summary>
public static class PaymentsApi
{
    public static IEndpointRouteBuilder MapPayments(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/payments").WithTags("Payments").RequireAuthorization(Policies.Read);
        group.MapGet("/", ListAsync).ReadsPagedQuery(
            QueryParameter.Id("grantId", "Only this grant's payments."),
            QueryParameter.Date("from", "Only payments received on or after this date."),
            QueryParameter.Date("to", "Only payments received on or before this date.")).WithName("ListPayments").Produces<ListResponse<PaymentView>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", RecordHttp.GetAsync<Income, Payment, PaymentView>).WithName("GetPayment").Produces<PaymentView>().ProducesProblem(404);
        group.MapPost("/", RecordHttp.RecordAsync<Income, Payment, PaymentInput, PaymentView>).AcceptsIdempotencyKey().WithName("CreatePayment").RequireAuthorization(Policies.Write)
            .Accepts<PaymentInput>("application/json").Produces<PaymentView>(201).ProducesValidationProblem().ProducesProblem(422);
        group.MapPut("/{id:long}", RecordHttp.ChangeAsync<Income, Payment, PaymentInput, PaymentView>).WithName("UpdatePayment").RequireAuthorization(Policies.Write)
            .Accepts<PaymentInput>("application/json").Produces<PaymentView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        group.MapPost("/{id:long}/void", RecordHttp.VoidAsync<Income, Payment, PaymentView>).WithName("VoidPayment").RequireAuthorization(Policies.Write)
            .Accepts<ReasonInput>("application/json").Produces<PaymentView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }


    private static async Task<IResult> ListAsync(HttpRequest request, Database database, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var filter = new PaymentFilter(query.Id("grantId"), query.Date("from"), query.Date("to"));
        var page = query.Page();
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(ListResponse<PaymentView>.From(await PaymentStore.ListAsync(session, filter, page, cancellationToken), Income.View));
    }
}

