using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Money;

namespace Portfolio.Api.Features.Payments;

/// <summary>Income received from funders. Never deleted: voided with a reason.</summary>
public static class PaymentsApi
{
    public static IEndpointRouteBuilder MapPayments(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/payments").WithTags("Payments").RequireAuthorization(Policies.Read);
        group.MapGet("/", ListAsync).WithName("ListPayments").Produces<ListResponse<PaymentDto>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", Handlers.GetAsync).WithName("GetPayment").Produces<PaymentDto>().ProducesProblem(404);
        group.MapPost("/", Handlers.CreateAsync).WithName("CreatePayment").RequireAuthorization(Policies.Write)
            .Accepts<PaymentRequest>("application/json").Produces<PaymentDto>(201).ProducesValidationProblem().ProducesProblem(422);
        group.MapPut("/{id:long}", Handlers.UpdateAsync).WithName("UpdatePayment").RequireAuthorization(Policies.Write)
            .Accepts<PaymentRequest>("application/json").Produces<PaymentDto>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        group.MapPost("/{id:long}/void", Handlers.VoidAsync).WithName("VoidPayment").RequireAuthorization(Policies.Write)
            .Accepts<Transactions.VoidRequest>("application/json").Produces<PaymentDto>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    internal static readonly ResourceHandlers<Payment, PaymentDto> Handlers = new()
    {
        Entity = "payment",
        BasePath = "/api/payments",
        Fields = ["grantId", "date", "amount", "reference"],
        Load = PaymentStore.GetAsync,
        Read = input =>
        {
            var payment = new Payment
            {
                GrantId = input.Id("grantId", required: true) ?? 0,
                PaymentDate = input.Date("date", required: true) ?? default,
                AmountPence = input.Money("amount", required: true, allowNegative: true) ?? 0,
                Reference = input.Text("reference", required: false, 200),
            };
            if (input.Has("amount") && input.IsValid && payment.AmountPence == 0)
            {
                input.Error("amount", "must not be zero");
            }

            return payment;
        },
        Check = async (session, proposed, _, ct) =>
            await GrantStore.GetAsync(session, proposed.GrantId, ct) is null
                ? Problems.Field("grantId", $"there is no grant with id {proposed.GrantId}")
                : null,
        Insert = PaymentStore.InsertAsync,
        Update = PaymentStore.UpdateAsync,
        Void = PaymentStore.VoidAsync,
        ClosedPeriod = (session, p, ct) => ClosedPeriods.ClosedReasonAsync(session, p.GrantId, p.PaymentDate, ct),
        ToDto = p => new PaymentDto(
            p.Id, p.GrantId, p.PaymentDate, Money.ToPounds(p.AmountPence), p.Reference,
            p.VoidedAt is not null, p.VoidedAt, p.VoidedBy, p.VoidReason, p.Version, p.CreatedAt, p.CreatedBy, p.UpdatedAt),
        Idempotent = true,
    };

    private static async Task<IResult> ListAsync(HttpRequest request, Database database, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var filter = new PaymentFilter(query.Id("grantId"), query.Date("from"), query.Date("to"));
        var page = query.Page();
        if (!query.IsValid)
        {
            return query.Problem();
        }

        await using var session = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(ListResponse<PaymentDto>.From(await PaymentStore.ListAsync(session, filter, page, cancellationToken), Handlers.ToDto));
    }
}

public sealed record PaymentDto(
    long Id,
    long GrantId,
    DateOnly Date,
    decimal Amount,
    string? Reference,
    bool Voided,
    DateTime? VoidedAt,
    string? VoidedBy,
    string? VoidReason,
    int Version,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime UpdatedAt);

public sealed record PaymentRequest(long GrantId, DateOnly Date, decimal Amount, string? Reference);
