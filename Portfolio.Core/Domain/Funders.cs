using Portfolio.Core.Data;
using Portfolio.Core.Operations;

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

public sealed record FunderContactInput([Text(300)] string Name, [Email] string Email);

/// <summary>What a person sends to record or change a funder.</summary>
public sealed record FunderInput(
    [Text(300)] string Name,
    [Code("funder-kind")] string Kind,
    [OrgId] string? OrgIdentifier = null,
    [Code("reporting-calendar")] string ReportingCalendar = "uk-financial-year",
    [WholeNumber(0, 366)] int ReportLagDays = 30,
    [Code("delivery-mode")] string DeliveryMode = "approval",
    [Items(FunderInput.MaxContacts)] IReadOnlyList<FunderContactInput>? Contacts = null,
    [WholeNumber(0, 1000)] int RagAmberPercent = 10,
    [WholeNumber(0, 1000)] int RagRedPercent = 20) : ICrossFieldRules
{
    public const int MaxContacts = 50;

    public void Check(FieldErrors errors)
    {
        if (RagRedPercent < RagAmberPercent)
        {
            errors.Add("ragRedPercent", "must not be below ragAmberPercent");
        }
    }
}

public sealed record FunderContactView(string Name, string Email);

public sealed record FunderView(
    long Id,
    string Name,
    string Kind,
    string? OrgIdentifier,
    string ReportingCalendar,
    int ReportLagDays,
    string DeliveryMode,
    IReadOnlyList<FunderContactView> Contacts,
    int RagAmberPercent,
    int RagRedPercent,
    int Version,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary>Funders: their reporting calendar, lag, delivery mode, RAG thresholds and report contacts.</summary>
public sealed class Funders :
    IRecordKind<Funder, FunderView>, IListedWhole<Funder>, IRecordable<FunderInput, FunderView>, IChangeable<FunderInput, FunderView>, IDeletable<FunderView>
{
    private const string AuditName = "funder";

    private Funders()
    {
    }

    public static string Entity => "funder";

    public static Task<Funder?> LoadAsync(DbSession session, long id, CancellationToken cancellationToken) => FunderStore.GetAsync(session, id, cancellationToken);

    public static Task<Page<Funder>> ListAsync(DbSession session, PageRequest page, CancellationToken cancellationToken) => FunderStore.ListAsync(session, page, cancellationToken);

    public static FunderView View(Funder f) => new(
        f.Id, f.Name, f.Kind, f.OrgIdentifier, f.ReportingCalendar, f.ReportLagDays, f.DeliveryMode,
        f.Contacts.Select(c => new FunderContactView(c.Name, c.Email)).ToList(), f.RagAmberPercent, f.RagRedPercent,
        f.Version, f.CreatedAt, f.UpdatedAt);

    public static async Task<Outcome<Versioned<FunderView>>> RecordAsync(DbSession session, FunderInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var (checkedInput, shape) = RecordSteps.Shape(input);
        if (shape.Any)
        {
            return shape.ToRefusal();
        }

        var id = await FunderStore.InsertAsync(session, Build(checkedInput), change, cancellationToken);
        var created = (await FunderStore.GetAsync(session, id, cancellationToken))!;
        return await RecordSteps.AuditedAsync(session, change, "create", AuditName, id, created.Version, null, View(created), cancellationToken);
    }

    public static async Task<Outcome<Versioned<FunderView>>> ChangeAsync(DbSession session, long id, int? expectedVersion, FunderInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await FunderStore.GetAsync(session, id, cancellationToken);
        if (RecordSteps.AtVersion(current, Entity, id, expectedVersion) is { } missing)
        {
            return missing;
        }

        var (checkedInput, shape) = RecordSteps.Shape(input);
        var proposed = Build(checkedInput);
        if (await RecordSteps.AllAtOnceAsync(shape, CalendarMovesNoReportedPeriodAsync(session, proposed, current!, cancellationToken)) is { } refused)
        {
            return refused;
        }

        if (!await FunderStore.UpdateAsync(session, id, current!.Version, proposed, change, cancellationToken))
        {
            return RecordSteps.NotWritten(await FunderStore.GetAsync(session, id, cancellationToken), Entity, current.Version);
        }

        var updated = (await FunderStore.GetAsync(session, id, cancellationToken))!;
        return await RecordSteps.AuditedAsync(session, change, "update", AuditName, id, updated.Version, View(current), View(updated), cancellationToken);
    }

    public static async Task<Outcome<FunderView>> DeleteAsync(DbSession session, long id, int? expectedVersion, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await FunderStore.GetAsync(session, id, cancellationToken);
        if (RecordSteps.AtVersion(current, Entity, id, expectedVersion) is { } missing)
        {
            return missing;
        }

        if (await FunderStore.GrantCountAsync(session, id, cancellationToken) is var grants and > 0)
        {
            return new Conflict($"The funder has {grants} grant(s) and cannot be deleted. Close or move its grants instead.");
        }

        if (!await FunderStore.DeleteAsync(session, id, current!.Version, cancellationToken))
        {
            return RecordSteps.NotWritten(await FunderStore.GetAsync(session, id, cancellationToken), Entity, current.Version);
        }

        var view = View(current);
        await AuditLog.WriteAsync(session, change, "delete", AuditName, id, view, null, cancellationToken);
        return Outcome<FunderView>.Done(view);
    }

    private static Funder Build(FunderInput input) => new()
    {
        Name = input.Name,
        Kind = input.Kind,
        OrgIdentifier = input.OrgIdentifier,
        ReportingCalendar = input.ReportingCalendar,
        ReportLagDays = input.ReportLagDays,
        DeliveryMode = input.DeliveryMode,
        RagAmberPercent = input.RagAmberPercent,
        RagRedPercent = input.RagRedPercent,
        Contacts = (input.Contacts ?? []).Select(c => new FunderContact { Name = c.Name, Email = c.Email }).ToList(),
    };

    /// <summary>A new reporting calendar must not move or remove any reported period of the funder's grants.</summary>
    private static async Task<Refusal?> CalendarMovesNoReportedPeriodAsync(DbSession session, Funder proposed, Funder current, CancellationToken cancellationToken)
    {
        if (current.ReportingCalendar == proposed.ReportingCalendar
            || !Periods.ReportingCalendarNames.TryParse(proposed.ReportingCalendar, out var calendar))
        {
            return null;
        }

        foreach (var grantId in await GrantStore.IdsForFunderAsync(session, current.Id, cancellationToken))
        {
            var loaded = (await GrantPeriods.LoadAsync(session, grantId, cancellationToken))!;
            var periods = GrantPeriods.PeriodsOf(grantId, calendar, loaded.Grant.StartDate, loaded.Grant.EndDate);
            if (await ClosedPeriods.ChangeBlockedReasonAsync(session, loaded, loaded.Grant.FunderId, periods, cancellationToken) is { } closed)
            {
                return new Conflict($"The funder's reporting calendar cannot change: {closed}");
            }
        }

        return null;
    }
}
