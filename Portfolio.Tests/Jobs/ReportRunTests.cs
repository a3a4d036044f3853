using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Jobs.ReportRuns;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Jobs;

/// <summary>
/// Report runs end to end, on every engine: generated, approved, delivered by Hangfire jobs through a real SMTP
/// server on 127.0.0.1 (aiosmtpd), and read back from its maildir. Each test has a database of its own.
/// </summary>
[NonParallelizable]
public class ReportRunTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    private SmtpTestServer _smtp = null!;

    [SetUp]
    public async Task StartSmtpAsync() => _smtp = await SmtpTestServer.StartAsync();

    [TearDown]
    public void StopSmtp() => _smtp?.Dispose();

    [Test]
    public async Task AnApprovedRun_ReachesEachContactOnce_WithAttachmentsByteIdenticalToTheStoredFiles()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var grant = await ReportScenario.CreateAsync(new Database(options));
        await AddContactAsync(options, grant, "Second Officer", "second@funder.example");
        await using var app = JobsApp.Create(options, _smtp);
        using var client = app.Admin();

        var created = await client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-07-01" });
        created.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var run = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var runId = (long)run["id"]!;
        created.Headers.Location!.ToString().Should().Be($"/api/report-runs/{runId}");
        run["status"]!.GetValue<string>().Should().Be("draft");
        run["files"]!.AsArray().Select(f => f!["format"]!.GetValue<string>()).Should().BeEquivalentTo("xlsx", "pdf");

        (await client.PostAsync($"/api/report-runs/{runId}/approve", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var sent = await JobsApp.WaitForRunAsync(client, runId, "sent");

        var xlsx = await client.GetByteArrayAsync($"/api/report-runs/{runId}/xlsx");
        var pdf = await client.GetByteArrayAsync($"/api/report-runs/{runId}/pdf");
        var messages = _smtp.Messages();
        messages.Select(m => ((MailboxAddress)m.To.Single()).Address).Should().BeEquivalentTo(["second@funder.example", ReportScenario.ContactEmail], "one message per contact");
        foreach (var message in messages)
        {
            message.Subject.Should().Be($"Test Partnership: {grant.Reference} report for 2026/27 Q2");
            message.MessageId.Should().StartWith($"report-run-{runId}.delivery-");
            message.TextBody.Should().Contain("Actual to date: £47,000.00");
            message.HtmlBody.Should().Contain("£47,000.00");
            var attachments = message.Attachments.OfType<MimePart>().ToDictionary(a => a.FileName ?? "", Content);
            var stem = $"{grant.Reference}-2026-27-Q2";
            attachments.Keys.Should().BeEquivalentTo($"{stem}.xlsx", $"{stem}.pdf");
            attachments[$"{stem}.xlsx"].Should().Equal(xlsx);
            attachments[$"{stem}.pdf"].Should().Equal(pdf);
        }

        sent["deliveries"]!.AsArray().Should().OnlyContain(d => d!["status"]!.GetValue<string>() == "sent" && d["messageId"] != null);
        var sha = sent["files"]!.AsArray().Single(f => f!["format"]!.GetValue<string>() == "pdf")!["sha256"]!.GetValue<string>();
        sha.Should().Be(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pdf)));

        // A retry or a second worker running the same delivery job sends nothing more.
        using (var scope = app.Services.CreateScope())
        {
            foreach (var delivery in sent["deliveries"]!.AsArray())
            {
                await scope.ServiceProvider.GetRequiredService<ReportDeliveryJob>().SendAsync((long)delivery!["id"]!, CancellationToken.None);
            }
        }

        _smtp.Messages().Should().HaveCount(2);
        var audit = await client.GetFromJsonAsync<JsonObject>($"/api/audit?entity=report-run&entityId={runId}");
        audit!["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).Should().Contain(["create", "approve", "sent"]);

        // Sending anchored the audit chain's head (with the "sent" entry in it), which verify checks.
        await using (var session = await new Database(options).OpenAsync())
        {
            var anchors = (await session.QueryAsync<long>(Sql.Common("SELECT head_entry_id FROM audit_anchor WHERE reason = 'report-run-sent' AND report_run_id = @RunId"), new { RunId = runId })).ToList();
            anchors.Should().ContainSingle();
            var sentEntry = audit["items"]!.AsArray().Single(e => e!["action"]!.GetValue<string>() == "sent")!["id"]!.GetValue<long>();
            anchors[0].Should().BeGreaterThanOrEqualTo(sentEntry);
        }

        var verify = await client.GetFromJsonAsync<JsonObject>("/api/audit/verify");
        verify!["valid"]!.GetValue<bool>().Should().BeTrue();
        verify["anchors"]!.GetValue<long>().Should().BeGreaterThanOrEqualTo(1);
    }

    [Test]
    public async Task ApprovalIsRefused_ForARedPeriodWithoutANote_AndAllowedOnceANoteIsAdded()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var database = new Database(options);
        var grant = await A.SavedGrantAsync(database); // budgeted below but with no spend: -100 %, red
        await Portfolio.Core.Operations.UnitOfWork.CommitAsync(database, async s => await BudgetStore.InsertVersionAsync(s, grant.Id,
            [new BudgetLine { CategoryCode = "staff", PeriodStart = new DateOnly(2026, 4, 1), AmountPence = 1_000_000 }], A.Change()));
        await using var app = JobsApp.Create(options, _smtp);
        using var client = app.Admin();
        var run = (await (await client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-04-01" })).Content.ReadFromJsonAsync<JsonObject>())!;
        run["rag"]!.GetValue<string>().Should().Be("red");

        var refused = await client.PostAsync($"/api/report-runs/{run["id"]}/approve", null);
        refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        var problem = await refused.Content.ReadAsStringAsync();
        problem.Should().Contain("RED").And.Contain("2026-04-01").And.Contain("variance note");
        (await client.GetFromJsonAsync<JsonObject>($"/api/report-runs/{run["id"]}"))!["status"]!.GetValue<string>().Should().Be("draft");

        (await client.PostAsJsonAsync($"/api/grants/{grant.Id}/variance-notes", new { periodStart = "2026-04-01", text = "Recruitment delayed; spend moves to Q2." })).EnsureSuccessStatusCode();
        // The draft was made without the note, so it is stale: approval makes a new draft from the books and names it.
        var stale = await client.PostAsync($"/api/report-runs/{run["id"]}/approve", null);
        stale.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var newRunId = (long)(await stale.Content.ReadFromJsonAsync<JsonObject>())!["newRunId"]!;
        (await client.PostAsync($"/api/report-runs/{newRunId}/approve", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await JobsApp.WaitForRunAsync(client, newRunId, "sent");
        _smtp.Messages().Should().ContainSingle();
    }

    [Test]
    public async Task WithTheSmtpServerDown_DeliveriesFailAndAreRetried_AndSucceedOnceItIsBack_StillOnceEach()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var grant = await ReportScenario.CreateAsync(new Database(options));
        await AddContactAsync(options, grant, "Second Officer", "second@funder.example");
        await using var app = JobsApp.Create(options, _smtp);
        using var client = app.Admin();
        var run = (await (await client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-07-01" })).Content.ReadFromJsonAsync<JsonObject>())!;
        var runId = (long)run["id"]!;

        _smtp.Stop();
        (await client.PostAsync($"/api/report-runs/{runId}/approve", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await JobsApp.EventuallyAsync(async () =>
        {
            var current = await client.GetFromJsonAsync<JsonObject>($"/api/report-runs/{runId}");
            return current!["deliveries"]!.AsArray().All(d => (int)d!["attempts"]! >= 2 && d["lastError"] != null);
        }, "both deliveries to fail at least twice while the server is down");

        await _smtp.StartAgainAsync();
        await JobsApp.WaitForRunAsync(client, runId, "sent");

        var messages = _smtp.Messages();
        messages.Should().HaveCount(2);
        messages.Select(m => m.MessageId).Should().OnlyHaveUniqueItems();
    }

    [Test]
    public async Task PickupMode_WritesEmlFiles_ThatMimeKitReadsBackWithBothAttachments()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var grant = await ReportScenario.CreateAsync(new Database(options));
        var outbox = Path.Combine(Path.GetTempPath(), "portfolio-outbox-" + Guid.NewGuid().ToString("N")[..8]);
        await using var app = JobsApp.Create(options, null, new() { ["Portfolio:Email:Mode"] = "Pickup", ["Portfolio:Email:PickupDirectory"] = outbox });
        using var client = app.Admin();
        var run = (await (await client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-07-01" })).Content.ReadFromJsonAsync<JsonObject>())!;

        (await client.PostAsync($"/api/report-runs/{run["id"]}/approve", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await JobsApp.WaitForRunAsync(client, (long)run["id"]!, "sent");

        var files = Directory.GetFiles(outbox, "*.eml");
        files.Should().ContainSingle();
        var message = await MimeMessage.LoadAsync(files[0]);
        message.Attachments.OfType<MimePart>().Select(a => a.FileName).Should().BeEquivalentTo($"{grant.Reference}-2026-27-Q2.xlsx", $"{grant.Reference}-2026-27-Q2.pdf");
        Content(message.Attachments.OfType<MimePart>().Single(a => (a.FileName ?? "").EndsWith(".pdf", StringComparison.Ordinal)))
            .Should().Equal(await client.GetByteArrayAsync($"/api/report-runs/{run["id"]}/pdf"));
        Directory.Delete(outbox, recursive: true);
    }

    [Test]
    public async Task TheScheduler_RunTwiceAndInTwoProcessesAtOnce_CreatesOneRunPerGrantAndPeriod()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var database = new Database(options);
        var first = await ReportScenario.CreateAsync(database);
        var second = await ReportScenario.CreateAsync(database);
        await using var one = JobsApp.Create(options, _smtp);
        await using var two = JobsApp.Create(options, _smtp);

        async Task<int> Schedule(JobsApp app)
        {
            using var scope = app.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<ReportScheduleJob>().RunAsync(CancellationToken.None);
        }

        var created = await Task.WhenAll(Schedule(one), Schedule(two), Schedule(one));
        var again = await Task.WhenAll(Schedule(two), Schedule(one));

        // The scenario's grant runs over 2026/27; the schedule reports the periods that ended within the catch-up window
        // (100 days) of today. On 23 Nov 2026 that is Q2 alone for each of the two grants (Q1 ended 146 days before).
        var today = Portfolio.Core.Periods.UkDate.Today(TimeProvider.System);
        var due = Portfolio.Core.Periods.ReportingPeriods.For(Portfolio.Core.Periods.ReportingCalendar.UkFinancialYear, first.StartDate, first.EndDate)
            .Count(p => p.End < today && p.End >= today.AddDays(-100));
        using var client = one.Admin();
        var runs = (await client.GetFromJsonAsync<JsonObject>("/api/report-runs?pageSize=500"))!["items"]!.AsArray();
        runs.Select(r => ((long)r!["grantId"]!, r["periodStart"]!.GetValue<string>())).Should().OnlyHaveUniqueItems();
        runs.Should().HaveCount(created.Sum());
        created.Sum().Should().Be(2 * due);
        again.Sum().Should().Be(0);
        runs.Should().OnlyContain(r => r!["status"]!.GetValue<string>() == "draft", "an approval-mode funder's runs wait for approval");
    }

    [Test]
    public async Task Regenerate_SupersedesADraft_ButNeverASentRun_AndResendAddsDeliveries()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var grant = await ReportScenario.CreateAsync(new Database(options));
        await using var app = JobsApp.Create(options, _smtp);
        using var client = app.Admin();
        var run = (await (await client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-07-01" })).Content.ReadFromJsonAsync<JsonObject>())!;
        var conflict = await client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-07-01" });
        conflict.StatusCode.Should().Be(HttpStatusCode.Conflict);

        var regenerated = await client.PostAsync($"/api/report-runs/{run["id"]}/regenerate", null);
        regenerated.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var newRun = (await regenerated.Content.ReadFromJsonAsync<JsonObject>())!;
        var old = await client.GetFromJsonAsync<JsonObject>($"/api/report-runs/{run["id"]}");
        old!["status"]!.GetValue<string>().Should().Be("superseded");
        ((long)old["supersededByRunId"]!).Should().Be((long)newRun["id"]!);

        (await client.PostAsync($"/api/report-runs/{newRun["id"]}/approve", null)).EnsureSuccessStatusCode();
        await JobsApp.WaitForRunAsync(client, (long)newRun["id"]!, "sent");
        (await client.PostAsync($"/api/report-runs/{newRun["id"]}/regenerate", null)).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await client.PostAsync($"/api/report-runs/{newRun["id"]}/approve", null)).StatusCode.Should().Be(HttpStatusCode.Conflict);

        var wrongRecipient = await client.PostAsJsonAsync($"/api/report-runs/{newRun["id"]}/resend", new { recipients = new[] { "someone@else.example" } });
        wrongRecipient.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var resend = await client.PostAsJsonAsync($"/api/report-runs/{newRun["id"]}/resend", new { recipients = new[] { ReportScenario.ContactEmail } });
        resend.StatusCode.Should().Be(HttpStatusCode.Accepted);
        await JobsApp.EventuallyAsync(async () => _smtp.Messages().Count == 2 &&
            (await client.GetFromJsonAsync<JsonObject>($"/api/report-runs/{newRun["id"]}"))!["deliveries"]!.AsArray().All(d => d!["status"]!.GetValue<string>() == "sent"),
            "the resend to arrive");
        _smtp.Messages().Select(m => m.MessageId).Should().OnlyHaveUniqueItems("a resend is a new message");
    }

    [Test]
    public async Task AfterARestart_UnfinishedDeliveriesAreSentOnce_AndOneCaughtMidTransmissionIsNeverResentBlindly()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var database = new Database(options);
        var grant = await ReportScenario.CreateAsync(database);
        await AddContactAsync(options, grant, "Second Officer", "second@funder.example");
        long runId;
        await using (var first = JobsApp.Create(options, _smtp, new() { ["Portfolio:Jobs:RunInProcess"] = "false" }, runServer: false))
        {
            using var client = first.Admin();
            var run = (await (await client.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-07-01" })).Content.ReadFromJsonAsync<JsonObject>())!;
            runId = (long)run["id"]!;
            if (Engine == DatabaseEngine.Sqlite)
            {
                // The approving process dies before any job runs (in-memory job storage is lost with it).
                await using var session = await database.OpenAsync();
                await session.BeginAsync();
                await ReportRunStore.ApproveAsync(session, runId, 1, A.Change());
                var grantRow = (await GrantStore.GetAsync(session, grant.Id))!;
                foreach (var contact in (await FunderStore.GetAsync(session, grantRow.FunderId))!.Contacts)
                {
                    await ReportRunStore.InsertDeliveryAsync(session, new ReportDelivery { ReportRunId = runId, RecipientName = contact.Name, RecipientEmail = contact.Email, Status = "pending", CreatedAt = DateTime.UtcNow });
                }

                await session.CommitAsync();
            }
            else
            {
                (await client.PostAsync($"/api/report-runs/{runId}/approve", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
            }
        }

        // One delivery was claimed by the dead process before its message went out; the other while it was going out.
        await using (var session = await database.OpenAsync())
        {
            var deliveries = await ReportRunStore.ListDeliveriesAsync(session, runId);
            var longAgo = DateTime.UtcNow.AddHours(-1);
            (await ReportRunStore.ClaimDeliveryAsync(session, deliveries[0].Id, "dead-worker", longAgo, longAgo.AddMinutes(-1))).Should().BeTrue();
            (await ReportRunStore.ClaimDeliveryAsync(session, deliveries[1].Id, "dead-worker", longAgo, longAgo.AddMinutes(-1))).Should().BeTrue();
            (await ReportRunStore.MarkTransmittingAsync(session, deliveries[1].Id, "dead-worker", "lost@portfolio.invalid", longAgo)).Should().BeTrue();
        }

        await using var restarted = JobsApp.Create(options, _smtp);
        using var admin = restarted.Admin();
        var failed = await JobsApp.WaitForRunAsync(admin, runId, "failed");
        await JobsApp.EventuallyAsync(async () => (await admin.GetFromJsonAsync<JsonObject>($"/api/report-runs/{runId}"))!["deliveries"]!.AsArray().Any(d => d!["status"]!.GetValue<string>() == "sent"), "the safe delivery to be sent");
        var final = await admin.GetFromJsonAsync<JsonObject>($"/api/report-runs/{runId}");
        var states = final!["deliveries"]!.AsArray().Select(d => d!["status"]!.GetValue<string>()).ToList();
        states.Should().BeEquivalentTo(["sent", "failed"]);
        final["deliveries"]!.AsArray().Single(d => d!["status"]!.GetValue<string>() == "failed")!["lastError"]!.GetValue<string>().Should().Contain("Outcome unknown");
        _smtp.Messages().Should().ContainSingle("the delivery whose outcome is unknown is not sent again without a person deciding");
        failed["failureReason"]!.GetValue<string>().Should().Contain("Outcome unknown");
    }

    [Test]
    public async Task Roles_ViewersReadRuns_ButCannotApprove_AndTheDashboardIsForAdminsOnly()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var grant = await ReportScenario.CreateAsync(new Database(options));
        await using var app = JobsApp.Create(options, _smtp);
        using var admin = app.Admin();
        var run = (await (await admin.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-07-01" })).Content.ReadFromJsonAsync<JsonObject>())!;
        var viewerKey = (await (await admin.PostAsJsonAsync("/api/api-keys", new { name = "v", role = "viewer" })).Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
        using var viewer = app.CreateClient();
        viewer.DefaultRequestHeaders.Add("X-Api-Key", viewerKey);

        (await viewer.GetAsync($"/api/report-runs/{run["id"]}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await viewer.GetAsync("/api/report-runs?overdue=true")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await viewer.PostAsync($"/api/report-runs/{run["id"]}/approve", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await admin.GetAsync("/api/report-runs?overdue=maybe")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await admin.GetAsync("/api/report-runs/999999")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        using var anonymous = app.CreateClient();
        ((int)(await anonymous.GetAsync("/hangfire")).StatusCode).Should().BeOneOf(401, 403);
        ((int)(await viewer.GetAsync("/hangfire")).StatusCode).Should().BeOneOf(401, 403);
        (await admin.GetAsync("/hangfire")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private static async Task AddContactAsync(DatabaseOptions options, Grant grant, string name, string email)
    {
        var database = new Database(options);
        await Portfolio.Core.Operations.UnitOfWork.CommitAsync(database, async session =>
        {
            var funder = (await FunderStore.GetAsync(session, grant.FunderId))!;
            funder.Contacts.Add(new FunderContact { Name = name, Email = email });
            return await FunderStore.UpdateAsync(session, funder.Id, funder.Version, funder, A.Change());
        });
    }

    private static byte[] Content(MimePart part)
    {
        using var stream = new MemoryStream();
        part.Content!.DecodeTo(stream);
        return stream.ToArray();
    }
}

/// <summary>Two Hangfire servers (two API hosts) on one PostgreSQL database share a batch of deliveries.</summary>
[NonParallelizable]
public class SharedQueueTests
{
    [Test]
    public async Task TwoServersOnOnePostgres_DeliverABatchOf20Runs_EachRecipientReceivingEachReportOnce()
    {
        using var smtp = await SmtpTestServer.StartAsync();
        var options = await TestEnvironment.CreateDatabaseAsync(DatabaseEngine.Postgres);
        var database = new Database(options);
        for (var i = 0; i < 10; i++)
        {
            var grant = await ReportScenario.CreateAsync(database);
            await Portfolio.Core.Operations.UnitOfWork.CommitAsync(database, async session =>
            {
                var funder = (await FunderStore.GetAsync(session, grant.FunderId))!;
                funder.Contacts.Add(new FunderContact { Name = "Finance", Email = $"finance{i}@funder.example" });
                return await FunderStore.UpdateAsync(session, funder.Id, funder.Version, funder, A.Change());
            });
        }

        // A catch-up window wide enough for 2026/27 Q1 as well as Q2.
        var wide = new Dictionary<string, string?> { ["Portfolio:Jobs:Schedule:CatchUpDays"] = "400" };
        await using var one = JobsApp.Create(options, smtp, wide);
        await using var two = JobsApp.Create(options, smtp, wide);
        using var client = one.Admin();
        using (var scope = one.Services.CreateScope())
        {
            (await scope.ServiceProvider.GetRequiredService<ReportScheduleJob>().RunAsync(CancellationToken.None)).Should().Be(20, "2026/27 Q1 and Q2 have ended for each of the ten grants");
        }

        using var other = two.Admin();
        var all = (await client.GetFromJsonAsync<JsonObject>("/api/report-runs?pageSize=500"))!["items"]!.AsArray();
        all.Should().HaveCount(20);
        var runs = all.Select(r => (long)r!["id"]!).ToList();
        try
        {
            // Periods go in order: each grant's Q1, then each grant's Q2, half of each batch approved through each server.
            foreach (var period in new[] { "2026-04-01", "2026-07-01" })
            {
                var batch = all.Where(r => r!["periodStart"]!.GetValue<string>() == period).Select(r => (long)r!["id"]!).ToList();
                var approvals = await Task.WhenAll(batch.Select((id, n) => (n % 2 == 0 ? client : other).PostAsync($"/api/report-runs/{id}/approve", null)));
                foreach (var approval in approvals)
                {
                    ((int)approval.StatusCode).Should().Be(202, await approval.Content.ReadAsStringAsync());
                }

                foreach (var id in batch)
                {
                    await JobsApp.WaitForRunAsync(client, id, "sent", seconds: 60);
                }
            }
        }
        catch (Exception)
        {
            await using var connection = new Npgsql.NpgsqlConnection(options.ConnectionString);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("SELECT j.statename, count(*), max(s.data::text), max(s.reason) FROM hangfire.job j LEFT JOIN hangfire.state s ON s.id = j.stateid GROUP BY j.statename", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                TestContext.Out.WriteLine($"DEBUG {reader.GetValue(0)} {reader.GetValue(1)} {reader.GetValue(2)} {reader.GetValue(3)}");
            }

            throw;
        }

        var messages = smtp.Messages();
        messages.Should().HaveCount(40, "20 reports, each to its funder's two contacts");
        messages.Select(m => (m.Subject, ((MailboxAddress)m.To.Single()).Address)).Should().OnlyHaveUniqueItems();
        messages.Select(m => m.MessageId).Should().OnlyHaveUniqueItems();

        await using var session = await database.OpenAsync();
        var claimants = new HashSet<string>();
        foreach (var id in runs)
        {
            claimants.UnionWith((await ReportRunStore.ListDeliveriesAsync(session, id)).Select(d => d.ClaimedBy ?? ""));
        }

        claimants.Should().HaveCount(2, "both servers took deliveries from the shared queue");
    }
}

/// <summary>Once a period's report is sent, its spend and income are closed to change until an admin reopens it.</summary>
[NonParallelizable]
public class ClosedPeriodTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    [Test]
    public async Task MoneyInASentPeriod_CannotBeCreatedChangedOrVoided_UntilAnAdminReopensIt()
    {
        using var smtp = await SmtpTestServer.StartAsync();
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        var grant = await ReportScenario.CreateAsync(new Database(options));
        await using var app = JobsApp.Create(options, smtp);
        using var admin = app.Admin();
        var run = (await (await admin.PostAsJsonAsync("/api/report-runs", new { grantId = grant.Id, periodStart = "2026-07-01" })).Content.ReadFromJsonAsync<JsonObject>())!;
        var inQ2 = (await admin.PostAsJsonAsync("/api/transactions", new { grantId = grant.Id, date = "2026-08-01", amount = 10m, category = "staff", description = "Before the report" })).Content.ReadFromJsonAsync<JsonObject>().Result!;
        // The draft was made before that transaction: approval regenerates it, and the new draft is approved.
        var stale = await admin.PostAsync($"/api/report-runs/{run["id"]}/approve", null);
        stale.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var current = (long)(await stale.Content.ReadFromJsonAsync<JsonObject>())!["newRunId"]!;
        (await admin.PostAsync($"/api/report-runs/{current}/approve", null)).EnsureSuccessStatusCode();
        await JobsApp.WaitForRunAsync(admin, current, "sent");
        var counts = await CountsAsync(options);

        var create = await admin.PostAsJsonAsync("/api/transactions", new { grantId = grant.Id, date = "2026-09-30", amount = 5m, category = "staff", description = "Late invoice" });
        create.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await create.Content.ReadAsStringAsync()).Should().Contain("2026/27 Q2").And.Contain("closed").And.Contain("adjusting entry");
        (await admin.PostAsJsonAsync("/api/payments", new { grantId = grant.Id, date = "2026-08-15", amount = 5m })).StatusCode.Should().Be(HttpStatusCode.Conflict);
        using (var put = new HttpRequestMessage(HttpMethod.Put, $"/api/transactions/{inQ2["id"]}") { Content = JsonContent.Create(new { grantId = grant.Id, date = "2026-08-01", amount = 11m, category = "staff", description = "Changed" }) })
        {
            put.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            (await admin.SendAsync(put)).StatusCode.Should().Be(HttpStatusCode.Conflict);
        }

        using (var voiding = new HttpRequestMessage(HttpMethod.Post, $"/api/transactions/{inQ2["id"]}/void") { Content = JsonContent.Create(new { reason = "x" }) })
        {
            voiding.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            (await admin.SendAsync(voiding)).StatusCode.Should().Be(HttpStatusCode.Conflict);
        }

        (await CountsAsync(options)).Should().Be(counts, "nothing changed");
        (await admin.PostAsJsonAsync("/api/transactions", new { grantId = grant.Id, date = "2026-10-05", amount = 5m, category = "staff", description = "Adjustment for Q2 invoice" }))
            .StatusCode.Should().Be(HttpStatusCode.Created, "the next period is open");

        var financeKey = (await (await admin.PostAsJsonAsync("/api/api-keys", new { name = "f", role = "finance" })).Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
        using var finance = app.CreateClient();
        finance.DefaultRequestHeaders.Add("X-Api-Key", financeKey);
        (await finance.PostAsJsonAsync($"/api/grants/{grant.Id}/periods/2026-07-01/reopen", new { reason = "x" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await admin.PostAsJsonAsync($"/api/grants/{grant.Id}/periods/2026-07-01/reopen", new { reason = "" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await admin.PostAsJsonAsync($"/api/grants/{grant.Id}/periods/2026-07-01/reopen", new { reason = "Funder asked for the late invoice to be included." })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PostAsJsonAsync("/api/transactions", new { grantId = grant.Id, date = "2026-09-30", amount = 5m, category = "staff", description = "Late invoice" }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var audit = await admin.GetFromJsonAsync<JsonObject>("/api/audit?entity=period");
        audit!["items"]!.AsArray().Single()!["after"]!["reason"]!.GetValue<string>().Should().Contain("late invoice");
    }

    private static async Task<long> CountsAsync(DatabaseOptions options)
    {
        await using var session = await new Database(options).OpenAsync();
        return await session.ExecuteScalarAsync<long>(Count);
    }

    private static readonly Sql Count = Sql.Common("SELECT (SELECT COUNT(*) FROM spend_transaction) + (SELECT COUNT(*) FROM payment) + (SELECT SUM(version) FROM spend_transaction) + (SELECT COUNT(*) FROM audit_entry)");
}
