using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Pounds = Portfolio.Core.Money.Money;
using Portfolio.Core.Operations;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Core.Operations;

/// <summary>
/// The write rules at the level the API, the pages and the import all call: Core operations in one unit of work.
/// "Today" is <see cref="A.Change"/>'s date, 23 November 2026 (UK).
/// </summary>
public sealed class WriteOperationTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    private static TransactionInput Line(long grantId, string date = "2026-06-30", decimal amount = 100m, string? reference = "INV-1", long? partnerId = null, bool confirm = false) =>
        new(grantId, DateOnly.Parse(date), Pounds.FromPounds(amount), "staff", "Salaries", partnerId, reference, confirm);

    private Task<Outcome<T>> RunAsync<T>(Func<DbSession, Task<Outcome<T>>> work) => UnitOfWork.RunAsync(Database, work);

    private Task<Outcome<Versioned<TransactionView>>> RecordAsync(TransactionInput input) =>
        RunAsync(session => Spend.RecordAsync(session, input, A.Change()));

    private async Task<long> CountAsync(Sql sql, long grantId)
    {
        await using var session = await OpenAsync();
        return await session.ExecuteScalarAsync<long>(sql, new { GrantId = grantId });
    }

    private static readonly Sql SpendRows = Sql.Common("SELECT COUNT(*) FROM spend_transaction WHERE grant_id = @GrantId");
    private static readonly Sql AuditRows = Sql.Common("SELECT COUNT(*) FROM audit_entry WHERE entity = 'transaction' AND after_json LIKE '%\"grantId\":' || CAST(@GrantId AS VARCHAR(20)) || ',%'");

    [Test]
    public async Task Record_NamesEveryWrongFieldAtOnce_AndWritesNothing()
    {
        var grant = await A.SavedGrantAsync(Database);
        var outcome = await RecordAsync(new TransactionInput(0, default, Pounds.Zero, " ", new string('x', 501), -3, "ok\u2028"));

        var invalid = outcome.Refused.Should().BeOfType<InvalidFields>().Subject;
        invalid.Errors.Keys.Should().BeEquivalentTo(["grantId", "date", "amount", "category", "description", "partnerId", "sourceReference"]);
        invalid.Errors["amount"].Should().Equal("must not be zero");
        invalid.Errors["category"].Should().Equal("must not be empty");
        (await CountAsync(SpendRows, grant.Id)).Should().Be(0);
    }

    [Test]
    public async Task Record_NamesAShapeErrorARuleAndAControl_InOneAnswer()
    {
        var grant = await A.SavedGrantAsync(Database);
        var partnerId = await Portfolio.Core.Operations.UnitOfWork.CommitAsync(Database, session => PartnerStore.InsertAsync(session, A.Partner(), A.Change()));
        var outcome = await RecordAsync(Line(grant.Id, date: "2027-01-10", partnerId: partnerId) with { Description = new string('x', 501), Category = "no-such-category" });

        var invalid = outcome.Refused.Should().BeOfType<InvalidFields>().Subject;
        invalid.Errors.Keys.Should().BeEquivalentTo(["description", "category", "date", "partnerId"],
            "the text too long (shape), the unknown category (a rule against the database), a date after today and a partner without an agreement (controls) are one answer");
        invalid.Errors["date"].Single().Should().Contain("must not be after today (23 November 2026, UK)");
        (await CountAsync(SpendRows, grant.Id)).Should().Be(0);
    }

    [Test]
    public async Task Record_WritesTheLineAndItsAuditEntryTogether()
    {
        var grant = await A.SavedGrantAsync(Database);
        var outcome = await RecordAsync(Line(grant.Id, amount: 1234.56m) with { Description = "  Salaries, June  " });

        outcome.Succeeded.Should().BeTrue();
        outcome.Value!.View.Amount.Should().Be(1234.56m);
        outcome.Value.View.Description.Should().Be("Salaries, June", "text is trimmed in Core, for every caller");
        (await CountAsync(SpendRows, grant.Id)).Should().Be(1);
        (await CountAsync(AuditRows, grant.Id)).Should().Be(1);
    }

    [Test]
    public async Task DuplicateLine_IsRefusedUnlessConfirmed()
    {
        var grant = await A.SavedGrantAsync(Database);
        var first = await RecordAsync(Line(grant.Id));
        first.Succeeded.Should().BeTrue();

        var again = await RecordAsync(Line(grant.Id));
        var control = again.Refused.Should().BeOfType<BrokenControl>().Subject;
        control.Errors["confirmDuplicate"].Single().Should().Contain($"has the same source reference, date, amount and category (transaction {first.Value!.Id})").And.Contain("confirm that and record it again");

        (await RecordAsync(Line(grant.Id, reference: "INV-2"))).Succeeded.Should().BeTrue("another reference is another line");
        (await RecordAsync(Line(grant.Id, amount: 100.01m))).Succeeded.Should().BeTrue("another amount is another line");
        (await RecordAsync(Line(grant.Id, confirm: true))).Succeeded.Should().BeTrue("the caller confirmed a second, identical line");
        (await CountAsync(SpendRows, grant.Id)).Should().Be(4);
    }

    [Test]
    public async Task Money_DatedAfterTodayInTheUk_IsRefused()
    {
        var grant = await A.SavedGrantAsync(Database);

        var spend = await RecordAsync(Line(grant.Id, date: "2026-11-24"));
        spend.Refused.Should().BeOfType<BrokenControl>().Which.Errors["date"].Single().Should().Contain("23 November 2026");
        (await RecordAsync(Line(grant.Id, date: "2026-11-23"))).Succeeded.Should().BeTrue();

        var income = await RunAsync(s => Income.RecordAsync(s, new PaymentInput(grant.Id, new DateOnly(2027, 1, 5), Pounds.FromPounds(10m)), A.Change()));
        income.Refused.Should().BeOfType<BrokenControl>().Which.Errors.Keys.Should().Equal("date");
    }

    [Test]
    public async Task PartnerSpend_NeedsAnAgreementOnTheGrant()
    {
        var grant = await A.SavedGrantAsync(Database);
        var partner = await RunAsync(s => Partners.RecordAsync(s, new PartnerInput(Unique.Text("P"), "by-and-for"), A.Change()));
        var partnerId = partner.Value!.Id;

        var refused = await RecordAsync(Line(grant.Id, partnerId: partnerId));
        refused.Refused.Should().BeOfType<BrokenControl>().Which.Errors["partnerId"].Single().Should().Contain("no agreement");

        (await RunAsync(s => PartnerAgreements.RecordAsync(s, new PartnerAgreementInput(grant.Id, partnerId, Pounds.FromPounds(500m), grant.StartDate, grant.EndDate), A.Change())))
            .Succeeded.Should().BeTrue();
        (await RecordAsync(Line(grant.Id, partnerId: partnerId))).Succeeded.Should().BeTrue();
    }

    [Test]
    public async Task Income_CannotExceedTheAward_ButRefundsAreAlwaysRecorded()
    {
        var grant = await A.SavedGrantAsync(Database, amountPence: 180_000_00);
        Task<Outcome<Versioned<PaymentView>>> Pay(decimal pounds) =>
            RunAsync(s => Income.RecordAsync(s, new PaymentInput(grant.Id, new DateOnly(2026, 5, 1), Pounds.FromPounds(pounds), Unique.Text("REM")), A.Change()));

        (await Pay(150_000m)).Succeeded.Should().BeTrue();
        var over = await Pay(70_000m);
        var control = over.Refused.Should().BeOfType<BrokenControl>().Subject;
        control.Errors["amount"].Single().Should().Contain("£220,000.00").And.Contain("£180,000.00").And.Contain("£40,000.00");
        (await Pay(30_000m)).Succeeded.Should().BeTrue("exactly the award is allowed");
        (await Pay(-500m)).Succeeded.Should().BeTrue("a refund lowers income");
    }

    [Test]
    public async Task Grant_AwardDateAfterItsEnd_IsRefused()
    {
        var grant = await A.SavedGrantAsync(Database);
        var input = new GrantInput(grant.FunderId, Unique.Text("G"), "Title", Pounds.FromPounds(1000m), new DateOnly(2026, 4, 1), new DateOnly(2027, 3, 31), AwardDate: new DateOnly(2027, 4, 1));

        var outcome = await RunAsync(s => Grants.RecordAsync(s, input, A.Change()));

        outcome.Refused.Should().BeOfType<BrokenControl>().Which.Errors.Keys.Should().Equal("awardDate");
    }

    [Test]
    public async Task Grant_CannotShrinkPastIncomeAgreementsOrNotes_NorFallBelowIncome()
    {
        var grant = await A.SavedGrantAsync(Database, amountPence: 100_000_00);
        (await RunAsync(s => Income.RecordAsync(s, new PaymentInput(grant.Id, new DateOnly(2026, 10, 1), Pounds.FromPounds(60_000m)), A.Change()))).Succeeded.Should().BeTrue();
        GrantInput Change(DateOnly end, decimal award) =>
            new(grant.FunderId, grant.Reference, grant.Title, Pounds.FromPounds(award), grant.StartDate, end, AwardDate: grant.AwardDate);

        var shorter = await RunAsync(s => Grants.ChangeAsync(s, grant.Id, null, Change(new DateOnly(2026, 9, 30), 100_000m), A.Change()));
        shorter.Refused.Should().BeOfType<BrokenControl>().Which.Errors["endDate"].Single().Should().Contain("1 record(s)");

        var smaller = await RunAsync(s => Grants.ChangeAsync(s, grant.Id, null, Change(grant.EndDate, 50_000m), A.Change()));
        smaller.Refused.Should().BeOfType<BrokenControl>().Which.Errors["amountAwarded"].Single().Should().Contain("£60,000.00");

        (await RunAsync(s => Grants.ChangeAsync(s, grant.Id, null, Change(grant.EndDate, 60_000m), A.Change()))).Succeeded.Should().BeTrue();
    }

    [Test]
    public async Task Change_AtAStaleVersion_IsStale_AndAtAnyVersionApplies()
    {
        var grant = await A.SavedGrantAsync(Database);
        var created = (await RecordAsync(Line(grant.Id, reference: Unique.Text("INV")))).Value!;
        var input = Line(grant.Id, amount: 200m, reference: created.View.SourceReference);

        (await RunAsync(s => Spend.ChangeAsync(s, created.Id, 7, input, A.Change()))).Refused.Should().Be(new StaleVersion(1));
        var any = await RunAsync(s => Spend.ChangeAsync(s, created.Id, null, input, A.Change()));
        any.Value!.Version.Should().Be(2);
        any.Value.View.Amount.Should().Be(200m);
        (await RunAsync(s => Spend.ChangeAsync(s, 999_999_999, null, input, A.Change()))).Refused.Should().Be(new NotFound("transaction", 999_999_999));
    }

    [Test]
    public async Task TheLastActiveAdminKey_CannotBeRevoked()
    {
        await using var session = await OpenAsync();
        await session.BeginAsync();
        var only = await ApiKeyStore.InsertAsync(session, Unique.Text("admin"), "admin", ApiKeyStore.GenerateKey(), A.Change());
        var finance = await ApiKeyStore.InsertAsync(session, Unique.Text("finance"), "finance", ApiKeyStore.GenerateKey(), A.Change());

        (await ApiKeyStore.RevokeBlockedReasonAsync(session, only)).Should().Contain("last active admin key");
        (await ApiKeyStore.RevokeBlockedReasonAsync(session, finance)).Should().BeNull();

        var second = await ApiKeyStore.InsertAsync(session, Unique.Text("admin"), "admin", ApiKeyStore.GenerateKey(), A.Change());
        (await ApiKeyStore.RevokeBlockedReasonAsync(session, only)).Should().BeNull("another admin key remains");
        await session.RollbackAsync();
    }

    [TestCase("name@example.org", true)]
    [TestCase("name@example.org\u2028Bcc: x@example.org", false)]
    [TestCase("name\u2029@example.org", false)]
    [TestCase("Name <name@example.org>", false)]
    [TestCase("name@", false)]
    public void EmailAddresses_AreCheckedAsAddresses(string email, bool valid)
    {
        var errors = new FieldErrors();
        InputShape.Check(new PartnerInput("Partner", "other", ContactEmail: email), errors);
        errors.Has("contactEmail").Should().Be(!valid);
    }

    [Test]
    public void EveryInputRecord_DeclaresItsFieldsCompletely()
    {
        var inputs = typeof(Spend).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Input", StringComparison.Ordinal) && t.IsClass && t.Namespace is "Portfolio.Core.Domain" or "Portfolio.Core.Operations")
            .ToList();
        inputs.Should().HaveCountGreaterThan(10);
        foreach (var type in inputs)
        {
            var shape = InputShape.Of(type);
            shape.Fields.Should().NotBeEmpty(type.Name);
        }
    }
}
