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

    /// <summary>
    /// Reads an amount as a person types it or an accounting export writes it: <c>1234.5</c>, <c>£1,234.56</c>,
    /// <c>-12.00</c>, <c>-£12.00</c> or <c>(12.00)</c> for a negative. Thousands separators must be in their places
    /// (<c>1,23.00</c> is refused, not guessed at); more than two decimal places is refused, never rounded.
    /// </summary>
    public static bool TryParse(string? text, out Money money, out string? error)
    {
        money = Zero;
        var s = (text ?? "").Trim();
        if (s.Length == 0)
        {
            error = "must not be empty";
            return false;
        }

        var negative = false;
        if (s.StartsWith('(') && s.EndsWith(')'))
        {
            (negative, s) = (true, s[1..^1].Trim());
        }

        if (s.StartsWith('-'))
        {
            (negative, s) = (!negative, s[1..].TrimStart());
        }

        if (s.StartsWith('£'))
        {
            s = s[1..].TrimStart();
        }

        if (!negative && s.StartsWith('-'))
        {
            (negative, s) = (true, s[1..].TrimStart());
        }

        if (!ThousandsInPlace(s)
            || !decimal.TryParse(s, NumberStyles.AllowThousands | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var pounds))
        {
            error = "must be an amount in pounds and pence, like 1,234.56";
            return false;
        }

        return TryFromPounds(negative ? -pounds : pounds, out money, out error);
    }

    private static bool ThousandsInPlace(string s)
    {
        var whole = s.Split('.')[0];
        if (s.Count(c => c == '.') > 1)
        {
            return false;
        }

        if (whole.Length == 0)
        {
            return s.Length > 1; // ".5", not "" or "."
        }

        var groups = whole.Split(',');
        return groups.Length == 1
            || (groups[0].Length is >= 1 and <= 3 && groups.Skip(1).All(g => g.Length == 3));
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
