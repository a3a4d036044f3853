using System.Text.Json;
using Portfolio.Core.Data;
using Portfolio.Core.Operations;

namespace Portfolio.Core.Domain;

public sealed class Partner : IVersioned
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string Kind { get; set; } = "other";
    public string? OrgIdentifier { get; set; }
    public string CommunitiesJson { get; set; } = "[]";
    public string? ContactEmail { get; set; }
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public IReadOnlyList<string> Communities
    {
        get => JsonSerializer.Deserialize<List<string>>(CommunitiesJson) ?? [];
        set => CommunitiesJson = JsonSerializer.Serialize(value);
    }
}

public static class PartnerStore
{
    private const string Columns = "id, name, kind, org_identifier, communities_json, contact_email, version, created_at, updated_at";

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM partner WHERE id = @Id");
    internal static readonly Sql SelectPage = Sql.Paged($"SELECT {Columns} FROM partner ORDER BY name, id");
    internal static readonly Sql CountAll = Sql.Common("SELECT COUNT(*) FROM partner");

    internal static readonly Sql Insert = Sql.InsertReturningId("""
        INSERT INTO partner (name, kind, org_identifier, communities_json, contact_email, version, created_at, updated_at)
        VALUES (@Name, @Kind, @OrgIdentifier, @CommunitiesJson, @ContactEmail, 1, @At, @At)
        """);

    internal static readonly Sql Update = Sql.Common("""
        UPDATE partner
        SET name = @Name, kind = @Kind, org_identifier = @OrgIdentifier, communities_json = @CommunitiesJson,
            contact_email = @ContactEmail, version = version + 1, updated_at = @At
        WHERE id = @Id AND version = @ExpectedVersion
        """);

    internal static readonly Sql Delete = Sql.Common("DELETE FROM partner WHERE id = @Id AND version = @ExpectedVersion");

    internal static readonly Sql ReferenceCount = Sql.Common("""
        SELECT (SELECT COUNT(*) FROM partner_agreement WHERE partner_id = @Id)
             + (SELECT COUNT(*) FROM spend_transaction WHERE partner_id = @Id)
        """);

    public static Task<Partner?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<Partner>(SelectOne, new { Id = id }, cancellationToken);

    public static async Task<Page<Partner>> ListAsync(DbSession session, PageRequest page, CancellationToken cancellationToken = default)
    {
        var items = (await session.QueryAsync<Partner>(SelectPage, new { page.Offset, page.Limit }, cancellationToken)).ToList();
        var total = await session.ExecuteScalarAsync<long>(CountAll, cancellationToken: cancellationToken);
        return new Page<Partner>(items, page.Page, page.PageSize, total);
    }

