using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.DeliveryAreas;

/// <summary>Delivery areas (issue 14): the reference list, areas on grants, agreements and spend, and burn by area.</summary>
public class DeliveryAreasApiTests(DatabaseEngine engine) : ApiTest(engine)
{
    private const string ThamesValley = "E23000029";
    private const string Kent = "E23000032";
    private const string DyfedPowys = "W15000004";
    private const string EnglandAndWales = "K04000001";

    [Test]
    public async Task DeliveryAreas_AreTheFortyThreePoliceForceAreas_AndEnglandAndWales()
    {
        var body = await Viewer.GetFromJsonAsync<JsonObject>("/api/delivery-areas");
        var items = body!["items"]!.AsArray().Select(i => i!.AsObject()).ToList();

        items.Should().HaveCount(44);
        items.Select(i => (string)i["code"]!).Should().OnlyHaveUniqueItems();
        items.Count(i => ((string)i["code"]!).StartsWith("E23", StringComparison.Ordinal)).Should().Be(39, "England has 39 police force areas");
        items.Count(i => ((string)i["code"]!).StartsWith("W15", StringComparison.Ordinal)).Should().Be(4, "Wales has four");
        items.Should().ContainSingle(i => (string)i["code"]! == ThamesValley && (string)i["name"]! == "Thames Valley");
        items.Should().ContainSingle(i => (string)i["code"]! == DyfedPowys && (string)i["name"]! == "Dyfed-Powys" && (string)i["country"]! == "Wales");
        items.Should().ContainSingle(i => (string)i["code"]! == "E23000034" && (string)i["name"]! == "London, City of");
        items.Should().ContainSingle(i => (string)i["code"]! == EnglandAndWales && (string)i["name"]! == "England and Wales");
    }

    [Test]
    public async Task GrantsAndAgreements_TakeAndReturnAreaCodes_AndAChangeThatLeavesThemOutKeepsThem()
    {
        var grant = await GrantInAsync(ThamesValley, Kent);
        grant["areaCodes"]!.AsArray().Select(c => (string)c!).Should().Equal(ThamesValley, Kent);

        var id = (long)grant["id"]!;
        var change = grant.DeepClone().AsObject();
        change.Remove("areaCodes");
        change["title"] = "Renamed";
        var changed = await PutJsonAsync(Finance, $"/api/grants/{id}", change.ToJsonString(), "\"1\"");
        changed.EnsureSuccessStatusCode();
        (await BodyAsync(changed))["areaCodes"]!.AsArray().Select(c => (string)c!).Should().Equal(ThamesValley, Kent);

        var partner = await CreatePartnerAsync();
        var agreement = await CreateAsync(Finance, "/api/partner-agreements", new { grantId = id, partnerId = partner, amount = 1000m, startDate = "2026-04-01", endDate = "2027-03-31", areaCodes = new[] { "e23000029" } });
        agreement["areaCodes"]!.AsArray().Select(c => (string)c!).Should().Equal(ThamesValley);
        var read = await Viewer.GetFromJsonAsync<JsonObject>($"/api/partner-agreements/{agreement["id"]}");
        read!["areaCodes"]!.AsArray().Select(c => (string)c!).Should().Equal(ThamesValley);
        var listed = await Viewer.GetFromJsonAsync<JsonObject>($"/api/grants?funderId={grant["funderId"]}");
        listed!["items"]!.AsArray().Single()!["areaCodes"]!.AsArray().Should().HaveCount(2);
    }

    [Test]
    public async Task AreaCodesThatAreNotAreas_OrNotTheGrants_AreRefusedNamingTheField_AndChangeNothing()
    {
        var before = await RowCountsAsync();
        var funder = await CreateFunderAsync();
        before = await RowCountsAsync();
        var unknown = await Finance.PostAsJsonAsync("/api/grants", new { funderId = funder, reference = Unique.Text("G"), title = "T", amountAwarded = 100m, startDate = "2026-04-01", endDate = "2027-03-31", areaCodes = new[] { "E23000099" } });
        ShouldBeProblem(unknown, 400, "areaCodes");
        (await unknown.Content.ReadAsStringAsync()).Should().Contain("E23000099").And.Contain("the delivery areas list names them all");
        (await RowCountsAsync()).Should().Equal(before);

        var grant = await GrantInAsync(ThamesValley);
        var partner = await CreatePartnerAsync();
        before = await RowCountsAsync();
        var outside = await Finance.PostAsJsonAsync("/api/partner-agreements", new { grantId = grant["id"], partnerId = partner, amount = 10m, startDate = "2026-04-01", endDate = "2027-03-31", areaCodes = new[] { Kent } });
        ShouldBeProblem(outside, 400, "areaCodes");
        (await outside.Content.ReadAsStringAsync()).Should().Contain("not among the grant's delivery areas");
        var spendOutside = await Finance.PostAsJsonAsync("/api/transactions", new { grantId = grant["id"], date = "2026-05-01", amount = 5m, category = "staff", description = "Elsewhere", areaCode = Kent });
        ShouldBeProblem(spendOutside, 400, "areaCode");
        (await RowCountsAsync()).Should().Equal(before);
    }

