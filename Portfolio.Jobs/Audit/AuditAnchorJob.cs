using Portfolio.Core.Operations;
using System.ComponentModel;
using Microsoft.Extensions.Logging;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Jobs.Audit;

/// <summary>
/// Records the audit chain's head: daily (this job), and with every report run sent (the delivery job). Each anchor
/// is also written to the log, a copy outside the database that <c>GET /api/audit/verify?expectHead=</c> can check.
/// </summary>
public sealed class AuditAnchorJob(Database database, TimeProvider clock, ILogger<AuditAnchorJob> logger)
{
    private static readonly Action<ILogger, long, string, long, string, Exception?> LogAnchor = LoggerMessage.Define<long, string, long, string>(
        LogLevel.Information, new EventId(5200, "AuditAnchor"), "Audit chain head: entry {HeadEntryId} hash {HeadHash} ({Entries} entries; {Reason})");

    [DisplayName("Audit chain anchor")]
    public async Task<AuditAnchor?> RunAsync(CancellationToken cancellationToken)
    {
        var anchor = await UnitOfWork.CommitAsync(database, session => AuditLog.AnchorAsync(session, "daily", null, clock.GetUtcNow().UtcDateTime, cancellationToken), cancellationToken);
        Log(logger, anchor);
        return anchor;
    }

    /// <summary>Writes the anchor to the log, so a copy of the head is kept outside the database.</summary>
    public static void Log(ILogger logger, AuditAnchor? anchor)
    {
        if (anchor is not null)
        {
            LogAnchor(logger, anchor.HeadEntryId, anchor.HeadHash, anchor.Entries, anchor.Reason, null);
        }
    }
}