    public static Task<long> InsertAsync(DbSession session, Partner partner, ChangeContext change, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(Insert, Parameters(partner, change, 0), cancellationToken);

    public static async Task<bool> UpdateAsync(DbSession session, long id, int expectedVersion, Partner partner, ChangeContext change, CancellationToken cancellationToken = default)
    {
        partner.Id = id;
        return await session.ExecuteAsync(Update, Parameters(partner, change, expectedVersion), cancellationToken) == 1;
    }

    public static async Task<bool> DeleteAsync(DbSession session, long id, int expectedVersion, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(Delete, new { Id = id, ExpectedVersion = expectedVersion }, cancellationToken) == 1;

    /// <summary>How many agreements and transactions name this partner (a partner in use cannot be deleted).</summary>
    public static Task<long> ReferenceCountAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(ReferenceCount, new { Id = id }, cancellationToken);

    private static object Parameters(Partner partner, ChangeContext change, int expectedVersion) => new
    {
        partner.Id,
        partner.Name,
        partner.Kind,
        partner.OrgIdentifier,
        partner.CommunitiesJson,
        partner.ContactEmail,
        change.At,
        ExpectedVersion = expectedVersion,
    };
}

/// <summary>What a person sends to record or change a partner.</summary>
public sealed record PartnerInput(
    [Text(300)] string Name,
    [Code("partner-kind")] string Kind,
    [OrgId] string? OrgIdentifier = null,
    [Items(20, ItemMaxLength = 100)] IReadOnlyList<string>? Communities = null,
    [Email] string? ContactEmail = null);

public sealed record PartnerView(long Id, string Name, string Kind, string? OrgIdentifier, IReadOnlyList<string> Communities, string? ContactEmail, int Version, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>Local and by-and-for partner organisations that receive money from the grants.</summary>
public sealed class Partners :
    IRecordKind<Partner, PartnerView>, IListedWhole<Partner>, IRecordable<PartnerInput, PartnerView>, IChangeable<PartnerInput, PartnerView>, IDeletable<PartnerView>
{
    private const string AuditName = "partner";

    private Partners()
    {
    }

    public static string Entity => "partner";

    public static Task<Partner?> LoadAsync(DbSession session, long id, CancellationToken cancellationToken) => PartnerStore.GetAsync(session, id, cancellationToken);

    public static Task<Page<Partner>> ListAsync(DbSession session, PageRequest page, CancellationToken cancellationToken) => PartnerStore.ListAsync(session, page, cancellationToken);

    public static PartnerView View(Partner p) => new(p.Id, p.Name, p.Kind, p.OrgIdentifier, p.Communities, p.ContactEmail, p.Version, p.CreatedAt, p.UpdatedAt);

    public static async Task<Outcome<Versioned<PartnerView>>> RecordAsync(DbSession session, PartnerInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var (checkedInput, shape) = RecordSteps.Shape(input);
        if (shape.Any)
        {
            return shape.ToRefusal();
        }

        var id = await PartnerStore.InsertAsync(session, Build(checkedInput), change, cancellationToken);
        var created = (await PartnerStore.GetAsync(session, id, cancellationToken))!;
        return await RecordSteps.AuditedAsync(session, change, "create", AuditName, id, created.Version, null, View(created), cancellationToken);
    }

    public static async Task<Outcome<Versioned<PartnerView>>> ChangeAsync(DbSession session, long id, int? expectedVersion, PartnerInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await PartnerStore.GetAsync(session, id, cancellationToken);
        if (RecordSteps.AtVersion(current, Entity, id, expectedVersion) is { } missing)
        {
            return missing;
        }

        var (checkedInput, shape) = RecordSteps.Shape(input);
        if (shape.Any)
        {
            return shape.ToRefusal();
        }

        if (!await PartnerStore.UpdateAsync(session, id, current!.Version, Build(checkedInput), change, cancellationToken))
        {
            return RecordSteps.NotWritten(await PartnerStore.GetAsync(session, id, cancellationToken), Entity, current.Version);
        }

        var updated = (await PartnerStore.GetAsync(session, id, cancellationToken))!;
        return await RecordSteps.AuditedAsync(session, change, "update", AuditName, id, updated.Version, View(current), View(updated), cancellationToken);
    }

    public static async Task<Outcome<PartnerView>> DeleteAsync(DbSession session, long id, int? expectedVersion, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await PartnerStore.GetAsync(session, id, cancellationToken);
        if (RecordSteps.AtVersion(current, Entity, id, expectedVersion) is { } missing)
        {
            return missing;
        }

        if (await PartnerStore.ReferenceCountAsync(session, id, cancellationToken) > 0)
        {
            return new Conflict("The partner has agreements or transactions and cannot be deleted.");
        }

        if (!await PartnerStore.DeleteAsync(session, id, current!.Version, cancellationToken))
        {
            return RecordSteps.NotWritten(await PartnerStore.GetAsync(session, id, cancellationToken), Entity, current.Version);
        }

        var view = View(current);
        await AuditLog.WriteAsync(session, change, "delete", AuditName, id, view, null, cancellationToken);
        return Outcome<PartnerView>.Done(view);
    }

    private static Partner Build(PartnerInput input) => new()
    {
        Name = input.Name,
        Kind = input.Kind,
        OrgIdentifier = input.OrgIdentifier,
        Communities = input.Communities ?? [],
        ContactEmail = input.ContactEmail,
    };
}
