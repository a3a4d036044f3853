using Portfolio.Core.Imports;

namespace Portfolio.Tests.Imports;

/// <summary>Dates and codes as the exports write them: UK dates only, every month's English abbreviation, codes compared as finance means them.</summary>
public class ExportValuesTests
{
    [TestCase("14/05/2026", 2026, 5, 14)]
    [TestCase("4/5/2026", 2026, 5, 4)]
    [TestCase("14 May 2026", 2026, 5, 14)]
    [TestCase("01 Sep 2026", 2026, 9, 1)]
    [TestCase("1 Sept 2026", 2026, 9, 1)]
    [TestCase("30 September 2026", 2026, 9, 30)]
    [TestCase("2026-05-14", 2026, 5, 14)]
    [TestCase(" 14-May-2026 ", 2026, 5, 14)]
    public void AUkDate_IsRead(string text, int year, int month, int day)
    {
        ExportValues.TryDate(text, out var date).Should().BeTrue();
        date.Should().Be(new DateOnly(year, month, day));
    }

    [TestCase("05/14/2026")]
    [TestCase("14/05/26")]
    [TestCase("May 14, 2026")]
    [TestCase("31/02/2026")]
    [TestCase("")]
    public void AnythingElse_IsRefused_NeverGuessed(string text) => ExportValues.TryDate(text, out _).Should().BeFalse();

    [Test]
    public void EveryMonth_AsXeroAbbreviatesIt_IsRead()
    {
        string[] months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        for (var m = 0; m < 12; m++)
        {
            ExportValues.TryDate($"15 {months[m]} 2026", out var date).Should().BeTrue(months[m]);
            date.Month.Should().Be(m + 1);
        }
    }

    [TestCase("005", "5")]
    [TestCase(" Drive TV ", "drive tv")]
    [TestCase("0", "000")]
    public void CodesAndValues_CompareWithoutCaseAndLeadingZeros(string left, string right) =>
        ExportValues.Key(left).Should().Be(ExportValues.Key(right));

    [Test]
    public void DifferentCodes_StayDifferent() => ExportValues.Key("7000").Should().NotBe(ExportValues.Key("700"));
}
