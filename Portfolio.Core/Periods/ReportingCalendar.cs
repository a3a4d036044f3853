namespace Portfolio.Core.Periods;

/// <summary>How a funder divides time into quarters.</summary>
public enum ReportingCalendar
{
    /// <summary>UK financial year: Q1 = April to June. Label <c>2026/27 Q1</c>.</summary>
    UkFinancialYear,

    /// <summary>Calendar year: Q1 = January to March. Label <c>2026 Q3</c>.</summary>
    CalendarYear,

    /// <summary>Q1 = the first three months from the grant's start date. Label <c>Year 1 Q2</c>.</summary>
    GrantAnniversary,
}

public static class ReportingCalendarNames
{
    public static string ToCode(this ReportingCalendar calendar) => calendar switch
    {
        ReportingCalendar.UkFinancialYear => "uk-financial-year",
        ReportingCalendar.CalendarYear => "calendar-year",
        ReportingCalendar.GrantAnniversary => "grant-anniversary",
        _ => throw new ArgumentOutOfRangeException(nameof(calendar), calendar, null),
    };

    public static bool TryParse(string? code, out ReportingCalendar calendar)
    {
        foreach (var candidate in Enum.GetValues<ReportingCalendar>())
        {
            if (string.Equals(candidate.ToCode(), code, StringComparison.Ordinal))
            {
                calendar = candidate;
                return true;
            }
        }

        calendar = default;
        return false;
    }
}
