using System.Globalization;

namespace Portfolio.Core.Money;

/// <summary>
/// An exact amount of pounds sterling, held as whole pence. Conversions never round:
/// an amount that is not a whole number of pence is refused.
/// </summary>
public readonly record struct Money(long Pence) : IComparable<Money>
{
    /// <summary>The largest amount the service accepts: one trillion pounds, either sign.</summary>
    public const long MaxAbsPence = 1_000_000_000_000L * 100L;

    private static readonly CultureInfo UkCulture = CultureInfo.GetCultureInfo("en-GB");

    public static Money Zero => new(0);

    /// <summary>Converts pounds to pence; throws <see cref="MoneyFormatException"/> for fractions of a penny or amounts beyond ±£1 trillion.</summary>
    public static Money FromPounds(decimal pounds)
    {
        if (!TryFromPounds(pounds, out var money, out var error))
        {
            throw new MoneyFormatException(error!);
        }

        return money;
    }

    public static bool TryFromPounds(decimal pounds, out Money money, out string? error)
    {
        money = Zero;
        if (decimal.Abs(pounds) > MaxAbsPence / 100m)
        {
            error = "must be between -1000000000000.00 and 1000000000000.00";
            return false;
        }

        var pence = pounds * 100m;
        if (pence != decimal.Truncate(pence))
        {
            error = "must have at most two decimal places (whole pence)";
            return false;
        }

        money = new Money((long)pence);
        error = null;
        return true;
    }

    /// <summary>Pounds with exactly two decimal places (scale 2), so <c>2300000.00</c> is written as such in JSON.</summary>
    public decimal Pounds => Pence * 0.01m;

    public static decimal ToPounds(long pence) => pence * 0.01m;

    public static Money operator +(Money a, Money b) => new(checked(a.Pence + b.Pence));

    public static Money operator -(Money a, Money b) => new(checked(a.Pence - b.Pence));

    public static Money operator -(Money a) => new(checked(-a.Pence));

    public static bool operator <(Money a, Money b) => a.Pence < b.Pence;

    public static bool operator >(Money a, Money b) => a.Pence > b.Pence;

    public static bool operator <=(Money a, Money b) => a.Pence <= b.Pence;

    public static bool operator >=(Money a, Money b) => a.Pence >= b.Pence;

    public int CompareTo(Money other) => Pence.CompareTo(other.Pence);

    /// <summary>For people: <c>£1,234,567.89</c>, negatives as <c>-£12.50</c>.</summary>
    public override string ToString() => Format(Pence);

    public static string Format(long pence)
    {
        var magnitude = (decimal.Abs(pence) / 100m).ToString("#,##0.00", UkCulture);
        return pence < 0 ? "-£" + magnitude : "£" + magnitude;
    }
}

public sealed class MoneyFormatException(string message) : FormatException(message);
