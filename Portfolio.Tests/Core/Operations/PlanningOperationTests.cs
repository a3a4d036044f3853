using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;
using Pounds = Portfolio.Core.Money.Money;

namespace Portfolio.Tests.Core.Operations;

/// <summary>
/// Budgets, variance notes, period reopening and API keys as Core operations, the level the pages and the import
/// call: every field error at once, the version the caller read, the actor's areas, the audit in the same
/// transaction. The grant runs 2026-04-01 to 2027-03-31 in UK financial-year quarters.
/// </summary>
public sealed class PlanningOperationTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    private Task<Outcome<T>> RunAsync<T>(Func<DbSession, Task<Outcome<T>>> work) => UnitOfWork.RunAsync(Database, work);

    private static readonly Sql AuditCount = Sql.Common("SELECT COUNT(*) FROM audit_entry WHERE entity = @Entity AND entity_id = @Id");
    private static readonly Sql BudgetVersions = Sql.Common("SELECT COUNT(*) FROM budget_version WHERE grant_id = @Id");
    private static readonly Sql NotesOf = Sql.Common("SELECT COUNT(*) FROM variance_note WHERE grant_id = @Id");

    private async Task<long> CountAsync(Sql sql, object parameters)
    {
        await using var session = await OpenAsync();
        return await session.ExecuteScalarAsync<long>(sql, parameters);
    }

    private static BudgetLineInput Line(string category, string periodStart, decimal amount) =>
        new(category, DateOnly.Parse(periodStart), Pounds.FromPounds(amount));

    [Test]
    public async Task Budget_NamesEveryWrongLineAtOnce_AndSavesNothing()
    {
        var grant = await A.SavedGrantAsync(Database);
        var outcome = await RunAsync(session => Budgets.SetAsync(session, grant.Id, 0, new BudgetInput(
        [
            Line("staff", "2026-04-01", 1000m),
            Line("no-such-category", "2026-04-01", 10m),
            Line("staff", "2026-05-01", 10m),
            Line("staff", "2026-04-01", 20m),
        ]), A.Change()));

        var invalid = outcome.Refused.Should().BeOfType<InvalidFields>().Subject;
        invalid.Errors.Keys.Should().BeEquivalentTo(["lines[1].category", "lines[2].periodStart", "lines[3]"]);
        invalid.Errors["lines[2].periodStart"].Single().Should().Contain("2026-04-01 (2026/27 Q1)").And.Contain("2026-07-01");
        (await CountAsync(BudgetVersions, new { grant.Id })).Should().Be(0);
    }

    [Test]
    public async Task BudgetHistory_ListsEveryVersionNewestFirst_WithTheCellsEachChanged()
    {
        var grant = await A.SavedGrantAsync(Database);
        (await RunAsync(session => Budgets.SetAsync(session, grant.Id, 0, new BudgetInput(
            [Line("staff", "2026-04-01", 1000m), Line("staff", "2026-07-01", 500m), Line("training", "2026-04-01", 20m)]), A.Change()))).Succeeded.Should().BeTrue();
        (await RunAsync(session => Budgets.SetAsync(session, grant.Id, 1, new BudgetInput(
            [Line("staff", "2026-04-01", 1000m), Line("staff", "2026-07-01", 650.50m), Line("delivery", "2026-10-01", 99.99m)]), A.Change()))).Succeeded.Should().BeTrue();

        await using var session = await OpenAsync();
        var history = await Budgets.HistoryAsync(session, grant.Id);

        history.Select(h => h.Version).Should().Equal(2, 1);
        history[0].TotalPence.Should().Be(175_049);
        history[0].ChangePence.Should().Be(175_049 - 152_000);
        history[0].Changes.Should().Equal(
            new BudgetLineChange("training", new DateOnly(2026, 4, 1), 2_000, null),
            new BudgetLineChange("staff", new DateOnly(2026, 7, 1), 50_000, 65_050),
            new BudgetLineChange("delivery", new DateOnly(2026, 10, 1), null, 9_999));
        history[1].Changes.Should().HaveCount(3).And.OnlyContain(c => c.BeforePence == null);
        history[1].CreatedBy.Should().Be(A.Change().Actor);
    }

    [Test]
    public async Task Budget_IsSetAtTheVersionRead_WithTotals_AndAudited()
    {
        var grant = await A.SavedGrantAsync(Database);
        var first = await RunAsync(session => Budgets.SetAsync(session, grant.Id, 0, new BudgetInput(
            [Line("staff", "2026-04-01", 1000.10m), Line("staff", "2026-07-01", 500m), Line("training", "2026-04-01", 0.01m)]), A.Change()));

        first.Succeeded.Should().BeTrue();
        var view = first.Value!;
        view.Version.Should().Be(1);
        view.Total.Should().Be(1500.11m);
        view.Unallocated.Should().Be(120_000m - 1500.11m);
        view.TotalsByCategory.Should().Equal(new CategoryTotalView("staff", 1500.10m), new CategoryTotalView("training", 0.01m));
        view.TotalsByPeriod.Single(p => p.PeriodStart == new DateOnly(2026, 4, 1)).Amount.Should().Be(1000.11m);

        var stale = await RunAsync(session => Budgets.SetAsync(session, grant.Id, 0, new BudgetInput([]), A.Change()));
        stale.Refused.Should().BeEquivalentTo(new StaleVersion(1));

        var any = await RunAsync(session => Budgets.SetAsync(session, grant.Id, null, new BudgetInput([Line("staff", "2026-04-01", 1m)]), A.Change()));
        any.Value!.Version.Should().Be(2, "no expected version means whatever is current");
        (await CountAsync(BudgetVersions, new { grant.Id })).Should().Be(2);
        (await CountAsync(AuditCount, new { Entity = "budget", Id = grant.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })).Should().Be(2);
    }

    [Test]
    public async Task Budget_ForAGrantThatDoesNotExist_IsNotFound()
    {
        var outcome = await RunAsync(session => Budgets.SetAsync(session, 987_654, null, new BudgetInput([]), A.Change()));
        outcome.Refused.Should().BeEquivalentTo(new NotFound("grant", 987_654));
    }

    [Test]
    public async Task VarianceNote_OnAnotherAreasGrant_IsForbidden_AndWritesNothing()
    {
        var grant = await A.SavedGrantAsync(Database);
        var lead = A.Change("key:9:lead") with { Areas = [424_242] };
        var input = new VarianceNoteInput(new DateOnly(2026, 4, 1), "Recruitment slipped a quarter.");

        var refused = await RunAsync(session => VarianceNotes.AddAsync(session, grant.Id, input, lead));
        refused.Refused.Should().BeOfType<Forbidden>().Which.Detail.Should().Contain(grant.Reference);
        (await CountAsync(NotesOf, new { grant.Id })).Should().Be(0);

        var finance = await RunAsync(session => VarianceNotes.AddAsync(session, grant.Id, input, A.Change()));
        finance.Succeeded.Should().BeTrue("finance (no areas) may write on any grant");
        finance.Value!.View.AuthorName.Should().NotBeNullOrEmpty();
    }

    [Test]
    public async Task VarianceNote_NamesEveryWrongFieldAtOnce()
    {
        var grant = await A.SavedGrantAsync(Database);
        var outcome = await RunAsync(session => VarianceNotes.AddAsync(session, grant.Id, new VarianceNoteInput(new DateOnly(2026, 5, 1), "  ", "nope"), A.Change()));

        var invalid = outcome.Refused.Should().BeOfType<InvalidFields>().Subject;
        invalid.Errors.Keys.Should().BeEquivalentTo(["periodStart", "text", "category"]);
    }

    [Test]
    public async Task VarianceNote_EditedAtAStaleVersion_IsRefused_AndAtTheCurrentOneAudited()
    {
        var grant = await A.SavedGrantAsync(Database);
        var added = await RunAsync(session => VarianceNotes.AddAsync(session, grant.Id, new VarianceNoteInput(new DateOnly(2026, 4, 1), "First draft"), A.Change()));
        var noteId = added.Value!.Id;

        var edited = await RunAsync(session => VarianceNotes.EditAsync(session, grant.Id, noteId, 1, new VarianceNoteChangeInput("Second draft", "staff"), A.Change("editor")));
        edited.Value!.View.Should().Match<VarianceNoteView>(n => n.Text == "Second draft" && n.Category == "staff" && n.Version == 2 && n.UpdatedBy != null);

        var stale = await RunAsync(session => VarianceNotes.EditAsync(session, grant.Id, noteId, 1, new VarianceNoteChangeInput("Third"), A.Change()));
        stale.Refused.Should().BeEquivalentTo(new StaleVersion(2));

        var elsewhere = await RunAsync(session => VarianceNotes.EditAsync(session, grant.Id + 1000, noteId, null, new VarianceNoteChangeInput("Third"), A.Change()));
        elsewhere.Refused.Should().BeOfType<NotFound>("a note is found only under its own grant");
        (await CountAsync(AuditCount, new { Entity = "variance-note", Id = noteId.ToString(System.Globalization.CultureInfo.InvariantCulture) })).Should().Be(2);
    }

    [Test]
    public async Task Reopen_NeedsAPeriodStartAndAReason_AndIsAudited()
    {
        var grant = await A.SavedGrantAsync(Database);
        var bad = await RunAsync(session => ClosedPeriods.ReopenAsync(session, grant.Id, new DateOnly(2026, 5, 1), new ReasonInput(" "), A.Change("admin")));
        bad.Refused.Should().BeOfType<InvalidFields>().Which.Errors.Keys.Should().BeEquivalentTo(["periodStart", "reason"]);

        var open = await RunAsync(session => ClosedPeriods.ReopenAsync(session, grant.Id, new DateOnly(2026, 7, 1), new ReasonInput("Invoice posted to the wrong quarter"), A.Change("admin")));
        open.Refused.Should().BeOfType<InvalidFields>().Which.Errors["periodStart"].Should().Equal("2026/27 Q2 is open: there is nothing to reopen");
        (await CountAsync(AuditCount, new { Entity = "period", Id = $"{grant.Id}:2026-07-01" })).Should().Be(0, "a period never reported is not reopened (ReportFinalityTests reopens a closed one)");
    }

    [Test]
    public async Task ApiKey_IssuedOnlyForAreasThatExist_AndTheLastAdminStays()
    {
        var unknownArea = await RunAsync(session => ApiKeys.IssueAsync(session, new ApiKeyInput(Unique.Text("lead"), "programme-lead", [987_654]), A.Change()));
        unknownArea.Refused.Should().BeOfType<InvalidFields>().Which.Errors["programmeAreaIds"].Should().Equal("there is no programme area with id 987654");

        var issued = await RunAsync(session => ApiKeys.IssueAsync(session, new ApiKeyInput(Unique.Text("finance"), "finance"), A.Change()));
        issued.Value!.Key.Should().StartWith("pk_").And.StartWith(issued.Value.KeyPrefix);

        var stale = await RunAsync(session => ApiKeys.RevokeAsync(session, issued.Value.Id, 7, A.Change()));
        stale.Refused.Should().BeEquivalentTo(new StaleVersion(1));
        var revoked = await RunAsync(session => ApiKeys.RevokeAsync(session, issued.Value.Id, 1, A.Change()));
        revoked.Value!.Revoked.Should().BeTrue();
        var again = await RunAsync(session => ApiKeys.RevokeAsync(session, issued.Value.Id, null, A.Change()));
        again.Refused.Should().BeOfType<Conflict>().Which.Detail.Should().Contain("already revoked");

        // Revoke every active admin but one (this fixture's database starts with none), then the last is refused.
        await RunAsync(s => ApiKeys.IssueAsync(s, new ApiKeyInput(Unique.Text("admin"), "admin"), A.Change()));
        await using var session = await OpenAsync();
        var admins = (await ApiKeyStore.ListAsync(session, new PageRequest(1, 500))).Items.Where(k => k.Role == "admin" && k.RevokedAt is null).ToList();
        admins.Should().NotBeEmpty();
        foreach (var admin in admins.Skip(1))
        {
            (await RunAsync(s => ApiKeys.RevokeAsync(s, admin.Id, null, A.Change()))).Succeeded.Should().BeTrue();
        }

        var last = await RunAsync(s => ApiKeys.RevokeAsync(s, admins[0].Id, null, A.Change()));
        last.Refused.Should().BeOfType<Conflict>().Which.Detail.Should().Contain("last active admin key");
    }
}
