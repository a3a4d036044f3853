using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ClosedXML.Excel;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Periods;
using Portfolio.Jobs.ReportRuns;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;
using UglyToad.PdfPig;

namespace Portfolio.Tests.Jobs;

/// <summary>
/// What reaches a funder equals the books at approval, goes in period order, closes what it reports, and one bad
/// record stops nothing else. On every engine, against a real SMTP server; files are read back from the messages.
/// </summary>
[NonParallelizable]
public class ReportFinalityTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    private static readonly Dictionary<string, string?> Organisation = new()
    {
        ["Portfolio:Organisation:CharityNumber"] = "1234567",
        ["Portfolio:Organisation:QueriesName"] = "Finance team",
        ["Portfolio:Organisation:QueriesEmail"] = "finance@partnership.example",
    };

    private SmtpTestServer _smtp = null!;

    [SetUp]
    public async Task StartSmtpAsync() => _smtp = await SmtpTestServer.StartAsync();

    [TearDown]
    public void StopSmtp() => _smtp?.Dispose();

    [Test]
    public async Task TheReadmeWalkthrough_SendsTheNoteItWasHeldFor_InThePdfAndTheWorkbook_NamingTheApprover()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var database = new Database(options);
        var grant = await A.SavedGrantAsync(database); // budgeted in Q1 with no spend: -100 %, red
        await Portfolio.Core.Operations.UnitOfWork.CommitAsync(database, async s => await BudgetStore.InsertVersionAsync(s, grant.Id,
            [new BudgetLine { CategoryCode = "staff", PeriodStart = new DateOnly(2026, 4, 1), AmountPence = 1_000_000 }], A.Change()));
        await using var app = JobsApp.Create(options, _smtp, Organisation);
        using var client = app.Admin();
        var run = await JsonAsync(await client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-04-01" }));

        (await client.PostAsync($"/api/report-runs/{run["id"]}/approve", null)).StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        const string note = "Recruitment took a quarter longer than planned; the post is filled from July.";
        (await client.PostAsJsonAsync($"/api/grants/{grant.Id}/variance-notes", new { periodStart = "2026-04-01", text = note })).EnsureSuccessStatusCode();
        var stale = await client.PostAsync($"/api/report-runs/{run["id"]}/approve", null);
        stale.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var problem = await JsonAsync(stale);
        problem["detail"]!.GetValue<string>().Should().Contain("variance notes").And.Contain("preview it");
        var newRunId = (long)problem["newRunId"]!;
        (await JsonAsync(await client.GetAsync($"/api/report-runs/{run["id"]}")))["status"]!.GetValue<string>().Should().Be("superseded");

        (await client.PostAsync($"/api/report-runs/{newRunId}/approve", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var sent = await JobsApp.WaitForRunAsync(client, newRunId, "sent");

        var message = _smtp.Messages().Single();
        message.ReplyTo.Mailboxes.Single().Address.Should().Be("finance@partnership.example");
        message.TextBody.Should().Contain("Registered charity 1234567.");
        var pdfText = Documents.PdfText(Attachment(message, ".pdf"));
        pdfText.Should().Contain(note).And.Contain("Approved by").And.NotContain("No variance notes").And.NotContain("DRAFT");
        using var workbook = new XLWorkbook(new MemoryStream(Attachment(message, ".xlsx")));
        workbook.Worksheet("Notes").Cell(2, 2).GetString().Should().Be(note);
        workbook.Worksheet("Summary").Cell(2, 1).GetString().Should().StartWith("Approved by ");
        Attachment(message, ".pdf").Should().Equal(await client.GetByteArrayAsync($"/api/report-runs/{newRunId}/pdf"), "the stored file is the one sent");
        sent["approvedBy"]!.GetValue<string>().Should().StartWith("key:");
    }

    [Test]
    public async Task ATransactionRecordedAfterTheDraft_IsNeverMissingFromWhatIsSent()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var grant = await ReportScenario.CreateAsync(new Database(options));
        await using var app = JobsApp.Create(options, _smtp);
        using var client = app.Admin();
        var draft = await JsonAsync(await client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-07-01" }));
        (await client.PostAsJsonAsync("/api/transactions", new { grantId = grant.Id, date = "2026-09-29", amount = 1234.56m, category = "delivery", description = "Late invoice" }))
            .StatusCode.Should().Be(HttpStatusCode.Created);

        using (var approve = new HttpRequestMessage(HttpMethod.Post, $"/api/report-runs/{draft["id"]}/approve"))
        {
            approve.Headers.TryAddWithoutValidation("If-Match", $"\"{draft["version"]}\"");
            var stale = await client.SendAsync(approve);
            stale.StatusCode.Should().Be(HttpStatusCode.Conflict);
            (await stale.Content.ReadAsStringAsync()).Should().Contain("the spend recorded in the period");
        }

        var fresh = (await JsonAsync(await client.GetAsync($"/api/report-runs/{draft["id"]}")))["supersededByRunId"]!.GetValue<long>();
        using (var wrongVersion = new HttpRequestMessage(HttpMethod.Post, $"/api/report-runs/{fresh}/approve"))
        {
            wrongVersion.Headers.TryAddWithoutValidation("If-Match", "\"7\"");
            (await client.SendAsync(wrongVersion)).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed, "approve what was previewed");
        }

        using (var approve = new HttpRequestMessage(HttpMethod.Post, $"/api/report-runs/{fresh}/approve"))
        {
            approve.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            (await client.SendAsync(approve)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        var sent = await JobsApp.WaitForRunAsync(client, fresh, "sent");
        sent["sentLate"]!.GetValue<bool>().Should().Be(UkDate.Today(TimeProvider.System) > new DateOnly(2026, 10, 30), "Q2 was due 30 days after 30 Sep 2026");
        var burn = await JsonAsync(await client.GetAsync($"/api/grants/{grant.Id}/burn?asOf=2026-09-30"));
        var message = _smtp.Messages().Single();
        Documents.PdfText(Attachment(message, ".pdf")).Should().Contain("Late invoice").And.Contain("£1,234.56").And.Contain(Portfolio.Core.Money.Money.Format(Pence(burn["actualToDate"]!)));
        using var workbook = new XLWorkbook(new MemoryStream(Attachment(message, ".xlsx")));
        workbook.Worksheet("Summary").RowsUsed().Single(r => r.Cell(1).GetString() == "Actual to date").Cell(2).GetValue<decimal>()
            .Should().Be(burn["actualToDate"]!.GetValue<decimal>());
    }

    [Test]
    public async Task OnlyEndedPeriodsAreReported_AndAPreviewOfAnUnendedOneIsProvisionalOnEveryPage()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var database = new Database(options);
        var today = UkDate.Today(TimeProvider.System);
        var grant = await Portfolio.Core.Operations.UnitOfWork.CommitAsync(database, async session =>
        {
            var funderId = await FunderStore.InsertAsync(session, A.Funder(), A.Change());
            var g = A.Grant(funderId, start: today.AddMonths(-4), end: today.AddYears(1));
            g.Id = await GrantStore.InsertAsync(session, g, A.Change());
            return g;
        });
        var current = ReportingPeriods.Containing(ReportingCalendar.UkFinancialYear, grant.StartDate, grant.EndDate, today)!;
        await using var app = JobsApp.Create(options, _smtp);
        using var client = app.Admin();
        var counts = await RunCountAsync(database);

        var refused = await client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = current.Start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) });
        refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("only a period that has ended can be reported");
        (await RunCountAsync(database)).Should().Be(counts);

        var start = current.Start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        using var pdf = PdfDocument.Open(await client.GetByteArrayAsync($"/api/grants/{grant.Id}/reports/{start}.pdf"));
        pdf.GetPages().Should().OnlyContain(p => p.Text.Contains("PROVISIONAL", StringComparison.Ordinal));
        using var workbook = new XLWorkbook(new MemoryStream(await client.GetByteArrayAsync($"/api/grants/{grant.Id}/reports/{start}.xlsx")));
        workbook.Worksheet("Summary").Cell(2, 1).GetString().Should().Be("PROVISIONAL – period not ended");
    }

    [Test]
    public async Task PeriodsAreSentInOrder_AndACancelledDraftFreesItsPeriod()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var grant = await ReportScenario.CreateAsync(new Database(options));
        await using var app = JobsApp.Create(options, _smtp);
        using var client = app.Admin();
        var q1 = await JsonAsync(await client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-04-01" }));
        var q2 = await JsonAsync(await client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-07-01" }));

        var outOfOrder = await client.PostAsync($"/api/report-runs/{q2["id"]}/approve", null);
        outOfOrder.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await outOfOrder.Content.ReadAsStringAsync()).Should().Contain($"report run {q1["id"]} for 2026/27 Q1 (draft)");

        (await client.PostAsJsonAsync($"/api/report-runs/{q2["id"]}/cancel", new { reason = "x" })).StatusCode.Should().Be(HttpStatusCode.OK, "any draft may be cancelled");
        (await client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-07-01" })).StatusCode.Should().Be(HttpStatusCode.Accepted, "the cancelled run freed its period");
        using (var staleAndBad = new HttpRequestMessage(HttpMethod.Post, $"/api/report-runs/{q1["id"]}/cancel") { Content = JsonContent.Create(new { nonsense = 1 }) })
        {
            staleAndBad.Headers.TryAddWithoutValidation("If-Match", "\"7\"");
            ((int)(await client.SendAsync(staleAndBad)).StatusCode).Should().Be(412, "a stale If-Match comes before the body's errors");
        }

        using (var cancel = new HttpRequestMessage(HttpMethod.Post, $"/api/report-runs/{q1["id"]}/cancel") { Content = JsonContent.Create(new { reason = "The funder does not want a Q1 report." }) })
        {
            cancel.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            var cancelled = await JsonAsync(await client.SendAsync(cancel));
            cancelled["status"]!.GetValue<string>().Should().Be("cancelled");
            cancelled["cancelReason"]!.GetValue<string>().Should().Contain("Q1");
        }

        var q2Again = (await JsonAsync(await client.GetAsync($"/api/report-runs?grantId={grant.Id}&status=draft")))["items"]!.AsArray().Single()!;
        (await client.PostAsync($"/api/report-runs/{q2Again["id"]}/approve", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await client.PostAsync($"/api/report-runs/{q1["id"]}/cancel", null)).StatusCode.Should().Be(HttpStatusCode.Conflict, "a cancelled run cannot be cancelled again");
        var audit = await JsonAsync(await client.GetAsync($"/api/audit?entity=report-run&entityId={q1["id"]}"));
        audit["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).Should().Contain("cancel");
    }

    [Test]
    public async Task ApprovalClosesThePeriodAndEveryEarlierOne_ForMoneyBudgetNotesAndTheGrantsDates_UntilAnAdminReopens()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var grant = await ReportScenario.CreateAsync(new Database(options));
        await using var app = JobsApp.Create(options, _smtp);
        using var client = app.Admin();
        var budget = await JsonAsync(await client.GetAsync($"/api/grants/{grant.Id}/budget"));
        var q2 = await JsonAsync(await client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-07-01" }));
        (await client.PostAsync($"/api/report-runs/{q2["id"]}/approve", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await JobsApp.WaitForRunAsync(client, (long)q2["id"]!, "sent");

        (await client.PostAsJsonAsync("/api/transactions", new { grantId = grant.Id, date = "2026-05-01", amount = 5m, category = "staff", description = "Q1, reported cumulatively" }))
            .StatusCode.Should().Be(HttpStatusCode.Conflict, "an earlier period is closed too");
        (await client.PostAsJsonAsync($"/api/grants/{grant.Id}/variance-notes", new { periodStart = "2026-04-01", text = "Too late" })).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await client.PostAsJsonAsync($"/api/grants/{grant.Id}/variance-notes", new { periodStart = "2026-10-01", text = "Q3 is open" })).StatusCode.Should().Be(HttpStatusCode.Created);

        var lines = budget["lines"]!.AsArray().Select(l => new { category = l!["category"]!.GetValue<string>(), periodStart = l["periodStart"]!.GetValue<string>(), amount = l["amount"]!.GetValue<decimal>() }).ToList();
        var q1Changed = lines.Select(l => l.periodStart == "2026-04-01" && l.category == "staff" ? l with { amount = l.amount + 1 } : l).ToList();
        var q3Changed = lines.Select(l => l.periodStart == "2026-10-01" && l.category == "staff" ? l with { amount = l.amount - 1 } : l)
            .Select(l => l.periodStart == "2027-01-01" && l.category == "staff" ? l with { amount = l.amount + 1 } : l).ToList();
        (await SendAsync(client, HttpMethod.Put, $"/api/grants/{grant.Id}/budget", new { lines = q1Changed }, "\"1\"")).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await SendAsync(client, HttpMethod.Put, $"/api/grants/{grant.Id}/budget", new { lines = q3Changed }, "\"1\"")).StatusCode.Should().Be(HttpStatusCode.OK, "open periods can be re-profiled");

        var g = await JsonAsync(await client.GetAsync($"/api/grants/{grant.Id}"));
        object GrantBody(string start, long funderId) => new
        {
            funderId, reference = g["reference"]!.GetValue<string>(), title = g["title"]!.GetValue<string>(), amountAwarded = g["amountAwarded"]!.GetValue<decimal>(),
            startDate = start, endDate = g["endDate"]!.GetValue<string>(),
        };
        var moved = await SendAsync(client, HttpMethod.Put, $"/api/grants/{grant.Id}", GrantBody("2026-04-02", grant.FunderId), $"\"{g["version"]}\"");
        moved.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await moved.Content.ReadAsStringAsync()).Should().Contain("reopen");
        var otherFunder = await JsonAsync(await client.PostAsJsonAsync("/api/funders", new { name = "Another funder " + Unique.Next(), kind = "trust" }));
        (await SendAsync(client, HttpMethod.Put, $"/api/grants/{grant.Id}", GrantBody("2026-04-01", (long)otherFunder["id"]!), $"\"{g["version"]}\"")).StatusCode.Should().Be(HttpStatusCode.Conflict);
        var funder = await JsonAsync(await client.GetAsync($"/api/funders/{grant.FunderId}"));
        (await SendAsync(client, HttpMethod.Put, $"/api/funders/{grant.FunderId}", new { name = funder["name"]!.GetValue<string>(), kind = "lottery", reportingCalendar = "calendar-year" }, $"\"{funder["version"]}\""))
            .StatusCode.Should().Be(HttpStatusCode.Conflict, "a new calendar would move the reported periods");

        (await client.PostAsJsonAsync($"/api/grants/{grant.Id}/periods/2026-04-01/reopen", new { reason = "Funder asked for Q1's budget to be corrected." })).EnsureSuccessStatusCode();
        (await SendAsync(client, HttpMethod.Put, $"/api/grants/{grant.Id}/budget", new { lines = q1Changed.Select(l => l.periodStart == "2026-10-01" && l.category == "staff" ? l with { amount = l.amount - 1 } : l).ToList() }, "\"2\""))
            .StatusCode.Should().Be(HttpStatusCode.OK, "just the reopened period");
        (await client.PostAsJsonAsync("/api/transactions", new { grantId = grant.Id, date = "2026-08-01", amount = 5m, category = "staff", description = "Q2 stays closed" }))
            .StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Test]
    public async Task VarianceNotes_CanBeCorrectedWithIfMatch_WhileTheirPeriodIsOpen()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var grant = await ReportScenario.CreateAsync(new Database(options));
        await using var app = JobsApp.Create(options, _smtp);
        using var client = app.Admin();
        var note = (await JsonAsync(await client.GetAsync($"/api/grants/{grant.Id}/variance-notes")))["items"]!.AsArray().Single()!;
        var path = $"/api/grants/{grant.Id}/variance-notes/{note["id"]}";

        (await SendAsync(client, HttpMethod.Put, path, new { text = "No version" }, null)).StatusCode.Should().Be((HttpStatusCode)428);
        var changed = await SendAsync(client, HttpMethod.Put, path, new { category = "training", text = "Training was brought forward from Q3 at the funder's request." }, "\"1\"");
        changed.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await JsonAsync(changed);
        body["version"]!.GetValue<int>().Should().Be(2);
        body["updatedBy"]!.GetValue<string>().Should().NotStartWith("key:", "people's names, not key labels");
        (await SendAsync(client, HttpMethod.Put, path, new { text = "Stale" }, "\"1\"")).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        var audit = await JsonAsync(await client.GetAsync($"/api/audit?entity=variance-note&entityId={note["id"]}"));
        audit["items"]!.AsArray().Single(e => e!["action"]!.GetValue<string>() == "update")!["before"]!["text"]!.GetValue<string>().Should().Be("Training brought forward from Q3.");

        var q2 = await JsonAsync(await client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-07-01" }));
        (await client.PostAsync($"/api/report-runs/{q2["id"]}/approve", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await SendAsync(client, HttpMethod.Put, path, new { text = "After sending" }, "\"2\"")).StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Test]
    public async Task AnAutoFunder_RedReportWithoutANote_WaitsAsADraftListedAsNeedingOne_ThenGoesOnceANoteIsWritten()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var database = new Database(options);
        var today = UkDate.Today(TimeProvider.System);
        var ended = ReportingPeriods.Containing(ReportingCalendar.UkFinancialYear, new DateOnly(2020, 4, 1), new DateOnly(2030, 3, 31), today)!.Start.AddDays(-1);
        var last = ReportingPeriods.Containing(ReportingCalendar.UkFinancialYear, new DateOnly(2020, 4, 1), new DateOnly(2030, 3, 31), ended)!;
        var grant = await Portfolio.Core.Operations.UnitOfWork.CommitAsync(database, async session =>
        {
            var funder = A.Funder("trust");
            funder.DeliveryMode = "auto";
            var funderId = await FunderStore.InsertAsync(session, funder, A.Change());
            var g = A.Grant(funderId, start: last.Start, end: last.Start.AddYears(1).AddDays(-1));
            g.Id = await GrantStore.InsertAsync(session, g, A.Change());
            await BudgetStore.InsertVersionAsync(session, g.Id, [new BudgetLine { CategoryCode = "staff", PeriodStart = last.Start, AmountPence = 1_000_000 }], A.Change());
            return g;
        });
        await using var app = JobsApp.Create(options, _smtp);
        using var client = app.Admin();

        await ScheduleAsync(app);
        var waiting = (await JsonAsync(await client.GetAsync($"/api/report-runs?grantId={grant.Id}&needsNote=true")))["items"]!.AsArray().Single()!;
        waiting["status"]!.GetValue<string>().Should().Be("draft");
        waiting["rag"]!.GetValue<string>().Should().Be("red");
        waiting["needsVarianceNote"]!.GetValue<bool>().Should().BeTrue();
        await Task.Delay(1000);
        _smtp.Messages().Should().BeEmpty("a red report never goes without its note");

        (await client.PostAsJsonAsync($"/api/grants/{grant.Id}/variance-notes", new { periodStart = last.Start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), text = "No spend yet: the service starts next quarter." }))
            .EnsureSuccessStatusCode();
        await ScheduleAsync(app);
        var sent = (await JsonAsync(await client.GetAsync($"/api/report-runs?grantId={grant.Id}&status=approved")))["items"]!.AsArray()
            .Concat((await JsonAsync(await client.GetAsync($"/api/report-runs?grantId={grant.Id}&status=sent")))["items"]!.AsArray()).Single()!;
        await JobsApp.WaitForRunAsync(client, (long)sent["id"]!, "sent");
        Documents.PdfText(Attachment(_smtp.Messages().Single(), ".pdf")).Should().Contain("No spend yet");
    }

    [Test]
    public async Task AMistypedStartYear_OnAnAutoFunder_MakesOnlyTheCatchUpWindowsRuns_AndOneEmailPerContactPerPass()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var database = new Database(options);
        var grant = await Portfolio.Core.Operations.UnitOfWork.CommitAsync(database, async session =>
        {
            var funder = A.Funder("trust");
            funder.DeliveryMode = "auto";
            var funderId = await FunderStore.InsertAsync(session, funder, A.Change());
            var g = A.Grant(funderId, start: new DateOnly(2010, 4, 1), end: new DateOnly(2030, 3, 31)); // meant 2025
            g.Id = await GrantStore.InsertAsync(session, g, A.Change());
            return g;
        });
        await using var app = JobsApp.Create(options, _smtp, new() { ["Portfolio:Jobs:Schedule:CatchUpDays"] = "200" });
        using var client = app.Admin();

        (await ScheduleAsync(app)).Should().BeInRange(2, 3, "200 days hold two or three quarter ends, not 66");
        await JobsApp.EventuallyAsync(() => Task.FromResult(_smtp.Messages().Count == 1), "the first report to be sent");
        await Task.Delay(1500);
        _smtp.Messages().Should().ContainSingle("one report per grant per pass");
        var runs = (await JsonAsync(await client.GetAsync($"/api/report-runs?grantId={grant.Id}&pageSize=500")))["items"]!.AsArray();
        runs.Should().HaveCountLessThanOrEqualTo(3);
        var first = runs.OrderBy(r => r!["periodStart"]!.GetValue<string>()).First()!;
        await JobsApp.WaitForRunAsync(client, (long)first["id"]!, "sent");

        await ScheduleAsync(app);
        await JobsApp.EventuallyAsync(() => Task.FromResult(_smtp.Messages().Count == 2), "the next pass to send the next period");
        await Task.Delay(1500);
        _smtp.Messages().Should().HaveCount(2);
        (await JsonAsync(await client.GetAsync($"/api/report-runs?grantId={grant.Id}&pageSize=500")))["items"]!.AsArray().Should().HaveCount(runs.Count, "no new runs");
    }

    [Test]
    public async Task GrantsWithAbsurdDatesInTheDatabase_StopNeitherTheRollupNorTheScheduleForAnyOtherGrant()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var database = new Database(options);
        var good = await ReportScenario.CreateAsync(database);
        var (farFuture, longAgo) = await Portfolio.Core.Operations.UnitOfWork.CommitAsync(database, async session =>
        {
            // Written straight into the database, as an import or a hand-edit could; the API refuses such dates.
            var funderId = await FunderStore.InsertAsync(session, A.Funder(), A.Change());
            var end = A.Grant(funderId, end: new DateOnly(9999, 12, 31));
            end.Id = await GrantStore.InsertAsync(session, end, A.Change());
            var start = A.Grant(funderId, start: new DateOnly(1, 1, 1));
            start.Id = await GrantStore.InsertAsync(session, start, A.Change());
            // A partner agreement owing returns on the broken grant: the lists of returns owed must skip it, not fail.
            var partnerId = await PartnerStore.InsertAsync(session, A.Partner(), A.Change());
            await PartnerAgreementStore.InsertAsync(session, new PartnerAgreement { GrantId = end.Id, PartnerId = partnerId, AmountPence = 100, StartDate = new DateOnly(2026, 4, 1), EndDate = new DateOnly(2027, 3, 31) }, A.Change());
            return (end.Id, start.Id);
        });
        var goodAgreement = await Portfolio.Core.Operations.UnitOfWork.CommitAsync(database, async session =>
        {
            var partnerId = await PartnerStore.InsertAsync(session, A.Partner(), A.Change());
            return await PartnerAgreementStore.InsertAsync(session, new PartnerAgreement { GrantId = good.Id, PartnerId = partnerId, AmountPence = 100, StartDate = good.StartDate, EndDate = good.EndDate }, A.Change());
        });
        await using var app = JobsApp.Create(options, _smtp);
        using var client = app.Admin();

        var rollup = await client.GetAsync("/api/burn?groupBy=grant&asOf=2026-09-30");
        rollup.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await JsonAsync(rollup);
        body["failed"]!.AsArray().Select(f => (long)f!["grantId"]!).Should().BeEquivalentTo([farFuture, longAgo]);
        body["items"]!.AsArray().Should().Contain(i => (long)i!["id"]! == good.Id);
        (await client.GetAsync("/api/burn?groupBy=funder&asOf=2026-09-30")).StatusCode.Should().Be(HttpStatusCode.OK);
        var single = await client.GetAsync($"/api/grants/{farFuture}/burn");
        single.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await single.Content.ReadAsStringAsync()).Should().Contain("Correct the grant's dates");
        (await client.GetAsync($"/api/grants/{longAgo}/reports/2026-04-01.pdf")).StatusCode.Should().Be(HttpStatusCode.Conflict);

        var overdueReturns = await client.GetAsync("/api/partner-agreements/overdue-returns");
        overdueReturns.StatusCode.Should().Be(HttpStatusCode.OK, "a broken grant's agreement is skipped");
        (await JsonAsync(overdueReturns))["items"]!.AsArray().Should().Contain(r => (long)r!["agreementId"]! == goodAgreement)
            .And.NotContain(r => (long)r!["grantId"]! == farFuture);
        await using (var session = await database.OpenAsync())
        {
            var owed = await Portfolio.Core.PartnerReturns.ReturnSchedule.OwedAsync(session);
            owed.Failed.Select(f => f.GrantId).Should().Equal([farFuture], "named as left out");
        }

        (await ScheduleAsync(app)).Should().BeGreaterThan(0, "the good grant's ended period is still reported");
        (await JsonAsync(await client.GetAsync($"/api/report-runs?grantId={good.Id}")))["total"]!.GetValue<long>().Should().BeGreaterThan(0);

        var outOfRange = await client.PostAsJsonAsync("/api/transactions", new { grantId = good.Id, date = "2101-01-01", amount = 1m, category = "staff", description = "x" });
        outOfRange.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await JsonAsync(outOfRange))["errors"]!["date"]![0]!.GetValue<string>().Should().Be("must be between 1990-01-01 and 2100-12-31");
        (await client.GetAsync("/api/burn?asOf=0001-01-01")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task ADraftWhosePeriodNoLongerExists_IsRefusedWithWhatToDo_NeverAServerError()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var database = new Database(options);
        var grant = await A.SavedGrantAsync(database);
        await using var app = JobsApp.Create(options, _smtp);
        using var client = app.Admin();
        var draft = await JsonAsync(await client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-07-01" }));
        await Portfolio.Core.Operations.UnitOfWork.CommitAsync(database, async session =>
        {
            var current = (await GrantStore.GetAsync(session, grant.Id))!;
            current.StartDate = new DateOnly(2026, 7, 15); // a draft does not close its period, so the grant may move
            return await GrantStore.UpdateAsync(session, grant.Id, current.Version, current, A.Change());
        });

        foreach (var action in new[] { "approve", "regenerate" })
        {
            var refused = await client.PostAsync($"/api/report-runs/{draft["id"]}/{action}", null);
            refused.StatusCode.Should().Be(HttpStatusCode.Conflict, action);
            (await refused.Content.ReadAsStringAsync()).Should().Contain("no longer one of").And.Contain("cancel");
        }

        (await client.PostAsync($"/api/report-runs/{draft["id"]}/cancel", null)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task AFontFolderWithoutFonts_MakesHealthSayNotReady_AndWhatToDo()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        await using var app = JobsApp.Create(options, _smtp, new() { ["Portfolio:Reports:FontDirectory"] = "/nonexistent/fonts" });
        using var client = app.CreateClient();
        var ready = await client.GetAsync("/health/ready");
        ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync()).Should().Contain("Report fonts missing").And.Contain("remove the setting");

        await using var shipped = JobsApp.Create(options, _smtp);
        (await shipped.CreateClient().GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK, "the fonts ship with Portfolio");
    }

    private static async Task<int> ScheduleAsync(JobsApp app)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ReportScheduleJob>().RunAsync(CancellationToken.None);
    }

    private static async Task<long> RunCountAsync(Database database)
    {
        await using var session = await database.OpenAsync();
        return (await ReportRunStore.ListAsync(session, new ReportRunFilter(), new PageRequest(1, 500))).Total;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object body, string? ifMatch)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await client.SendAsync(request);
    }

    private static async Task<JsonObject> JsonAsync(HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    private static long Pence(JsonNode pounds) => (long)(pounds.GetValue<decimal>() * 100);

    private static byte[] Attachment(MimeMessage message, string extension)
    {
        var part = message.Attachments.OfType<MimePart>().Single(a => (a.FileName ?? "").EndsWith(extension, StringComparison.Ordinal));
        using var stream = new MemoryStream();
        part.Content!.DecodeTo(stream);
        return stream.ToArray();
    }
}
