namespace Portfolio.Core.Periods;

/// <summary>
/// One quarter of a grant in its funder's calendar. <see cref="Start"/> and <see cref="End"/> are
/// clipped to the grant's own dates, so the first and last periods may be partial;
/// <see cref="QuarterStart"/> and <see cref="QuarterEnd"/> are the whole calendar quarter.
/// </summary>
public sealed record ReportingPeriod(
    int Index,
    string Label,
    DateOnly Start,
    DateOnly End,
    DateOnly QuarterStart,
    DateOnly QuarterEnd)
{
    /// <summary>Days in the period, both ends counted.</summary>
    public int Days => End.DayNumber - Start.DayNumber + 1;

    public bool IsPartial => Start != QuarterStart || End != QuarterEnd;

    public bool Contains(DateOnly date) => date >= Start && date <= End;
}
