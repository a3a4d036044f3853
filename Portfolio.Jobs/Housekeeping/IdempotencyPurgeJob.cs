using System.ComponentModel;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Jobs.Housekeeping;

/// <summary>Daily: removes idempotency records past their 24 hours (a lookup removes an expired one it finds; this removes the rest).</summary>
public sealed class IdempotencyPurgeJob(Database database, TimeProvider clock)
{
    [DisplayName("Purge expired idempotency records")]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        return await IdempotencyStore.DeleteExpiredAsync(session, clock.GetUtcNow().UtcDateTime, cancellationToken);
    }
}
