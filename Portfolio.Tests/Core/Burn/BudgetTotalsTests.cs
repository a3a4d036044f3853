using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;
using Pounds = Portfolio.Core.Money.Money;

namespace Portfolio.Tests.Core.Burn;

/// <summary>
/// The kept budget totals (per grant and period start, migration 0017) equal a recount of every grant's current
/// budget lines after every kind of budget write — the first save, a replacement that changes, removes and adds
/// lines, refused saves — and after the grant's dates move so lines fall inside a period rather than on its first
/// day. After each, the roll-up's figures (which read the kept totals, and the lines only of the period in
/// progress) equal the single-grant calculation over every line, to the penny, on each day around every period's
/// edges and one day a week. A total changed behind the store's back is found by the check, and a rebuild puts it right.
/// </summary>
public sealed class BudgetTotalsTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    private static readonly Sql Corrupt = Sql.Common("UPDATE budget_total SET amount_pence = amount_pence + 1 WHERE grant_id = @GrantId AND period_start = @PeriodStart");

    private static readonly Sql Remove = Sql.Common("DELETE FROM budget_total WHERE grant_id = @GrantId AND period_start = @PeriodStart");

    private static BudgetLineInput Line(string category, string periodStart, decimal amount) => new(category, DateOnly.Parse(periodStart), Pounds.FromPounds(amount));

    private Task<Outcome<T>> RunAsync<T>(Func<DbSession, Task<Outcome<T>>> work) => UnitOfWork.RunAsync(Database, work);

    /// <summary>A grant of 2026/27 whose funder's quarters run from the grant's own start, so moving the start moves every period.</summary>
    private async Task<Grant> AnniversaryGrantAsync() => await Portfolio.Core.Operations.UnitOfWork.CommitAsync(Database, async session =>
    {
        var funder = A.Funder();
        funder.ReportingCalendar = "grant-anniversary";
        var grant = A.Grant(await FunderStore.InsertAsync(session, funder, A.Change()), amountPence: 50_000_00);
        grant.Id = await GrantStore.InsertAsync(session, grant, A.Change());
        return grant;
    });

    /// <summary>The check finds nothing, and on each day around every period's edges the roll-up equals the calculation over every line.</summary>
    private async Task TotalsShouldEqualTheLinesAsync(long grantId, string after)
    {
        await using var session = await OpenAsync();
        (await BudgetTotals.CheckAsync(session)).Should().BeEmpty($"the kept budget should equal a recount after {after}");
        var (_, _, input) = (await BurnQueries.LoadGrantAsync(session, grantId))!.Value;
        input.Budget.Should().NotBeEmpty();
        var days = input.Periods
            .SelectMany(p => new[] { p.Start.AddDays(-1), p.Start, p.Start.AddDays(1), p.End.AddDays(-1), p.End })
            .Concat(Enumerable.Range(0, 60).Select(week => input.Start.AddDays(week * 7 + 3)))
            .Distinct()
            .Order();
        foreach (var asOf in days)
        {
            var expected = (await BurnQueries.ForGrantAsync(session, grantId, asOf))!.Value.Burn.Totals;
            var rollup = await BurnQueries.PortfolioAsync(session, new BurnFilter(), asOf, RagThresholds.Default);
            rollup.Grants.Single(g => g.Id == grantId).Totals.Should().Be(expected, $"the roll-up on {asOf:yyyy-MM-dd} after {after}");
            (await BurnQueries.RollupAsync(session, new BurnFilter(), BurnGrouping.Grant, asOf, RagThresholds.Default)).Groups.Single(g => g.Id == grantId).Totals
                .Should().Be(expected, $"burn by grant on {asOf:yyyy-MM-dd} after {after}");
        }
    }

    [Test]
    public async Task TheTotals_EqualARecount_AndTheRollupEqualsEveryLine_AfterEveryKindOfBudgetWrite()
    {
        var grant = await AnniversaryGrantAsync();
        var other = await AnniversaryGrantAsync();

        // Amounts that do not divide evenly, so pro-rating each line and pro-rating their sum round differently.
        (await RunAsync(s => Budgets.SetAsync(s, grant.Id, 0, new BudgetInput(
        [
            Line("staff", "2026-04-01", 1000.01m), Line("delivery", "2026-04-01", 333.33m), Line("training", "2026-04-01", 0.05m),
            Line("staff", "2026-07-01", 777.77m), Line("delivery", "2026-07-01", 1.01m),
            Line("staff", "2026-10-01", 12_345.67m), Line("evaluation", "2026-10-01", 0.03m), Line("overheads", "2026-10-01", 99.99m),
            Line("staff", "2027-01-01", 5000m),
        ]), A.Change()))).Succeeded.Should().BeTrue();
        (await RunAsync(s => Budgets.SetAsync(s, other.Id, 0, new BudgetInput([Line("staff", "2026-07-01", 10_000.01m)]), A.Change()))).Succeeded.Should().BeTrue();
        foreach (var (date, amount) in new[] { ("2026-04-20", 123.45m), ("2026-08-31", 999.99m), ("2026-11-01", 0.01m) })
        {
            (await RunAsync(s => Spend.RecordAsync(s, new TransactionInput(grant.Id, DateOnly.Parse(date), Pounds.FromPounds(amount), "staff", "Line", null, null), A.Change())))
                .Refused.Should().BeNull("spend makes the roll-up's actual and run rate part of the comparison");
        }

        await TotalsShouldEqualTheLinesAsync(grant.Id, "the first save");
        await TotalsShouldEqualTheLinesAsync(other.Id, "another grant's first save");

        // A replacement: amounts changed, a period's lines removed, a category dropped, lines added. Three lines of a
        // penny in one period: pro-rated one by one they round to nothing until half the period has gone, summed first they would not.
        (await RunAsync(s => Budgets.SetAsync(s, grant.Id, 1, new BudgetInput(
        [
            Line("staff", "2026-04-01", 1000.02m), Line("training", "2026-04-01", 0.05m),
            Line("staff", "2026-10-01", 12_345.66m), Line("delivery", "2026-10-01", 0.01m), Line("overheads", "2026-10-01", 0.01m), Line("training", "2026-10-01", 0.01m),
            Line("staff", "2027-01-01", 4999.99m), Line("evaluation", "2027-01-01", 333.34m),
        ]), A.Change()))).Succeeded.Should().BeTrue();
        await TotalsShouldEqualTheLinesAsync(grant.Id, "replacing the budget");
        await TotalsShouldEqualTheLinesAsync(other.Id, "another grant's budget was replaced");

        // Refused: a line off a period start, and a save at a stale version. Neither changes the kept rows.
        (await RunAsync(s => Budgets.SetAsync(s, grant.Id, 2, new BudgetInput([Line("staff", "2026-05-01", 1m)]), A.Change()))).Refused.Should().BeOfType<InvalidFields>();
        (await RunAsync(s => Budgets.SetAsync(s, grant.Id, 1, new BudgetInput([Line("staff", "2026-04-01", 1m)]), A.Change()))).Refused.Should().BeOfType<StaleVersion>();
        await TotalsShouldEqualTheLinesAsync(grant.Id, "refused saves");

        // The grant now starts a fortnight earlier: its quarters move, so every line falls inside a period rather than on its first day.
        var moved = new GrantInput(grant.FunderId, grant.Reference, grant.Title, Pounds.FromPounds(50_000m), new DateOnly(2026, 3, 15), grant.EndDate, AwardDate: grant.AwardDate);
        (await RunAsync(s => Grants.ChangeAsync(s, grant.Id, null, moved, A.Change()))).Succeeded.Should().BeTrue();
        await using (var session = await OpenAsync())
        {
            var (_, _, input) = (await BurnQueries.LoadGrantAsync(session, grant.Id))!.Value;
            input.Periods[1].Start.Should().Be(new DateOnly(2026, 6, 15), "the test needs lines inside periods, not on their first days");
        }

        await TotalsShouldEqualTheLinesAsync(grant.Id, "moving the grant's start");
    }

    [Test]
    public async Task ATotalChangedOrLostBehindTheStoresBack_IsFoundByTheCheck_AndARebuildPutsItRight()
    {
        var grant = await AnniversaryGrantAsync();
        (await RunAsync(s => Budgets.SetAsync(s, grant.Id, 0, new BudgetInput([Line("staff", "2026-04-01", 75m), Line("staff", "2026-07-01", 20m)]), A.Change()))).Succeeded.Should().BeTrue();
        await Portfolio.Core.Operations.UnitOfWork.CommitAsync(Database, async session =>
        {
            await session.ExecuteAsync(Corrupt, new { GrantId = grant.Id, PeriodStart = new DateOnly(2026, 4, 1) });
            return await session.ExecuteAsync(Remove, new { GrantId = grant.Id, PeriodStart = new DateOnly(2026, 7, 1) });
        });

        await using (var session = await OpenAsync())
        {
            var differences = await BudgetTotals.CheckAsync(session);
            differences.Select(d => (d.GrantId, d.PeriodStart, d.KeptPence, d.CountedPence, d.KeptLines, d.CountedLines, Kept: d.KeptVersionId is not null)).Should().Equal(
                (grant.Id, new DateOnly(2026, 4, 1), 7_501L, 7_500L, 1L, 1L, true),
                (grant.Id, new DateOnly(2026, 7, 1), 0L, 2_000L, 0L, 1L, false));
        }

        await Portfolio.Core.Operations.UnitOfWork.CommitAsync(Database, async session => { await BudgetTotals.RebuildAsync(session); return true; });
        await using (var session = await OpenAsync())
        {
            (await BudgetTotals.CheckAsync(session)).Should().BeEmpty();
        }

        await TotalsShouldEqualTheLinesAsync(grant.Id, "a rebuild");
    }
}
