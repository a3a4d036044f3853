using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;
using Pounds = Portfolio.Core.Money.Money;

namespace Portfolio.Tests.Core.Burn;

/// <summary>
/// The kept monthly spend totals equal a recount of the transactions after every kind of spend write — record
/// (with and without a partner), change of amount, of date into another month, of category and of partner, void,
/// and a refused write — and the portfolio's actual to date read from them equals the sum over every transaction.
/// A total changed behind the store's back is found by the check, and a rebuild puts it right.
/// </summary>
public sealed class SpendTotalsTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    private static readonly Sql DirectActual = Sql.Common("""
        SELECT COALESCE(SUM(amount_pence), 0) FROM spend_transaction WHERE grant_id = @GrantId AND voided_at IS NULL AND transaction_date <= @AsOf
        """);

    private static readonly Sql DirectPartnerActual = Sql.Common("""
        SELECT COALESCE(SUM(amount_pence), 0) FROM spend_transaction WHERE partner_id = @PartnerId AND voided_at IS NULL AND transaction_date <= @AsOf
        """);

    private static readonly Sql Corrupt = Sql.Common("UPDATE spend_total SET amount_pence = amount_pence + 1 WHERE grant_id = @GrantId AND month_start = @MonthStart");

    private static TransactionInput Line(long grantId, string date, decimal amount, string category = "staff", long? partnerId = null) =>
        new(grantId, DateOnly.Parse(date), Pounds.FromPounds(amount), category, "Line", partnerId, null);

    private async Task<Versioned<TransactionView>> RecordAsync(TransactionInput input)
    {
        var outcome = await UnitOfWork.RunAsync(Database, session => Spend.RecordAsync(session, input, A.Change()));
        outcome.Refused.Should().BeNull();
        return outcome.Value!;
    }

    private async Task<Versioned<TransactionView>> ChangeAsync(Versioned<TransactionView> current, TransactionInput input)
    {
        var outcome = await UnitOfWork.RunAsync(Database, session => Spend.ChangeAsync(session, current.Id, current.Version, input, A.Change()));
        outcome.Refused.Should().BeNull();
        return outcome.Value!;
    }

    /// <summary>The check finds nothing, and burn's actual to date (from the totals) is the direct sum, on several dates.</summary>
    private async Task TotalsShouldEqualTheTransactionsAsync(Grant grant, long partnerId, string after)
    {
        await using var session = await OpenAsync();
        (await SpendTotals.CheckAsync(session)).Should().BeEmpty($"the totals should equal a recount after {after}");
        foreach (var asOf in new[] { new DateOnly(2026, 6, 15), new DateOnly(2026, 7, 20), new DateOnly(2026, 7, 31), new DateOnly(2026, 8, 1), new DateOnly(2026, 11, 23) })
        {
            var burn = await BurnQueries.PortfolioAsync(session, new BurnFilter(), asOf, RagThresholds.Default);
            var line = burn.Grants.Single(g => g.Id == grant.Id);
            line.Totals.ActualToDate.Should().Be(await session.ExecuteScalarAsync<long>(DirectActual, new { GrantId = grant.Id, AsOf = asOf }), $"actual to {asOf} after {after}");
            var partner = burn.ByPartner.SingleOrDefault(p => p.Id == partnerId);
            (partner?.Totals.ActualToDate ?? 0).Should().Be(await session.ExecuteScalarAsync<long>(DirectPartnerActual, new { PartnerId = partnerId, AsOf = asOf }), $"partner actual to {asOf} after {after}");
        }
    }

    [Test]
    public async Task TheTotals_EqualARecount_AfterEveryKindOfSpendWrite()
    {
        var grant = await A.SavedGrantAsync(Database);
        var partnerId = await Portfolio.Core.Operations.UnitOfWork.CommitAsync(Database, session => PartnerStore.InsertAsync(session, A.Partner(), A.Change()));
        (await UnitOfWork.RunAsync(Database, session => PartnerAgreements.RecordAsync(session,
            new PartnerAgreementInput(grant.Id, partnerId, Pounds.FromPounds(5000m), new DateOnly(2026, 4, 1), new DateOnly(2027, 3, 31)), A.Change()))).Refused.Should().BeNull();

        var june = await RecordAsync(Line(grant.Id, "2026-06-10", 100.10m));
        var july = await RecordAsync(Line(grant.Id, "2026-07-31", 250m, "delivery"));
        var partnerLine = await RecordAsync(Line(grant.Id, "2026-08-01", 999.99m, "partner-grants", partnerId));
        var refund = await RecordAsync(Line(grant.Id, "2026-07-15", -40m));
        await TotalsShouldEqualTheTransactionsAsync(grant, partnerId, "recording");

        june = await ChangeAsync(june, Line(grant.Id, "2026-06-10", 120.25m));
        await TotalsShouldEqualTheTransactionsAsync(grant, partnerId, "changing an amount");
        july = await ChangeAsync(july, Line(grant.Id, "2026-08-02", 250m, "training"));
        await TotalsShouldEqualTheTransactionsAsync(grant, partnerId, "moving a line to another month and category");
        partnerLine = await ChangeAsync(partnerLine, Line(grant.Id, "2026-08-01", 999.99m, "partner-grants"));
        await TotalsShouldEqualTheTransactionsAsync(grant, partnerId, "taking the partner off a line");

        (await UnitOfWork.RunAsync(Database, session => Spend.VoidAsync(session, refund.Id, refund.Version, new ReasonInput("Duplicate"), A.Change()))).Refused.Should().BeNull();
        await TotalsShouldEqualTheTransactionsAsync(grant, partnerId, "voiding");

        (await UnitOfWork.RunAsync(Database, session => Spend.RecordAsync(session, Line(grant.Id, "2027-01-01", 10m), A.Change()))).Refused.Should().NotBeNull("a line dated after today is refused");
        (await UnitOfWork.RunAsync(Database, session => Spend.ChangeAsync(session, june.Id, june.Version - 1, Line(grant.Id, "2026-06-10", 1m), A.Change()))).Refused.Should().BeOfType<StaleVersion>();
        await TotalsShouldEqualTheTransactionsAsync(grant, partnerId, "refused writes");
    }

    [Test]
    public async Task ATotalChangedBehindTheStoresBack_IsFoundByTheCheck_AndARebuildPutsItRight()
    {
        var grant = await A.SavedGrantAsync(Database);
        await RecordAsync(Line(grant.Id, "2026-05-20", 75m));
        await Portfolio.Core.Operations.UnitOfWork.CommitAsync(Database, session => session.ExecuteAsync(Corrupt, new { GrantId = grant.Id, MonthStart = new DateOnly(2026, 5, 1) }));

        await using (var session = await OpenAsync())
        {
            var difference = (await SpendTotals.CheckAsync(session)).Should().ContainSingle().Subject;
            difference.Should().Be(new SpendTotalDifference(grant.Id, "staff", null, null, new DateOnly(2026, 5, 1), 7_501, 7_500, 1, 1));
        }

        await Portfolio.Core.Operations.UnitOfWork.CommitAsync(Database, async session => { await SpendTotals.RebuildAsync(session); return true; });
        await using (var session = await OpenAsync())
        {
            (await SpendTotals.CheckAsync(session)).Should().BeEmpty();
        }
    }
}
