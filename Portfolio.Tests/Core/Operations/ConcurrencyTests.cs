using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;
using Pounds = Portfolio.Core.Money.Money;

namespace Portfolio.Tests.Core.Operations;

/// <summary>
/// Cross-record rules under concurrency, on every engine: 20 conflicting pairs of writes are released together and
/// afterwards no rule is broken. On PostgreSQL the writers really overlap (READ COMMITTED); the grant's row lock is
/// what keeps them honest. SQLite serialises writers, so there the test shows the rules hold in any order.
/// </summary>
public sealed class ConcurrencyTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    private const int Pairs = 20;

    private Task<Outcome<T>> RunAsync<T>(Func<DbSession, Task<Outcome<T>>> work) => UnitOfWork.RunAsync(Database, work);

    /// <summary>Starts every piece of work, then releases them at once.</summary>
    private static async Task<IOutcome[]> TogetherAsync(IEnumerable<Func<Task<IOutcome>>> works)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = works.Select(work => Task.Run(async () =>
        {
            await gate.Task;
            return await work();
        })).ToList();
        gate.SetResult();
        return await Task.WhenAll(tasks);
    }

    private async Task<List<Grant>> GrantsAsync(long amountPence)
    {
        var grants = new List<Grant>();
        for (var i = 0; i < Pairs; i++)
        {
            grants.Add(await A.SavedGrantAsync(Database, amountPence));
        }

        return grants;
    }

    private static GrantInput Changed(Grant grant, DateOnly? end = null, long? awardPence = null) =>
        new(grant.FunderId, grant.Reference, grant.Title, new Pounds(awardPence ?? grant.AmountAwardedPence), grant.StartDate, end ?? grant.EndDate, AwardDate: grant.AwardDate);

    private async Task<long> PartnerAsync()
    {
        await using var session = await OpenAsync();
        return await PartnerStore.InsertAsync(session, A.Partner(), A.Change());
    }

    [Test]
    public async Task SpendAndAShorterGrant_NeverLeaveSpendOutsideTheGrant()
    {
        var grants = await GrantsAsync(12_000_000);
        var outcomes = await TogetherAsync(grants.SelectMany(g => new Func<Task<IOutcome>>[]
        {
            async () => await RunAsync(s => Spend.RecordAsync(s, new TransactionInput(g.Id, new DateOnly(2026, 10, 15), Pounds.FromPounds(10m), "staff", "Late in the year", null, null), A.Change())),
            async () => await RunAsync(s => Grants.ChangeAsync(s, g.Id, null, Changed(g, end: new DateOnly(2026, 9, 30)), A.Change())),
        }));

        await using var session = await OpenAsync();
        foreach (var grant in grants)
        {
            var now = (await GrantStore.GetAsync(session, grant.Id))!;
            (await GrantStore.DatedRecordsOutsideAsync(session, grant.Id, now.StartDate, now.EndDate)).Should().Be(0, $"grant {grant.Id} must hold no spend outside its dates");
        }

        outcomes.Select(o => o.Refused).Should().AllSatisfy(r => (r is null or BrokenControl or InvalidFields).Should().BeTrue($"{r} is a refusal the rules give"));
        outcomes.Count(o => o.Succeeded).Should().Be(Pairs, "in each pair exactly one write wins: the other sees what it did");
    }

    [Test]
    public async Task AgreementsAndALowerAward_NeverExceedTheAward()
    {
        var grants = await GrantsAsync(100_000_00);
        var partnerId = await PartnerAsync();
        await TogetherAsync(grants.SelectMany(g => new Func<Task<IOutcome>>[]
        {
            async () => await RunAsync(s => PartnerAgreements.RecordAsync(s, new PartnerAgreementInput(g.Id, partnerId, Pounds.FromPounds(60_000m), g.StartDate, g.EndDate), A.Change())),
            async () => await RunAsync(s => PartnerAgreements.RecordAsync(s, new PartnerAgreementInput(g.Id, partnerId, Pounds.FromPounds(30_000m), g.StartDate, g.EndDate), A.Change())),
            async () => await RunAsync(s => Grants.ChangeAsync(s, g.Id, null, Changed(g, awardPence: 50_000_00), A.Change())),
        }));

        await using var session = await OpenAsync();
        foreach (var grant in grants)
        {
            var award = (await GrantStore.GetAsync(session, grant.Id))!.AmountAwardedPence;
            (await PartnerAgreementStore.SumForGrantAsync(session, grant.Id, null)).Should().BeLessThanOrEqualTo(award, $"grant {grant.Id}'s agreements must stay within its award");
        }
    }

    [Test]
    public async Task TwoPaymentsAtOnce_NeverTakeIncomeAboveTheAward()
    {
        var grants = await GrantsAsync(100_000_00);
        Func<Task<IOutcome>> Pay(Grant g) => async () =>
            await RunAsync(s => Income.RecordAsync(s, new PaymentInput(g.Id, new DateOnly(2026, 6, 1), Pounds.FromPounds(60_000m), Unique.Text("REM")), A.Change()));

        var outcomes = await TogetherAsync(grants.SelectMany(g => new[] { Pay(g), Pay(g) }));

        await using var session = await OpenAsync();
        foreach (var grant in grants)
        {
            (await PaymentStore.SumForGrantAsync(session, grant.Id, null)).Should().Be(60_000_00, $"grant {grant.Id} takes one payment of £60,000 and refuses the other");
        }

        outcomes.Count(o => o.Refused is BrokenControl).Should().Be(Pairs);
    }

    [Test]
    public async Task TwoChangesFromTheSameVersion_OneWinsAndTheOtherIsStale()
    {
        var funderIds = new List<long>();
        for (var i = 0; i < Pairs; i++)
        {
            await using var session = await OpenAsync();
            funderIds.Add(await FunderStore.InsertAsync(session, A.Funder(), A.Change()));
        }

        Func<Task<IOutcome>> Rename(long id, string name) => async () =>
            await RunAsync(s => Funders.ChangeAsync(s, id, 1, new FunderInput(name, "trust"), A.Change()));

        var outcomes = await TogetherAsync(funderIds.SelectMany(id => new[] { Rename(id, "First"), Rename(id, "Second") }));

        outcomes.Count(o => o.Succeeded).Should().Be(Pairs);
        outcomes.Where(o => !o.Succeeded).Select(o => o.Refused).Should().AllSatisfy(r => r.Should().BeOfType<StaleVersion>());
    }

    [Test]
    public async Task DeletingAFunderWhileAGrantIsCreatedForIt_IsAConflictNeverAnError()
    {
        var funderIds = new List<long>();
        for (var i = 0; i < Pairs; i++)
        {
            await using var session = await OpenAsync();
            funderIds.Add(await FunderStore.InsertAsync(session, A.Funder(), A.Change()));
        }

        var outcomes = await TogetherAsync(funderIds.SelectMany(id => new Func<Task<IOutcome>>[]
        {
            async () => await RunAsync(s => Funders.DeleteAsync(s, id, null, A.Change())),
            async () => await RunAsync(s => Grants.RecordAsync(s, new GrantInput(id, Unique.Text("G"), "Raced", Pounds.FromPounds(1000m), new DateOnly(2026, 4, 1), new DateOnly(2027, 3, 31)), A.Change())),
        }));

        outcomes.Count(o => o.Succeeded).Should().Be(Pairs, "either the funder goes or its grant is created, never both");
        outcomes.Where(o => !o.Succeeded).Select(o => o.Refused).Should().AllSatisfy(r => (r is Conflict or InvalidFields).Should().BeTrue($"{r} should be a conflict or a missing funder"));
    }
}
