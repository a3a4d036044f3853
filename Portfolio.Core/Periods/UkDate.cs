namespace Portfolio.Core.Periods;

/// <summary>"Today" is the date in the UK, where the charity and its funders work (UTC if the zone is unknown).</summary>
public static class UkDate
{
    private static readonly TimeZoneInfo London = FindLondon();

    public static DateOnly Today(TimeProvider clock) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), London).DateTime);

    private static TimeZoneInfo FindLondon()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.Utc;
        }
    }
}
