namespace Portfolio.Api.Infrastructure;

/// <summary>"Today" is the date in the UK, where the charity and its funders work.</summary>
public static class Today
{
    private static readonly TimeZoneInfo London = FindLondon();

    public static DateOnly In(TimeProvider clock) =>
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
