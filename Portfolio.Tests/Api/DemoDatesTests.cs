using Portfolio.Core.Data;
using Portfolio.Core.Demo;
using Portfolio.Core.Domain;
using Portfolio.Core.PartnerReturns;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Api;

/// <summary>
/// The demo is true on any day (issue 26, item 9): seeded on several days, each a fresh database, it has spend to
/// yesterday, one unpaid instalment past due, the last quarter's returns in each state and every earlier one
/// accepted, so nothing else is overdue. The November dates it used to be fixed to are one of the days.
/// </summary>
public sealed class DemoDatesTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    private static readonly string[] Days = ["2026-11-23", "2026-12-07", "2027-01-01", "2027-03-31", "2027-08-15"];

    private static readonly Sql LastSpend = Sql.Common("SELECT MAX(transaction_date) AS period_start, '' AS status FROM spend_transaction");
    private static readonly Sql SpendAfter = Sql.Common("SELECT COUNT(*) FROM spend_transaction WHERE transaction_date >= @Today");
    private static readonly Sql IncomeOverAward = Sql.Common("""
        SELECT COUNT(*) FROM grant_award g
        WHERE (SELECT COALESCE(SUM(p.amount_pence), 0) FROM payment p WHERE p.grant_id = g.id) > g.amount_awarded_pence
        """);
    private static readonly Sql Returns = Sql.Common("SELECT period_start, status FROM partner_return");

    [TestCaseSource(nameof(Days))]
    public async Task TheDemo_SeededOnAnyDay_HasOneUnpaidInstalment_AndOnlyTheLastQuartersReturnsOutstanding(string day)
    {
        var today = DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture);
        var database = new Database(await TestEnvironment.CreateDatabaseAsync(Engine));
        (await DemoPortfolio.SeedIfEmptyAsync(database, today.ToDateTime(new TimeOnly(12, 0), DateTimeKind.Utc))).Should().BeTrue();

        await using var session = await database.OpenAsync();
        var last = DemoPortfolio.QuarterStart(today).AddMonths(-3);
        var lastSpend = (await session.QuerySingleAsync<ReturnRow>(LastSpend)).PeriodStart;
        lastSpend.Should().BeBefore(today).And.BeOnOrAfter(today.AddDays(-31), "spend runs through the last month, to yesterday");
        (await session.ExecuteScalarAsync<long>(SpendAfter, new { Today = today })).Should().Be(0, "nothing is spent today or later");
        (await session.ExecuteScalarAsync<long>(IncomeOverAward)).Should().Be(0);

        var unpaid = await InstalmentStore.OverdueAsync(session, today);
        unpaid.Should().ContainSingle("the README promises one unpaid instalment").Which.PartnerName.Should().Be("Rainbow Safe Space (demo)");

        var returns = (await session.QueryAsync<ReturnRow>(Returns)).ToList();
        returns.Where(r => r.PeriodStart == last).Select(r => r.Status).Should().BeEquivalentTo(["accepted", "submitted", "sent-back", "draft"]);
        returns.Where(r => r.PeriodStart < last).Should().NotBeEmpty().And.OnlyContain(r => r.Status == "accepted", "every earlier quarter's return was accepted");

        var overdue = await ReturnSchedule.OverdueAsync(session, today);
        overdue.Should().NotContain(r => r.Due.PeriodStart != last, "only the last quarter's returns can be outstanding");
        var owed = (await ReturnSchedule.OwedAsync(session)).Returns.Where(r => r.Due.PeriodStart == last).ToList();
        owed.Count(r => r.Status == "not started").Should().Be(2);
        overdue.Should().HaveCount(owed[0].Due.DueDate < today ? 4 : 0, "the draft, the one sent back and the two not started, once the quarter's returns are due");
    }

    private sealed class ReturnRow
    {
        public DateOnly PeriodStart { get; set; }

        public string Status { get; set; } = "";
    }
}
