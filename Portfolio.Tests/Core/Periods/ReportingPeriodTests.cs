using Portfolio.Core.Periods;

namespace Portfolio.Tests.Core.Periods;

public class ReportingPeriodTests
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    [Test]
    public void UkFinancialYear_GrantStartingMidQuarter_HasPartialFirstAndLastPeriods()
    {
        // 15 May 2026 to 14 Aug 2027: Q1 2026/27 from 15 May, then whole quarters, last is Q2 2027/28 to 14 Aug.
        var periods = ReportingPeriods.For(ReportingCalendar.UkFinancialYear, D(2026, 5, 15), D(2027, 8, 14));

        periods.Select(p => p.Label).Should().Equal("2026/27 Q1", "2026/27 Q2", "2026/27 Q3", "2026/27 Q4", "2027/28 Q1", "2027/28 Q2");
        periods[0].Start.Should().Be(D(2026, 5, 15));
        periods[0].End.Should().Be(D(2026, 6, 30));
        periods[0].QuarterStart.Should().Be(D(2026, 4, 1));
        periods[0].IsPartial.Should().BeTrue();
        periods[0].Days.Should().Be(47); // 17 days of May + 30 of June
        periods[3].Start.Should().Be(D(2027, 1, 1));
        periods[3].End.Should().Be(D(2027, 3, 31));
        periods[3].IsPartial.Should().BeFalse();
        periods[5].Start.Should().Be(D(2027, 7, 1));
        periods[5].End.Should().Be(D(2027, 8, 14));
        periods.Select(p => p.Index).Should().Equal(0, 1, 2, 3, 4, 5);
    }

    [Test]
    public void CalendarYear_LabelsAndBounds()
    {
        var periods = ReportingPeriods.For(ReportingCalendar.CalendarYear, D(2026, 8, 20), D(2027, 1, 5));

        periods.Select(p => p.Label).Should().Equal("2026 Q3", "2026 Q4", "2027 Q1");
        periods.Select(p => (p.Start, p.End)).Should().Equal(
            (D(2026, 8, 20), D(2026, 9, 30)),
            (D(2026, 10, 1), D(2026, 12, 31)),
            (D(2027, 1, 1), D(2027, 1, 5)));
    }

    [Test]
    public void GrantAnniversary_StartingOnThe31st_DoesNotDrift()
    {
        // Quarters are counted from the original start date: 31 Jan + 3 months is 30 Apr (no 31st), + 6 is 31 Jul.
        var periods = ReportingPeriods.For(ReportingCalendar.GrantAnniversary, D(2026, 1, 31), D(2027, 1, 30));

        periods.Select(p => p.Label).Should().Equal("Year 1 Q1", "Year 1 Q2", "Year 1 Q3", "Year 1 Q4");
        periods.Select(p => (p.Start, p.End)).Should().Equal(
            (D(2026, 1, 31), D(2026, 4, 29)),
            (D(2026, 4, 30), D(2026, 7, 30)),
            (D(2026, 7, 31), D(2026, 10, 30)),
            (D(2026, 10, 31), D(2027, 1, 30)));
        periods.Should().OnlyContain(p => !p.IsPartial);
    }

    [Test]
    public void GrantAnniversary_OverALeapYearFebruary()
    {
        // Start 30 Nov 2027: Q1 ends the day before 29 Feb 2028 (2028 is a leap year).
        var periods = ReportingPeriods.For(ReportingCalendar.GrantAnniversary, D(2027, 11, 30), D(2028, 11, 29));

        periods[0].End.Should().Be(D(2028, 2, 28));
        periods[1].Start.Should().Be(D(2028, 2, 29));
        periods[1].End.Should().Be(D(2028, 5, 29));
        periods[0].Days.Should().Be(91); // 1 (Nov) + 31 + 31 + 28
    }

    [Test]
    public void CalendarYear_LeapFebruaryIsInsideQ1()
    {
        var period = ReportingPeriods.Containing(ReportingCalendar.CalendarYear, D(2028, 1, 1), D(2028, 12, 31), D(2028, 2, 29));

        period.Should().NotBeNull();
        period!.Label.Should().Be("2028 Q1");
        period.Days.Should().Be(91); // 31 + 29 + 31
    }

    [TestCase(ReportingCalendar.UkFinancialYear, "2026/27 Q4")]
    [TestCase(ReportingCalendar.CalendarYear, "2027 Q1")]
    [TestCase(ReportingCalendar.GrantAnniversary, "Year 1 Q1")]
    public void GrantOfOneDay_HasOnePeriodOfOneDay(ReportingCalendar calendar, string label)
    {
        var periods = ReportingPeriods.For(calendar, D(2027, 3, 31), D(2027, 3, 31));

        periods.Should().ContainSingle();
        periods[0].Label.Should().Be(label);
        periods[0].Days.Should().Be(1);
        periods[0].Start.Should().Be(periods[0].End);
    }

    [TestCase(ReportingCalendar.UkFinancialYear, 40)]
    [TestCase(ReportingCalendar.CalendarYear, 40)]
    [TestCase(ReportingCalendar.GrantAnniversary, 40)]
    public void GrantOfTenYears_CoversEveryDayOnce(ReportingCalendar calendar, int expectedPeriods)
    {
        // 1 Apr 2026 to 31 Mar 2036: 40 financial quarters; in calendar quarters Q2-Q4 2026, 36 for 2027-35, Q1 2036: also 40.
        var start = D(2026, 4, 1);
        var end = D(2036, 3, 31);
        var periods = ReportingPeriods.For(calendar, start, end);

        periods.Should().HaveCount(expectedPeriods);
        periods.Sum(p => p.Days).Should().Be(end.DayNumber - start.DayNumber + 1);
        for (var i = 1; i < periods.Count; i++)
        {
            periods[i].Start.Should().Be(periods[i - 1].End.AddDays(1));
        }

        periods[^1].End.Should().Be(end);
        if (calendar == ReportingCalendar.GrantAnniversary)
        {
            periods[^1].Label.Should().Be("Year 10 Q4");
        }
    }

    [TestCase(ReportingCalendar.UkFinancialYear)]
    [TestCase(ReportingCalendar.CalendarYear)]
    [TestCase(ReportingCalendar.GrantAnniversary)]
    public void Containing_AgreesWithTheListForEveryDay(ReportingCalendar calendar)
    {
        var start = D(2026, 1, 31);
        var end = D(2028, 3, 1);
        var periods = ReportingPeriods.For(calendar, start, end);

        for (var day = start; day <= end; day = day.AddDays(1))
        {
            var found = ReportingPeriods.Containing(calendar, start, end, day);
            found.Should().Be(periods.Single(p => p.Contains(day)), "day {0}", day);
        }
    }

    [Test]
    public void Containing_IsNullOutsideTheGrant()
    {
        ReportingPeriods.Containing(ReportingCalendar.UkFinancialYear, D(2026, 4, 1), D(2027, 3, 31), D(2026, 3, 31)).Should().BeNull();
        ReportingPeriods.Containing(ReportingCalendar.UkFinancialYear, D(2026, 4, 1), D(2027, 3, 31), D(2027, 4, 1)).Should().BeNull();
    }

    [Test]
    public void EndBeforeStart_IsRefused()
    {
        var act = () => ReportingPeriods.For(ReportingCalendar.CalendarYear, D(2026, 4, 2), D(2026, 4, 1));
        act.Should().Throw<ArgumentException>();
    }

    [Test]
    public void FinancialYearLabel_AcrossTheCentury()
    {
        ReportingPeriods.Containing(ReportingCalendar.UkFinancialYear, D(2099, 1, 1), D(2100, 12, 31), D(2100, 2, 1))!
            .Label.Should().Be("2099/00 Q4");
    }
}
