using System.Globalization;

namespace Portfolio.Core.Periods;

/// <summary>"Today" is the date in the UK, where the charity and its funders work (UTC if the zone is unknown).</summary>
public static class UkDate
{
    internal static readonly TimeZoneInfo London = FindLondon();

    public static DateOnly Today(TimeProvider clock) => Of(clock.GetUtcNow().UtcDateTime);

    /// <summary>The UK date of a UTC instant.</summary>
    public static DateOnly Of(DateTime utc) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), London));

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

/// <summary>A UTC instant as a person in the UK reads it: "23 Nov 2026 14:05 UK time".</summary>
public static class UkTime
{
    public static string Format(DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), UkDate.London).ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture) + " UK time";
}
