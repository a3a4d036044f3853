using System.Security.Cryptography;
using System.Text;
using Portfolio.Core.Data;
using Portfolio.Core.Operations;

namespace Portfolio.Core.Domain;

public sealed class ApiKey : IVersioned
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string Role { get; set; } = "viewer";
    public string KeyHash { get; set; } = "";
    public string KeyPrefix { get; set; } = "";
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTime? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
    public List<long> ProgrammeAreaIds { get; set; } = [];
}

/// <summary>API keys are random, shown once, and stored only as a SHA-256 hash.</summary>
public static class ApiKeyStore
{
    private const string Columns = "id, name, role, key_hash, key_prefix, version, created_at, created_by, revoked_at, revoked_by";

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM api_key WHERE id = @Id");
    internal static readonly Sql SelectActiveByHash = Sql.Common($"SELECT {Columns} FROM api_key WHERE key_hash = @KeyHash AND revoked_at IS NULL");
    internal static readonly Sql SelectPage = Sql.Paged($"SELECT {Columns} FROM api_key ORDER BY id");
    internal static readonly Sql CountAll = Sql.Common("SELECT COUNT(*) FROM api_key");

    internal static readonly Sql Insert = Sql.InsertReturningId("""
        INSERT INTO api_key (name, role, key_hash, key_prefix, version, created_at, created_by)
        VALUES (@Name, @Role, @KeyHash, @KeyPrefix, 1, @At, @Actor)
        """);

    internal static readonly Sql Revoke = Sql.Common("""
        UPDATE api_key SET revoked_at = @At, revoked_by = @Actor, version = version + 1
        WHERE id = @Id AND version = @ExpectedVersion AND revoked_at IS NULL
        """);

    /// <summary>The active admin keys, locked until the transaction ends so two revocations cannot each leave the other as the last.</summary>
    internal static readonly Sql LockActiveAdmins = new(
        Sqlite: "SELECT id FROM api_key WHERE role = 'admin' AND revoked_at IS NULL ORDER BY id",
        Postgres: "SELECT id FROM api_key WHERE role = 'admin' AND revoked_at IS NULL ORDER BY id FOR UPDATE",
        SqlServer: "SELECT id FROM api_key WITH (UPDLOCK, HOLDLOCK) WHERE role = 'admin' AND revoked_at IS NULL ORDER BY id");

    internal static readonly Sql InsertArea = Sql.Common("INSERT INTO api_key_programme_area (api_key_id, programme_area_id) VALUES (@KeyId, @AreaId)");
    internal static readonly Sql SelectAreas = Sql.Common("SELECT programme_area_id FROM api_key_programme_area WHERE api_key_id = @KeyId ORDER BY programme_area_id");