    [Test]
    public async Task AGrant_CannotDropAnAreaItsAgreementsOrSpendName()
    {
        var grant = await GrantInAsync(ThamesValley, Kent);
        var id = (long)grant["id"]!;
        var partner = await CreatePartnerAsync();
        await CreateAsync(Finance, "/api/partner-agreements", new { grantId = id, partnerId = partner, amount = 10m, startDate = "2026-04-01", endDate = "2027-03-31", areaCodes = new[] { Kent } });

        var change = grant.DeepClone().AsObject();
        change["areaCodes"] = new JsonArray(ThamesValley);
        var refused = await PutJsonAsync(Finance, $"/api/grants/{id}", change.ToJsonString(), "\"1\"");
        ShouldBeProblem(refused, 400, "areaCodes");
        (await refused.Content.ReadAsStringAsync()).Should().Contain(Kent);
        (await Viewer.GetFromJsonAsync<JsonObject>($"/api/grants/{id}"))!["areaCodes"]!.AsArray().Should().HaveCount(2, "nothing changed");
    }

    [Test]
    public async Task Spend_TakesItsPartnersArea_WhenTheAgreementsNameExactlyOne()
    {
        var grant = await GrantInAsync(ThamesValley, Kent, EnglandAndWales);
        var id = (long)grant["id"]!;
        var local = await CreatePartnerAsync();
        var national = await CreatePartnerAsync();
        await CreateAsync(Finance, "/api/partner-agreements", new { grantId = id, partnerId = local, amount = 100m, startDate = "2026-04-01", endDate = "2027-03-31", areaCodes = new[] { ThamesValley } });
        await CreateAsync(Finance, "/api/partner-agreements", new { grantId = id, partnerId = national, amount = 100m, startDate = "2026-04-01", endDate = "2027-03-31", areaCodes = new[] { Kent, EnglandAndWales } });

        var toLocal = await CreateAsync(Finance, "/api/transactions", new { grantId = id, date = "2026-05-01", amount = 10m, category = "partner-grants", description = "Local", partnerId = local });
        toLocal["areaCode"]!.GetValue<string>().Should().Be(ThamesValley, "the partner's agreements name exactly one area");
        var toNational = await CreateAsync(Finance, "/api/transactions", new { grantId = id, date = "2026-05-01", amount = 10m, category = "partner-grants", description = "National", partnerId = national });
        toNational["areaCode"].Should().BeNull("two areas: the spend's area is not guessed");
        var named = await CreateAsync(Finance, "/api/transactions", new { grantId = id, date = "2026-05-01", amount = 10m, category = "partner-grants", description = "National, named", partnerId = national, areaCode = EnglandAndWales });
        named["areaCode"]!.GetValue<string>().Should().Be(EnglandAndWales);
        var staff = await CreateAsync(Finance, "/api/transactions", new { grantId = id, date = "2026-05-01", amount = 10m, category = "staff", description = "Staff" });
        staff["areaCode"].Should().BeNull();
    }

