using System.ComponentModel;
using Microsoft.Extensions.Logging;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Periods;

namespace Portfolio.Jobs.ReportRuns;

/// <summary>
/// Daily (and once on start, to catch up): a draft for every active grant's ended period that has no run yet.
/// Safe to run as often and in as many processes as you like: the database lets one run per grant and period exist.
/// </summary>
public sealed class ReportScheduleJob(Database database, ReportRunService runs, TimeProvider clock, ILogger<ReportScheduleJob> logger)
{
    [DisplayName("Quarterly report schedule")]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var today = UkDate.Today(clock);
        var created = 0;
        List<(long GrantId, DateOnly PeriodStart)> due = [];
        await using (var session = await database.OpenAsync(cancellationToken))
        {
            foreach (var grantId in await ReportRunStore.ActiveGrantIdsAsync(session, cancellationToken))
            {
                var loaded = (await GrantPeriods.LoadAsync(session, grantId, cancellationToken))!;
                var existing = await ReportRunStore.LivePeriodStartsAsync(session, grantId, cancellationToken);
                due.AddRange(ReportRunService.EndedPeriods(loaded.Periods, today).Where(p => !existing.Contains(p.Start)).Select(p => (grantId, p.Start)));
            }
        }

        foreach (var (grantId, periodStart) in due)
        {
            var result = await runs.GenerateAsync(grantId, periodStart, "system:schedule", cancellationToken);
            if (result.Outcome == RunOutcome.Done)
            {
                created++;
            }
        }

#pragma warning disable CA1848
        logger.LogInformation("Report schedule: {Created} new report run(s) for {Due} ended period(s) without one", created, due.Count);
#pragma warning restore CA1848
        return created;
    }
}

/// <summary>
/// Every few minutes: queues deliveries left pending longer than any retry would wait (their job was never
/// queued, or was lost) and claims gone stale, exactly as at start. A duplicate job is harmless: the claim decides.
/// </summary>
public sealed class DeliverySweepJob(ReportRunService runs, JobOptions options)
{
    [DisplayName("Report delivery sweep")]
    public Task<int> RunAsync(CancellationToken cancellationToken) =>
        runs.RecoverAsync(options.DeliveryLease, options.SweepPendingAfter, cancellationToken);
}
