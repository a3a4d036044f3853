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
/// <summary>
/// What a walk of the chain found: whether it is whole, how many entries (and unchained ones from before the chain),
/// the first entry that does not hash, how many anchors were checked, the first anchor the chain no longer holds,
/// and in words what is wrong.
/// </summary>
public sealed record AuditVerification(bool Valid, long Entries, long Unchained, long? FirstBrokenId, long Anchors = 0, long? BrokenAnchorId = null, string? Detail = null);

/// <summary>The chain's head at a moment: the newest entry and its hash, recorded so that its removal shows.</summary>
public sealed class AuditAnchor
{
    public long Id { get; init; }
    public DateTime At { get; init; }
    public string Reason { get; init; } = "";
    public long? ReportRunId { get; init; }
    public long HeadEntryId { get; init; }
    public string HeadHash { get; init; } = "";
    public long Entries { get; init; }
}

/// <summary>Which entries to list; <see cref="NewestFirst"/> for people reading the log (the API lists in the order written).</summary>
public sealed record AuditFilter(string? Entity = null, string? EntityId = null, DateTime? From = null, DateTime? To = null, bool NewestFirst = false);

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
        Sqlite: "", // SQLite has one writer at a time: the transaction's first write already serialises the chain
        Postgres: "SELECT pg_advisory_xact_lock(7265702)",
        SqlServer: "EXEC sp_getapplock @Resource = N'portfolio-audit-chain', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = 30000");

    internal static readonly Sql LastHash = Sql.Paged("SELECT entry_hash FROM audit_entry WHERE entry_hash IS NOT NULL ORDER BY id DESC");

    internal static readonly Sql Head = Sql.Paged("SELECT id, entry_hash FROM audit_entry WHERE entry_hash IS NOT NULL ORDER BY id DESC");

    internal static readonly Sql CountAll = Sql.Common("SELECT COUNT(*) FROM audit_entry");

    internal static readonly Sql InsertAnchor = Sql.InsertReturningId("""
        INSERT INTO audit_anchor (at, reason, report_run_id, head_entry_id, head_hash, entries)
        VALUES (@At, @Reason, @ReportRunId, @HeadEntryId, @HeadHash, @Entries)
        """);

    internal static readonly Sql Anchors = Sql.Common("""
        SELECT id, at, reason, report_run_id, head_entry_id, head_hash, entries FROM audit_anchor ORDER BY id
        """);

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

    internal static readonly Sql ListNewestFirst = Sql.Paged($"""
        SELECT id, at, actor, action, entity, entity_id, before_json, after_json
        {Filter}
        ORDER BY id DESC
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
    /// Records the chain's head (its newest hashed entry), in the caller's transaction after its own entries: with
    /// every report run sent and daily. Null when the chain is still empty.
    /// </summary>
    public static async Task<AuditAnchor?> AnchorAsync(DbSession session, string reason, long? reportRunId, DateTime at, CancellationToken cancellationToken = default)
    {
        if (!session.InTransaction)
        {
            throw new InvalidOperationException("An anchor must be written in a transaction, after the entries it covers.");
        }

        await session.ExecuteAsync(LockChain, cancellationToken: cancellationToken);
        var head = (await session.QueryAsync<(long Id, string Hash)>(Head, new { Offset = 0, Limit = 1 }, cancellationToken)).FirstOrDefault();
        if (head.Hash is null)
        {
            return null;
        }

        var entries = await session.ExecuteScalarAsync<long>(CountAll, cancellationToken: cancellationToken);
        var anchor = new AuditAnchor
        {
            At = new DateTime(at.Ticks - at.Ticks % 10, DateTimeKind.Utc),
            Reason = reason,
            ReportRunId = reportRunId,
            HeadEntryId = head.Id,
            HeadHash = head.Hash,
            Entries = entries,
        };
        var id = await session.ExecuteScalarAsync<long>(InsertAnchor, anchor, cancellationToken);
        return new AuditAnchor { Id = id, At = anchor.At, Reason = reason, ReportRunId = reportRunId, HeadEntryId = head.Id, HeadHash = head.Hash, Entries = entries };
    }

    /// <summary>
    /// Walks the whole chain in id order: each hashed entry must name the previous hashed entry's hash and hash to
    /// its own. Entries from before the chain existed (no hash) are counted as unchained. Then every anchor (and
    /// <paramref name="expectedHead"/>, a head kept elsewhere, such as in the log) must still be in the chain with
    /// its hash: entries removed from the end of the chain show there, back to the last anchor.
    /// </summary>
    public static async Task<AuditVerification> VerifyAsync(DbSession session, (long EntryId, string Hash)? expectedHead = null, CancellationToken cancellationToken = default)
    {
        var anchors = (await session.QueryAsync<AuditAnchor>(Anchors, cancellationToken: cancellationToken)).ToList();
        if (expectedHead is { } given)
        {
            anchors.Add(new AuditAnchor { Reason = "given", HeadEntryId = given.EntryId, HeadHash = given.Hash });
        }

        var wanted = anchors.Select(a => a.HeadEntryId).ToHashSet();
        var found = new Dictionary<long, string?>();
        long entries = 0, unchained = 0, afterId = 0;
        string? previous = null;
        AuditVerification? broken = null;
        while (broken is null)
        {
            var page = (await session.QueryAsync<AuditEntry>(ChainPage, new { AfterId = afterId, Offset = 0, Limit = 5000 }, cancellationToken)).ToList();
            if (page.Count == 0)
            {
                break;
            }

            foreach (var entry in page)
            {
                entries++;
                afterId = entry.Id;
                if (wanted.Contains(entry.Id))
                {
                    found[entry.Id] = entry.EntryHash;
                }

                if (entry.EntryHash is null && previous is null)
                {
                    unchained++;
                    continue;
                }

                var expectedPrevious = previous ?? "";
                if (entry.EntryHash is null || entry.PrevHash != expectedPrevious || HashOf(entry, expectedPrevious) != entry.EntryHash)
                {
                    broken = new AuditVerification(false, entries, unchained, entry.Id, anchors.Count,
                        Detail: $"Entry {entry.Id} does not follow from the entry before it: it or an earlier entry was changed, or entries before it were removed.");
                    break;
                }

                previous = entry.EntryHash;
            }
        }

        if (broken is not null)
        {
            return broken;
        }

        foreach (var anchor in anchors)
        {
            found.TryGetValue(anchor.HeadEntryId, out var hash);
            if (hash != anchor.HeadHash)
            {
                var what = anchor.Reason == "given" ? "The head you gave" : $"Anchor {anchor.Id} ({anchor.Reason}, {anchor.At:yyyy-MM-dd HH:mm} UTC)";
                return new AuditVerification(false, entries, unchained, null, anchors.Count, anchor.Id == 0 ? null : anchor.Id,
                    hash is null
                        ? $"{what} names entry {anchor.HeadEntryId}, which is no longer in the chain: entries were removed from its end."
                        : $"{what} names entry {anchor.HeadEntryId} with another hash: the chain was rewritten.");
            }
        }

        return new AuditVerification(true, entries, unchained, null, anchors.Count);
    }

    public static async Task<Page<AuditEntry>> ListAsync(DbSession session, AuditFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var formerEntity = filter.Entity is null ? null : Operations.AuditEntities.WithFormerNames(filter.Entity).Last();
        var parameters = new { filter.Entity, FormerEntity = formerEntity, filter.EntityId, filter.From, filter.To, page.Offset, page.Limit };
        var items = (await session.QueryAsync<AuditEntry>(filter.NewestFirst ? ListNewestFirst : List, parameters, cancellationToken)).ToList();
        var total = await session.ExecuteScalarAsync<long>(Count, parameters, cancellationToken);
        return new Page<AuditEntry>(items, page.Page, page.PageSize, total);
    }
}
