using Portfolio.Reports.Runs;
using System.ComponentModel;
using Microsoft.Extensions.Logging;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Periods;
using Portfolio.Reports.Pdf;

namespace Portfolio.Jobs.ReportRuns;

/// <summary>
/// Daily (and once on start, to catch up): a draft for every active grant's period that ended within the catch-up
/// window and has no run yet; then, for funders on automatic delivery, at most one report per grant is sent, the
/// earliest first. Safe to run as often and in as many processes as you like: the database lets one run per grant
/// and period exist, and approval is a conditional update. A grant that fails is logged and skipped; the rest go on.
/// </summary>
public sealed class ReportScheduleJob(Database database, ReportRunService runs, JobOptions options, TimeProvider clock, ILogger<ReportScheduleJob> logger)
{
    [DisplayName("Quarterly report schedule")]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var today = UkDate.Today(clock);
        var created = 0;
        var failed = 0;
        List<(long GrantId, DateOnly PeriodStart)> due = [];
        IReadOnlyList<long> grantIds;
        await using (var session = await database.OpenAsync(cancellationToken))
        {
            grantIds = await ReportRunStore.ActiveGrantIdsAsync(session, cancellationToken);
            foreach (var grantId in grantIds)
            {
                try
                {
                    var loaded = (await GrantPeriods.LoadAsync(session, grantId, cancellationToken))!;
                    var existing = await ReportRunStore.LivePeriodStartsAsync(session, grantId, cancellationToken);
                    due.AddRange(ReportRunService.DuePeriods(loaded.Periods, today, options.CatchUpDays).Where(p => !existing.Contains(p.Start)).Select(p => (grantId, p.Start)));
                }
                catch (GrantDataException ex)
                {
                    failed++;
                    LogGrantFailed(logger, grantId, ex.Message, null);
                }
            }
        }

        foreach (var (grantId, periodStart) in due)
        {
            try
            {
                var result = await runs.GenerateAsync(grantId, periodStart, Actors.Schedule, cancellationToken);
                if (result.Succeeded)
                {
                    created++;
                }
            }
            catch (Exception ex) when (ex is GrantDataException or ReportFontsMissingException or InvalidOperationException or ArgumentException or OverflowException)
            {
                failed++;
                LogRunFailed(logger, grantId, periodStart, ex.Message, ex);
            }
        }

        var sent = 0;
        await using (var session = await database.OpenAsync(cancellationToken))
        {
            foreach (var grantId in await ReportRunStore.AutoGrantsWithDraftsAsync(session, cancellationToken))
            {
                try
                {
                    if ((await runs.SendNextAutomaticallyAsync(grantId, cancellationToken))?.Succeeded == true)
                    {
                        sent++;
                    }
                }
                catch (Exception ex) when (ex is GrantDataException or ReportFontsMissingException or InvalidOperationException or ArgumentException or OverflowException)
                {
                    failed++;
                    LogSendFailed(logger, grantId, ex.Message, ex);
                }
            }
        }

        LogDone(logger, created, due.Count, options.CatchUpDays, sent, failed, null);
        return created;
    }

    private static readonly Action<ILogger, int, int, int, int, int, Exception?> LogDone = LoggerMessage.Define<int, int, int, int, int>(
        LogLevel.Information, new EventId(5001, "ScheduleDone"),
        "Report schedule: {Created} new report run(s) for {Due} period(s) ended within the last {CatchUpDays} days without one; {Sent} sent automatically; {Failed} failure(s)");

    private static readonly Action<ILogger, long, string, Exception?> LogGrantFailed = LoggerMessage.Define<long, string>(
        LogLevel.Error, new EventId(5002, "ScheduleGrantFailed"), "Report schedule skipped grant {GrantId}: {Reason}");

    private static readonly Action<ILogger, long, DateOnly, string, Exception?> LogRunFailed = LoggerMessage.Define<long, DateOnly, string>(
        LogLevel.Error, new EventId(5003, "ScheduleRunFailed"), "Report schedule could not generate grant {GrantId}'s report for the period starting {PeriodStart}: {Reason}");

    private static readonly Action<ILogger, long, string, Exception?> LogSendFailed = LoggerMessage.Define<long, string>(
        LogLevel.Error, new EventId(5004, "ScheduleSendFailed"), "Report schedule could not send grant {GrantId}'s next report automatically: {Reason}");
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
