using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Transactions;

/// <summary>Spend. Never deleted: corrected by a reversing entry (a negative amount) or voided with a reason.</summary>
public static class TransactionsApi
{
    public static IEndpointRouteBuilder MapTransactions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/transactions").WithTags("Transactions").RequireAuthorization(Policies.Read);
        group.MapGet("/", ListAsync).ReadsPagedQuery(
            QueryParameter.Id("grantId", "Only this grant's transactions."),
            QueryParameter.Date("from", "Only transactions dated on or after this date."),
            QueryParameter.Date("to", "Only transactions dated on or before this date."),
            QueryParameter.Text("category", "Only transactions in this cost category.", 40),
            QueryParameter.Id("partnerId", "Only transactions paid to this partner.")).WithName("ListTransactions").Produces<ListResponse<TransactionView>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", RecordHttp.GetAsync<Spend, SpendTransaction, TransactionView>).WithName("GetTransaction").Produces<TransactionView>().ProducesProblem(404);
        group.MapPost("/", RecordHttp.RecordAsync<Spend, SpendTransaction, TransactionInput, TransactionView>).AcceptsIdempotencyKey().WithName("CreateTransaction").RequireAuthorization(Policies.Write)
            .Accepts<TransactionInput>("application/json").Produces<TransactionView>(201).ProducesValidationProblem().ProducesProblem(422);
        group.MapPut("/{id:long}", RecordHttp.ChangeAsync<Spend, SpendTransaction, TransactionInput, TransactionView>).WithName("UpdateTransaction").RequireAuthorization(Policies.Write)
            .Accepts<TransactionInput>("application/json").Produces<TransactionView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        group.MapPost("/{id:long}/void", RecordHttp.VoidAsync<Spend, SpendTransaction, TransactionView>).WithName("VoidTransaction").RequireAuthorization(Policies.Write)
            .Accepts<ReasonInput>("application/json").Produces<TransactionView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }


    private static async Task<IResult> ListAsync(HttpRequest request, Database database, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var filter = new TransactionFilter(query.Id("grantId"), query.Date("from"), query.Date("to"), query.Text("category", 40), query.Id("partnerId"));
        var page = query.Page();
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(ListResponse<TransactionView>.From(await TransactionStore.ListAsync(session, filter, page, cancellationToken), Spend.View));
    }
}

