using Portfolio.Core.Data;

namespace Portfolio.Core.Domain;

public sealed class Funder : IVersioned
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string Kind { get; set; } = "other";
    public string? OrgIdentifier { get; set; }
    public string ReportingCalendar { get; set; } = "uk-financial-year";
    public int ReportLagDays { get; set; } = 30;
    public string DeliveryMode { get; set; } = "approval";
    public int RagAmberPercent { get; set; } = 10;
    public int RagRedPercent { get; set; } = 20;
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<FunderContact> Contacts { get; set; } = [];
}

public sealed class FunderContact
{
    public long Id { get; set; }
    public long FunderId { get; set; }
    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
    public int SortOrder { get; set; }
}

public static class FunderStore
{
    private const string Columns = """
        id, name, kind, org_identifier, reporting_calendar, report_lag_days, delivery_mode,
        rag_amber_percent, rag_red_percent, version, created_at, updated_at
        """;

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM funder WHERE id = @Id");
    internal static readonly Sql SelectPage = Sql.Paged($"SELECT {Columns} FROM funder ORDER BY name, id");
    internal static readonly Sql CountAll = Sql.Common("SELECT COUNT(*) FROM funder");
    internal static readonly Sql SelectContacts = Sql.Common("SELECT id, funder_id, name, email, sort_order FROM funder_contact WHERE funder_id = @Id ORDER BY sort_order, id");

    internal static readonly Sql Insert = Sql.InsertReturningId("""
        INSERT INTO funder (name, kind, org_identifier, reporting_calendar, report_lag_days, delivery_mode,
                            rag_amber_percent, rag_red_percent, version, created_at, updated_at)
        VALUES (@Name, @Kind, @OrgIdentifier, @ReportingCalendar, @ReportLagDays, @DeliveryMode,
                @RagAmberPercent, @RagRedPercent, 1, @At, @At)
        """);

    internal static readonly Sql Update = Sql.Common("""
        UPDATE funder
        SET name = @Name, kind = @Kind, org_identifier = @OrgIdentifier, reporting_calendar = @ReportingCalendar,
            report_lag_days = @ReportLagDays, delivery_mode = @DeliveryMode, rag_amber_percent = @RagAmberPercent,
            rag_red_percent = @RagRedPercent, version = version + 1, updated_at = @At
        WHERE id = @Id AND version = @ExpectedVersion
        """);

    internal static readonly Sql DeleteContacts = Sql.Common("DELETE FROM funder_contact WHERE funder_id = @Id");
    internal static readonly Sql InsertContact = Sql.Common("INSERT INTO funder_contact (funder_id, name, email, sort_order) VALUES (@FunderId, @Name, @Email, @SortOrder)");
    internal static readonly Sql Delete = Sql.Common("DELETE FROM funder WHERE id = @Id AND version = @ExpectedVersion");
    internal static readonly Sql GrantCount = Sql.Common("SELECT COUNT(*) FROM grant_award WHERE funder_id = @Id");

    public static async Task<Funder?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default)
    {
        var funder = await session.QuerySingleOrDefaultAsync<Funder>(SelectOne, new { Id = id }, cancellationToken);
        if (funder is not null)
        {
            funder.Contacts = (await session.QueryAsync<FunderContact>(SelectContacts, new { Id = id }, cancellationToken)).ToList();
        }

        return funder;
    }

    public static async Task<Page<Funder>> ListAsync(DbSession session, PageRequest page, CancellationToken cancellationToken = default)
    {
        var items = (await session.QueryAsync<Funder>(SelectPage, new { page.Offset, page.Limit }, cancellationToken)).ToList();
        foreach (var funder in items)
        {
            funder.Contacts = (await session.QueryAsync<FunderContact>(SelectContacts, new { funder.Id }, cancellationToken)).ToList();
        }

        var total = await session.ExecuteScalarAsync<long>(CountAll, cancellationToken: cancellationToken);
        return new Page<Funder>(items, page.Page, page.PageSize, total);
    }

    public static async Task<long> InsertAsync(DbSession session, Funder funder, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var id = await session.ExecuteScalarAsync<long>(Insert, Parameters(funder, change, 0), cancellationToken);
        await WriteContactsAsync(session, id, funder.Contacts, cancellationToken);
        return id;
    }

    /// <summary>Replaces the funder and its contacts; false when the row is missing or its version is not <paramref name="expectedVersion"/>.</summary>
    public static async Task<bool> UpdateAsync(DbSession session, long id, int expectedVersion, Funder funder, ChangeContext change, CancellationToken cancellationToken = default)
    {
        funder.Id = id;
        if (await session.ExecuteAsync(Update, Parameters(funder, change, expectedVersion), cancellationToken) != 1)
        {
            return false;
        }

        await session.ExecuteAsync(DeleteContacts, new { Id = id }, cancellationToken);
        await WriteContactsAsync(session, id, funder.Contacts, cancellationToken);
        return true;
    }

    public static async Task<bool> DeleteAsync(DbSession session, long id, int expectedVersion, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(Delete, new { Id = id, ExpectedVersion = expectedVersion }, cancellationToken) == 1;

    public static Task<long> GrantCountAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(GrantCount, new { Id = id }, cancellationToken);

    private static async Task WriteContactsAsync(DbSession session, long funderId, IReadOnlyList<FunderContact> contacts, CancellationToken cancellationToken)
    {
        for (var i = 0; i < contacts.Count; i++)
        {
            await session.ExecuteAsync(InsertContact, new { FunderId = funderId, contacts[i].Name, contacts[i].Email, SortOrder = i }, cancellationToken);
        }
    }

    private static object Parameters(Funder funder, ChangeContext change, int expectedVersion) => new
    {
        funder.Id,
        funder.Name,
        funder.Kind,
        funder.OrgIdentifier,
        funder.ReportingCalendar,
        funder.ReportLagDays,
        funder.DeliveryMode,
        funder.RagAmberPercent,
        funder.RagRedPercent,
        change.At,
        ExpectedVersion = expectedVersion,
    };
}
