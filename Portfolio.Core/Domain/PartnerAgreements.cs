using Portfolio.Core.Data;

namespace Portfolio.Core.Domain;

public sealed class PartnerAgreement : IVersioned
{
    public long Id { get; set; }
    public long GrantId { get; set; }
    public long PartnerId { get; set; }
    public long AmountPence { get; set; }
    public DateOnly StartDate { get; set; }
    public DateOnly EndDate { get; set; }
    public string? Purpose { get; set; }
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public sealed record PartnerAgreementFilter(long? GrantId = null, long? PartnerId = null);

public static class PartnerAgreementStore
{
    private const string Columns = "id, grant_id, partner_id, amount_pence, start_date, end_date, purpose, version, created_at, updated_at";

    private const string Filter = """
        WHERE (@GrantId IS NULL OR grant_id = @GrantId)
          AND (@PartnerId IS NULL OR partner_id = @PartnerId)
        """;

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM partner_agreement WHERE id = @Id");
    internal static readonly Sql SelectPage = Sql.Paged($"SELECT {Columns} FROM partner_agreement {Filter} ORDER BY id");
    internal static readonly Sql CountFiltered = Sql.Common($"SELECT COUNT(*) FROM partner_agreement {Filter}");

    internal static readonly Sql SumForGrant = Sql.Common("""
        SELECT COALESCE(SUM(amount_pence), 0) FROM partner_agreement
        WHERE grant_id = @GrantId AND (@ExcludeId IS NULL OR id <> @ExcludeId)
        """);

    internal static readonly Sql Insert = Sql.InsertReturningId("""
        INSERT INTO partner_agreement (grant_id, partner_id, amount_pence, start_date, end_date, purpose, version, created_at, updated_at)
        VALUES (@GrantId, @PartnerId, @AmountPence, @StartDate, @EndDate, @Purpose, 1, @At, @At)
        """);

    internal static readonly Sql Update = Sql.Common("""
        UPDATE partner_agreement
        SET grant_id = @GrantId, partner_id = @PartnerId, amount_pence = @AmountPence, start_date = @StartDate,
            end_date = @EndDate, purpose = @Purpose, version = version + 1, updated_at = @At
        WHERE id = @Id AND version = @ExpectedVersion
        """);

    internal static readonly Sql Delete = Sql.Common("DELETE FROM partner_agreement WHERE id = @Id AND version = @ExpectedVersion");

    public static Task<PartnerAgreement?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<PartnerAgreement>(SelectOne, new { Id = id }, cancellationToken);

    public static async Task<Page<PartnerAgreement>> ListAsync(DbSession session, PartnerAgreementFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new { filter.GrantId, filter.PartnerId, page.Offset, page.Limit };
        var items = (await session.QueryAsync<PartnerAgreement>(SelectPage, parameters, cancellationToken)).ToList();
        var total = await session.ExecuteScalarAsync<long>(CountFiltered, parameters, cancellationToken);
        return new Page<PartnerAgreement>(items, page.Page, page.PageSize, total);
    }

    /// <summary>The sum of a grant's agreements, leaving out <paramref name="excludeId"/> (the one being replaced).</summary>
    public static Task<long> SumForGrantAsync(DbSession session, long grantId, long? excludeId, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(SumForGrant, new { GrantId = grantId, ExcludeId = excludeId }, cancellationToken);

    public static Task<long> InsertAsync(DbSession session, PartnerAgreement agreement, ChangeContext change, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(Insert, Parameters(agreement, change, 0), cancellationToken);

    public static async Task<bool> UpdateAsync(DbSession session, long id, int expectedVersion, PartnerAgreement agreement, ChangeContext change, CancellationToken cancellationToken = default)
    {
        agreement.Id = id;
        return await session.ExecuteAsync(Update, Parameters(agreement, change, expectedVersion), cancellationToken) == 1;
    }

    public static async Task<bool> DeleteAsync(DbSession session, long id, int expectedVersion, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(Delete, new { Id = id, ExpectedVersion = expectedVersion }, cancellationToken) == 1;

    private static object Parameters(PartnerAgreement agreement, ChangeContext change, int expectedVersion) => new
    {
        agreement.Id,
        agreement.GrantId,
        agreement.PartnerId,
        agreement.AmountPence,
        agreement.StartDate,
        agreement.EndDate,
        agreement.Purpose,
        change.At,
        ExpectedVersion = expectedVersion,
    };
}
