using System.Globalization;

namespace Portfolio.Core.Results;

/// <summary>
/// An indicator's figure (people, sessions, a percentage), held as exact hundredths so that every engine stores and
/// sums it without rounding: at most two decimal places, refused rather than rounded beyond that.
/// </summary>
public readonly record struct Quantity(long Hundredths) : IComparable<Quantity>
{
    /// <summary>The largest figure accepted, either sign: one trillion.</summary>
    public const long MaxAbsHundredths = 1_000_000_000_000L * 100L;

    public static Quantity Zero => new(0);

    public decimal Value => Hundredths * 0.01m;

    public static bool TryFrom(decimal value, out Quantity quantity, out string? error)
    {
        quantity = Zero;
        if (decimal.Abs(value) > MaxAbsHundredths / 100m)
        {
            error = "must be between -1000000000000 and 1000000000000";
            return false;
        }

        var hundredths = value * 100m;
        if (hundredths != decimal.Truncate(hundredths))
        {
            error = "must have at most two decimal places";
            return false;
        }

        quantity = new Quantity((long)hundredths);
        error = null;
        return true;
    }

    public static Quantity From(decimal value) =>
        TryFrom(value, out var quantity, out var error) ? quantity : throw new FormatException(error);

    /// <summary>Reads a figure as a person types it: <c>1250</c>, <c>1,250</c>, <c>12.5</c>; blank is an error.</summary>
    public static bool TryParse(string? text, out Quantity quantity, out string? error)
    {
        quantity = Zero;
        var s = (text ?? "").Trim().TrimEnd('%').Trim();
        if (!decimal.TryParse(s, NumberStyles.AllowThousands | NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            error = "must be a number, like 1250 or 12.5";
            return false;
        }

        return TryFrom(value, out quantity, out error);
    }

    public static Quantity operator +(Quantity a, Quantity b) => new(checked(a.Hundredths + b.Hundredths));

    public static Quantity operator -(Quantity a, Quantity b) => new(checked(a.Hundredths - b.Hundredths));

    public int CompareTo(Quantity other) => Hundredths.CompareTo(other.Hundredths);

    /// <summary>For people: <c>1,250</c>, <c>12.5</c>, <c>0.25</c> (no trailing zeros, thousands separated).</summary>
    public override string ToString() => Format(Hundredths);

    public static string Format(long hundredths) =>
        (hundredths * 0.01m).ToString(hundredths % 100 == 0 ? "#,##0" : hundredths % 10 == 0 ? "#,##0.0" : "#,##0.00", CultureInfo.InvariantCulture);
}
