using Hangfire;

namespace Portfolio.Jobs.ReportRuns;

/// <summary>Job settings: <c>Portfolio:Jobs</c>.</summary>
public sealed record JobOptions(
    bool RunInProcess,
    string ScheduleCron,
    TimeZoneInfo ScheduleTimeZone,
    bool ScheduleOnStart,
    int DeliveryAttempts,
    IReadOnlyList<int> RetryDelaysSeconds,
    TimeSpan DeliveryLease,
    int WorkerCount,
    int CatchUpDays = 100)
{
    /// <summary>How long a delivery may stay pending before the sweep queues it again: longer than any retry delay.</summary>
    public TimeSpan SweepPendingAfter => TimeSpan.FromSeconds(Math.Max(DeliveryLease.TotalSeconds, RetryDelaysSeconds.DefaultIfEmpty(0).Max() + 60));
}

/// <summary>Each delivery of an approved or resent report is sent by its own Hangfire job.</summary>
public sealed class HangfireDeliveryQueue(IBackgroundJobClient jobs) : Portfolio.Reports.Runs.IDeliveryQueue
{
    public bool TryQueue(long deliveryId)
    {
        try
        {
            jobs.Enqueue<ReportDeliveryJob>(job => job.SendAsync(deliveryId, CancellationToken.None));
            return true;
        }
        catch (BackgroundJobClientException)
        {
            return false;
        }
    }
}
