using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ClosedXML.Excel;
using Portfolio.Core.Data;
using Portfolio.Core.Operations;
using Portfolio.Core.PartnerReturns;
using Portfolio.Core.Results;
using Portfolio.Tests.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Results;

/// <summary>
/// Results (issue 15): indicators with targets per period, actuals recorded by the lead or summed from accepted
/// partner returns, a narrative, and the outcomes section, equal in the API and both report files; an indicator below
/// target without a note holds approval, and a sent period's results are closed. Today is fixed at 2 December 2026;
/// the grants run 1 April 2026 to 31 March 2027 on the UK financial year (Q1 from 1 April, Q2 from 1 July, Q3 from
/// 1 October, Q4 from 1 January, which has not begun).
/// </summary>
public sealed class ResultsApiTests(DatabaseEngine engine) : ApiTest(engine)
{
    private SmtpTestServer _smtp = null!;

    protected override TimeProvider? Clock { get; } = new FixedClock(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));

    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync()
    {
        _smtp = await SmtpTestServer.StartAsync();
        return _smtp.HostSettings();
    }

    [OneTimeTearDown]
    public void StopSmtp() => _smtp?.Dispose();

    private static object Indicator(string name, params (string Start, decimal Value)[] targets) => new
    {
        name, unit = "people", higherIsBetter = true, baseline = 0m, targets = targets.Select(t => new { periodStart = t.Start, value = t.Value }).ToArray(),
    };

    [Test]
    public async Task AnIndicator_IsCreatedWithItsTargets_AndBadInputIsRefusedChangingNothing()
    {
        var grantId = (long)(await CreateGrantAsync())["id"]!;
        var path = $"/api/grants/{grantId}/indicators";
        var otherLead = ClientWithKey(await CreateKeyAsync("programme-lead", (long)(await CreateAsync(Admin, "/api/programme-areas", new { name = "Other", code = Unique.Text("OTH") }))["id"]!));
        var before = await RowCountsAsync();
        ShouldBeProblem(await Finance.PostAsJsonAsync(path, Indicator("Survivors supported", ("2026-05-01", 100m))), 400, "targets[0].periodStart");
        ShouldBeProblem(await PostJsonAsync(Finance, path, """{"name":"X","unit":"people","higherIsBetter":true,"targets":[{"periodStart":"2026-04-01","value":1.234}]}"""), 400, "targets[0].value");
        ShouldBeProblem(await PostJsonAsync(Finance, path, """{"name":"X","unit":"people","higherIsBetter":true,"targets":[{"periodStart":"2026-04-01","value":-1}]}"""), 400, "targets[0].value");
        ShouldBeProblem(await PostJsonAsync(Finance, path, """{"name":"X","unit":"people","higherIsBetter":true,"targets":[{"periodStart":"2026-04-01","value":1},{"periodStart":"2026-04-01","value":2}]}"""), 400, "targets[1].periodStart");
        ShouldBeProblem(await PostJsonAsync(Finance, path, """{"name":"X","unit":"people","targets":[]}"""), 400, "higherIsBetter");
        ShouldBeProblem(await PostJsonAsync(Finance, path, """{"name":"X","unit":"%","higherIsBetter":true,"targets":[],"source":"partners","toDate":"latest"}"""), 400, "toDate");
        ShouldBeProblem(await Viewer.PostAsJsonAsync(path, Indicator("Survivors supported")), 403);
        ShouldBeProblem(await otherLead.PostAsJsonAsync(path, Indicator("Survivors supported")), 403);
        (await RowCountsAsync()).Should().Equal(before, "a refused indicator writes nothing");

        var created = await Lead.PostAsJsonAsync(path, Indicator("Survivors supported", ("2026-04-01", 100m), ("2026-07-01", 100m), ("2026-10-01", 120m), ("2027-01-01", 120.5m)));
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var indicator = await BodyAsync(created);
        created.Headers.Location!.ToString().Should().Be($"{path}/{indicator["id"]}");
        indicator["totalTarget"]!.GetValue<decimal>().Should().Be(440.5m, "without a total given, the periods' targets add up to it");
        indicator["targets"]!.AsArray().Select(t => t!["value"]!.GetValue<decimal>()).Should().Equal(100m, 100m, 120m, 120.5m);
        ShouldBeProblem(await Finance.PostAsJsonAsync(path, Indicator("Survivors supported")), 400, "name");

        var list = await Viewer.GetFromJsonAsync<JsonObject>(path);
        list!["items"]!.AsArray().Select(i => (string)i!["name"]!).Should().Equal("Survivors supported");
        var audit = await Admin.GetFromJsonAsync<JsonObject>($"/api/audit?entity=indicator&entityId={indicator["id"]}");
        audit!["items"]!.AsArray().Select(e => (string)e!["action"]!).Should().Equal("create");
    }

    [Test]
    public async Task Actuals_AddUpToDate_TakeTheFundersThresholds_AndAgreeInTheApiAndBothReportFiles()
    {
        var grantId = (long)(await CreateGrantAsync())["id"]!;
        var supported = (long)(await CreateAsync(Lead, $"/api/grants/{grantId}/indicators", new
        {
            name = "Survivors supported", unit = "people", higherIsBetter = true, baseline = 0m, byCommunity = true,
            targets = new[] { new { periodStart = "2026-04-01", value = 100m }, new { periodStart = "2026-07-01", value = 100m } },
        }))["id"]!;
        var days = (long)(await CreateAsync(Lead, $"/api/grants/{grantId}/indicators", new
        {
            name = "Days to first contact", unit = "days", higherIsBetter = false, toDate = "latest",
            targets = new[] { new { periodStart = "2026-04-01", value = 5m }, new { periodStart = "2026-07-01", value = 5m } },
        }))["id"]!;
        string Actual(long id, string period) => $"/api/grants/{grantId}/indicators/{id}/actuals/{period}";

        var before = await RowCountsAsync();
        ShouldBeProblem(await Lead.PutAsJsonAsync(Actual(supported, "2026-07-01"), new { value = 80m, breakdown = new[] { new { community = "LGBT+", value = 50m }, new { community = "Deaf women", value = 20m } } }), 400, "breakdown");
        ShouldBeProblem(await Lead.PutAsJsonAsync(Actual(days, "2026-07-01"), new { value = 4m, breakdown = new[] { new { community = "LGBT+", value = 4m } } }), 400, "breakdown");
        ShouldBeProblem(await Lead.PutAsJsonAsync(Actual(supported, "2026-07-01"), new { note = "no figure" }), 400, "value");
        ShouldBeProblem(await Lead.PutAsJsonAsync(Actual(supported, "2026-05-01"), new { value = 1m }), 400, "periodStart");
        ShouldBeProblem(await Lead.PutAsJsonAsync(Actual(supported, "2027-01-01"), new { value = 1m }), 422);
        ShouldBeProblem(await Viewer.PutAsJsonAsync(Actual(supported, "2026-07-01"), new { value = 1m }), 403);
        (await RowCountsAsync()).Should().Equal(before, "a refused actual writes nothing");

        (await Lead.PutAsJsonAsync(Actual(supported, "2026-04-01"), new { value = 95m })).EnsureSuccessStatusCode();
        var q2 = await Lead.PutAsJsonAsync(Actual(supported, "2026-07-01"), new { value = 80m, note = "A caseworker left in August.", breakdown = new[] { new { community = "LGBT+", value = 60m }, new { community = "Deaf women", value = 20m } } });
        q2.StatusCode.Should().Be(HttpStatusCode.OK, await q2.Content.ReadAsStringAsync());
        ETagOf(q2).Should().Be("\"1\"");
        ShouldBeProblem(await PutJsonAsync(Lead, Actual(supported, "2026-07-01"), """{"value":81}""", "\"7\""), 412);
        (await Lead.PutAsJsonAsync(Actual(days, "2026-04-01"), new { value = 6m })).EnsureSuccessStatusCode();
        (await Lead.PutAsJsonAsync(Actual(days, "2026-07-01"), new { value = 4.5m })).EnsureSuccessStatusCode();
        (await Lead.PutAsJsonAsync($"/api/grants/{grantId}/narratives/2026-07-01", new { whatHappened = "Group work began in Slough.", whatsNext = "Recruit a replacement caseworker." })).EnsureSuccessStatusCode();
        var beforeNarrative = await RowCountsAsync();
        ShouldBeProblem(await Lead.PutAsJsonAsync($"/api/grants/{grantId}/narratives/2026-07-01", new { whatChanged = "Nothing" }), 400, "whatHappened");
        ShouldBeProblem(await Lead.PutAsJsonAsync($"/api/grants/{grantId}/narratives/2026-05-01", new { whatHappened = "x" }), 400, "periodStart");
        ShouldBeProblem(await Viewer.PutAsJsonAsync($"/api/grants/{grantId}/narratives/2026-07-01", new { whatHappened = "x" }), 403);
        (await RowCountsAsync()).Should().Equal(beforeNarrative, "a refused narrative writes nothing");

        var outcomes = (await Viewer.GetFromJsonAsync<JsonObject>($"/api/grants/{grantId}/outcomes?periodStart=2026-07-01"))!;
        outcomes["periodLabel"]!.GetValue<string>().Should().Be("2026/27 Q2");
        var rows = outcomes["indicators"]!.AsArray();
        var people = rows.Single(r => (long)r!["indicatorId"]! == supported)!;
        (people["periodTarget"]!.GetValue<decimal>(), people["periodActual"]!.GetValue<decimal>(), people["targetToDate"]!.GetValue<decimal>(), people["actualToDate"]!.GetValue<decimal>())
            .Should().Be((100m, 80m, 200m, 175m));
        people["rag"]!.GetValue<string>().Should().Be("amber", "175 against 200 is 12.5 % short: beyond the 10 % amber threshold, within the 20 % red one");
        people["needsNote"]!.GetValue<bool>().Should().BeFalse("the lead explained it");
        people["breakdown"]!.AsArray().Select(b => ((string)b!["community"]!, b["value"]!.GetValue<decimal>())).Should().Equal(("Deaf women", 20m), ("LGBT+", 60m));
        var speed = rows.Single(r => (long)r!["indicatorId"]! == days)!;
        (speed["targetToDate"]!.GetValue<decimal>(), speed["actualToDate"]!.GetValue<decimal>(), (string)speed["rag"]!).Should().Be((5m, 4.5m, "green"), "a rate's to date is its latest figure; lower is better");
        outcomes["narrative"]!["whatHappened"]!.GetValue<string>().Should().Be("Group work began in Slough.");
        var q1 = (await Viewer.GetFromJsonAsync<JsonObject>($"/api/grants/{grantId}/outcomes?periodStart=2026-04-01"))!["indicators"]!.AsArray();
        q1.Select(r => (string)r!["rag"]!).Should().Equal(["green", "amber"], "95 of 100 is within 10 %; 6 days against a target of 5 is 20 % over, which is amber (red is beyond 20 %)");

        using var workbook = new XLWorkbook(new MemoryStream(await Viewer.GetByteArrayAsync($"/api/grants/{grantId}/reports/2026-07-01.xlsx")));
        var sheet = workbook.Worksheet("Outcomes");
        sheet.Cell(2, 1).GetString().Should().Be("Survivors supported");
        new[] { 5, 6, 7, 8 }.Select(c => sheet.Cell(2, c).GetValue<decimal>()).Should().Equal(100m, 80m, 200m, 175m);
        sheet.Cell(2, 10).GetString().Should().Be("AMBER");
        sheet.Cell(2, 11).GetString().Should().Be("A caseworker left in August.");
        sheet.Cell(3, 8).GetValue<decimal>().Should().Be(4.5m);
        sheet.CellsUsed().Select(c => c.GetString()).Should().Contain("Group work began in Slough.").And.Contain("Deaf women");
        var pdf = Documents.PdfText(await Viewer.GetByteArrayAsync($"/api/grants/{grantId}/reports/2026-07-01.pdf"));
        pdf.Should().Contain("Outcomes").And.Contain("Survivors supported (people) 100 80 200 175 AMBER").And.Contain("Days to first contact (days, lower is better) 5 4.5 5 4.5 GREEN")
            .And.Contain("Group work began in Slough.").And.Contain("A caseworker left in August.");
    }

    [Test]
    public async Task AnIndicatorThePartnersDeliver_IsTheSumOfTheirAcceptedReturns_WithTheirCommunities()
    {
        var grantId = (long)(await CreateGrantAsync())["id"]!;
        var indicator = (long)(await CreateAsync(Finance, $"/api/grants/{grantId}/indicators", new
        {
            name = "Survivors in refuge", unit = "people", higherIsBetter = true, source = "partners", byCommunity = true,
            targets = new[] { new { periodStart = "2026-04-01", value = 50m } },
        }))["id"]!;
        var first = await AgreementAsync(grantId, "LGBT+", "Trans survivors");
        var second = await AgreementAsync(grantId, "Deaf women");

        var missing = await SaveReturnAsync(first, [], submit: true);
        missing.Refused.Should().BeOfType<InvalidFields>().Which.Errors.Should().ContainKey("results");
        var wrongCommunity = await SaveReturnAsync(first, [new ReturnResultInput(indicator, Quantity.From(30m), [new CommunityFigureInput("Deaf women", Quantity.From(30m))])], submit: true);
        wrongCommunity.Refused.Should().BeOfType<InvalidFields>().Which.Errors.Should().ContainKey("results[0].breakdown[0].community");
        var firstReturn = (await SaveReturnAsync(first, [new ReturnResultInput(indicator, Quantity.From(30m),
            [new CommunityFigureInput("LGBT+", Quantity.From(18m)), new CommunityFigureInput("Trans survivors", Quantity.From(12m))])], submit: true)).Value!;
        var secondReturn = (await SaveReturnAsync(second, [new ReturnResultInput(indicator, Quantity.From(25m), [new CommunityFigureInput("Deaf women", Quantity.From(25m))])], submit: true)).Value!;
        firstReturn.Results.Single().Value.Should().Be(30m);

        async Task<JsonNode> RowAsync() => (await Viewer.GetFromJsonAsync<JsonObject>($"/api/grants/{grantId}/outcomes?periodStart=2026-04-01"))!["indicators"]![0]!;
        (await RowAsync())["periodActual"].Should().BeNull("submitted returns are not yet accepted");
        (await Finance.PostAsync($"/api/partner-returns/{firstReturn.Id}/accept", null)).EnsureSuccessStatusCode();
        (await RowAsync())["periodActual"]!.GetValue<decimal>().Should().Be(30m);
        (await Lead.PostAsync($"/api/partner-returns/{secondReturn.Id}/accept", null)).EnsureSuccessStatusCode();
        var row = await RowAsync();
        row["periodActual"]!.GetValue<decimal>().Should().Be(55m);
        row["rag"]!.GetValue<string>().Should().Be("green");
        row["breakdown"]!.AsArray().Select(b => ((string)b!["community"]!, b["value"]!.GetValue<decimal>())).Should().Equal(("Deaf women", 25m), ("LGBT+", 18m), ("Trans survivors", 12m));

        // The lead records a note, never the figure, for an indicator the partners deliver.
        ShouldBeProblem(await Lead.PutAsJsonAsync($"/api/grants/{grantId}/indicators/{indicator}/actuals/2026-04-01", new { value = 60m }), 400, "value");
        (await Lead.PutAsJsonAsync($"/api/grants/{grantId}/indicators/{indicator}/actuals/2026-04-01", new { note = "Both refuges full from May." })).EnsureSuccessStatusCode();
        (await RowAsync())["note"]!.GetValue<string>().Should().Be("Both refuges full from May.");
        (await RowAsync())["periodActual"]!.GetValue<decimal>().Should().Be(55m, "the note leaves the partners' figure as it is");
    }

    [Test]
    public async Task Approval_NamesEveryHoldAtOnce_MoneyAndEachIndicator_AndChangesNothing()
    {
        var grantId = (long)(await CreateGrantAsync())["id"]!;
        (await PutJsonAsync(Finance, $"/api/grants/{grantId}/budget", """{"lines":[{"category":"staff","periodStart":"2026-04-01","amount":10000}]}""", "\"0\"")).EnsureSuccessStatusCode();
        await CreateAsync(Finance, "/api/transactions", new { grantId, date = "2026-05-14", amount = 5000m, category = "staff", description = "Salaries" });
        var amber = (long)(await CreateAsync(Lead, $"/api/grants/{grantId}/indicators", Indicator("Survivors supported", ("2026-04-01", 100m))))["id"]!;
        var missing = (long)(await CreateAsync(Lead, $"/api/grants/{grantId}/indicators", Indicator("Sessions delivered", ("2026-04-01", 40m))))["id"]!;
        (await Lead.PutAsJsonAsync($"/api/grants/{grantId}/indicators/{amber}/actuals/2026-04-01", new { value = 85m })).EnsureSuccessStatusCode();
        var run = await BodyAsync(await Finance.PostAsJsonAsync("/api/report-runs", new { grantId, periodStart = "2026-04-01" }));
        run["rag"]!.GetValue<string>().Should().Be("red", "£5,000 spent against £10,000 is 50 % under");

        var refused = await Finance.PostAsync($"/api/report-runs/{run["id"]}/approve", null);

        ShouldBeProblem(refused, 422);
        var holds = (await BodyAsync(refused))["holds"]!.AsArray();
        holds.Select(h => ((string)h!["kind"]!, (string)h["periodStart"]!, (long?)h["indicatorId"])).Should().Equal(
            ("variance-note", "2026-04-01", null), ("indicator-note", "2026-04-01", amber), ("indicator-note", "2026-04-01", missing));
        holds.Select(h => (string)h!["message"]!).Should().Equal(
            "Spend for 2026/27 Q1 is RED against its budget: add a variance note for the period saying why.",
            "Survivors supported is AMBER (below target) for 2026/27 Q1: add a note to its result saying why.",
            "Sessions delivered has no result recorded for 2026/27 Q1: record it, or add a note saying why.");
        var after = await BodyAsync(await Finance.GetAsync($"/api/report-runs/{run["id"]}"));
        after["status"]!.GetValue<string>().Should().Be("draft");
        after["version"]!.GetValue<int>().Should().Be(run["version"]!.GetValue<int>(), "a refused approval changes nothing");
    }

    [Test]
    public async Task AnIndicatorBelowTargetWithoutANote_HoldsApproval_UntilTheLeadWritesOne_ThenThePeriodIsClosed()
    {
        var grantId = (long)(await CreateGrantAsync())["id"]!;
        var indicator = await CreateAsync(Lead, $"/api/grants/{grantId}/indicators", Indicator("Survivors supported", ("2026-04-01", 100m), ("2026-07-01", 100m)));
        var indicatorId = (long)indicator["id"]!;
        (await Lead.PutAsJsonAsync($"/api/grants/{grantId}/indicators/{indicatorId}/actuals/2026-04-01", new { value = 85m })).EnsureSuccessStatusCode();

        var run = await BodyAsync(await Finance.PostAsJsonAsync("/api/report-runs", new { grantId, periodStart = "2026-04-01" }));
        run["rag"]!.GetValue<string>().Should().Be("green", "the money is on budget: only the result is below target");
        var held = await Finance.GetFromJsonAsync<JsonObject>($"/api/report-runs?grantId={grantId}&needsNote=true");
        held!["items"]!.AsArray().Select(r => (long)r!["id"]!).Should().Equal((long)run["id"]!);
        var refused = await Finance.PostAsync($"/api/report-runs/{run["id"]}/approve", null);
        ShouldBeProblem(refused, 422);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("Survivors supported is AMBER (below target)", "85 against 100 is 15 % short: amber");

        (await Lead.PutAsJsonAsync($"/api/grants/{grantId}/indicators/{indicatorId}/actuals/2026-04-01", new { value = 85m, note = "The refuge closed for repairs in May." })).EnsureSuccessStatusCode();
        (await Finance.GetFromJsonAsync<JsonObject>($"/api/report-runs?grantId={grantId}&needsNote=true"))!["items"]!.AsArray().Should().BeEmpty();
        var stale = await Finance.PostAsync($"/api/report-runs/{run["id"]}/approve", null);
        stale.StatusCode.Should().Be(HttpStatusCode.Conflict, "the draft was made without the note");
        (await stale.Content.ReadAsStringAsync()).Should().Contain("the results or the narrative");
        var fresh = (long)(await BodyAsync(stale))["newRunId"]!;
        var approved = await Finance.PostAsync($"/api/report-runs/{fresh}/approve", null);
        approved.StatusCode.Should().Be(HttpStatusCode.Accepted, await approved.Content.ReadAsStringAsync());
        var pdf = Documents.PdfText(await Finance.GetByteArrayAsync($"/api/report-runs/{fresh}/pdf"));
        pdf.Should().Contain("The refuge closed for repairs in May.");

        // Sent (approved): the period's results, note, targets and narrative are closed.
        ShouldBeProblem(await Lead.PutAsJsonAsync($"/api/grants/{grantId}/indicators/{indicatorId}/actuals/2026-04-01", new { value = 75m }), 409);
        ShouldBeProblem(await Lead.PutAsJsonAsync($"/api/grants/{grantId}/narratives/2026-04-01", new { whatHappened = "Rewritten" }), 409);
        var change = Indicator("Survivors supported", ("2026-04-01", 70m), ("2026-07-01", 100m));
        ShouldBeProblem(await PutJsonAsync(Lead, $"/api/grants/{grantId}/indicators/{indicatorId}", System.Text.Json.JsonSerializer.Serialize(change), "\"1\""), 409);
        var later = await PutJsonAsync(Lead, $"/api/grants/{grantId}/indicators/{indicatorId}", System.Text.Json.JsonSerializer.Serialize(Indicator("Survivors supported", ("2026-04-01", 100m), ("2026-07-01", 90m))), "\"1\"");
        later.StatusCode.Should().Be(HttpStatusCode.OK, "an open period's target may still change");
        (await Lead.PutAsJsonAsync($"/api/grants/{grantId}/indicators/{indicatorId}/actuals/2026-07-01", new { value = 95m })).EnsureSuccessStatusCode();
    }

    private async Task<long> AgreementAsync(long grantId, params string[] communities)
    {
        var partnerId = (long)(await CreateAsync(Finance, "/api/partners", new { name = Unique.Text("Partner"), kind = "by-and-for", communities }))["id"]!;
        return (long)(await CreateAsync(Finance, "/api/partner-agreements", new { grantId, partnerId, amount = 1000m, startDate = "2026-04-01", endDate = "2027-03-31" }))["id"]!;
    }

    /// <summary>The partner's return for Q1 through its link, as the form saves it.</summary>
    private async Task<Outcome<PartnerReturnView>> SaveReturnAsync(long agreementId, IReadOnlyList<ReturnResultInput> results, bool submit)
    {
        var made = await Finance.PostAsync($"/api/partner-agreements/{agreementId}/returns/2026-04-01/link", null);
        made.EnsureSuccessStatusCode();
        var linkId = (long)(await BodyAsync(made))["linkId"]!;
        await using var session = await Database.OpenAsync();
        var link = (await ReturnLinks.ForAgreementAsync(session, agreementId)).Single(l => l.Id == linkId);
        var current = await Portfolio.Core.PartnerReturns.PartnerReturns.ForPeriodAsync(session, agreementId, new DateOnly(2026, 4, 1));
        return await UnitOfWork.RunInAsync(session, s => Portfolio.Core.PartnerReturns.PartnerReturns.SaveAsync(
            s, link, new PartnerReturnInput([], [], "Sessions ran.", "Nothing.", results), submit, current?.Version ?? 0, new ChangeContext("partner:test", DateTime.UtcNow)));
    }
}
