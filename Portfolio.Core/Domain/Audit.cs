using System.Text.Json;
using System.Text.Json.Serialization;
using Portfolio.Core.Data;

namespace Portfolio.Core.Domain;

public sealed class AuditEntry
{
    public long Id { get; init; }
    public DateTime At { get; init; }
    public string Actor { get; init; } = "";
    public string Action { get; init; } = "";
    public string Entity { get; init; } = "";
    public string EntityId { get; init; } = "";
    public string? BeforeJson { get; init; }
    public string? AfterJson { get; init; }
    public string? PrevHash { get; init; }
    public string? EntryHash { get; init; }
}

/// <summary>The result of walking the audit chain.</summary>
public sealed record AuditVerification(bool Valid, long Entries, long Unchained, long? FirstBrokenId);

public sealed record AuditFilter(string? Entity = null, string? EntityId = null, DateTime? From = null, DateTime? To = null);

/// <summary>The append-only audit log. Written in the same transaction as the change it records.</summary>
public static class AuditLog
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    internal static readonly Sql Insert = Sql.Common("""
        INSERT INTO audit_entry (at, actor, action, entity, entity_id, before_json, after_json, prev_hash, entry_hash)
        VALUES (@At, @Actor, @Action, @Entity, @EntityId, @BeforeJson, @AfterJson, @PrevHash, @EntryHash)
        """);

    /// <summary>Serialises audit writers for the rest of the transaction, so the chain never forks.</summary>
    internal static readonly Sql LockChain = new(
        Sqlite: "SELECT 1",
        Postgres: "SELECT pg_advisory_xact_lock(7265702)",
        SqlServer: "EXEC sp_getapplock @Resource = N'portfolio-audit-chain', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = 30000");

    internal static readonly Sql LastHash = Sql.Paged("SELECT entry_hash FROM audit_entry WHERE entry_hash IS NOT NULL ORDER BY id DESC");

    internal static readonly Sql ChainPage = Sql.Paged("""
        SELECT id, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, entry_hash
        FROM audit_entry WHERE id > @AfterId ORDER BY id
        """);

    private const string Filter = """
        FROM audit_entry
        WHERE (@Entity IS NULL OR entity = @Entity OR entity = @FormerEntity)
          AND (@EntityId IS NULL OR entity_id = @EntityId)
          AND at >= COALESCE(@From, at)
          AND at <= COALESCE(@To, at)
        """;

    internal static readonly Sql List = Sql.Paged($"""
        SELECT id, at, actor, action, entity, entity_id, before_json, after_json
        {Filter}
        ORDER BY id
        """);

    internal static readonly Sql Count = Sql.Common($"SELECT COUNT(*) {Filter}");

    public static Task WriteAsync(DbSession session, ChangeContext change, string action, string entity, object entityId, object? before, object? after, CancellationToken cancellationToken = default)
    {
        if (!session.InTransaction)
        {
            throw new InvalidOperationException("An audit entry must be written in the transaction of the change it records.");
        }

        return WriteChainedAsync(session, change, action, entity, entityId, before, after, cancellationToken);
    }

    private static async Task WriteChainedAsync(DbSession session, ChangeContext change, string action, string entity, object entityId, object? before, object? after, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync(LockChain, cancellationToken: cancellationToken);
        var previous = (await session.QueryAsync<string>(LastHash, new { Offset = 0, Limit = 1 }, cancellationToken)).FirstOrDefault() ?? "";
        var entry = new AuditEntry
        {
            // Microseconds: the finest time every engine keeps, so the hash is over what is stored.
            At = new DateTime(change.At.Ticks - change.At.Ticks % 10, DateTimeKind.Utc),
            Actor = change.Actor,
            Action = action,
            Entity = entity,
            EntityId = Convert.ToString(entityId, System.Globalization.CultureInfo.InvariantCulture) ?? "",
            BeforeJson = before is null ? null : JsonSerializer.Serialize(before, before.GetType(), Json),
            AfterJson = after is null ? null : JsonSerializer.Serialize(after, after.GetType(), Json),
            PrevHash = previous,
        };
        await session.ExecuteAsync(Insert, new
        {
            entry.At,
            entry.Actor,
            entry.Action,
            entry.Entity,
            entry.EntityId,
            entry.BeforeJson,
            entry.AfterJson,
            entry.PrevHash,
            EntryHash = HashOf(entry, previous),
        }, cancellationToken);
    }

    /// <summary>SHA-256 over the previous entry's hash and this entry's content, field by field.</summary>
    public static string HashOf(AuditEntry entry, string previousHash)
    {
        var text = string.Join("\u001f",
            previousHash,
            entry.At.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            entry.Actor,
            entry.Action,
            entry.Entity,
            entry.EntityId,
            entry.BeforeJson ?? "\u0000",
            entry.AfterJson ?? "\u0000");
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>
    /// Walks the whole chain in id order: each hashed entry must name the previous hashed entry's hash and hash to
    /// its own. Entries from before the chain existed (no hash) are counted as unchained.
    /// </summary>
    public static async Task<AuditVerification> VerifyAsync(DbSession session, CancellationToken cancellationToken = default)
    {
        long entries = 0, unchained = 0, afterId = 0;
        string? previous = null;
        while (true)
        {
            var page = (await session.QueryAsync<AuditEntry>(ChainPage, new { AfterId = afterId, Offset = 0, Limit = 5000 }, cancellationToken)).ToList();
            if (page.Count == 0)
            {
                return new AuditVerification(true, entries, unchained, null);
            }

            foreach (var entry in page)
            {
                entries++;
                afterId = entry.Id;
                if (entry.EntryHash is null && previous is null)
                {
                    unchained++;
                    continue;
                }

                var expectedPrevious = previous ?? "";
                if (entry.EntryHash is null || entry.PrevHash != expectedPrevious || HashOf(entry, expectedPrevious) != entry.EntryHash)
                {
                    return new AuditVerification(false, entries, unchained, entry.Id);
                }

                previous = entry.EntryHash;
            }
        }
    }

    public static async Task<Page<AuditEntry>> ListAsync(DbSession session, AuditFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var formerEntity = filter.Entity is null ? null : Operations.AuditEntities.WithFormerNames(filter.Entity).Last();
        var parameters = new { filter.Entity, FormerEntity = formerEntity, filter.EntityId, filter.From, filter.To, page.Offset, page.Limit };
        var items = (await session.QueryAsync<AuditEntry>(List, parameters, cancellationToken)).ToList();
        var total = await session.ExecuteScalarAsync<long>(Count, parameters, cancellationToken);
        return new Page<AuditEntry>(items, page.Page, page.PageSize, total);
    }
}
