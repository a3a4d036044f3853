using Portfolio.Core.Data;

namespace Portfolio.Core.Domain;

/// <summary>Actual spend against a grant. Never deleted: corrected by a reversing entry or voided with a reason.</summary>
public sealed class SpendTransaction : IVersioned
{
    public long Id { get; set; }
    public long GrantId { get; set; }
    public DateOnly TransactionDate { get; set; }
    public long AmountPence { get; set; }
    public string CategoryCode { get; set; } = "";
    public string Description { get; set; } = "";
    public long? PartnerId { get; set; }
    public string? SourceReference { get; set; }
    public DateTime? VoidedAt { get; set; }
    public string? VoidedBy { get; set; }
    public string? VoidReason { get; set; }
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTime UpdatedAt { get; set; }
}

public sealed record TransactionFilter(
    long? GrantId = null,
    DateOnly? From = null,
    DateOnly? To = null,
    string? Category = null,
    long? PartnerId = null);

public static class TransactionStore
{
    private const string Columns = """
        id, grant_id, transaction_date, amount_pence, category_code, description, partner_id, source_reference,
        voided_at, voided_by, void_reason, version, created_at, created_by, updated_at
        """;

    private const string Filter = """
        WHERE (@GrantId IS NULL OR grant_id = @GrantId)
          AND transaction_date >= COALESCE(@From, transaction_date)
          AND transaction_date <= COALESCE(@To, transaction_date)
          AND (@Category IS NULL OR category_code = @Category)
          AND (@PartnerId IS NULL OR partner_id = @PartnerId)
        """;

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM spend_transaction WHERE id = @Id");
    internal static readonly Sql SelectPage = Sql.Paged($"SELECT {Columns} FROM spend_transaction {Filter} ORDER BY transaction_date, id");
    internal static readonly Sql CountFiltered = Sql.Common($"SELECT COUNT(*) FROM spend_transaction {Filter}");

    internal static readonly Sql Insert = Sql.InsertReturningId("""
        INSERT INTO spend_transaction (grant_id, transaction_date, amount_pence, category_code, description, partner_id,
                                       source_reference, version, created_at, created_by, updated_at)
        VALUES (@GrantId, @TransactionDate, @AmountPence, @CategoryCode, @Description, @PartnerId,
                @SourceReference, 1, @At, @Actor, @At)
        """);

    internal static readonly Sql Update = Sql.Common("""
        UPDATE spend_transaction
        SET grant_id = @GrantId, transaction_date = @TransactionDate, amount_pence = @AmountPence,
            category_code = @CategoryCode, description = @Description, partner_id = @PartnerId,
            source_reference = @SourceReference, version = version + 1, updated_at = @At
        WHERE id = @Id AND version = @ExpectedVersion AND voided_at IS NULL
        """);

    internal static readonly Sql Void = Sql.Common("""
        UPDATE spend_transaction
        SET voided_at = @At, voided_by = @Actor, void_reason = @Reason, version = version + 1, updated_at = @At
        WHERE id = @Id AND version = @ExpectedVersion AND voided_at IS NULL
        """);

    public static Task<SpendTransaction?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<SpendTransaction>(SelectOne, new { Id = id }, cancellationToken);

    public static async Task<Page<SpendTransaction>> ListAsync(DbSession session, TransactionFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new { filter.GrantId, filter.From, filter.To, filter.Category, filter.PartnerId, page.Offset, page.Limit };
        var items = (await session.QueryAsync<SpendTransaction>(SelectPage, parameters, cancellationToken)).ToList();
        var total = await session.ExecuteScalarAsync<long>(CountFiltered, parameters, cancellationToken);
        return new Page<SpendTransaction>(items, page.Page, page.PageSize, total);
    }

    public static Task<long> InsertAsync(DbSession session, SpendTransaction transaction, ChangeContext change, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(Insert, Parameters(transaction, change, 0), cancellationToken);

    /// <summary>Replaces a transaction that is not voided; false when missing, voided or at another version.</summary>
    public static async Task<bool> UpdateAsync(DbSession session, long id, int expectedVersion, SpendTransaction transaction, ChangeContext change, CancellationToken cancellationToken = default)
    {
        transaction.Id = id;
        return await session.ExecuteAsync(Update, Parameters(transaction, change, expectedVersion), cancellationToken) == 1;
    }

    public static async Task<bool> VoidAsync(DbSession session, long id, int expectedVersion, string reason, ChangeContext change, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(Void, new { Id = id, ExpectedVersion = expectedVersion, Reason = reason, change.At, change.Actor }, cancellationToken) == 1;

    private static object Parameters(SpendTransaction transaction, ChangeContext change, int expectedVersion) => new
    {
        transaction.Id,
        transaction.GrantId,
        transaction.TransactionDate,
        transaction.AmountPence,
        transaction.CategoryCode,
        transaction.Description,
        transaction.PartnerId,
        transaction.SourceReference,
        change.At,
        change.Actor,
        ExpectedVersion = expectedVersion,
    };
}
