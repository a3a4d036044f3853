using System.Globalization;

namespace Portfolio.Core.Periods;

/// <summary>
/// Dates as people read them, "30 September 2026": in every message Core words for a person, on the pages, in
/// the emails. The API's fields stay ISO dates; its messages are read by people too.
/// </summary>
public static class Written
{
    public static string Date(DateOnly date) => date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>The date of a UTC instant as UTC shows it (what a stored timestamp says).</summary>
    public static string Date(DateTime utc) => utc.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
}