    /// <summary>
    /// A hand-worked example at 30 June 2026, for a grant of 1 April 2026 to 31 March 2027 in three areas:
    ///   P1 £10,000.00 over the whole grant in Thames Valley: 91 of 365 days to date, 1,000,000 × 91 / 365 = 249,315.07p → £2,493.15;
    ///   P2 £1,000.01 over the whole grant in Kent and England and Wales, split £500.01 (Kent, the first code) and £500.00:
    ///     Kent 50,001 × 91 / 365 = 12,466.00p → £124.66; England and Wales 50,000 × 91 / 365 = 12,465.75p → £124.66.
    ///   Spend: P1 £3,000.00 on 10 May (Thames Valley by default; a past month, read from the kept totals),
    ///          P2 £200.00 on 20 June named England and Wales (this month, read from the transactions), £999.00 staff (no area).
    /// Sorted by the size of the variance: Thames Valley (+£506.85), Kent (−£124.66), England and Wales (+£75.34).
    /// </summary>
    [Test]
    public async Task BurnByArea_EqualsAHandWorkedExample_AndAddsUpToThePenny()
    {
        var grant = await HandWorkedGrantAsync();
        var id = (long)grant["id"]!;

        var rollup = await Viewer.GetFromJsonAsync<JsonObject>($"/api/burn?groupBy=area&asOf=2026-06-30&funderId={grant["funderId"]}");
        rollup!["groupBy"]!.GetValue<string>().Should().Be("area");
        var rows = rollup["items"]!.AsArray().Select(r => r!.AsObject()).ToList();
        rows.Select(r => (string)r["areaCode"]!).Should().Equal(ThamesValley, Kent, EnglandAndWales);
        rows.Select(r => (string)r["name"]!).Should().Equal("Thames Valley", "Kent", "England and Wales");
        rows.Select(r => r["budget"]!.GetValue<decimal>()).Should().Equal(10000m, 500.01m, 500.00m);
        rows.Select(r => r["budgetToDate"]!.GetValue<decimal>()).Should().Equal(2493.15m, 124.66m, 124.66m);
        rows.Select(r => r["actualToDate"]!.GetValue<decimal>()).Should().Equal(3000m, 0m, 200m);
        rows.Select(r => r["variance"]!.GetValue<decimal>()).Should().Equal(506.85m, -124.66m, 75.34m);
        rows.Select(r => (int)r["grants"]!).Should().Equal(1, 1, 1);

        var total = rollup["portfolio"]!.AsObject();
        total["budget"]!.GetValue<decimal>().Should().Be(11000.01m, "the split shares add up to the agreements");
        total["actualToDate"]!.GetValue<decimal>().Should().Be(3200m, "spend with no area is in no area's row");

        var filtered = await Viewer.GetFromJsonAsync<JsonObject>($"/api/burn?groupBy=grant&asOf=2026-06-30&areaCode={Kent.ToLowerInvariant()}&funderId={grant["funderId"]}");
        filtered!["items"]!.AsArray().Select(i => (long)i!["id"]!).Should().Equal(id);
        var none = await Viewer.GetFromJsonAsync<JsonObject>($"/api/burn?groupBy=grant&asOf=2026-06-30&areaCode={DyfedPowys}&funderId={grant["funderId"]}");
        none!["items"]!.AsArray().Should().BeEmpty();
    }

    [Test]
    public async Task KeptSpendTotals_StillEqualARecount_AfterSpendInAreasIsRecordedChangedAndVoided()
    {
        var grant = await GrantInAsync(ThamesValley, Kent);
        var id = (long)grant["id"]!;
        var created = await CreateAsync(Finance, "/api/transactions", new { grantId = id, date = "2026-05-10", amount = 30m, category = "delivery", description = "Venue", areaCode = ThamesValley });
        var change = created.DeepClone().AsObject();
        change["areaCode"] = Kent;
        (await PutJsonAsync(Finance, $"/api/transactions/{created["id"]}", change.ToJsonString(), "\"1\"")).EnsureSuccessStatusCode();
        var second = await CreateAsync(Finance, "/api/transactions", new { grantId = id, date = "2026-05-11", amount = 40m, category = "delivery", description = "Venue 2", areaCode = ThamesValley });
        (await SendJsonAsync(Finance, HttpMethod.Post, $"/api/transactions/{second["id"]}/void", JsonSerializer.Serialize(new { reason = "Wrong grant" }), "\"1\"", null)).EnsureSuccessStatusCode();

        await using var session = await Database.OpenAsync();
        (await SpendTotals.CheckAsync(session)).Should().BeEmpty();
        var byArea = await Viewer.GetFromJsonAsync<JsonObject>($"/api/burn?groupBy=area&asOf=2026-11-30&funderId={grant["funderId"]}");
        byArea!["items"]!.AsArray().Should().ContainSingle(r => (string)r!["areaCode"]! == Kent && r["actualToDate"]!.GetValue<decimal>() == 30m, "the changed line moved to Kent; the voided one counts nowhere");
        byArea["items"]!.AsArray().Should().NotContain(r => (string)r!["areaCode"]! == ThamesValley && r["actualToDate"]!.GetValue<decimal>() != 0m);
    }

