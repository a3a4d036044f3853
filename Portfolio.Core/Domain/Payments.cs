using Portfolio.Core.Data;
using Portfolio.Core.Operations;

namespace Portfolio.Core.Domain;

/// <summary>Income received from the funder against a grant. Never deleted: voided with a reason.</summary>
public sealed class Payment : IVersioned
{
    public long Id { get; set; }
    public long GrantId { get; set; }
    public DateOnly PaymentDate { get; set; }
    public long AmountPence { get; set; }
    public string? Reference { get; set; }
    public DateTime? VoidedAt { get; set; }
    public string? VoidedBy { get; set; }
    public string? VoidReason { get; set; }
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTime UpdatedAt { get; set; }
}

public sealed record PaymentFilter(long? GrantId = null, DateOnly? From = null, DateOnly? To = null);

public static class PaymentStore
{
    private const string Columns = """
        id, grant_id, payment_date, amount_pence, reference, voided_at, voided_by, void_reason,
        version, created_at, created_by, updated_at
        """;

    private const string Filter = """
        WHERE (@GrantId IS NULL OR grant_id = @GrantId)
          AND payment_date >= COALESCE(@From, payment_date)
          AND payment_date <= COALESCE(@To, payment_date)
        """;

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM payment WHERE id = @Id");
    internal static readonly Sql SelectPage = Sql.Paged($"SELECT {Columns} FROM payment {Filter} ORDER BY payment_date, id");
    internal static readonly Sql CountFiltered = Sql.Common($"SELECT COUNT(*) FROM payment {Filter}");

    internal static readonly Sql SumForGrant = Sql.Common("""
        SELECT COALESCE(SUM(amount_pence), 0) FROM payment
        WHERE grant_id = @GrantId AND voided_at IS NULL AND (@ExcludeId IS NULL OR id <> @ExcludeId)
        """);

    /// <summary>
    /// The columns a payment is recorded with, each beside the parameter a single write binds and the
    /// <c>import_row</c> column an import's set-based insert reads: one list for both inserts.
    /// </summary>
    internal static readonly IReadOnlyList<(string Column, string Parameter, string ImportRow)> Recorded =
    [
        ("grant_id", "@GrantId", "grant_id"),
        ("payment_date", "@PaymentDate", "txn_date"),
        ("amount_pence", "@AmountPence", "amount_pence"),
        ("reference", "@Reference", "source_reference"),
    ];

    /// <summary>The recorded columns, then what every insert adds: its version and who wrote it when.</summary>
    internal static string RecordedColumns => string.Join(", ", Recorded.Select(c => c.Column)) + ", version, created_at, created_by, updated_at";

    internal static readonly Sql Insert = Sql.InsertReturningId($"""
        INSERT INTO payment ({RecordedColumns})
        VALUES ({string.Join(", ", Recorded.Select(c => c.Parameter))}, 1, @At, @Actor, @At)
        """);

    internal static readonly Sql Update = Sql.Common("""
        UPDATE payment
        SET grant_id = @GrantId, payment_date = @PaymentDate, amount_pence = @AmountPence, reference = @Reference,
            version = version + 1, updated_at = @At
        WHERE id = @Id AND version = @ExpectedVersion AND voided_at IS NULL
        """);

    internal static readonly Sql Void = Sql.Common("""
        UPDATE payment
        SET voided_at = @At, voided_by = @Actor, void_reason = @Reason, version = version + 1, updated_at = @At
        WHERE id = @Id AND version = @ExpectedVersion AND voided_at IS NULL
        """);

    public static Task<Payment?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<Payment>(SelectOne, new { Id = id }, cancellationToken);

    public static async Task<Page<Payment>> ListAsync(DbSession session, PaymentFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new { filter.GrantId, filter.From, filter.To, page.Offset, page.Limit };
        var items = (await session.QueryAsync<Payment>(SelectPage, parameters, cancellationToken)).ToList();
        var total = await session.ExecuteScalarAsync<long>(CountFiltered, parameters, cancellationToken);
        return new Page<Payment>(items, page.Page, page.PageSize, total);
    }

