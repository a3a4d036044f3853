using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Api;

/// <summary>
/// The worked example, on every engine. A £120,000.00 grant over the UK financial year 2026/27
/// (1 Apr 2026 to 31 Mar 2027: 365 days; Q1 91 days, Q2 92, Q3 92, Q4 90), budgeted unevenly:
///
///              Q1         Q2         Q3         Q4        total
///   staff      15,000.00  15,000.00  15,000.00  15,000.00  60,000.00
///   delivery    5,000.00  10,000.00  15,000.00  20,000.00  50,000.00
///   training        0.00   5,000.00   5,000.00       0.00  10,000.00
///   total      20,000.00  30,000.00  35,000.00  35,000.00 120,000.00
///
/// Spend: 15 May staff 14,000.00; 15 Jun delivery 9,999.99 (voided); 30 Jun delivery 4,000.00;
/// 10 Aug staff 16,500.00; 20 Aug delivery 7,000.00; 1 Sep training 6,000.00; 30 Sep delivery -500.00 (a credit);
/// 15 Oct staff 5,000.00. All spend not voided: 52,000.00.
/// </summary>
public class BurnApiTests(DatabaseEngine engine) : ApiTest(engine)
{
    private long _grantId;

    [OneTimeSetUp]
    public async Task CreateTheWorkedExampleAsync()
    {
        if (Engine == DatabaseEngine.Postgres && !PostgresAvailable())
        {
            return;
        }

        var grant = await CreateGrantAsync(amount: 120000m);
        _grantId = (long)grant["id"]!;
        var lines = new List<object>();
        void Line(string category, string period, decimal amount) => lines.Add(new { category, periodStart = period, amount });
        foreach (var (period, staff, delivery, training) in new[]
                 {
                     ("2026-04-01", 15000m, 5000m, 0m), ("2026-07-01", 15000m, 10000m, 5000m),
                     ("2026-10-01", 15000m, 15000m, 5000m), ("2027-01-01", 15000m, 20000m, 0m),
                 })
        {
            Line("staff", period, staff);
            Line("delivery", period, delivery);
            Line("training", period, training);
        }

        (await SendJsonAsync(Finance, HttpMethod.Put, $"/api/grants/{_grantId}/budget", System.Text.Json.JsonSerializer.Serialize(new { lines }), "\"0\"", null)).EnsureSuccessStatusCode();
        foreach (var (date, category, amount) in new[]
                 {
                     ("2026-05-15", "staff", 14000m), ("2026-06-30", "delivery", 4000m), ("2026-08-10", "staff", 16500m),
                     ("2026-08-20", "delivery", 7000m), ("2026-09-01", "training", 6000m), ("2026-09-30", "delivery", -500m),
                     ("2026-10-15", "staff", 5000m),
                 })
        {
            await CreateAsync(Finance, "/api/transactions", new { grantId = _grantId, date, amount, category, description = "Worked example" });
        }

        var voided = await CreateAsync(Finance, "/api/transactions", new { grantId = _grantId, date = "2026-06-15", amount = 9999.99m, category = "delivery", description = "Posted twice" });
        (await SendJsonAsync(Finance, HttpMethod.Post, $"/api/transactions/{voided["id"]}/void", """{"reason":"Duplicate"}""", "\"1\"", null)).EnsureSuccessStatusCode();
    }

