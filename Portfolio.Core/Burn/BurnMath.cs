namespace Portfolio.Core.Burn;

public enum Rag
{
    Green,
    Amber,
    Red,
}

/// <summary>A funder's RAG thresholds: green where |variance %| ≤ amber, amber where ≤ red, red above.</summary>
public sealed record RagThresholds(int AmberPercent, int RedPercent)
{
    public static readonly RagThresholds Default = new(10, 20);
}

/// <summary>
/// The one place where burn figures are rounded.
/// <list type="bullet">
/// <item>Pro-rata pence (a current period's budget to date, the run-rate forecast) are rounded to the penny,
/// half to even (banker's rounding), on each budget line (one category in one period); every total is the sum
/// of those rounded pennies, so categories and periods always add up to the grant, and grants to their roll-up.</item>
/// <item>Percentages are rounded to one decimal place, half to even, for display only.</item>
/// <item>RAG is decided on the exact ratio, never on the rounded percentage: 10.04 % shows as 10.0 % and is amber.</item>
/// </list>
/// </summary>
public static class BurnMath
{
    /// <summary>A percentage for people, as the report prints it: one decimal place (<c>41.7%</c>), or <c>n/a</c>.</summary>
    public static string FormatPercent(decimal? percent) =>
        percent is null ? "n/a" : percent.Value.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%";

    /// <summary><paramref name="amount"/> × <paramref name="numerator"/> / <paramref name="denominator"/>, to the penny, half to even.</summary>
    public static long ProRata(long amount, long numerator, long denominator)
    {
        if (denominator <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(denominator), "A pro-rata share needs a positive denominator.");
        }

        var product = (Int128)amount * numerator;
        var quotient = Int128.DivRem(product, denominator);
        var whole = quotient.Quotient;
        var twiceRemainder = Int128.Abs(quotient.Remainder) * 2;
        if (twiceRemainder > denominator || (twiceRemainder == denominator && !Int128.IsEvenInteger(whole)))
        {
            whole += Int128.Sign(product);
        }

        return checked((long)whole);
    }

    /// <summary><paramref name="part"/> / <paramref name="whole"/> as a percentage to one decimal place (half to even); null when whole is 0.</summary>
    public static decimal? Percent(long part, long whole) =>
        whole == 0 ? null : Math.Round((decimal)part * 100m / whole, 1, MidpointRounding.ToEven);

    /// <summary>
    /// RAG from the exact ratio |variance| / budget to date against the thresholds. With no budget to date,
    /// any spend is red (money spent that the profile did not plan for) and no spend is green.
    /// </summary>
    public static Rag RagFor(long variance, long budgetToDate, RagThresholds thresholds)
    {
        if (budgetToDate == 0)
        {
            return variance == 0 ? Rag.Green : Rag.Red;
        }

        var scaledVariance = Int128.Abs(variance) * 100;
        var scaledBudget = Int128.Abs(budgetToDate);
        if (scaledVariance <= scaledBudget * thresholds.AmberPercent)
        {
            return Rag.Green;
        }

        return scaledVariance <= scaledBudget * thresholds.RedPercent ? Rag.Amber : Rag.Red;
    }

    public static string ToCode(this Rag rag) => rag switch
    {
        Rag.Green => "green",
        Rag.Amber => "amber",
        Rag.Red => "red",
        _ => throw new ArgumentOutOfRangeException(nameof(rag), rag, null),
    };
}

/// <summary>An agreement's amount shared between the delivery areas it names.</summary>
public static class AreaShares
{
    /// <summary>
    /// <paramref name="amount"/> pence in <paramref name="parts"/> equal whole-penny shares that add up to it: the
    /// odd pence go one each to the first shares (so £100.00 in three is £33.34, £33.33, £33.33). Nothing is lost.
    /// </summary>
    public static long[] Split(long amount, int parts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        var share = amount / parts;
        var odd = amount % parts;
        return [.. Enumerable.Range(0, parts).Select(i => share + (i < Math.Abs(odd) ? Math.Sign(odd) : 0))];
    }
}
