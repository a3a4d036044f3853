using Portfolio.Core.Data;
using Portfolio.Core.Periods;

namespace Portfolio.Core.Domain;

/// <summary>A grant with its funder and the reporting periods the funder's calendar gives it.</summary>
public sealed record GrantPeriods(Grant Grant, Funder Funder, IReadOnlyList<ReportingPeriod> Periods)
{
    /// <summary>Null when there is no such grant. Reads the grant and its funder, nothing else.</summary>
    public static async Task<GrantPeriods?> LoadAsync(DbSession session, long grantId, CancellationToken cancellationToken = default)
    {
        var grant = await GrantStore.GetAsync(session, grantId, cancellationToken);
        if (grant is null)
        {
            return null;
        }

        var funder = (await FunderStore.GetAsync(session, grant.FunderId, cancellationToken))!;
        return new GrantPeriods(grant, funder, PeriodsOf(grantId, CalendarOf(grantId, funder.ReportingCalendar), grant.StartDate, grant.EndDate));
    }

    /// <summary>The calendar a funder's code names, or <see cref="GrantDataException"/> for a code no route should have stored.</summary>
    public static ReportingCalendar CalendarOf(long grantId, string code) =>
        ReportingCalendarNames.TryParse(code, out var calendar)
            ? calendar
            : throw new GrantDataException(grantId, $"Grant {grantId}'s funder has an unknown reporting calendar '{code}'.");

    /// <summary>The grant's periods, or <see cref="GrantDataException"/> when its stored dates cannot be divided into periods.</summary>
    public static IReadOnlyList<ReportingPeriod> PeriodsOf(long grantId, ReportingCalendar calendar, DateOnly start, DateOnly end)
    {
        if (!RecordDates.Contains(start) || !RecordDates.Contains(end) || end < start)
        {
            throw new GrantDataException(grantId,
                $"Grant {grantId} runs from {start:yyyy-MM-dd} to {end:yyyy-MM-dd}: its dates {RecordDates.OutOfRangeMessage} and the end must not be before the start. Correct the grant's dates.");
        }

        return ReportingPeriods.For(calendar, start, end);
    }
}