    [Test]
    public async Task AtTheEndOfQ1_EveryFigure()
    {
        var burn = await BurnAsync("2026-06-30");

        // BTD = Q1 = 20,000.00. Actual = 14,000.00 + 4,000.00 = 18,000.00 (the voided 9,999.99 is left out).
        Money(burn, "award").Should().Be(120000.00m);
        Money(burn, "budget").Should().Be(120000.00m);
        Money(burn, "unallocated").Should().Be(0m);
        Money(burn, "budgetToDate").Should().Be(20000.00m);
        Money(burn, "actualToDate").Should().Be(18000.00m);
        Money(burn, "variance").Should().Be(-2000.00m);
        Percent(burn, "variancePercent").Should().Be(-10.0m); // exactly -10 %: green
        Percent(burn, "burnPercent").Should().Be(15.0m); // 18,000 / 120,000
        Percent(burn, "timeElapsedPercent").Should().Be(24.9m); // 91 / 365 = 24.93 %
        Money(burn, "forecastAtCompletion").Should().Be(118000.00m); // 18,000 + (120,000 - 20,000)
        Money(burn, "runRateForecast").Should().Be(72197.80m); // 18,000 x 365 / 91 = 72,197.802
        burn["rag"]!.GetValue<string>().Should().Be("green");

        var staff = Category(burn, "staff");
        Money(staff, "budget").Should().Be(60000m);
        Money(staff, "budgetToDate").Should().Be(15000m);
        Money(staff, "actualToDate").Should().Be(14000m);
        Percent(staff, "variancePercent").Should().Be(-6.7m); // -1,000 / 15,000
        staff["rag"]!.GetValue<string>().Should().Be("green");
        var delivery = Category(burn, "delivery");
        Money(delivery, "variance").Should().Be(-1000m);
        Percent(delivery, "variancePercent").Should().Be(-20.0m); // exactly -20 %: amber, not red
        delivery["rag"]!.GetValue<string>().Should().Be("amber");
        var training = Category(burn, "training");
        Money(training, "budgetToDate").Should().Be(0m);
        training["variancePercent"].Should().BeNull();
        training["rag"]!.GetValue<string>().Should().Be("green");

        var periods = burn["byPeriod"]!.AsArray();
        periods.Select(p => p!["label"]!.GetValue<string>()).Should().Equal("2026/27 Q1", "2026/27 Q2", "2026/27 Q3", "2026/27 Q4");
        Money(periods[0]!, "budget").Should().Be(20000m);
        Money(periods[0]!, "actual").Should().Be(18000m);
        Money(periods[0]!, "variance").Should().Be(-2000m);
        Money(periods[1]!, "budget").Should().Be(30000m);
        Money(periods[1]!, "budgetToDate").Should().Be(0m);
        Money(periods[3]!, "cumulativeBudget").Should().Be(120000m);
        Money(periods[3]!, "cumulativeActual").Should().Be(18000m);
    }

    [Test]
    public async Task MidQ2_TheCurrentPeriodIsProRataToThePenny()
    {
        // 16 Aug: 47 of Q2's 92 days. staff 15,000 x 47/92 = 7,663.04; delivery 10,000 x 47/92 = 5,108.70;
        // training 5,000 x 47/92 = 2,554.35. BTD = 20,000 + 15,326.09 = 35,326.09.
        // Actual = 14,000 + 4,000 + 16,500 = 34,500.00 (20 Aug onwards not yet).
        var burn = await BurnAsync("2026-08-16");

        Money(burn, "budgetToDate").Should().Be(35326.09m);
        Money(burn, "actualToDate").Should().Be(34500.00m);
        Money(burn, "variance").Should().Be(-826.09m);
        Percent(burn, "variancePercent").Should().Be(-2.3m); // -826.09 / 35,326.09 = -2.34 %
        Percent(burn, "burnPercent").Should().Be(28.8m); // 28.75 % rounds half to even
        Percent(burn, "timeElapsedPercent").Should().Be(37.8m); // 138 / 365
        Money(burn, "forecastAtCompletion").Should().Be(119173.91m); // 34,500 + 120,000 - 35,326.09
        Money(burn, "runRateForecast").Should().Be(91250.00m); // 34,500 x 365 / 138 = 91,250 exactly
        Money(Category(burn, "staff"), "budgetToDate").Should().Be(22663.04m);
        Money(Category(burn, "delivery"), "budgetToDate").Should().Be(10108.70m);
        Money(Category(burn, "training"), "budgetToDate").Should().Be(2554.35m);
        var q2 = burn["byPeriod"]![1]!;
        Money(q2, "budgetToDate").Should().Be(15326.09m);
        Money(q2, "actual").Should().Be(16500.00m);
        Money(q2, "cumulativeBudgetToDate").Should().Be(35326.09m);
    }

