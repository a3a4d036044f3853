using Portfolio.Core.Data;
using Portfolio.Core.Operations;

namespace Portfolio.Core.Domain;

public sealed class ProgrammeArea : IVersioned
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string Code { get; set; } = "";
    public string? LeadName { get; set; }
    public string? LeadEmail { get; set; }
    public string? Description { get; set; }
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public static class ProgrammeAreaStore
{
    private const string Columns = "id, name, code, lead_name, lead_email, description, version, created_at, updated_at";

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM programme_area WHERE id = @Id");
    internal static readonly Sql SelectByCode = Sql.Common($"SELECT {Columns} FROM programme_area WHERE code = @Code");
    internal static readonly Sql SelectPage = Sql.Paged($"SELECT {Columns} FROM programme_area ORDER BY name, id");
    internal static readonly Sql CountAll = Sql.Common("SELECT COUNT(*) FROM programme_area");

    internal static readonly Sql Insert = Sql.InsertReturningId("""
        INSERT INTO programme_area (name, code, lead_name, lead_email, description, version, created_at, updated_at)
        VALUES (@Name, @Code, @LeadName, @LeadEmail, @Description, 1, @At, @At)
        """);

    internal static readonly Sql Update = Sql.Common("""
        UPDATE programme_area
        SET name = @Name, code = @Code, lead_name = @LeadName, lead_email = @LeadEmail, description = @Description,
            version = version + 1, updated_at = @At
        WHERE id = @Id AND version = @ExpectedVersion
        """);

    internal static readonly Sql Delete = Sql.Common("DELETE FROM programme_area WHERE id = @Id AND version = @ExpectedVersion");
    internal static readonly Sql GrantCount = Sql.Common("SELECT COUNT(*) FROM grant_award WHERE programme_area_id = @Id");

    public static Task<ProgrammeArea?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<ProgrammeArea>(SelectOne, new { Id = id }, cancellationToken);

    public static Task<ProgrammeArea?> GetByCodeAsync(DbSession session, string code, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<ProgrammeArea>(SelectByCode, new { Code = code }, cancellationToken);

    public static async Task<Page<ProgrammeArea>> ListAsync(DbSession session, PageRequest page, CancellationToken cancellationToken = default)
    {
        var items = (await session.QueryAsync<ProgrammeArea>(SelectPage, new { page.Offset, page.Limit }, cancellationToken)).ToList();
        var total = await session.ExecuteScalarAsync<long>(CountAll, cancellationToken: cancellationToken);
        return new Page<ProgrammeArea>(items, page.Page, page.PageSize, total);
    }

    public static Task<long> InsertAsync(DbSession session, ProgrammeArea area, ChangeContext change, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(Insert, Parameters(area, change, 0), cancellationToken);

    public static async Task<bool> UpdateAsync(DbSession session, long id, int expectedVersion, ProgrammeArea area, ChangeContext change, CancellationToken cancellationToken = default)
    {
        area.Id = id;
        return await session.ExecuteAsync(Update, Parameters(area, change, expectedVersion), cancellationToken) == 1;
    }

    public static async Task<bool> DeleteAsync(DbSession session, long id, int expectedVersion, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(Delete, new { Id = id, ExpectedVersion = expectedVersion }, cancellationToken) == 1;

    public static Task<long> GrantCountAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(GrantCount, new { Id = id }, cancellationToken);

    private static object Parameters(ProgrammeArea area, ChangeContext change, int expectedVersion) => new
    {
        area.Id,
        area.Name,
        area.Code,
        area.LeadName,
        area.LeadEmail,
        area.Description,
        change.At,
        ExpectedVersion = expectedVersion,
    };
}

/// <summary>What a person sends to record or change a programme area.</summary>
public sealed record ProgrammeAreaInput(
    [Text(300)] string Name,
    [Text(40)] string Code,
    [Text(300)] string? LeadName = null,
    [Email] string? LeadEmail = null,
    [Text(4000, Multiline = true)] string? Description = null);

public sealed record ProgrammeAreaView(long Id, string Name, string Code, string? LeadName, string? LeadEmail, string? Description, int Version, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>Programme areas (police force areas and national strands), each with a lead who explains its variances.</summary>
public sealed class ProgrammeAreas :
    IRecordKind<ProgrammeArea, ProgrammeAreaView>, IListedWhole<ProgrammeArea>, IRecordable<ProgrammeAreaInput, ProgrammeAreaView>, IChangeable<ProgrammeAreaInput, ProgrammeAreaView>, IDeletable<ProgrammeAreaView>
{
    private const string AuditName = "programme-area";

    private ProgrammeAreas()
    {
    }

    public static string Entity => "programme area";

    public static Task<ProgrammeArea?> LoadAsync(DbSession session, long id, CancellationToken cancellationToken) => ProgrammeAreaStore.GetAsync(session, id, cancellationToken);

    public static Task<Page<ProgrammeArea>> ListAsync(DbSession session, PageRequest page, CancellationToken cancellationToken) => ProgrammeAreaStore.ListAsync(session, page, cancellationToken);

    public static ProgrammeAreaView View(ProgrammeArea a) => new(a.Id, a.Name, a.Code, a.LeadName, a.LeadEmail, a.Description, a.Version, a.CreatedAt, a.UpdatedAt);

    public static async Task<Outcome<Versioned<ProgrammeAreaView>>> RecordAsync(DbSession session, ProgrammeAreaInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var (checkedInput, shape) = RecordSteps.Shape(input);
        var proposed = Build(checkedInput);
        if (await RecordSteps.AllAtOnceAsync(shape, CodeFreeAsync(session, proposed.Code, null, cancellationToken)) is { } refused)
        {
            return refused;
        }

        var id = await ProgrammeAreaStore.InsertAsync(session, proposed, change, cancellationToken);
        var created = (await ProgrammeAreaStore.GetAsync(session, id, cancellationToken))!;
        return await RecordSteps.AuditedAsync(session, change, "create", AuditName, id, created.Version, null, View(created), cancellationToken);
    }

    public static async Task<Outcome<Versioned<ProgrammeAreaView>>> ChangeAsync(DbSession session, long id, int? expectedVersion, ProgrammeAreaInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await ProgrammeAreaStore.GetAsync(session, id, cancellationToken);
        if (RecordSteps.AtVersion(current, Entity, id, expectedVersion) is { } missing)
        {
            return missing;
        }

        var (checkedInput, shape) = RecordSteps.Shape(input);
        var proposed = Build(checkedInput);
        if (await RecordSteps.AllAtOnceAsync(shape, CodeFreeAsync(session, proposed.Code, id, cancellationToken)) is { } refused)
        {
            return refused;
        }

        if (!await ProgrammeAreaStore.UpdateAsync(session, id, current!.Version, proposed, change, cancellationToken))
        {
            return RecordSteps.NotWritten(await ProgrammeAreaStore.GetAsync(session, id, cancellationToken), Entity, current.Version);
        }

        var updated = (await ProgrammeAreaStore.GetAsync(session, id, cancellationToken))!;
        return await RecordSteps.AuditedAsync(session, change, "update", AuditName, id, updated.Version, View(current), View(updated), cancellationToken);
    }

    public static async Task<Outcome<ProgrammeAreaView>> DeleteAsync(DbSession session, long id, int? expectedVersion, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await ProgrammeAreaStore.GetAsync(session, id, cancellationToken);
        if (RecordSteps.AtVersion(current, Entity, id, expectedVersion) is { } missing)
        {
            return missing;
        }

        if (await ProgrammeAreaStore.GrantCountAsync(session, id, cancellationToken) is var grants and > 0)
        {
            return new Conflict($"The programme area has {grants} grant(s) and cannot be deleted.");
        }

        if (!await ProgrammeAreaStore.DeleteAsync(session, id, current!.Version, cancellationToken))
        {
            return RecordSteps.NotWritten(await ProgrammeAreaStore.GetAsync(session, id, cancellationToken), Entity, current.Version);
        }

        var view = View(current);
        await AuditLog.WriteAsync(session, change, "delete", AuditName, id, view, null, cancellationToken);
        return Outcome<ProgrammeAreaView>.Done(view);
    }

    private static ProgrammeArea Build(ProgrammeAreaInput input) => new()
    {
        Name = input.Name,
        Code = input.Code,
        LeadName = input.LeadName,
        LeadEmail = input.LeadEmail,
        Description = input.Description,
    };

    /// <summary>A programme area's code is its own: no other area (than <paramref name="self"/>) holds it.</summary>
    private static async Task<Refusal?> CodeFreeAsync(DbSession session, string code, long? self, CancellationToken cancellationToken) =>
        await ProgrammeAreaStore.GetByCodeAsync(session, code, cancellationToken) is { } holder && holder.Id != self
            ? new Conflict($"The code '{code}' is already used by the programme area {holder.Name}.")
            : null;
}
