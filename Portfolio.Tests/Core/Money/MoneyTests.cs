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

    [TestCase("1234.56", 123_456L)]
    [TestCase("£1,234.56", 123_456L)]
    [TestCase(" £1,234,567.8 ", 123_456_780L)]
    [TestCase("-12.00", -1_200L)]
    [TestCase("-£12", -1_200L)]
    [TestCase("£-12.01", -1_201L)]
    [TestCase("(12.50)", -1_250L)]
    [TestCase("(£1,000.00)", -100_000L)]
    [TestCase("0.05", 5L)]
    [TestCase(".5", 50L)]
    public void TryParse_ReadsAmountsAsPeopleAndExportsWriteThem(string text, long pence)
    {
        Portfolio.Core.Money.Money.TryParse(text, out var money, out var error).Should().BeTrue(error);
        money.Pence.Should().Be(pence);
    }

    [TestCase("", "must not be empty")]
    [TestCase("   ", "must not be empty")]
    [TestCase("12.345", "*two decimal places*")]
    [TestCase("1,23.00", "*pounds and pence*")]
    [TestCase("1,2345", "*pounds and pence*")]
    [TestCase("12.3.4", "*pounds and pence*")]
    [TestCase("twelve", "*pounds and pence*")]
    [TestCase("1e5", "*pounds and pence*")]
    [TestCase("$12", "*pounds and pence*")]
    [TestCase("--12", "*pounds and pence*")]
    [TestCase("1000000000000.01", "*between*")]
    public void TryParse_RefusesWhatIsNotWholePence_WithTheReason(string text, string expected)
    {
        Portfolio.Core.Money.Money.TryParse(text, out var money, out var error).Should().BeFalse();
        money.Should().Be(Portfolio.Core.Money.Money.Zero);
        error.Should().Match(expected);
    }
}
