using System.Globalization;

namespace Portfolio.Core.Periods;

/// <summary>
/// The dates Portfolio accepts anywhere: 1 January 1990 to 31 December 2100. Grants, spend and reports outside
/// that span are typing mistakes (a year of 0001 or 9999), and a grant over thousands of years would make tens of
/// thousands of reporting periods; refusing them at the door keeps one bad record from stopping work for others.
/// </summary>
public static class RecordDates
{
    public static readonly DateOnly Min = new(1990, 1, 1);
    public static readonly DateOnly Max = new(2100, 12, 31);

    public static bool Contains(DateOnly date) => date >= Min && date <= Max;

    public static string OutOfRangeMessage =>
        $"must be between {Min.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} and {Max.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
}

/// <summary>
/// A stored grant that cannot be computed (dates outside <see cref="RecordDates"/>, an unknown calendar): it can only
/// have arrived by a route that skipped the checks. Callers that work over many grants catch it per grant.
/// </summary>
public sealed class GrantDataException(long grantId, string message, string forPeople) : Exception(message)
{
    public long GrantId { get; } = grantId;

    /// <summary>What is wrong and what to correct, for a page: no record id, dates written out.</summary>
    public string ForPeople { get; } = forPeople;
}
