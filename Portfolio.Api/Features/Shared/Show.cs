using System.Globalization;
using Portfolio.Core.Burn;

namespace Portfolio.Api.Features.Shared;

/// <summary>How pages show figures: the same formats as the PDF report (<c>£1,234.56</c>, <c>41.7%</c>, <c>1 Apr 2026</c>).</summary>
public static class Show
{
    public static string Money(long pence) => Core.Money.Money.Format(pence);

    public static string Percent(decimal? percent) => BurnMath.FormatPercent(percent);

    /// <summary>An indicator's figure (hundredths) as the report prints it (<c>1,250</c>, <c>4.5</c>), or <paramref name="missing"/>.</summary>
    public static string Figure(long? hundredths, string missing = "") => hundredths is { } value ? Core.Results.Quantity.Format(value) : missing;

    /// <summary>A count and its noun: "1 line", "3 lines".</summary>
    public static string Count(long count, string one, string many) => $"{count:N0} {(count == 1 ? one : many)}";

    /// <summary>A file's size as people read it: "48 KB", "1.2 MB".</summary>
    public static string Size(long bytes) => bytes < 1024 * 1024
        ? $"{(bytes + 1023) / 1024:N0} KB"
        : (bytes / (1024m * 1024m)).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

    public static string Date(DateOnly date) => Core.Periods.Written.Date(date);

    /// <summary>A code from <see cref="Core.Domain.Codes"/> (a status, a role) in words: "sent-back" is "Sent back", "programme-lead" "Programme lead".</summary>
    public static string Words(string code) => code.Length == 0 ? code : char.ToUpperInvariant(code[0]) + code[1..].Replace('-', ' ');

    /// <summary>The words a form's option is shown in (a funder's calendar), on the list as on the form.</summary>
    public static string Option(IReadOnlyList<(string Value, string Text)> options, string value) =>
        options.FirstOrDefault(o => o.Value == value).Text ?? Words(value);

    public static string Date(DateTime utc) => utc.ToString("d MMMM yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>
    /// When money on a grant may be dated, for the spend and income forms: within the grant's dates, not after
    /// today, and not in a period already reported (closed).
    /// </summary>
    public static string MoneyDates(Core.Domain.GrantPeriods grant, Core.Domain.ClosedPeriodSet closed)
    {
        var dates = $"The grant runs from {Date(grant.Grant.StartDate)} to {Date(grant.Grant.EndDate)}; a date may not be after today.";
        var shut = grant.Periods.Where(closed.IsClosed).ToList();
        if (shut.Count == 0)
        {
            return dates + " No period has been reported yet, so every period is open.";
        }

        var upTo = shut[^1];
        var prefix = grant.Periods.TakeWhile(p => p.Start <= upTo.Start).All(closed.IsClosed);
        return prefix
            ? dates + $" Periods to {Date(upTo.End)} are reported and closed: date it on or after {Date(upTo.End.AddDays(1))}."
            : dates + $" Reported and closed: {string.Join(", ", shut.Select(p => $"{p.Label} ({Date(p.Start)} to {Date(p.End)})"))}.";
    }

    /// <summary>The GOV.UK tag colour for a RAG status (amber is the yellow tag, which keeps its text contrast).</summary>
    public static string RagClass(Rag rag) => rag switch
    {
        Rag.Green => "govuk-tag govuk-tag--green",
        Rag.Amber => "govuk-tag govuk-tag--yellow",
        _ => "govuk-tag govuk-tag--red",
    };
}