    /// <summary>A new random key: <c>pk_</c> and 43 URL-safe characters (256 bits).</summary>
    public static string GenerateKey()
    {
        var bytes = RandomNumberGenerator.GetBytes(32);
        return "pk_" + Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static async Task<ApiKey?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        await WithAreasAsync(session, await session.QuerySingleOrDefaultAsync<ApiKey>(SelectOne, new { Id = id }, cancellationToken), cancellationToken);

    public static async Task<ApiKey?> FindActiveAsync(DbSession session, string key, CancellationToken cancellationToken = default) =>
        await WithAreasAsync(session, await session.QuerySingleOrDefaultAsync<ApiKey>(SelectActiveByHash, new { KeyHash = Hash(key) }, cancellationToken), cancellationToken);

    private static async Task<ApiKey?> WithAreasAsync(DbSession session, ApiKey? key, CancellationToken cancellationToken)
    {
        if (key is not null && key.Role == "programme-lead")
        {
            key.ProgrammeAreaIds = (await session.QueryAsync<long>(SelectAreas, new { KeyId = key.Id }, cancellationToken)).ToList();
        }

        return key;
    }

    public static async Task<Page<ApiKey>> ListAsync(DbSession session, PageRequest page, CancellationToken cancellationToken = default)
    {
        var items = (await session.QueryAsync<ApiKey>(SelectPage, new { page.Offset, page.Limit }, cancellationToken)).ToList();
        var total = await CountAsync(session, cancellationToken);
        return new Page<ApiKey>(items, page.Page, page.PageSize, total);
    }

    public static Task<long> CountAsync(DbSession session, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(CountAll, cancellationToken: cancellationToken);

    /// <summary>Stores a key's hash; the key itself is returned to the caller once and never stored.</summary>
    public static async Task<ApiKey> InsertAsync(DbSession session, string name, string role, string key, ChangeContext change, CancellationToken cancellationToken = default, IReadOnlyList<long>? programmeAreaIds = null)
    {
        var apiKey = new ApiKey
        {
            Name = name,
            Role = role,
            KeyHash = Hash(key),
            KeyPrefix = key[..Math.Min(8, key.Length)],
            CreatedAt = change.At,
            CreatedBy = change.Actor,
        };
        apiKey.Id = await session.ExecuteScalarAsync<long>(Insert, new { apiKey.Name, apiKey.Role, apiKey.KeyHash, apiKey.KeyPrefix, change.At, change.Actor }, cancellationToken);
        foreach (var areaId in programmeAreaIds ?? [])
        {
            await session.ExecuteAsync(InsertArea, new { KeyId = apiKey.Id, AreaId = areaId }, cancellationToken);
        }

        apiKey.ProgrammeAreaIds = [.. programmeAreaIds ?? []];
        return apiKey;
    }

    /// <summary>Why <paramref name="key"/> may not be revoked (it is the last active admin key), or null. Takes the admin keys' locks.</summary>
    public static async Task<string?> RevokeBlockedReasonAsync(DbSession session, ApiKey key, CancellationToken cancellationToken = default)
    {
        var admins = (await session.QueryAsync<long>(LockActiveAdmins, cancellationToken: cancellationToken)).ToList();
        return key.Role == "admin" && key.RevokedAt is null && admins.All(id => id == key.Id)
            ? "This is the last active admin key: create another admin key before revoking this one, or no one could manage keys."
            : null;
    }

    public static async Task<bool> RevokeAsync(DbSession session, long id, int expectedVersion, ChangeContext change, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(Revoke, new { Id = id, ExpectedVersion = expectedVersion, change.At, change.Actor }, cancellationToken) == 1;
}

/// <summary>A new API key: its name, role and, for a programme lead, the areas it leads.</summary>
public sealed record ApiKeyInput([Text(300)] string Name, [Code("role")] string Role, [Items(50)] IReadOnlyList<long>? ProgrammeAreaIds = null) : ICrossFieldRules
{
    public void Check(FieldErrors errors) => RoleAreas.Check(Role, ProgrammeAreaIds, errors);
}

public sealed record ApiKeyView(long Id, string Name, string Role, IReadOnlyList<long> ProgrammeAreaIds, string KeyPrefix, bool Revoked, DateTime CreatedAt, string CreatedBy, DateTime? RevokedAt, int Version)
{
    public static ApiKeyView Of(ApiKey k) => new(k.Id, k.Name, k.Role, k.ProgrammeAreaIds, k.KeyPrefix, k.RevokedAt is not null, k.CreatedAt, k.CreatedBy, k.RevokedAt, k.Version);
}

/// <summary>A key just made: the only time the key itself is shown.</summary>
public sealed record NewApiKeyView(long Id, string Name, string Role, IReadOnlyList<long> ProgrammeAreaIds, string KeyPrefix, string Key, DateTime CreatedAt, int Version);

/// <summary>Issuing and revoking API keys (admins only): a key is shown once, stored as a hash, revoked rather than deleted.</summary>
public static class ApiKeys
{
    private const string AuditName = "api-key";

    public static async Task<Outcome<NewApiKeyView>> IssueAsync(DbSession session, ApiKeyInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var errors = new FieldErrors();
        input = InputShape.Check(input, errors);
        var areaIds = input.ProgrammeAreaIds ?? [];
        if (!errors.Has("programmeAreaIds"))
        {
            foreach (var areaId in areaIds.Distinct())
            {
                if (await ProgrammeAreaStore.GetAsync(session, areaId, cancellationToken) is null)
                {
                    errors.Add("programmeAreaIds", $"there is no programme area with id {areaId}");
                }
            }
        }

        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        var secret = ApiKeyStore.GenerateKey();
        var key = await ApiKeyStore.InsertAsync(session, input.Name, input.Role, secret, change, cancellationToken, [.. areaIds.Distinct()]);
        await AuditLog.WriteAsync(session, change, "create", AuditName, key.Id, null, ApiKeyView.Of(key), cancellationToken);
        return Outcome<NewApiKeyView>.Done(new NewApiKeyView(key.Id, key.Name, key.Role, key.ProgrammeAreaIds, key.KeyPrefix, secret, key.CreatedAt, key.Version));
    }

    /// <summary>Revokes a key at <paramref name="expectedVersion"/> (null: whatever is current); the last active admin key stays.</summary>
    public static async Task<Outcome<ApiKeyView>> RevokeAsync(DbSession session, long id, int? expectedVersion, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await ApiKeyStore.GetAsync(session, id, cancellationToken);
        if (current is null)
        {
            return new NotFound(AuditName, id);
        }

        if (expectedVersion is { } expected && expected != current.Version)
        {
            return new StaleVersion(current.Version);
        }

        if (await ApiKeyStore.RevokeBlockedReasonAsync(session, current, cancellationToken) is { } blocked)
        {
            return new Conflict(blocked);
        }

        if (!await ApiKeyStore.RevokeAsync(session, id, current.Version, change, cancellationToken))
        {
            var now = await ApiKeyStore.GetAsync(session, id, cancellationToken);
            return now is not null && now.Version != current.Version ? new StaleVersion(now.Version) : new Conflict("The key is already revoked.");
        }

        var revoked = (await ApiKeyStore.GetAsync(session, id, cancellationToken))!;
        var view = ApiKeyView.Of(revoked);
        await AuditLog.WriteAsync(session, change, "revoke", AuditName, id, ApiKeyView.Of(current), view, cancellationToken);
        return Outcome<ApiKeyView>.Done(view);
    }
}
