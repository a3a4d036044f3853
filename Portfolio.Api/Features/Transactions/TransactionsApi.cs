using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Money;

namespace Portfolio.Api.Features.Transactions;

/// <summary>Spend. Never deleted: corrected by a reversing entry (a negative amount) or voided with a reason.</summary>
public static class TransactionsApi
{
    public static IEndpointRouteBuilder MapTransactions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/transactions").WithTags("Transactions").RequireAuthorization(Policies.Read);
        group.MapGet("/", ListAsync).WithName("ListTransactions").Produces<ListResponse<TransactionDto>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", Handlers.GetAsync).WithName("GetTransaction").Produces<TransactionDto>().ProducesProblem(404);
        group.MapPost("/", Handlers.CreateAsync).WithName("CreateTransaction").RequireAuthorization(Policies.Write)
            .Accepts<TransactionRequest>("application/json").Produces<TransactionDto>(201).ProducesValidationProblem().ProducesProblem(422);
        group.MapPut("/{id:long}", Handlers.UpdateAsync).WithName("UpdateTransaction").RequireAuthorization(Policies.Write)
            .Accepts<TransactionRequest>("application/json").Produces<TransactionDto>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        group.MapPost("/{id:long}/void", Handlers.VoidAsync).WithName("VoidTransaction").RequireAuthorization(Policies.Write)
            .Accepts<VoidRequest>("application/json").Produces<TransactionDto>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    internal static readonly ResourceHandlers<SpendTransaction, TransactionDto> Handlers = new()
    {
        Entity = "transaction",
        BasePath = "/api/transactions",
        Fields = ["grantId", "date", "amount", "category", "description", "partnerId", "sourceReference"],
        Load = TransactionStore.GetAsync,
        Read = input =>
        {
            var transaction = new SpendTransaction
            {
                GrantId = input.Id("grantId", required: true) ?? 0,
                TransactionDate = input.Date("date", required: true) ?? default,
                AmountPence = input.Money("amount", required: true, allowNegative: true) ?? 0,
                CategoryCode = input.Text("category", required: true, 40) ?? "",
                Description = input.Text("description", required: true, 500) ?? "",
                PartnerId = input.Id("partnerId", required: false),
                SourceReference = input.Text("sourceReference", required: false, 200),
            };
            if (input.Has("amount") && input.IsValid && transaction.AmountPence == 0)
            {
                input.Error("amount", "must not be zero");
            }

            return transaction;
        },
        Check = async (session, proposed, _, ct) =>
        {
            var errors = new Dictionary<string, string[]>();
            var grant = await GrantStore.GetAsync(session, proposed.GrantId, ct);
            if (grant is null)
            {
                errors["grantId"] = [$"there is no grant with id {proposed.GrantId}"];
            }
            else if (proposed.TransactionDate < grant.StartDate || proposed.TransactionDate > grant.EndDate)
            {
                errors["date"] = [$"must be within the grant's dates, {grant.StartDate:yyyy-MM-dd} to {grant.EndDate:yyyy-MM-dd}"];
            }

            await References.CheckCategoryAsync(session, proposed.CategoryCode, errors, ct);
            if (proposed.PartnerId is { } partnerId && await PartnerStore.GetAsync(session, partnerId, ct) is null)
            {
                errors["partnerId"] = [$"there is no partner with id {partnerId}"];
            }

            return errors.Count > 0 ? Problems.Validation(errors) : null;
        },
        Insert = TransactionStore.InsertAsync,
        Update = TransactionStore.UpdateAsync,
        Void = TransactionStore.VoidAsync,
        ClosedPeriod = (session, t, ct) => ClosedPeriods.ClosedReasonAsync(session, t.GrantId, t.TransactionDate, ct),
        ToDto = t => new TransactionDto(
            t.Id, t.GrantId, t.TransactionDate, Money.ToPounds(t.AmountPence), t.CategoryCode, t.Description, t.PartnerId, t.SourceReference,
            t.VoidedAt is not null, t.VoidedAt, t.VoidedBy, t.VoidReason, t.Version, t.CreatedAt, t.CreatedBy, t.UpdatedAt),
        Idempotent = true,
    };

    private static async Task<IResult> ListAsync(HttpRequest request, Database database, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var filter = new TransactionFilter(query.Id("grantId"), query.Date("from"), query.Date("to"), query.Text("category", 40), query.Id("partnerId"));
        var page = query.Page();
        if (!query.IsValid)
        {
            return query.Problem();
        }

        await using var session = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(ListResponse<TransactionDto>.From(await TransactionStore.ListAsync(session, filter, page, cancellationToken), Handlers.ToDto));
    }
}

public sealed record TransactionDto(
    long Id,
    long GrantId,
    DateOnly Date,
    decimal Amount,
    string Category,
    string Description,
    long? PartnerId,
    string? SourceReference,
    bool Voided,
    DateTime? VoidedAt,
    string? VoidedBy,
    string? VoidReason,
    int Version,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime UpdatedAt);

public sealed record TransactionRequest(long GrantId, DateOnly Date, decimal Amount, string Category, string Description, long? PartnerId, string? SourceReference);

public sealed record VoidRequest(string Reason);
