using System.Globalization;
using Portfolio.Core.Data;
using Portfolio.Core.Periods;

namespace Portfolio.Core.Domain;

/// <summary>
/// A grant's period is closed once a report for it has been sent (the record of what the funder was told), until an
/// admin reopens it with a reason. Spend and income dated in a closed period cannot be created, changed or voided.
/// </summary>
public static class ClosedPeriods
{
    internal static readonly Sql SentAndNotReopened = Sql.Common("""
        SELECT r.sent_at FROM report_run r
        WHERE r.grant_id = @GrantId AND r.period_start = @PeriodStart AND r.status = 'sent'
          AND NOT EXISTS (SELECT 1 FROM period_reopening o
                          WHERE o.grant_id = r.grant_id AND o.period_start = r.period_start AND o.reopened_at >= r.sent_at)
        ORDER BY r.sent_at
        """);

    internal static readonly Sql InsertReopening = Sql.InsertReturningId("""
        INSERT INTO period_reopening (grant_id, period_start, reason, reopened_by, reopened_at)
        VALUES (@GrantId, @PeriodStart, @Reason, @Actor, @At)
        """);

    /// <summary>Why a record of <paramref name="grantId"/> dated <paramref name="date"/> may not change, or null when its period is open.</summary>
    public static async Task<string?> ClosedReasonAsync(DbSession session, long grantId, DateOnly date, CancellationToken cancellationToken = default)
    {
        var loaded = await GrantPeriods.LoadAsync(session, grantId, cancellationToken);
        var period = loaded?.Periods.FirstOrDefault(p => p.Contains(date));
        if (period is null)
        {
            return null;
        }

        var sentAt = (await session.QueryAsync<DateTime>(SentAndNotReopened, new { GrantId = grantId, PeriodStart = period.Start }, cancellationToken)).FirstOrDefault();
        return sentAt == default
            ? null
            : $"The {period.Label} period ({period.Start:yyyy-MM-dd} to {period.End:yyyy-MM-dd}) of grant {grantId} is closed: its report was sent to the funder on " +
              $"{sentAt.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}. Record an adjusting entry dated in an open period instead; an admin may reopen the period with a reason " +
              $"(POST /api/grants/{grantId}/periods/{period.Start:yyyy-MM-dd}/reopen).";
    }

    /// <summary>Reopens a period (the caller audits it). Null when the date is not the start of one of the grant's periods.</summary>
    public static async Task<ReportingPeriod?> ReopenAsync(DbSession session, long grantId, DateOnly periodStart, string reason, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var loaded = await GrantPeriods.LoadAsync(session, grantId, cancellationToken);
        var period = loaded?.Periods.FirstOrDefault(p => p.Start == periodStart);
        if (period is null)
        {
            return null;
        }

        await session.ExecuteScalarAsync<long>(InsertReopening, new { GrantId = grantId, PeriodStart = periodStart, Reason = reason, change.Actor, change.At }, cancellationToken);
        return period;
    }
}
