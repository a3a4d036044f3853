using Portfolio.Core.Money;

namespace Portfolio.Tests.Core.Money;

public class MoneyTests
{
    [TestCase("0", 0L)]
    [TestCase("0.01", 1L)]
    [TestCase("2300000.00", 230_000_000L)]
    [TestCase("-12.5", -1_250L)]
    [TestCase("1000000000000.00", 100_000_000_000_000L)]
    [TestCase("-1000000000000", -100_000_000_000_000L)]
    public void FromPounds_GivesWholePence(string pounds, long pence)
    {
        Portfolio.Core.Money.Money.FromPounds(decimal.Parse(pounds, System.Globalization.CultureInfo.InvariantCulture)).Pence.Should().Be(pence);
    }

    [TestCase("0.001")]
    [TestCase("12.345")]
    [TestCase("-0.005")]
    [TestCase("99.999999999")]
    public void FromPounds_RefusesFractionsOfAPenny_RatherThanRounding(string pounds)
    {
        var act = () => Portfolio.Core.Money.Money.FromPounds(decimal.Parse(pounds, System.Globalization.CultureInfo.InvariantCulture));
        act.Should().Throw<MoneyFormatException>().WithMessage("*two decimal places*");
    }

    [TestCase("1000000000000.01")]
    [TestCase("-1000000000000.01")]
    public void FromPounds_RefusesAmountsBeyondOneTrillion(string pounds)
    {
        var act = () => Portfolio.Core.Money.Money.FromPounds(decimal.Parse(pounds, System.Globalization.CultureInfo.InvariantCulture));
        act.Should().Throw<MoneyFormatException>().WithMessage("*between*");
    }

    [Test]
    public void TrailingZerosBeyondTwoPlaces_AreStillWholePence()
    {
        // 1.2300 is exactly 123p: the scale is not the question, the value is.
        Portfolio.Core.Money.Money.FromPounds(1.2300m).Pence.Should().Be(123);
    }

    [TestCase(123_456_789L, "£1,234,567.89")]
    [TestCase(-1_250L, "-£12.50")]
    [TestCase(0L, "£0.00")]
    [TestCase(5L, "£0.05")]
    [TestCase(-1L, "-£0.01")]
    [TestCase(long.MinValue + 1, "-£92,233,720,368,547,758.07")]
    public void Format_IsPoundsForPeople(long pence, string expected)
    {
        new Portfolio.Core.Money.Money(pence).ToString().Should().Be(expected);
    }

    [Test]
    public void Arithmetic_IsExactAndChecked()
    {
        var sum = Portfolio.Core.Money.Money.FromPounds(0.10m) + Portfolio.Core.Money.Money.FromPounds(0.20m);
        sum.Pence.Should().Be(30);
        sum.Pounds.Should().Be(0.30m);
        var overflow = () => new Portfolio.Core.Money.Money(long.MaxValue) + new Portfolio.Core.Money.Money(1);
        overflow.Should().Throw<OverflowException>();
    }
}
