using System.Data.Common;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Core.Data;

/// <summary>Each entity's store reads back what it wrote, on every engine; the database itself refuses what it can.</summary>
public class StoreTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    [Test]
    public async Task Funder_RoundTripsWithContacts_AndUpdatesOnlyAtItsVersion()
    {
        await using var session = await OpenAsync();
        await session.BeginAsync();
        var funder = A.Funder("trust");
        funder.Contacts.Add(new FunderContact { Name = "Second", Email = "second@funder.example" });
        var id = await FunderStore.InsertAsync(session, funder, A.Change());

        var read = await FunderStore.GetAsync(session, id);
        read!.Name.Should().Be(funder.Name);
        read.Kind.Should().Be("trust");
        read.Version.Should().Be(1);
        read.CreatedAt.Should().Be(A.Change().At);
        read.CreatedAt.Kind.Should().Be(DateTimeKind.Utc);
        read.Contacts.Select(c => c.Email).Should().Equal(funder.Contacts.Select(c => c.Email));

        read.Name = "Renamed";
        read.Contacts = [new FunderContact { Name = "Only", Email = "only@funder.example" }];
        (await FunderStore.UpdateAsync(session, id, 1, read, A.Change())).Should().BeTrue();
        (await FunderStore.UpdateAsync(session, id, 1, A.Funder(), A.Change())).Should().BeFalse("version 1 is stale now");

        var updated = await FunderStore.GetAsync(session, id);
        updated!.Name.Should().Be("Renamed");
        updated.Version.Should().Be(2);
        updated.Contacts.Select(c => c.Email).Should().Equal("only@funder.example");
        await session.CommitAsync();
    }

    [Test]
    public async Task Grant_RoundTripsLargeAmountsDatesAndFlags()
    {
        await using var session = await OpenAsync();
        await session.BeginAsync();
        var funderId = await FunderStore.InsertAsync(session, A.Funder("government"), A.Change());
        var areaId = await ProgrammeAreaStore.InsertAsync(session, A.ProgrammeArea(), A.Change());
        // £53m is 5,300,000,000 pence: more than a 32-bit integer holds.
        var grant = A.Grant(funderId, areaId, amountPence: 5_300_000_000L, start: new DateOnly(2028, 2, 29), end: new DateOnly(2032, 2, 28));
        grant.Restricted = false;
        var id = await GrantStore.InsertAsync(session, grant, A.Change());

        var read = await GrantStore.GetAsync(session, id);
        read!.AmountAwardedPence.Should().Be(5_300_000_000L);
        read.StartDate.Should().Be(new DateOnly(2028, 2, 29));
        read.EndDate.Should().Be(new DateOnly(2032, 2, 28));
        read.AwardDate.Should().Be(new DateOnly(2026, 3, 1));
        read.Restricted.Should().BeFalse();
        read.ProgrammeAreaId.Should().Be(areaId);

        var page = await GrantStore.ListAsync(session, new GrantFilter(FunderId: funderId), new PageRequest(1, 10));
        page.Total.Should().Be(1);
        page.Items.Single().Id.Should().Be(id);
        (await GrantStore.ListAsync(session, new GrantFilter(FunderId: funderId, Status: "closed"), new PageRequest())).Total.Should().Be(0);
        await session.CommitAsync();
    }

    [Test]
    public async Task Grant_ReferenceIsUniquePerFunder_InTheDatabase()
    {
        await using var session = await OpenAsync();
        var funderId = await FunderStore.InsertAsync(session, A.Funder(), A.Change());
        var otherFunderId = await FunderStore.InsertAsync(session, A.Funder(), A.Change());
        var first = A.Grant(funderId);
        await GrantStore.InsertAsync(session, first, A.Change());

        var duplicate = A.Grant(funderId);
        duplicate.Reference = first.Reference;
        var act = () => GrantStore.InsertAsync(session, duplicate, A.Change());
        await act.Should().ThrowAsync<DbException>();

        var sameReferenceOtherFunder = A.Grant(otherFunderId);
        sameReferenceOtherFunder.Reference = first.Reference;
        (await GrantStore.InsertAsync(session, sameReferenceOtherFunder, A.Change())).Should().BePositive();
    }

    [Test]
    public async Task Grant_EndingBeforeItStarts_IsRefusedByTheDatabase()
    {
        await using var session = await OpenAsync();
        var funderId = await FunderStore.InsertAsync(session, A.Funder(), A.Change());
        var act = () => GrantStore.InsertAsync(session, A.Grant(funderId, start: new DateOnly(2026, 4, 2), end: new DateOnly(2026, 4, 1)), A.Change());
        await act.Should().ThrowAsync<DbException>();
    }

    [Test]
    public async Task Grant_WithAnUnknownFunder_IsRefusedByTheForeignKey()
    {
        await using var session = await OpenAsync();
        var act = () => GrantStore.InsertAsync(session, A.Grant(funderId: 987_654_321), A.Change());
        await act.Should().ThrowAsync<DbException>();
    }

    [Test]
    public async Task Transaction_IsVoidedWithAReason_OnceAndAtItsVersion()
    {
        var grant = await A.SavedGrantAsync(Database);
        await using var session = await OpenAsync();
        var partnerId = await PartnerStore.InsertAsync(session, A.Partner(), A.Change());
        var transaction = new SpendTransaction
        {
            GrantId = grant.Id,
            TransactionDate = new DateOnly(2026, 5, 31),
            AmountPence = -1_234,
            CategoryCode = "delivery",
            Description = "Refund of venue deposit",
            PartnerId = partnerId,
            SourceReference = "JNL-0042",
        };
        var id = (await TransactionStore.InsertAsync(session, transaction, A.Change())).Id;

        (await TransactionStore.VoidAsync(session, id, 1, "Posted to the wrong grant", A.Change("finance"))).Should().BeTrue();
        (await TransactionStore.VoidAsync(session, id, 2, "again", A.Change())).Should().BeFalse("a voided transaction stays as it was voided");

        var read = await TransactionStore.GetAsync(session, id);
        read!.AmountPence.Should().Be(-1_234);
        read.VoidReason.Should().Be("Posted to the wrong grant");
        read.VoidedBy.Should().Be("finance");
        read.Version.Should().Be(2);
        var list = await TransactionStore.ListAsync(session, new TransactionFilter(GrantId: grant.Id, From: new DateOnly(2026, 5, 31), To: new DateOnly(2026, 5, 31), Category: "delivery", PartnerId: partnerId), new PageRequest());
        list.Items.Select(t => t.Id).Should().Equal(id);
    }

    [Test]
    public async Task VoidWithoutAReason_IsRefusedByTheDatabase()
    {
        var grant = await A.SavedGrantAsync(Database);
        await using var session = await OpenAsync();
        var id = await PaymentStore.InsertAsync(session, new Payment { GrantId = grant.Id, PaymentDate = new DateOnly(2026, 4, 10), AmountPence = 100, Reference = "BACS" }, A.Change());

        var act = () => session.ExecuteAsync(StoreProbe.VoidPaymentWithoutReason, new { Id = id, At = DateTime.UtcNow });
        await act.Should().ThrowAsync<DbException>();
        (await PaymentStore.GetAsync(session, id))!.VoidedAt.Should().BeNull();
    }

    [Test]
    public async Task Budget_EachSaveIsANewVersion_AndTheOldIsKept()
    {
        var grant = await A.SavedGrantAsync(Database);
        await using var session = await OpenAsync();
        await session.BeginAsync();
        await BudgetStore.InsertVersionAsync(session, grant.Id, [new BudgetLine { CategoryCode = "staff", PeriodStart = new DateOnly(2026, 4, 1), AmountPence = 3_000_000 }], A.Change());
        var second = await BudgetStore.InsertVersionAsync(session, grant.Id,
        [
            new BudgetLine { CategoryCode = "staff", PeriodStart = new DateOnly(2026, 7, 1), AmountPence = 2_000_000 },
            new BudgetLine { CategoryCode = "delivery", PeriodStart = new DateOnly(2026, 4, 1), AmountPence = 1_000_001 },
        ], A.Change());
        await session.CommitAsync();

        second.VersionNumber.Should().Be(2);
        var current = await BudgetStore.GetCurrentAsync(session, grant.Id);
        current!.VersionNumber.Should().Be(2);
        current.Lines.Select(l => (l.CategoryCode, l.PeriodStart, l.AmountPence)).Should().Equal(
            ("delivery", new DateOnly(2026, 4, 1), 1_000_001L),
            ("staff", new DateOnly(2026, 7, 1), 2_000_000L));
        (await session.ExecuteScalarAsync<long>(StoreProbe.BudgetVersionCount, new { GrantId = grant.Id })).Should().Be(2);
    }

    [Test]
    public async Task PartnerAgreements_SumPerGrant()
    {
        var grant = await A.SavedGrantAsync(Database);
        await using var session = await OpenAsync();
        var partnerId = await PartnerStore.InsertAsync(session, A.Partner(), A.Change());
        var first = await PartnerAgreementStore.InsertAsync(session, new PartnerAgreement { GrantId = grant.Id, PartnerId = partnerId, AmountPence = 250_000, StartDate = grant.StartDate, EndDate = grant.EndDate, Purpose = "Outreach" }, A.Change());
        await PartnerAgreementStore.InsertAsync(session, new PartnerAgreement { GrantId = grant.Id, PartnerId = partnerId, AmountPence = 125_050, StartDate = grant.StartDate, EndDate = grant.EndDate }, A.Change());

        (await PartnerAgreementStore.SumForGrantAsync(session, grant.Id, null)).Should().Be(375_050);
        (await PartnerAgreementStore.SumForGrantAsync(session, grant.Id, first)).Should().Be(125_050);
        (await PartnerStore.GetAsync(session, partnerId))!.Communities.Should().Equal("Black and minoritised women", "LGBT+");
    }

    [Test]
    public async Task Audit_IsWrittenOnlyInsideATransaction_AndFiltered()
    {
        var entityId = Unique.Next();
        await using var session = await OpenAsync();
        var outside = () => AuditLog.WriteAsync(session, A.Change(), "create", "grant", entityId, null, new { amount = 1 });
        await outside.Should().ThrowAsync<InvalidOperationException>();

        await session.BeginAsync();
        await AuditLog.WriteAsync(session, A.Change("alice"), "update", "grant", entityId, new { amount = 1 }, new { amount = 2 });
        await session.CommitAsync();

        var page = await AuditLog.ListAsync(session, new AuditFilter("grant", entityId.ToString(System.Globalization.CultureInfo.InvariantCulture)), new PageRequest());
        page.Items.Should().ContainSingle();
        page.Items[0].Actor.Should().Be("alice");
        page.Items[0].BeforeJson.Should().Be("{\"amount\":1}");
        page.Items[0].AfterJson.Should().Be("{\"amount\":2}");
        var later = await AuditLog.ListAsync(session, new AuditFilter("grant", entityId.ToString(System.Globalization.CultureInfo.InvariantCulture), From: A.Change().At.AddSeconds(1)), new PageRequest());
        later.Total.Should().Be(0);
    }

    [Test]
    public async Task ApiKey_IsFoundByItsSecret_UntilRevoked()
    {
        await using var session = await OpenAsync();
        var secret = ApiKeyStore.GenerateKey();
        var key = await ApiKeyStore.InsertAsync(session, "ci", "finance", secret, A.Change());

        (await ApiKeyStore.FindActiveAsync(session, secret))!.Id.Should().Be(key.Id);
        (await ApiKeyStore.FindActiveAsync(session, secret + "x")).Should().BeNull();
        (await ApiKeyStore.GetAsync(session, key.Id))!.KeyHash.Should().NotContain(secret).And.HaveLength(64);
        (await ApiKeyStore.RevokeAsync(session, key.Id, 1, A.Change())).Should().BeTrue();
        (await ApiKeyStore.FindActiveAsync(session, secret)).Should().BeNull();
    }

    [Test]
    public async Task IdempotencyRecord_IsUniquePerScopeAndKey()
    {
        await using var session = await OpenAsync();
        var record = new IdempotencyRecord
        {
            Scope = "key:1 POST /api/transactions",
            IdempotencyKey = Unique.Text("idem"),
            RequestHash = new string('a', 64),
            ResponseStatus = 201,
            ResponseBody = "{}",
            CreatedAt = A.Change().At,
            ExpiresAt = A.Change().At.AddHours(24),
        };
        await IdempotencyStore.InsertAsync(session, record);

        (await IdempotencyStore.FindAsync(session, record.Scope, record.IdempotencyKey, A.Change().At))!.ResponseStatus.Should().Be(201);
        var again = () => IdempotencyStore.InsertAsync(session, record);
        await again.Should().ThrowAsync<DbException>();

        // Once expired the record is gone and the key can be used afresh.
        (await IdempotencyStore.FindAsync(session, record.Scope, record.IdempotencyKey, record.ExpiresAt.AddSeconds(1))).Should().BeNull();
        await IdempotencyStore.InsertAsync(session, record);
    }

    [Test]
    public async Task TheDailyPurge_RemovesOnlyExpiredIdempotencyRecords()
    {
        var now = A.Change().At;
        IdempotencyRecord Record(DateTime expires) => new()
        {
            Scope = "key:1 POST /api/transactions",
            IdempotencyKey = Unique.Text("idem"),
            RequestHash = new string('a', 64),
            ResponseStatus = 201,
            ResponseBody = "{}",
            CreatedAt = expires.AddHours(-24),
            ExpiresAt = expires,
        };
        var expired = Record(now.AddMinutes(-1));
        var live = Record(now.AddMinutes(1));
        await using (var session = await OpenAsync())
        {
            await IdempotencyStore.InsertAsync(session, expired);
            await IdempotencyStore.InsertAsync(session, live);
        }

        var clock = new FixedClock(new DateTimeOffset(now));
        (await new Portfolio.Jobs.Housekeeping.IdempotencyPurgeJob(Database, clock).RunAsync(CancellationToken.None)).Should().BeGreaterThanOrEqualTo(1);

        await using var check = await OpenAsync();
        (await check.QueryAsync<string>(Sql.Common("SELECT idempotency_key FROM idempotency_record WHERE idempotency_key IN (@A, @B)"), new { A = expired.IdempotencyKey, B = live.IdempotencyKey }))
            .Should().Equal(live.IdempotencyKey);
    }

    [Test]
    public async Task ReportRun_OneLiveRunPerGrantAndPeriod()
    {
        var grant = await A.SavedGrantAsync(Database);
        await using var session = await OpenAsync();
        ReportRun Run(string status) => new()
        {
            GrantId = grant.Id,
            PeriodStart = new DateOnly(2026, 4, 1),
            PeriodEnd = new DateOnly(2026, 6, 30),
            PeriodLabel = "2026/27 Q1",
            Status = status,
            DueDate = new DateOnly(2026, 7, 30),
            CreatedAt = A.Change().At,
        };
        var runId = await ReportRunStore.InsertAsync(session, Run("superseded"));
        await ReportRunStore.InsertAsync(session, Run("draft"));
        var second = () => ReportRunStore.InsertAsync(session, Run("draft"));
        await second.Should().ThrowAsync<DbException>();

        var content = new byte[] { 0x50, 0x4b, 0x03, 0x04, 0x00, 0xff };
        await ReportRunStore.InsertFileAsync(session, new ReportFile { ReportRunId = runId, Format = "xlsx", FileName = "r.xlsx", ContentType = "application/octet-stream", Content = content, Sha256 = new string('0', 64), SizeBytes = content.Length, CreatedAt = A.Change().At });
        (await ReportRunStore.GetFileAsync(session, runId, "xlsx"))!.Content.Should().Equal(content);
        await ReportRunStore.InsertDeliveryAsync(session, new ReportDelivery { ReportRunId = runId, RecipientName = "Officer", RecipientEmail = "o@funder.example", Status = "pending", CreatedAt = A.Change().At });
        (await ReportRunStore.ListDeliveriesAsync(session, runId)).Single().Status.Should().Be("pending");
        (await ReportRunStore.GetAsync(session, runId))!.PeriodLabel.Should().Be("2026/27 Q1");
    }

    [Test]
    public async Task VarianceNotes_AreListedByPeriod()
    {
        var grant = await A.SavedGrantAsync(Database);
        await using var session = await OpenAsync();
        await VarianceNoteStore.InsertAsync(session, new VarianceNote { GrantId = grant.Id, PeriodStart = new DateOnly(2026, 4, 1), CategoryCode = "staff", NoteText = "Recruitment delayed", Author = "lead", CreatedAt = A.Change().At });
        await VarianceNoteStore.InsertAsync(session, new VarianceNote { GrantId = grant.Id, PeriodStart = new DateOnly(2026, 7, 1), NoteText = "Catching up", Author = "lead", CreatedAt = A.Change().At });

        (await VarianceNoteStore.ListForGrantAsync(session, grant.Id)).Should().HaveCount(2);
        (await VarianceNoteStore.ListForGrantAsync(session, grant.Id, new DateOnly(2026, 4, 1))).Single().NoteText.Should().Be("Recruitment delayed");
    }

    [Test]
    public async Task AFailedTransaction_LeavesNothingBehind()
    {
        var funder = A.Funder();
        var act = () => Portfolio.Core.Operations.UnitOfWork.CommitAsync<long>(Database, async session =>
        {
            await FunderStore.InsertAsync(session, funder, A.Change());
            throw new InvalidOperationException("boom");
        });
        await act.Should().ThrowAsync<InvalidOperationException>();

        await using var check = await OpenAsync();
        (await check.ExecuteScalarAsync<long>(StoreProbe.FunderCountByName, new { funder.Name })).Should().Be(0);
    }

    [Test]
    public async Task CostCategories_AreTheDefaultSix()
    {
        await using var session = await OpenAsync();
        (await CostCategoryStore.ListAsync(session)).Select(c => c.Code).Should().Equal("staff", "delivery", "partner-grants", "training", "evaluation", "overheads");
    }
}

internal static class StoreProbe
{
    public static readonly Sql VoidPaymentWithoutReason = Sql.Common("UPDATE payment SET voided_at = @At, voided_by = 'x', void_reason = NULL WHERE id = @Id");
    public static readonly Sql BudgetVersionCount = Sql.Common("SELECT COUNT(*) FROM budget_version WHERE grant_id = @GrantId");
    public static readonly Sql FunderCountByName = Sql.Common("SELECT COUNT(*) FROM funder WHERE name = @Name");
}

/// <summary>A clock stopped at one moment.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
