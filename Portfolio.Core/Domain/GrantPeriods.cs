using System.Globalization;
using Portfolio.Core.Data;
using Portfolio.Core.Periods;

namespace Portfolio.Core.Domain;

/// <summary>A grant with its funder and the reporting periods the funder's calendar gives it.</summary>
public sealed record GrantPeriods(Grant Grant, Funder Funder, IReadOnlyList<ReportingPeriod> Periods)
{
    /// <summary>Null when there is no such grant. Reads the grant and its funder, nothing else.</summary>
    public static Task<GrantPeriods?> LoadAsync(DbSession session, long grantId, CancellationToken cancellationToken = default) =>
        LoadAsync(session, grantId, forUpdate: false, cancellationToken);

    /// <summary>
    /// As <see cref="LoadAsync(DbSession, long, CancellationToken)"/>, with the grant's row locked until the
    /// transaction ends (FOR UPDATE / UPDLOCK), so checks against its dates and award hold until the write commits.
    /// </summary>
    public static Task<GrantPeriods?> LoadForUpdateAsync(DbSession session, long grantId, CancellationToken cancellationToken = default) =>
        LoadAsync(session, grantId, forUpdate: true, cancellationToken);

    private static async Task<GrantPeriods?> LoadAsync(DbSession session, long grantId, bool forUpdate, CancellationToken cancellationToken)
    {
        var grant = forUpdate
            ? await GrantStore.GetForUpdateAsync(session, grantId, cancellationToken)
            : await GrantStore.GetAsync(session, grantId, cancellationToken);
        if (grant is null)
        {
            return null;
        }

        var funder = (await FunderStore.GetAsync(session, grant.FunderId, cancellationToken))!;
        return new GrantPeriods(grant, funder, PeriodsOf(grantId, CalendarOf(grantId, funder.ReportingCalendar), grant.StartDate, grant.EndDate));
    }

    /// <summary>The period starting on <paramref name="start"/>, or null.</summary>
    public ReportingPeriod? PeriodStarting(DateOnly start) => Periods.FirstOrDefault(p => p.Start == start);

    /// <summary>The field error for a date that does not start one of the grant's periods, listing those that do.</summary>
    public string NotAPeriodStart =>
        $"must be the first day of one of the grant's reporting periods: {string.Join(", ", Periods.Select(p => $"{p.Start:yyyy-MM-dd} ({p.Label})"))}";

    /// <summary>The calendar a funder's code names, or <see cref="GrantDataException"/> for a code no route should have stored.</summary>
    public static ReportingCalendar CalendarOf(long grantId, string code) =>
        ReportingCalendarNames.TryParse(code, out var calendar)
            ? calendar
            : throw new GrantDataException(grantId, $"Grant {grantId}'s funder has an unknown reporting calendar '{code}'.",
                $"Its funder's reporting calendar (\"{code}\") is not one Portfolio knows. An administrator can correct the funder's reporting calendar.");

    /// <summary>The grant's periods, or <see cref="GrantDataException"/> when its stored dates cannot be divided into periods.</summary>
    public static IReadOnlyList<ReportingPeriod> PeriodsOf(long grantId, ReportingCalendar calendar, DateOnly start, DateOnly end)
    {
        if (!RecordDates.Contains(start) || !RecordDates.Contains(end) || end < start)
        {
            throw new GrantDataException(grantId,
                $"Grant {grantId} runs from {start:yyyy-MM-dd} to {end:yyyy-MM-dd}: its dates {RecordDates.OutOfRangeMessage} and the end must not be before the start. Correct the grant's dates.",
                $"It is recorded as running from {Written.Date(start)} to {Written.Date(end)}: a grant's dates must fall between {Written.Date(RecordDates.Min)} and {Written.Date(RecordDates.Max)}, and it cannot end before it starts. Correct the grant's dates on its edit form.");
        }

        return ReportingPeriods.For(calendar, start, end);
    }

}
