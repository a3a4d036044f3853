using Portfolio.Core.Data;

namespace Portfolio.Core.Domain;

/// <summary>The first response to a request made with an <c>Idempotency-Key</c>, kept to be replayed.</summary>
public sealed class IdempotencyRecord
{
    public long Id { get; set; }
    public string Scope { get; set; } = "";
    public string IdempotencyKey { get; set; } = "";
    public string RequestHash { get; set; } = "";
    public int ResponseStatus { get; set; }
    public string ResponseBody { get; set; } = "";
    public string? Location { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
}

public static class IdempotencyStore
{
    internal static readonly Sql SelectOne = Sql.Common("""
        SELECT id, scope, idempotency_key, request_hash, response_status, response_body, location, created_at, expires_at
        FROM idempotency_record WHERE scope = @Scope AND idempotency_key = @IdempotencyKey
        """);

    internal static readonly Sql Insert = Sql.Common("""
        INSERT INTO idempotency_record (scope, idempotency_key, request_hash, response_status, response_body, location, created_at, expires_at)
        VALUES (@Scope, @IdempotencyKey, @RequestHash, @ResponseStatus, @ResponseBody, @Location, @CreatedAt, @ExpiresAt)
        """);

    internal static readonly Sql DeleteExpired = Sql.Common("DELETE FROM idempotency_record WHERE expires_at < @Now");

    internal static readonly Sql DeleteExpiredKey = Sql.Common(
        "DELETE FROM idempotency_record WHERE scope = @Scope AND idempotency_key = @IdempotencyKey AND expires_at < @Now");

    /// <summary>
    /// The unexpired record for the key. An expired one is removed, so the key can be used afresh; the daily purge
    /// (<see cref="DeleteExpiredAsync"/>) removes the rest.
    /// </summary>
    public static async Task<IdempotencyRecord?> FindAsync(DbSession session, string scope, string key, DateTime now, CancellationToken cancellationToken = default)
    {
        var parameters = new { Scope = scope, IdempotencyKey = key, Now = now };
        var record = await session.QuerySingleOrDefaultAsync<IdempotencyRecord>(SelectOne, parameters, cancellationToken);
        if (record is not null && record.ExpiresAt < now)
        {
            await session.ExecuteAsync(DeleteExpiredKey, parameters, cancellationToken);
            return null;
        }

        return record;
    }

    /// <summary>Saves the record in the caller's transaction; a second request racing with the same key fails on the unique constraint.</summary>
    public static Task InsertAsync(DbSession session, IdempotencyRecord record, CancellationToken cancellationToken = default) =>
        session.ExecuteAsync(Insert, record, cancellationToken);

    public static Task<int> DeleteExpiredAsync(DbSession session, DateTime now, CancellationToken cancellationToken = default) =>
        session.ExecuteAsync(DeleteExpired, new { Now = now }, cancellationToken);
}
