using Portfolio.Core.Burn;
using Portfolio.Core.Periods;

namespace Portfolio.Tests.Core.Burn;

public class BurnMathTests
{
    [TestCase(1L, 1L, 2L, 0L)] // 0.5 rounds to the even 0
    [TestCase(3L, 1L, 2L, 2L)] // 1.5 rounds to the even 2
    [TestCase(5L, 1L, 2L, 2L)] // 2.5 rounds to the even 2
    [TestCase(-3L, 1L, 2L, -2L)] // -1.5 rounds to the even -2
    [TestCase(-5L, 1L, 2L, -2L)]
    [TestCase(100L, 1L, 3L, 33L)] // 33.33
    [TestCase(200L, 1L, 3L, 67L)] // 66.67
    [TestCase(1_500_000L, 47L, 92L, 766_304L)] // 766,304.347...
    [TestCase(long.MaxValue / 2, 92L, 92L, long.MaxValue / 2)] // no overflow on the way
    public void ProRata_RoundsToThePennyHalfToEven(long amount, long numerator, long denominator, long expected)
    {
        BurnMath.ProRata(amount, numerator, denominator).Should().Be(expected);
    }

    [TestCase(2875L, 10000L, 28.8)] // 28.75 % rounds half to even: 28.8
    [TestCase(2865L, 10000L, 28.6)] // 28.65 % rounds half to even: 28.6
    [TestCase(-2000L, 20000L, -10.0)]
    [TestCase(1L, 3L, 33.3)]
    public void Percent_IsOneDecimalPlaceHalfToEven(long part, long whole, double expected)
    {
        BurnMath.Percent(part, whole).Should().Be((decimal)expected);
    }

    [Test]
    public void Percent_OfZero_IsUndefined()
    {
        BurnMath.Percent(5, 0).Should().BeNull();
    }

    // Budget to date £1,000.00 (100,000p) with the default 10 % / 20 % thresholds.
    [TestCase(110_000L, Rag.Green)] // +10 % exactly
    [TestCase(110_001L, Rag.Amber)] // just over
    [TestCase(90_000L, Rag.Green)] // -10 % exactly: underspend counts the same
    [TestCase(89_999L, Rag.Amber)]
    [TestCase(120_000L, Rag.Amber)] // +20 % exactly
    [TestCase(120_001L, Rag.Red)]
    [TestCase(80_000L, Rag.Amber)]
    [TestCase(79_999L, Rag.Red)]
    [TestCase(100_000L, Rag.Green)]
    public void Rag_Boundaries_OverspendAndUnderspendAlike(long actual, Rag expected)
    {
        var totals = new BurnTotals(0, 400_000, 100_000, actual, null);
        totals.RagWith(RagThresholds.Default).Should().Be(expected);
    }

    [Test]
    public void Rag_IsDecidedOnTheExactRatio_NotTheRoundedPercent()
    {
        // +10.04 % shows as 10.0 % but is over the threshold.
        var totals = new BurnTotals(0, 0, 100_000, 110_040, null);
        totals.VariancePercent.Should().Be(10.0m);
        totals.RagWith(RagThresholds.Default).Should().Be(Rag.Amber);
    }

    [Test]
    public void BudgetToDateOfZero_GivesNoVariancePercent_AndNoDivisionError()
    {
        var nothingSpent = new BurnTotals(0, 0, 0, 0, null);
        nothingSpent.VariancePercent.Should().BeNull();
        nothingSpent.BurnPercent.Should().BeNull();
        nothingSpent.RagWith(RagThresholds.Default).Should().Be(Rag.Green);

        var spentWithoutBudget = new BurnTotals(0, 0, 0, 500, null);
        spentWithoutBudget.VariancePercent.Should().BeNull();
        spentWithoutBudget.RagWith(RagThresholds.Default).Should().Be(Rag.Red);
    }

    [Test]
    public void FunderThresholds_AreUsed()
    {
        var totals = new BurnTotals(0, 0, 100_000, 106_000, null); // +6 %
        totals.RagWith(new RagThresholds(5, 15)).Should().Be(Rag.Amber);
        totals.RagWith(RagThresholds.Default).Should().Be(Rag.Green);
    }

    /// <summary>
    /// A grant from 15 May 2026 to 14 May 2027 (365 days), budgeted at £100 a day in every period, so that its
    /// budget to date on any day is £100 × the days elapsed, whatever the calendar. On 10 June 2026, 27 days have
    /// elapsed (17 in May, 10 in June): £2,700.00.
    /// </summary>
    [TestCase(ReportingCalendar.UkFinancialYear, new[] { "2026/27 Q1", "2026/27 Q2", "2026/27 Q3", "2026/27 Q4", "2027/28 Q1" }, new[] { "2026-05-15", "2026-07-01", "2026-10-01", "2027-01-01", "2027-04-01" })]
    [TestCase(ReportingCalendar.CalendarYear, new[] { "2026 Q2", "2026 Q3", "2026 Q4", "2027 Q1", "2027 Q2" }, new[] { "2026-05-15", "2026-07-01", "2026-10-01", "2027-01-01", "2027-04-01" })]
    [TestCase(ReportingCalendar.GrantAnniversary, new[] { "Year 1 Q1", "Year 1 Q2", "Year 1 Q3", "Year 1 Q4" }, new[] { "2026-05-15", "2026-08-15", "2026-11-15", "2027-02-15" })]
    public void EachCalendar_GrantStartingMidQuarter_PeriodsAndBudgetToDate(ReportingCalendar calendar, string[] labels, string[] starts)
    {
        var start = new DateOnly(2026, 5, 15);
        var end = new DateOnly(2027, 5, 14);
        var periods = ReportingPeriods.For(calendar, start, end);
        var input = new GrantBurnInput(36_500_00, start, end, periods, RagThresholds.Default,
            periods.Select(p => new BudgetAmount("staff", p.Start, p.Days * 100_00L)).ToList());

        periods.Select(p => p.Label).Should().Equal(labels);
        periods.Select(p => p.Start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).Should().Equal(starts);
        var burn = BurnCalculator.ForGrant(input, [], new DateOnly(2026, 6, 10));
        burn.Totals.Budget.Should().Be(36_500_00);
        burn.Totals.BudgetToDate.Should().Be(2_700_00);
        BurnCalculator.ForGrant(input, [], new DateOnly(2026, 11, 20)).Totals.BudgetToDate.Should().Be(190 * 100_00L); // 15 May to 20 Nov: 190 days
    }
}
