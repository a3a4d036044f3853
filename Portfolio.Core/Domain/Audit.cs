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
}

public sealed record AuditFilter(string? Entity = null, string? EntityId = null, DateTime? From = null, DateTime? To = null);

/// <summary>The append-only audit log. Written in the same transaction as the change it records.</summary>
public static class AuditLog
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    internal static readonly Sql Insert = Sql.Common("""
        INSERT INTO audit_entry (at, actor, action, entity, entity_id, before_json, after_json)
        VALUES (@At, @Actor, @Action, @Entity, @EntityId, @BeforeJson, @AfterJson)
        """);

    private const string Filter = """
        FROM audit_entry
        WHERE (@Entity IS NULL OR entity = @Entity)
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

        return session.ExecuteAsync(Insert, new
        {
            change.At,
            change.Actor,
            Action = action,
            Entity = entity,
            EntityId = Convert.ToString(entityId, System.Globalization.CultureInfo.InvariantCulture),
            BeforeJson = before is null ? null : JsonSerializer.Serialize(before, before.GetType(), Json),
            AfterJson = after is null ? null : JsonSerializer.Serialize(after, after.GetType(), Json),
        }, cancellationToken);
    }

    public static async Task<Page<AuditEntry>> ListAsync(DbSession session, AuditFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new { filter.Entity, filter.EntityId, filter.From, filter.To, page.Offset, page.Limit };
        var items = (await session.QueryAsync<AuditEntry>(List, parameters, cancellationToken)).ToList();
        var total = await session.ExecuteScalarAsync<long>(Count, parameters, cancellationToken);
        return new Page<AuditEntry>(items, page.Page, page.PageSize, total);
    }
}
