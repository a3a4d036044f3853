using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClosedXML.Excel;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portfolio.Core.Data;
using Portfolio.Core.Operations;
using Portfolio.Core.PartnerReturns;
using Portfolio.Jobs.PartnerReturns;
using Portfolio.Tests.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.PartnerReturns;

/// <summary>
/// Partner agreements in full (issue 14): payment schedules, the return links partners use with no account, the
/// returns they make, their review, what reaches the funder report, and reminders sent once. Today is fixed at
/// 2 December 2026; the grants run 1 April 2026 to 31 March 2027 on the UK financial year, so Q1 (due 30 July with
/// the default 30 days) and Q2 (due 30 October) are overdue and Q3 has not ended.
/// </summary>
public sealed partial class PartnerReturnsApiTests(DatabaseEngine engine) : ApiTest(engine)
{
    private SmtpTestServer _smtp = null!;

    protected override TimeProvider? Clock { get; } = new FixedClock(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));

    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync()
    {
        _smtp = await SmtpTestServer.StartAsync();
        return new Dictionary<string, string?>(_smtp.HostSettings()) { ["Portfolio:PublicBaseUrl"] = "https://portfolio.partnership.example" };
    }

    [OneTimeTearDown]
    public void StopSmtp() => _smtp?.Dispose();

    [Test]
    public async Task AScheduleThatDoesNotAddUp_IsRefused_APaidInstalmentIsKept_AndUnpaidOnesPastDueAreListed()
    {
        var (grantId, partnerId) = await GrantAndPartnerAsync();
        var before = await RowCountsAsync();
        var short_ = await Finance.PostAsJsonAsync("/api/partner-agreements", Agreement(grantId, partnerId, 1000m, (600m, "2026-04-15"), (300m, "2026-09-01")));
        ShouldBeProblem(short_, 400, "instalments");
        (await short_.Content.ReadAsStringAsync()).Should().Contain("add up to the agreement's £1,000.00").And.Contain("£100.00 short");
        var outside = await Finance.PostAsJsonAsync("/api/partner-agreements", Agreement(grantId, partnerId, 1000m, (600m, "2026-04-15"), (400m, "2027-05-01")));
        ShouldBeProblem(outside, 400, "instalments[1].dueDate");
        (await RowCountsAsync()).Should().Equal(before, "a refused schedule writes nothing");

        var agreement = await CreateAsync(Finance, "/api/partner-agreements", Agreement(grantId, partnerId, 1000m, (600m, "2026-04-15"), (400m, "2026-09-01")));
        var instalments = agreement["instalments"]!.AsArray();
        instalments.Select(i => i!["amount"]!.GetValue<decimal>()).Should().Equal(600m, 400m);
        var first = (long)instalments[0]!["id"]!;
        var second = (long)instalments[1]!["id"]!;

        var wrongAmount = await Finance.PostAsJsonAsync("/api/transactions", Payment(grantId, partnerId, 500m, first));
        ShouldBeProblem(wrongAmount, 400, "instalmentId");
        var paid = await CreateAsync(Finance, "/api/transactions", Payment(grantId, partnerId, 600m, first));
        paid["instalmentId"]!.GetValue<long>().Should().Be(first);
        ShouldBeProblem(await Finance.PostAsJsonAsync("/api/transactions", Payment(grantId, partnerId, 600m, first)), 400, "instalmentId");

        var read = await Viewer.GetFromJsonAsync<JsonObject>($"/api/partner-agreements/{agreement["id"]}");
        read!["instalments"]![0]!["paidByTransactionId"]!.GetValue<long>().Should().Be((long)paid["id"]!);
        read["instalments"]![1]!["paidByTransactionId"].Should().BeNull();
        (await OverdueAsync(grantId)).Should().Equal([(second, 92)], "1 September to 2 December is 92 days");

        // The paid instalment cannot be changed or dropped; the unpaid one can.
        var change = read.DeepClone().AsObject();
        change["instalments"] = new JsonArray(new JsonObject { ["id"] = first, ["dueDate"] = "2026-04-15", ["amount"] = 500m }, new JsonObject { ["id"] = second, ["dueDate"] = "2026-09-01", ["amount"] = 500m });
        var refused = await PutJsonAsync(Finance, $"/api/partner-agreements/{agreement["id"]}", change.ToJsonString(), "\"1\"");
        ShouldBeProblem(refused, 400, "instalments");
        (await refused.Content.ReadAsStringAsync()).Should().Contain($"was paid by transaction {paid["id"]}");
        change["instalments"] = new JsonArray(new JsonObject { ["id"] = first, ["dueDate"] = "2026-04-15", ["amount"] = 600m }, new JsonObject { ["dueDate"] = "2027-01-15", ["amount"] = 400m });
        (await PutJsonAsync(Finance, $"/api/partner-agreements/{agreement["id"]}", change.ToJsonString(), "\"1\"")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await OverdueAsync(grantId)).Should().BeEmpty("the unpaid instalment now falls due in January");

        // Voiding the payment makes its instalment unpaid again.
        (await SendJsonAsync(Finance, HttpMethod.Post, $"/api/transactions/{paid["id"]}/void", """{"reason":"Paid to the wrong account"}""", "\"1\"", null)).EnsureSuccessStatusCode();
        (await OverdueAsync(grantId)).Should().Equal([(first, 231)], "15 April to 2 December is 231 days");
    }

    [Test]
    public async Task TheAgreementForm_RecordsAreasAScheduleAndAReturnCycle_AndAnEditKeepsThePaidInstalment()
    {
        var funderId = await CreateFunderAsync();
        var grant = await CreateAsync(Finance, "/api/grants", new { funderId, reference = Unique.Text("G"), title = "Areas", amountAwarded = 5000m, startDate = "2026-04-01", endDate = "2027-03-31", areaCodes = new[] { "E23000029", "E23000032" } });
        var grantId = (long)grant["id"]!;
        var partnerId = await CreatePartnerAsync();
        using var browser = await SignedInAsync("finance");
        var path = $"/grants/{grantId}/agreements/new";
        var form = await browser.GetStringAsync(path);
        form.Should().Contain("Thames Valley").And.Contain("Kent").And.NotContain("Dyfed-Powys", "only the grant's areas are offered");

        async Task<string> PostAsync(string url, string page, string schedule, string? version = null) => WebUtility.HtmlDecode(await (await browser.PostAsync(url, Form(
            ("__RequestVerificationToken", Documents.AntiforgeryToken(page)), ("version", version ?? ""), ("partnerId", partnerId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("amount", "1,000.00"), ("startDate-day", "1"), ("startDate-month", "4"), ("startDate-year", "2026"), ("endDate-day", "31"), ("endDate-month", "3"), ("endDate-year", "2027"),
            ("areaCodes", "E23000029"), ("instalments", schedule), ("returnsDue", "each-period"), ("returnLagDays", "45")))).Content.ReadAsStringAsync());

        var before = await RowCountsAsync();
        (await PostAsync(path, form, "01/04/2026 600.00\n01/10/2026 300.00")).Should().Contain("govuk-error-summary").And.Contain("£100.00 short");
        (await PostAsync(path, form, "first of April 600")).Should().Contain("Payment schedule line 1 must be a date and an amount");
        (await RowCountsAsync()).Should().Equal(before, "a refused form writes nothing");
        (await PostAsync(path, form, "01/04/2026 600.00\n01/10/2026 400.00")).Should().Contain("recorded");

        var agreement = (await Viewer.GetFromJsonAsync<JsonObject>($"/api/partner-agreements?grantId={grantId}"))!["items"]![0]!;
        agreement["areaCodes"]!.AsArray().Select(c => (string)c!).Should().Equal("E23000029");
        agreement["returnLagDays"]!.GetValue<int>().Should().Be(45);
        agreement["instalments"]!.AsArray().Select(i => i!["amount"]!.GetValue<decimal>()).Should().Equal(600m, 400m);
        var first = (long)agreement["instalments"]![0]!["id"]!;
        await CreateAsync(Finance, "/api/transactions", Payment(grantId, partnerId, 600m, first));

        var edit = $"/partner-agreements/{agreement["id"]}/edit";
        var editForm = await browser.GetStringAsync(edit);
        editForm.Should().Contain("01/04/2026 600.00");
        (await PostAsync(edit, editForm, "01/04/2026 500.00\n01/10/2026 500.00", "1")).Should().Contain("was paid by transaction");
        (await PostAsync(edit, editForm, "01/04/2026 600.00\n15/01/2027 400.00", "1")).Should().Contain("saved");
        var changed = await Viewer.GetFromJsonAsync<JsonObject>($"/api/partner-agreements/{agreement["id"]}");
        changed!["instalments"]![0]!["id"]!.GetValue<long>().Should().Be(first, "the unchanged line keeps its instalment");
        changed["instalments"]![0]!["paidByTransactionId"].Should().NotBeNull();
        changed["instalments"]![1]!["dueDate"]!.GetValue<string>().Should().Be("2027-01-15");
    }

    [Test]
    public async Task TheSpendForm_RecordsAPaymentAgainstAnInstalment_AndRefusesTheWrongAmountBesideTheField()
    {
        var (grantId, partnerId) = await GrantAndPartnerAsync();
        var agreement = await CreateAsync(Finance, "/api/partner-agreements", Agreement(grantId, partnerId, 1000m, (600m, "2026-04-15"), (400m, "2026-09-01")));
        var instalment = (long)agreement["instalments"]![1]!["id"]!;
        using var browser = await SignedInAsync("finance");
        var form = await browser.GetStringAsync($"/grants/{grantId}/spend/new");
        WebUtility.HtmlDecode(form).Should().Contain("Instalment paid").And.Contain("£400.00 due 1 September 2026");

        async Task<string> PostAsync(string amount) => await (await browser.PostAsync($"/grants/{grantId}/spend/new", Form(
            ("__RequestVerificationToken", Documents.AntiforgeryToken(form)), ("date-day", "2"), ("date-month", "9"), ("date-year", "2026"), ("amount", amount),
            ("category", "partner-grants"), ("description", "Second instalment"), ("partnerId", partnerId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("instalmentId", instalment.ToString(System.Globalization.CultureInfo.InvariantCulture))))).Content.ReadAsStringAsync() is var html ? WebUtility.HtmlDecode(html) : "";

        (await PostAsync("399.99")).Should().Contain("govuk-error-summary").And.Contain("Instalment paid instalment").And.Contain("is £400.00");
        await PostAsync("400.00");
        (await OverdueAsync(grantId)).Select(o => o.Id).Should().NotContain(instalment, "the payment paid it");
        var read = await Viewer.GetFromJsonAsync<JsonObject>($"/api/partner-agreements/{agreement["id"]}");
        read!["instalments"]![1]!["paidByTransactionId"].Should().NotBeNull();
    }

    [Test]
    public async Task ALink_IsEmailedToThePartner_OpensItsForm_AndIsRefusedWhenTamperedExpiredRevokedOrPointedElsewhere()
    {
        var (grantId, partnerId) = await GrantAndPartnerAsync();
        var agreementId = (long)(await CreateAsync(Finance, "/api/partner-agreements", Agreement(grantId, partnerId, 1000m)))["id"]!;
        var otherAgreement = (long)(await CreateAsync(Finance, "/api/partner-agreements", Agreement(grantId, await CreatePartnerAsync(), 10m)))["id"]!;

        ShouldBeProblem(await Lead.PostAsync($"/api/partner-agreements/{agreementId}/returns/2026-04-01/link", null), 403);
        ShouldBeProblem(await Finance.PostAsync($"/api/partner-agreements/{agreementId}/returns/2026-05-01/link", null), 400, "periodStart");
        var made = await Finance.PostAsync($"/api/partner-agreements/{agreementId}/returns/2026-04-01/link", null);
        made.StatusCode.Should().Be(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        var body = await BodyAsync(made);
        var url = new Uri((string)body["url"]!);
        url.GetLeftPart(UriPartial.Authority).Should().Be("https://portfolio.partnership.example");
        body["emailedTo"]!.GetValue<string>().Should().Be(PartnerEmail(partnerId));
        body["expiresAt"]!.GetValue<DateTime>().Should().Be(new DateTime(2027, 1, 31, 10, 0, 0), "60 days by default");
        var email = _smtp.Messages().Single(m => m.To.ToString().Contains(PartnerEmail(partnerId), StringComparison.Ordinal));
        email.TextBody.Should().Contain(url.ToString()).And.Contain("2026/27 Q1").And.Contain("30 July 2026");

        using var partner = PartnerBrowser();
        var form = await partner.GetAsync(url.PathAndQuery);
        form.StatusCode.Should().Be(HttpStatusCode.OK);
        var antiforgery = Documents.AntiforgeryToken(await form.Content.ReadAsStringAsync());
        var path = url.AbsolutePath;
        var token = path[(path.LastIndexOf('/') + 1)..];
        var tampered = path[..^1] + (path[^1] == 'A' ? 'B' : 'A');
        var before = await RowCountsAsync();
        foreach (var wrong in new[]
                 {
                     tampered,
                     path.Replace($"/returns/{agreementId}/", $"/returns/{otherAgreement}/", StringComparison.Ordinal),
                     path.Replace("/2026-04-01/", "/2026-07-01/", StringComparison.Ordinal),
                     $"/returns/{agreementId}/2026-04-01/{token.Split('.')[0]}.{new string('A', 43)}",
                     $"/returns/{agreementId}/2026-04-01/not-a-token",
                 })
        {
            (await partner.GetAsync(wrong)).StatusCode.Should().Be(HttpStatusCode.NotFound, wrong);
            (await partner.PostAsync(wrong, Form(("__RequestVerificationToken", antiforgery), ("action", "submit"), ("wentWell", "x"), ("gotInTheWay", "y")))).StatusCode
                .Should().Be(HttpStatusCode.NotFound, "a post to " + wrong);
        }

        // Expired: the same link, with its expiry moved into the past.
        await using (var session = await Database.OpenAsync())
        {
            await session.ExecuteAsync(Sql.Common("UPDATE partner_return_link SET expires_at = @At WHERE id = @Id"), new { At = new DateTime(2026, 12, 1), Id = (long)body["linkId"]! });
        }

        (await partner.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.NotFound, "an expired link");

        var second = await BodyAsync(await Finance.PostAsync($"/api/partner-agreements/{agreementId}/returns/2026-04-01/link", null));
        var secondPath = new Uri((string)second["url"]!).AbsolutePath;
        (await partner.GetAsync(secondPath)).StatusCode.Should().Be(HttpStatusCode.OK);
        ShouldBeProblem(await Lead.PostAsync($"/api/partner-return-links/{second["linkId"]}/revoke", null), 403);
        (await Finance.PostAsync($"/api/partner-return-links/{second["linkId"]}/revoke", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await partner.GetAsync(secondPath)).StatusCode.Should().Be(HttpStatusCode.NotFound, "a revoked link");
        ShouldBeProblem(await Finance.PostAsync($"/api/partner-return-links/{second["linkId"]}/revoke", null), 409);
        var counts = await RowCountsAsync();
        counts["partner_return"].Should().Be(before["partner_return"], "no refused link wrote a return");
    }

    [Test]
    public async Task APartner_SavesADraft_Submits_IsSentBack_Resubmits_AndTheAcceptedFiguresReachTheReport()
    {
        var (grantId, partnerId) = await GrantAndPartnerAsync();
        var agreementId = (long)(await CreateAsync(Finance, "/api/partner-agreements", Agreement(grantId, partnerId, 10000m)))["id"]!;
        await CreateAsync(Finance, "/api/transactions", new { grantId, date = "2026-05-10", amount = 2500m, category = "partner-grants", description = "Q1 instalment", partnerId });
        var path = new Uri((string)(await BodyAsync(await Finance.PostAsync($"/api/partner-agreements/{agreementId}/returns/2026-04-01/link", null)))["url"]!).AbsolutePath;
        using var partner = PartnerBrowser();
        WebUtility.HtmlDecode(await partner.GetStringAsync(path)).Should().Contain("We paid you £2,500.00 under this agreement in the period.");

        // Bad figures are refused beside their fields and nothing is saved.
        var refused = await PostFormAsync(partner, path, ("action", "save"), ("spend-staff", "-5.00"), ("spend-delivery", "12.345"), ("reach-0", "many"));
        refused.Should().Contain("govuk-error-summary").And.Contain("must not be negative").And.Contain("at most two decimal places").And.Contain("must be a whole number");
        (await ReturnAsync(agreementId)).Should().BeNull();

        // A draft, kept between visits.
        var saved = await PostFormAsync(partner, path, ("action", "save"), ("spend-staff", "1,200.50"), ("spend-delivery", "300"), ("reach-0", "42"), ("wentWell", "Group work started."));
        saved.Should().Contain("Your draft has been saved");
        var again = await partner.GetStringAsync(path);
        again.Should().Contain("value=\"1,200.50\"").And.Contain("value=\"42\"").And.Contain("Group work started.");
        (await ReturnAsync(agreementId))!["status"]!.GetValue<string>().Should().Be("draft");

        // Submitting needs both parts of the narrative.
        (await PostFormAsync(partner, path, ("action", "submit"), ("spend-staff", "1,200.50"), ("wentWell", "Group work started."))).Should().Contain("What got in the way must say what got in the way");
        (await PostFormAsync(partner, path, ("action", "submit"), ("spend-staff", "1,200.50"), ("spend-delivery", "300"), ("reach-0", "42"), ("wentWell", "Group work started."), ("gotInTheWay", "A venue fell through.")))
            .Should().Contain("has been submitted");
        var submitted = (await ReturnAsync(agreementId))!;
        submitted["status"]!.GetValue<string>().Should().Be("submitted");
        submitted["totalSpend"]!.GetValue<decimal>().Should().Be(1500.50m);

        // Submitted: the link shows it but changes nothing.
        (await partner.GetStringAsync(path)).Should().Contain("Return submitted").And.NotContain("Save draft");
        var late = await PostFormAsync(partner, path, ("action", "submit"), ("spend-staff", "9,999.00"), ("wentWell", "x"), ("gotInTheWay", "y"));
        late.Should().Contain("can no longer be changed through the link");
        (await ReturnAsync(agreementId))!["totalSpend"]!.GetValue<decimal>().Should().Be(1500.50m, "the late post changed nothing");

        // Review: another area's lead may not; sending back needs a comment; the partner edits and resubmits.
        var returnId = (long)submitted["id"]!;
        var otherLead = ClientWithKey(await CreateKeyAsync("programme-lead", (long)(await CreateAsync(Admin, "/api/programme-areas", new { name = "Other", code = Unique.Text("OTH") }))["id"]!));
        ShouldBeProblem(await otherLead.PostAsync($"/api/partner-returns/{returnId}/accept", null), 403);
        ShouldBeProblem(await PostJsonAsync(Lead, $"/api/partner-returns/{returnId}/send-back", "{}"), 400, "comment");
        ShouldBeProblem(await SendJsonAsync(Lead, HttpMethod.Post, $"/api/partner-returns/{returnId}/send-back", "{\"nonsense\":1}", "\"99\"", null), 412);
        var sentBack = await PostJsonAsync(Lead, $"/api/partner-returns/{returnId}/send-back", """{"comment":"Please split the staff costs from delivery."}""");
        sentBack.StatusCode.Should().Be(HttpStatusCode.OK, await sentBack.Content.ReadAsStringAsync());
        (await partner.GetStringAsync(path)).Should().Contain("We have sent this return back to you").And.Contain("Please split the staff costs from delivery.");
        (await PostFormAsync(partner, path, ("action", "submit"), ("spend-staff", "1,000.50"), ("spend-delivery", "500"), ("reach-0", "40"), ("wentWell", "Group work started."), ("gotInTheWay", "A venue fell through.")))
            .Should().Contain("has been submitted");
        var accepted = await Finance.PostAsync($"/api/partner-returns/{returnId}/accept", null);
        accepted.StatusCode.Should().Be(HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync());
        ShouldBeProblem(await Finance.PostAsync($"/api/partner-returns/{returnId}/accept", null), 409);

        // The funder report: paid £2,500.00, reported spent £1,500.50, so £999.50 unspent by the partner; 40 people.
        var xlsx = await Viewer.GetAsync($"/api/grants/{grantId}/reports/2026-04-01.xlsx");
        using var workbook = new XLWorkbook(new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()));
        var sheet = workbook.Worksheet("Partners");
        sheet.Cell(2, 4).GetValue<decimal>().Should().Be(2500m);
        sheet.Cell(2, 6).GetValue<decimal>().Should().Be(1500.50m);
        sheet.Cell(2, 7).GetValue<decimal>().Should().Be(999.50m);
        sheet.Cell(2, 8).GetValue<int>().Should().Be(40);
        var pdf = Documents.PdfText(await (await Viewer.GetAsync($"/api/grants/{grantId}/reports/2026-04-01.pdf")).Content.ReadAsByteArrayAsync());
        pdf.Should().Contain("£2,500.00 £1,500.50 £999.50 40");

        // And the partner roll-up: the same £1,500.50 beside what was paid.
        var funderId = (await Viewer.GetFromJsonAsync<JsonObject>($"/api/grants/{grantId}"))!["funderId"]!;
        var byPartner = await Viewer.GetFromJsonAsync<JsonObject>($"/api/burn?groupBy=partner&asOf=2026-12-02&funderId={funderId}");
        byPartner!["items"]!.AsArray().Single(r => (long)r!["id"]! == partnerId)!["reportedByPartners"]!.GetValue<decimal>().Should().Be(1500.50m);

        var audit = await Admin.GetFromJsonAsync<JsonObject>($"/api/audit?entity=partner-return&entityId={returnId}&pageSize=50");
        audit!["items"]!.AsArray().Select(e => (string)e!["action"]!).Should().BeEquivalentTo(["create", "submit", "send-back", "submit", "accept"], "the draft, both submissions and both decisions");
    }

    [Test]
    public async Task AnAcceptedReturn_ReachesTheAreaRollup_SharedBetweenItsAgreementsAreas()
    {
        var funderId = await CreateFunderAsync();
        var grant = await CreateAsync(Finance, "/api/grants", new { funderId, reference = Unique.Text("G"), title = "Two areas", amountAwarded = 1000m, startDate = "2026-04-01", endDate = "2027-03-31", areaCodes = new[] { "E23000029", "E23000032" } });
        var partnerId = await CreatePartnerAsync();
        var agreementId = (long)(await CreateAsync(Finance, "/api/partner-agreements", new { grantId = grant["id"], partnerId, amount = 100.01m, startDate = "2026-04-01", endDate = "2027-03-31", areaCodes = new[] { "E23000029", "E23000032" } }))["id"]!;
        var returnId = await SubmittedReturnAsync(Finance, Database, agreementId, "2026-04-01");
        var before = await Viewer.GetFromJsonAsync<JsonObject>($"/api/burn?groupBy=area&asOf=2026-12-02&funderId={funderId}");
        before!["items"]!.AsArray().Select(r => r!["reportedByPartners"]!.GetValue<decimal>()).Should().Equal([0m, 0m], "a submitted return is not yet accepted");
        (await Finance.PostAsync($"/api/partner-returns/{returnId}/accept", null)).EnsureSuccessStatusCode();

        var after = await Viewer.GetFromJsonAsync<JsonObject>($"/api/burn?groupBy=area&asOf=2026-12-02&funderId={funderId}");
        // The return reports £50.00 spent: £25.00 in each of the agreement's two areas (as its £100.01 is shared £50.01 and £50.00).
        after!["items"]!.AsArray().Select(r => ((string)r!["areaCode"]!, r["reportedByPartners"]!.GetValue<decimal>(), r["budget"]!.GetValue<decimal>()))
            .Should().BeEquivalentTo([("E23000029", 25m, 50.01m), ("E23000032", 25m, 50.00m)]);
    }

    [Test]
    public async Task EachReminder_IsSentOnce_WhenTwoWorkersRunAtOnce()
    {
        var (grantId, partnerId) = await GrantAndPartnerAsync();
        var agreementId = (long)(await CreateAsync(Finance, "/api/partner-agreements", Agreement(grantId, partnerId, 100m)))["id"]!;
        var partnerTwo = await CreatePartnerAsync();
        var otherId = (long)(await CreateAsync(Finance, "/api/partner-agreements", new { grantId, partnerId = partnerTwo, amount = 100m, startDate = "2026-04-01", endDate = "2027-03-31", returnsDue = "final-period" }))["id"]!;
        // A third, 65 days to report: Q1 was due 3 September (overdue), Q2 is due 4 December (a reminder before).
        var (_, partnerThree) = await GrantAndPartnerAsync();
        await CreateAsync(Finance, "/api/partner-agreements", new { grantId, partnerId = partnerThree, amount = 100m, startDate = "2026-04-01", endDate = "2027-03-31", returnLagDays = 65 });
        // Q1's return is accepted already: no reminder for it.
        await SubmittedReturnAsync(Finance, Database, agreementId, "2026-04-01");
        var q1 = (await Finance.GetFromJsonAsync<JsonObject>($"/api/partner-returns?agreementId={agreementId}"))!["items"]![0]!;
        (await Finance.PostAsync($"/api/partner-returns/{q1["id"]}/accept", null)).EnsureSuccessStatusCode();
        var owed = (await Viewer.GetFromJsonAsync<JsonObject>("/api/partner-agreements/overdue-returns"))!["items"]!.AsArray().Where(r => (long)r!["agreementId"]! == agreementId).ToList();
        owed.Select(r => ((string)r!["periodLabel"]!, (string)r["status"]!, (int)r["daysOverdue"]!)).Should().Equal([("2026/27 Q2", "not started", 33)], "Q1 is accepted; Q2 was due 30 October");
        var before = _smtp.Messages().Select(m => m.MessageId).ToHashSet();

        var workers = Enumerable.Range(0, 2).Select(_ => App.Services.GetRequiredService<PartnerReturnReminderJob>()).ToList();
        var sent = await Task.WhenAll(workers.Select(w => w.RunAsync(CancellationToken.None)));
        var again = await workers[0].RunAsync(CancellationToken.None);

        var messages = _smtp.Messages().Where(m => !before.Contains(m.MessageId)).ToList();
        // Agreement one: Q2 overdue (due 30 October). Agreement two (final period only, Q4, not ended): nothing. The
        // fixture's other tests leave returns owed too; between them the two workers sent each reminder once.
        messages.Where(m => m.To.ToString().Contains(PartnerEmail(partnerId), StringComparison.Ordinal)).Select(m => m.Subject)
            .Should().ContainSingle().Which.Should().Contain("2026/27 Q2 is overdue");
        messages.Should().NotContain(m => m.To.ToString().Contains(PartnerEmail(partnerTwo), StringComparison.Ordinal));
        messages.Where(m => m.To.ToString().Contains(PartnerEmail(partnerThree), StringComparison.Ordinal)).Select(m => m.Subject).Should().BeEquivalentTo(
            "Test Partnership: your return for 2026/27 Q1 is overdue", "Test Partnership: reminder, your return for 2026/27 Q2 is due on 4 December 2026");
        messages.Should().HaveCount(sent.Sum());
        messages.Select(m => $"{m.To} {m.Subject}").Should().OnlyHaveUniqueItems();
        again.Should().Be(0, "each reminder goes once");
        var link = LinkIn(messages.Single(m => m.To.ToString().Contains(PartnerEmail(partnerId), StringComparison.Ordinal)).TextBody ?? "");
        using var partner = PartnerBrowser();
        (await partner.GetAsync(link.AbsolutePath)).StatusCode.Should().Be(HttpStatusCode.OK, "the reminder carries a working link");
        link.AbsolutePath.Should().StartWith($"/returns/{agreementId}/2026-07-01/");
        otherId.Should().BePositive();
    }

    /// <summary>A return for <paramref name="periodStart"/> submitted through a fresh link (for tests that need one to review).</summary>
    public static async Task<long> SubmittedReturnAsync(HttpClient finance, Database database, long agreementId, string periodStart)
    {
        var made = await finance.PostAsync($"/api/partner-agreements/{agreementId}/returns/{periodStart}/link", null);
        made.EnsureSuccessStatusCode();
        var linkId = (long)(await made.Content.ReadFromJsonAsync<JsonObject>())!["linkId"]!;
        await using var session = await database.OpenAsync();
        var link = (await ReturnLinks.ForAgreementAsync(session, agreementId)).Single(l => l.Id == linkId);
        var saved = await UnitOfWork.RunInAsync(session, s => Portfolio.Core.PartnerReturns.PartnerReturns.SaveAsync(
            s, link, new PartnerReturnInput([new ReturnSpendInput("delivery", Portfolio.Core.Money.Money.FromPounds(50m))], [], "Sessions ran.", "Nothing."), submit: true, 0,
            new ChangeContext("partner:test", DateTime.UtcNow)));
        return saved.Value?.Id ?? throw new AssertionException($"the return was refused: {saved.Refused}");
    }

    private async Task<(long GrantId, long PartnerId)> GrantAndPartnerAsync()
    {
        var grantId = (long)(await CreateGrantAsync())["id"]!;
        var partnerId = (long)(await CreateAsync(Finance, "/api/partners", new { name = Unique.Text("Partner"), kind = "by-and-for", communities = new[] { "LGBT+" }, contactEmail = $"{Unique.Text("returns")}@partner.example".ToLowerInvariant() }))["id"]!;
        _emails[partnerId] = (string)(await Viewer.GetFromJsonAsync<JsonObject>($"/api/partners/{partnerId}"))!["contactEmail"]!;
        return (grantId, partnerId);
    }

    private readonly Dictionary<long, string> _emails = [];

    /// <summary>The partner's contact address (partners made by <see cref="ApiTest.CreatePartnerAsync"/> have none: an address no message goes to).</summary>
    private string PartnerEmail(long partnerId) => _emails.GetValueOrDefault(partnerId, $"no-contact-{partnerId}@nowhere.example");

    private static object Agreement(long grantId, long partnerId, decimal amount, params (decimal Amount, string Due)[] instalments) => new
    {
        grantId, partnerId, amount, startDate = "2026-04-01", endDate = "2027-03-31",
        instalments = instalments.Select(i => new { dueDate = i.Due, amount = i.Amount }).ToArray(),
    };

    private static object Payment(long grantId, long partnerId, decimal amount, long instalmentId) =>
        new { grantId, partnerId, date = "2026-04-20", amount, category = "partner-grants", description = "Instalment", instalmentId };

    private async Task<List<(long Id, int DaysOverdue)>> OverdueAsync(long grantId) =>
        (await Viewer.GetFromJsonAsync<JsonObject>("/api/partner-agreements/overdue-instalments"))!["items"]!.AsArray()
            .Where(i => (long)i!["grantId"]! == grantId).Select(i => ((long)i!["instalmentId"]!, (int)i["daysOverdue"]!)).ToList();

    private async Task<JsonObject?> ReturnAsync(long agreementId) =>
        (await Finance.GetFromJsonAsync<JsonObject>($"/api/partner-returns?agreementId={agreementId}"))!["items"]!.AsArray().SingleOrDefault()?.AsObject();

    /// <summary>A browser with no sign-in (a partner): cookies kept for the form's anti-forgery token, redirects followed.</summary>
    private HttpClient PartnerBrowser() => App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = true, HandleCookies = true, BaseAddress = new Uri("https://localhost") });

    private string _lastToken = "";
    private string _lastVersion = "0";

    private async Task<string> PostFormAsync(HttpClient browser, string path, params (string Name, string Value)[] fields)
    {
        var html = await browser.GetStringAsync(path);
        // A submitted return's page has no form: post with the token its form carried before, as a stale tab would.
        var token = html.Contains("__RequestVerificationToken", StringComparison.Ordinal) ? Documents.AntiforgeryToken(html) : _lastToken;
        _lastToken = token;
        var version = VersionField().Match(html) is { Success: true } match ? match.Groups[1].Value : _lastVersion;
        _lastVersion = version;
        var response = await browser.PostAsync(path, Form([("__RequestVerificationToken", token), ("version", version), .. fields]));
        return await response.Content.ReadAsStringAsync();
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    private static Uri LinkIn(string text) => new(LinkPattern().Match(text).Value);

    [GeneratedRegex("""name="version" value="(\d*)">""")]
    private static partial Regex VersionField();

    [GeneratedRegex(@"https://\S+/returns/\S+")]
    private static partial Regex LinkPattern();
}