    [Test]
    public async Task BeforeTheStart_NothingIsDue()
    {
        var burn = await BurnAsync("2026-03-31");

        Money(burn, "budgetToDate").Should().Be(0m);
        Money(burn, "actualToDate").Should().Be(0m);
        Money(burn, "variance").Should().Be(0m);
        burn["variancePercent"].Should().BeNull();
        Percent(burn, "burnPercent").Should().Be(0.0m);
        Percent(burn, "timeElapsedPercent").Should().Be(0.0m);
        Money(burn, "forecastAtCompletion").Should().Be(120000m);
        burn["runRateForecast"].Should().BeNull();
        burn["rag"]!.GetValue<string>().Should().Be("green");
    }

    [Test]
    public async Task AfterTheEnd_UnderspendIsRed()
    {
        var burn = await BurnAsync("2027-06-30");

        Money(burn, "budgetToDate").Should().Be(120000m);
        Money(burn, "actualToDate").Should().Be(52000m);
        Money(burn, "variance").Should().Be(-68000m);
        Percent(burn, "variancePercent").Should().Be(-56.7m);
        Percent(burn, "burnPercent").Should().Be(43.3m);
        Percent(burn, "timeElapsedPercent").Should().Be(100.0m);
        Money(burn, "forecastAtCompletion").Should().Be(52000m);
        Money(burn, "runRateForecast").Should().Be(52000m);
        burn["rag"]!.GetValue<string>().Should().Be("red");
        Money(Category(burn, "delivery"), "actualToDate").Should().Be(10500m); // 4,000 + 7,000 - 500; the voided 9,999.99 is not counted
    }

    [Test]
    public async Task BadQueries_Are400_AndUnknownGrants404()
    {
        ShouldBeProblem(await Viewer.GetAsync($"/api/grants/{_grantId}/burn?asOf=2026-02-30"), 400, "asOf");
        ShouldBeProblem(await Viewer.GetAsync("/api/grants/999999/burn"), 404);
        ShouldBeProblem(await Viewer.GetAsync("/api/burn?groupBy=colour"), 400, "groupBy");
    }

    [Test]
    public async Task VarianceNotes_ProgrammeLeadsWriteThem_ViewersCannot_AndTheyAreAudited()
    {
        var path = $"/api/grants/{_grantId}/variance-notes";
        var created = await PostJsonAsync(Lead, path, """{"periodStart":"2026-04-01","category":"delivery","text":"Venue costs came in under quote."}""");
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var note = await BodyAsync(created);
        note["author"]!.GetValue<string>().Should().StartWith("key:");

        var before = await RowCountsAsync();
        ShouldBeProblem(await PostJsonAsync(Viewer, path, """{"periodStart":"2026-04-01","text":"x"}"""), 403);
        ShouldBeProblem(await PostJsonAsync(Lead, path, """{"periodStart":"2026-04-02","text":"x"}"""), 400, "periodStart");
        ShouldBeProblem(await PostJsonAsync(Lead, path, """{"periodStart":"2026-04-01","category":"catering","text":"x"}"""), 400, "category");
        ShouldBeProblem(await PostJsonAsync(Lead, path, """{"periodStart":"2026-04-01","text":""}"""), 400, "text");
        ShouldBeProblem(await PostJsonAsync(Lead, "/api/grants/999999/variance-notes", """{"periodStart":"2026-04-01","text":"x"}"""), 404);
        (await RowCountsAsync()).Should().Equal(before);

        var list = await Viewer.GetFromJsonAsync<JsonObject>($"{path}?periodStart=2026-04-01");
        list!["items"]!.AsArray().Select(n => n!["text"]!.GetValue<string>()).Should().Contain("Venue costs came in under quote.");
        var audit = await Viewer.GetFromJsonAsync<JsonObject>($"/api/audit?entity=variance-note&entityId={note["id"]}");
        audit!["items"]!.AsArray().Should().ContainSingle();
    }

    private bool PostgresAvailable()
    {
        try
        {
            _ = TestEnvironment.Postgres;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private async Task<JsonObject> BurnAsync(string asOf)
    {
        var response = await Viewer.GetAsync($"/api/grants/{_grantId}/burn?asOf={asOf}");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static JsonNode Category(JsonObject burn, string category) =>
        burn["byCategory"]!.AsArray().Single(c => c!["category"]!.GetValue<string>() == category)!;

    private static decimal Money(JsonNode node, string field) => node[field]!.GetValue<decimal>();

    private static decimal? Percent(JsonNode node, string field) => node[field]?.GetValue<decimal>();
}
