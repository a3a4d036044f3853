namespace Portfolio.Core.Periods;

/// <summary>Divides a grant's dates into the quarters of its funder's reporting calendar.</summary>
public static class ReportingPeriods
{
    /// <summary>Every period of a grant from <paramref name="grantStart"/> to <paramref name="grantEnd"/>, both counted, in order.</summary>
    public static IReadOnlyList<ReportingPeriod> For(ReportingCalendar calendar, DateOnly grantStart, DateOnly grantEnd)
    {
        if (grantEnd < grantStart)
        {
            throw new ArgumentException("The grant's end date is before its start date.", nameof(grantEnd));
        }

        if (!RecordDates.Contains(grantStart) || !RecordDates.Contains(grantEnd))
        {
            throw new ArgumentOutOfRangeException(nameof(grantStart), $"A grant's dates {RecordDates.OutOfRangeMessage}; got {grantStart:yyyy-MM-dd} to {grantEnd:yyyy-MM-dd}.");
        }

        var periods = new List<ReportingPeriod>();
        var quarterIndex = QuarterIndexOf(calendar, grantStart, grantStart);
        while (true)
        {
            var (quarterStart, quarterEnd) = QuarterBounds(calendar, grantStart, quarterIndex);
            if (quarterStart > grantEnd)
            {
                break;
            }

            var start = quarterStart < grantStart ? grantStart : quarterStart;
            var end = quarterEnd > grantEnd ? grantEnd : quarterEnd;
            periods.Add(new ReportingPeriod(
                periods.Count,
                Label(calendar, quarterIndex, quarterStart),
                start,
                end,
                quarterStart,
                quarterEnd));
            quarterIndex++;
        }

        return periods;
    }

    /// <summary>The grant's period that holds <paramref name="date"/>, or null when the date is outside the grant.</summary>
    public static ReportingPeriod? Containing(ReportingCalendar calendar, DateOnly grantStart, DateOnly grantEnd, DateOnly date)
    {
        if (date < grantStart || date > grantEnd)
        {
            return null;
        }

        var quarterIndex = QuarterIndexOf(calendar, grantStart, date);
        var firstIndex = QuarterIndexOf(calendar, grantStart, grantStart);
        var (quarterStart, quarterEnd) = QuarterBounds(calendar, grantStart, quarterIndex);
        return new ReportingPeriod(
            quarterIndex - firstIndex,
            Label(calendar, quarterIndex, quarterStart),
            quarterStart < grantStart ? grantStart : quarterStart,
            quarterEnd > grantEnd ? grantEnd : quarterEnd,
            quarterStart,
            quarterEnd);
    }

    /// <summary>
    /// A running quarter number. For the fixed calendars it counts quarters since year 0
    /// (financial years start in April); for the anniversary calendar it counts quarters since the grant's start.
    /// </summary>
    private static int QuarterIndexOf(ReportingCalendar calendar, DateOnly grantStart, DateOnly date)
    {
        switch (calendar)
        {
            case ReportingCalendar.CalendarYear:
                return (date.Year * 12 + date.Month - 1) / 3;
            case ReportingCalendar.UkFinancialYear:
                return (date.Year * 12 + date.Month - 4) / 3;
            case ReportingCalendar.GrantAnniversary:
                // Months are added to the original start each time, so a grant starting on the 31st
                // does not drift: 31 Jan, 30 Apr, 31 Jul, 31 Oct.
                var months = (date.Year - grantStart.Year) * 12 + date.Month - grantStart.Month;
                var index = Math.Max(0, months / 3);
                while (QuarterBounds(calendar, grantStart, index).Start > date)
                {
                    index--;
                }

                while (QuarterBounds(calendar, grantStart, index).End < date)
                {
                    index++;
                }

                return index;
            default:
                throw new ArgumentOutOfRangeException(nameof(calendar), calendar, null);
        }
    }

    private static (DateOnly Start, DateOnly End) QuarterBounds(ReportingCalendar calendar, DateOnly grantStart, int quarterIndex)
    {
        switch (calendar)
        {
            case ReportingCalendar.CalendarYear:
            {
                var start = new DateOnly(quarterIndex / 4, quarterIndex % 4 * 3 + 1, 1);
                return (start, start.AddMonths(3).AddDays(-1));
            }

            case ReportingCalendar.UkFinancialYear:
            {
                var months = quarterIndex * 3 + 3; // months since January of year 0
                var start = new DateOnly(months / 12, months % 12 + 1, 1);
                return (start, start.AddMonths(3).AddDays(-1));
            }

            case ReportingCalendar.GrantAnniversary:
                return (grantStart.AddMonths(quarterIndex * 3), grantStart.AddMonths((quarterIndex + 1) * 3).AddDays(-1));
            default:
                throw new ArgumentOutOfRangeException(nameof(calendar), calendar, null);
        }
    }

    private static string Label(ReportingCalendar calendar, int quarterIndex, DateOnly quarterStart) => calendar switch
    {
        ReportingCalendar.CalendarYear => $"{quarterStart.Year} Q{quarterIndex % 4 + 1}",
        ReportingCalendar.UkFinancialYear => FinancialYearLabel(quarterIndex),
        ReportingCalendar.GrantAnniversary => $"Year {quarterIndex / 4 + 1} Q{quarterIndex % 4 + 1}",
        _ => throw new ArgumentOutOfRangeException(nameof(calendar), calendar, null),
    };

    private static string FinancialYearLabel(int quarterIndex)
    {
        var startYear = quarterIndex / 4;
        return $"{startYear}/{(startYear + 1) % 100:00} Q{quarterIndex % 4 + 1}";
    }
}
