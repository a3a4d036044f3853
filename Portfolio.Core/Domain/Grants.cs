using Portfolio.Core.Data;

namespace Portfolio.Core.Domain;

public sealed class Grant : IVersioned
{
    public long Id { get; set; }
    public long FunderId { get; set; }
    public long? ProgrammeAreaId { get; set; }
    public string Reference { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public long AmountAwardedPence { get; set; }
    public string Currency { get; set; } = Codes.Currency;
    public DateOnly? AwardDate { get; set; }
    public DateOnly StartDate { get; set; }
    public DateOnly EndDate { get; set; }
    public bool Restricted { get; set; } = true;
    public string Status { get; set; } = "active";
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public sealed record GrantFilter(long? FunderId = null, long? ProgrammeAreaId = null, string? Status = null);

public static class GrantStore
{
    private const string Columns = """
        id, funder_id, programme_area_id, reference, title, description, amount_awarded_pence, currency,
        award_date, start_date, end_date, restricted, status, version, created_at, updated_at
        """;

    private const string Filter = """
        WHERE (@FunderId IS NULL OR funder_id = @FunderId)
          AND (@ProgrammeAreaId IS NULL OR programme_area_id = @ProgrammeAreaId)
          AND (@Status IS NULL OR status = @Status)
        """;

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM grant_award WHERE id = @Id");
    internal static readonly Sql SelectByReference = Sql.Common($"SELECT {Columns} FROM grant_award WHERE funder_id = @FunderId AND reference = @Reference");
    internal static readonly Sql SelectPage = Sql.Paged($"SELECT {Columns} FROM grant_award {Filter} ORDER BY id");
    internal static readonly Sql CountFiltered = Sql.Common($"SELECT COUNT(*) FROM grant_award {Filter}");

    internal static readonly Sql Insert = Sql.InsertReturningId("""
        INSERT INTO grant_award (funder_id, programme_area_id, reference, title, description, amount_awarded_pence, currency,
                                 award_date, start_date, end_date, restricted, status, version, created_at, updated_at)
        VALUES (@FunderId, @ProgrammeAreaId, @Reference, @Title, @Description, @AmountAwardedPence, @Currency,
                @AwardDate, @StartDate, @EndDate, @Restricted, @Status, 1, @At, @At)
        """);

    internal static readonly Sql Update = Sql.Common("""
        UPDATE grant_award
        SET funder_id = @FunderId, programme_area_id = @ProgrammeAreaId, reference = @Reference, title = @Title,
            description = @Description, amount_awarded_pence = @AmountAwardedPence, currency = @Currency,
            award_date = @AwardDate, start_date = @StartDate, end_date = @EndDate, restricted = @Restricted,
            status = @Status, version = version + 1, updated_at = @At
        WHERE id = @Id AND version = @ExpectedVersion
        """);

    internal static readonly Sql Delete = Sql.Common("DELETE FROM grant_award WHERE id = @Id AND version = @ExpectedVersion");

    internal static readonly Sql DependentCount = Sql.Common("""
        SELECT (SELECT COUNT(*) FROM spend_transaction WHERE grant_id = @Id)
             + (SELECT COUNT(*) FROM payment WHERE grant_id = @Id)
             + (SELECT COUNT(*) FROM partner_agreement WHERE grant_id = @Id)
             + (SELECT COUNT(*) FROM budget_version WHERE grant_id = @Id)
             + (SELECT COUNT(*) FROM variance_note WHERE grant_id = @Id)
             + (SELECT COUNT(*) FROM report_run WHERE grant_id = @Id)
        """);

    internal static readonly Sql DatedRecordsOutside = Sql.Common("""
        SELECT (SELECT COUNT(*) FROM spend_transaction WHERE grant_id = @Id AND (transaction_date < @StartDate OR transaction_date > @EndDate))
             + (SELECT COUNT(*) FROM budget_line bl JOIN budget_version bv ON bv.id = bl.budget_version_id
                WHERE bv.grant_id = @Id AND (bl.period_start < @StartDate OR bl.period_start > @EndDate))
        """);

    /// <summary>Locks the grant's row until the transaction ends, so checks against its award cannot race.</summary>
    internal static readonly Sql LockForUpdate = new(
        Sqlite: "SELECT id FROM grant_award WHERE id = @Id",
        Postgres: "SELECT id FROM grant_award WHERE id = @Id FOR UPDATE",
        SqlServer: "SELECT id FROM grant_award WITH (UPDLOCK, HOLDLOCK) WHERE id = @Id");

    /// <summary>
    /// Takes the grant's row lock in the caller's transaction (SQLite's write transaction already serialises writers).
    /// </summary>
    public static Task LockAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<long?>(LockForUpdate, new { Id = id }, cancellationToken);

    internal static readonly Sql IdsForFunder = Sql.Common("SELECT id FROM grant_award WHERE funder_id = @FunderId ORDER BY id");

    public static async Task<IReadOnlyList<long>> IdsForFunderAsync(DbSession session, long funderId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<long>(IdsForFunder, new { FunderId = funderId }, cancellationToken)).ToList();

    public static Task<Grant?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<Grant>(SelectOne, new { Id = id }, cancellationToken);

    public static Task<Grant?> GetByReferenceAsync(DbSession session, long funderId, string reference, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<Grant>(SelectByReference, new { FunderId = funderId, Reference = reference }, cancellationToken);

    public static async Task<Page<Grant>> ListAsync(DbSession session, GrantFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new { filter.FunderId, filter.ProgrammeAreaId, filter.Status, page.Offset, page.Limit };
        var items = (await session.QueryAsync<Grant>(SelectPage, parameters, cancellationToken)).ToList();
        var total = await session.ExecuteScalarAsync<long>(CountFiltered, parameters, cancellationToken);
        return new Page<Grant>(items, page.Page, page.PageSize, total);
    }

    public static Task<long> InsertAsync(DbSession session, Grant grant, ChangeContext change, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(Insert, Parameters(grant, change, 0), cancellationToken);

    public static async Task<bool> UpdateAsync(DbSession session, long id, int expectedVersion, Grant grant, ChangeContext change, CancellationToken cancellationToken = default)
    {
        grant.Id = id;
        return await session.ExecuteAsync(Update, Parameters(grant, change, expectedVersion), cancellationToken) == 1;
    }

    public static async Task<bool> DeleteAsync(DbSession session, long id, int expectedVersion, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(Delete, new { Id = id, ExpectedVersion = expectedVersion }, cancellationToken) == 1;

    /// <summary>Money, budgets, notes or reports recorded against the grant; a grant with any cannot be deleted.</summary>
    public static Task<long> DependentCountAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(DependentCount, new { Id = id }, cancellationToken);

    /// <summary>Transactions and budget lines that would fall outside the grant if its dates became these.</summary>
    public static Task<long> DatedRecordsOutsideAsync(DbSession session, long id, DateOnly startDate, DateOnly endDate, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(DatedRecordsOutside, new { Id = id, StartDate = startDate, EndDate = endDate }, cancellationToken);

    private static object Parameters(Grant grant, ChangeContext change, int expectedVersion) => new
    {
        grant.Id,
        grant.FunderId,
        grant.ProgrammeAreaId,
        grant.Reference,
        grant.Title,
        grant.Description,
        grant.AmountAwardedPence,
        grant.Currency,
        grant.AwardDate,
        grant.StartDate,
        grant.EndDate,
        grant.Restricted,
        grant.Status,
        change.At,
        ExpectedVersion = expectedVersion,
    };
}