    /// <summary>Live income on the grant, leaving out <paramref name="excludeId"/>.</summary>
    public static Task<long> SumForGrantAsync(DbSession session, long grantId, long? excludeId, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(SumForGrant, new { GrantId = grantId, ExcludeId = excludeId }, cancellationToken);

    public static Task<long> InsertAsync(DbSession session, Payment payment, ChangeContext change, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(Insert, Parameters(payment, change, 0), cancellationToken);

    public static async Task<bool> UpdateAsync(DbSession session, long id, int expectedVersion, Payment payment, ChangeContext change, CancellationToken cancellationToken = default)
    {
        payment.Id = id;
        return await session.ExecuteAsync(Update, Parameters(payment, change, expectedVersion), cancellationToken) == 1;
    }

    public static async Task<bool> VoidAsync(DbSession session, long id, int expectedVersion, string reason, ChangeContext change, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(Void, new { Id = id, ExpectedVersion = expectedVersion, Reason = reason, change.At, change.Actor }, cancellationToken) == 1;

    private static object Parameters(Payment payment, ChangeContext change, int expectedVersion) => new
    {
        payment.Id,
        payment.GrantId,
        payment.PaymentDate,
        payment.AmountPence,
        payment.Reference,
        change.At,
        change.Actor,
        ExpectedVersion = expectedVersion,
    };
}

/// <summary>What a person or an import sends to record or change income.</summary>
public sealed record PaymentInput(
    long GrantId,
    DateOnly Date,
    [Amount(AllowNegative = true, NonZero = true)] Money.Money Amount,
    [Text(200)] string? Reference = null);

public sealed record PaymentView(
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

/// <summary>
/// Income from funders: dated no later than today (UK), in an open period, and never more in total than the
/// grant's award (a refund is a negative amount).
/// </summary>
public sealed class Income :
    IRecordKind<Payment, PaymentView>, IRecordable<PaymentInput, PaymentView>, IChangeable<PaymentInput, PaymentView>, IVoidable<PaymentView>
{
    private const string AuditName = "payment";

    private Income()
    {
    }

    public static string Entity => "payment";

    public static Task<Payment?> LoadAsync(DbSession session, long id, CancellationToken cancellationToken) => PaymentStore.GetAsync(session, id, cancellationToken);

    public static PaymentView View(Payment p) => new(
        p.Id, p.GrantId, p.PaymentDate, Money.Money.ToPounds(p.AmountPence), p.Reference,
        p.VoidedAt is not null, p.VoidedAt, p.VoidedBy, p.VoidReason, p.Version, p.CreatedAt, p.CreatedBy, p.UpdatedAt);

    public static async Task<Outcome<Versioned<PaymentView>>> RecordAsync(DbSession session, PaymentInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var (checkedInput, shape) = RecordSteps.Shape(input);
        var proposed = Build(checkedInput);
        if (await RecordSteps.AllAtOnceAsync(shape, CheckAsync(session, proposed, null, change, cancellationToken)) is { } refused)
        {
            return refused;
        }

        var id = await PaymentStore.InsertAsync(session, proposed, change, cancellationToken);
        var created = (await PaymentStore.GetAsync(session, id, cancellationToken))!;
        return await RecordSteps.AuditedAsync(session, change, "create", AuditName, id, created.Version, null, View(created), cancellationToken);
    }

    public static async Task<Outcome<Versioned<PaymentView>>> ChangeAsync(DbSession session, long id, int? expectedVersion, PaymentInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await PaymentStore.GetAsync(session, id, cancellationToken);
        if (RecordSteps.AtVersion(current, Entity, id, expectedVersion) is { } missing)
        {
            return missing;
        }

        var (checkedInput, shape) = RecordSteps.Shape(input);
        var proposed = Build(checkedInput);
        if (await RecordSteps.AllAtOnceAsync(shape, CheckAsync(session, proposed, current, change, cancellationToken)) is { } refused)
        {
            return refused;
        }

        if (!await PaymentStore.UpdateAsync(session, id, current!.Version, proposed, change, cancellationToken))
        {
            return RecordSteps.NotWritten(await PaymentStore.GetAsync(session, id, cancellationToken), Entity, current.Version);
        }

        var updated = (await PaymentStore.GetAsync(session, id, cancellationToken))!;
        return await RecordSteps.AuditedAsync(session, change, "update", AuditName, id, updated.Version, View(current), View(updated), cancellationToken);
    }

    /// <summary>Voids the payment with a reason, unless its period is closed (money dated in a period already reported).</summary>
    public static async Task<Outcome<Versioned<PaymentView>>> VoidAsync(DbSession session, long id, int? expectedVersion, ReasonInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await PaymentStore.GetAsync(session, id, cancellationToken);
        if (RecordSteps.AtVersion(current, Entity, id, expectedVersion) is { } missing)
        {
            return missing;
        }

        var (why, shape) = RecordSteps.Shape(input);
        if (shape.Any)
        {
            return shape.ToRefusal();
        }

        if (await ClosedPeriods.ClosedReasonAsync(session, current!.GrantId, current.PaymentDate, cancellationToken) is { } closed)
        {
            return new Conflict(closed);
        }

        if (!await PaymentStore.VoidAsync(session, id, current.Version, why.Reason, change, cancellationToken))
        {
            return RecordSteps.NotWritten(await PaymentStore.GetAsync(session, id, cancellationToken), Entity, current.Version);
        }

        var voided = (await PaymentStore.GetAsync(session, id, cancellationToken))!;
        return await RecordSteps.AuditedAsync(session, change, "void", AuditName, id, voided.Version, View(current), View(voided), cancellationToken);
    }

    private static Payment Build(PaymentInput input) => new()
    {
        GrantId = input.GrantId,
        PaymentDate = input.Date,
        AmountPence = input.Amount.Pence,
        Reference = input.Reference,
    };

    private static async Task<Refusal?> CheckAsync(DbSession session, Payment proposed, Payment? current, ChangeContext change, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var controls = new FinanceControls();
        var closed = new List<string>();
        var grant = await GrantBooks.LoadForUpdateAsync(session, proposed.GrantId, withIncome: true, cancellationToken);
        if (current is not null)
        {
            // A payment already in a closed period cannot be moved out of it, nor changed in it.
            var was = current.GrantId == proposed.GrantId ? grant : await GrantBooks.LoadForUpdateAsync(session, current.GrantId, cancellationToken: cancellationToken);
            if (was?.ClosedReason(current.PaymentDate) is { } reason)
            {
                closed.Add(reason);
            }
        }

        if (grant is null)
        {
            errors.Add("grantId", $"there is no grant with id {proposed.GrantId}");
            // Still the date's control beside it: every refusal at once.
            MoneyRules.Into(MoneyRules.NotAfterToday(proposed.PaymentDate, change, current is null || current.PaymentDate != proposed.PaymentDate), errors, controls, closed);
            return controls.Refusal(errors);
        }

        var others = grant.IncomePence - (current is { VoidedAt: null } && current.GrantId == grant.Id ? current.AmountPence : 0);
        var moved = new Moved(
            Date: current is null || current.PaymentDate != proposed.PaymentDate,
            Partner: false,
            AmountUp: current is null || proposed.AmountPence > current.AmountPence || current.GrantId != proposed.GrantId);
        MoneyRules.Into(MoneyRules.Income(grant, proposed.PaymentDate, proposed.AmountPence, others, change, moved), errors, controls, closed);
        return controls.Refusal(errors) ?? (closed.Count > 0 ? new Conflict(closed[0]) : null);
    }
}