    /// <summary>The funder report of a grant in more than one area has a row per area, in the workbook and the PDF, with the roll-up's figures at the period's end.</summary>
    [Test]
    public async Task TheFunderReport_OfAGrantInSeveralAreas_HasARowPerArea_WithTheRollupsFigures()
    {
        var grant = await HandWorkedGrantAsync();
        var xlsx = await Viewer.GetAsync($"/api/grants/{grant["id"]}/reports/2026-04-01.xlsx");
        xlsx.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        using var workbook = new ClosedXML.Excel.XLWorkbook(new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()));
        var sheet = workbook.Worksheet("Areas");
        var rows = Enumerable.Range(2, 3).Select(r => (
            Name: sheet.Cell(r, 1).GetString(), Code: sheet.Cell(r, 2).GetString(), Agreed: sheet.Cell(r, 3).GetValue<decimal>(), ToDate: sheet.Cell(r, 4).GetValue<decimal>(),
            InPeriod: sheet.Cell(r, 5).GetValue<decimal>(), Spent: sheet.Cell(r, 6).GetValue<decimal>(), Variance: sheet.Cell(r, 7).GetValue<decimal>())).ToList();
        rows.Should().Equal(
            ("England and Wales", EnglandAndWales, 500.00m, 124.66m, 200m, 200m, 75.34m),
            ("Kent", Kent, 500.01m, 124.66m, 0m, 0m, -124.66m),
            ("Thames Valley", ThamesValley, 10000m, 2493.15m, 3000m, 3000m, 506.85m));
        sheet.Cell(5, 1).GetString().Should().Be("Total");
        sheet.Cell(5, 3).GetValue<decimal>().Should().Be(11000.01m);
        sheet.Cell(5, 7).FormulaA1.Should().NotBeEmpty("the variance total is a live formula");

        var pdf = await Viewer.GetAsync($"/api/grants/{grant["id"]}/reports/2026-04-01.pdf");
        var text = Documents.PdfText(await pdf.Content.ReadAsByteArrayAsync());
        text.Should().Contain("Delivery areas").And.Contain("Thames Valley £10,000.00 £2,493.15 £3,000.00 £3,000.00 £506.85")
            .And.Contain("Kent £500.01 £124.66 £0.00 £0.00 -£124.66").And.Contain("Total £11,000.01");

        var single = await GrantInAsync(ThamesValley);
        var oneArea = await Viewer.GetAsync($"/api/grants/{single["id"]}/reports/2026-04-01.xlsx");
        using var plain = new ClosedXML.Excel.XLWorkbook(new MemoryStream(await oneArea.Content.ReadAsByteArrayAsync()));
        plain.Worksheets.Select(w => w.Name).Should().NotContain("Areas", "a grant in one area has no area section");
    }

    /// <summary>The grant of <see cref="BurnByArea_EqualsAHandWorkedExample_AndAddsUpToThePenny"/>: its agreements and spend.</summary>
    private async Task<JsonObject> HandWorkedGrantAsync()
    {
        var grant = await GrantInAsync(ThamesValley, Kent, EnglandAndWales);
        var id = (long)grant["id"]!;
        var p1 = await CreatePartnerAsync();
        var p2 = await CreatePartnerAsync();
        await CreateAsync(Finance, "/api/partner-agreements", new { grantId = id, partnerId = p1, amount = 10000m, startDate = "2026-04-01", endDate = "2027-03-31", areaCodes = new[] { ThamesValley } });
        await CreateAsync(Finance, "/api/partner-agreements", new { grantId = id, partnerId = p2, amount = 1000.01m, startDate = "2026-04-01", endDate = "2027-03-31", areaCodes = new[] { EnglandAndWales, Kent } });
        await CreateAsync(Finance, "/api/transactions", new { grantId = id, date = "2026-05-10", amount = 3000m, category = "partner-grants", description = "P1 Q1", partnerId = p1 });
        await CreateAsync(Finance, "/api/transactions", new { grantId = id, date = "2026-06-20", amount = 200m, category = "partner-grants", description = "P2 June", partnerId = p2, areaCode = EnglandAndWales });
        await CreateAsync(Finance, "/api/transactions", new { grantId = id, date = "2026-06-20", amount = 999m, category = "staff", description = "Staff" });
        return grant;
    }

    private async Task<JsonObject> GrantInAsync(params string[] areas)
    {
        var funder = await CreateFunderAsync();
        return await CreateAsync(Finance, "/api/grants", new
        {
            funderId = funder, programmeAreaId = LeadAreaId, reference = Unique.Text("G"), title = "Grant in areas", amountAwarded = 120000m,
            startDate = "2026-04-01", endDate = "2027-03-31", areaCodes = areas,
        });
    }
}
