using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Api;

/// <summary>
/// Roll-ups over a small portfolio in a database of its own, at 30 June 2026:
///   funder A (UK financial year): G1 £10,000 budgeted all in Q1 (staff), spent £13,000 (+30 %, red);
///                                 G2 £10,000 budgeted all in Q1 (delivery), spent £7,000 (-30 %, red);
///   funder B (calendar year):     G3 £5,000.01 from 15 May to 31 Dec 2026, budget £1,000.01 in 2026 Q2 and
///                                 £4,000 in Q3, spent £500 with partner P (agreement £1,000 over the grant).
/// </summary>
public class BurnRollupTests
{
    private const string AsOf = "2026-06-30";

    [Test]
    public async Task RollupsAddUpToTheirGrants_ToThePenny_AndRagIsFromTheSums([Values(DatabaseEngine.Sqlite, DatabaseEngine.Postgres)] DatabaseEngine engine)
    {
        await using var portfolio = await Scenario.CreateAsync(engine);
        var client = portfolio.Finance;

        var byGrant = await client.GetFromJsonAsync<JsonObject>($"/api/burn?groupBy=grant&asOf={AsOf}");
        var items = byGrant!["items"]!.AsArray();
        items.Should().HaveCount(3);
        foreach (var field in new[] { "award", "budget", "budgetToDate", "actualToDate", "variance", "forecastAtCompletion", "runRateForecast" })
        {
            items.Sum(i => i![field]!.GetValue<decimal>()).Should().Be(byGrant["portfolio"]![field]!.GetValue<decimal>(), field);
        }

        // Each row says what the grant's own endpoint says.
        foreach (var item in items)
        {
            var single = await client.GetFromJsonAsync<JsonObject>($"/api/grants/{item!["id"]}/burn?asOf={AsOf}");
            foreach (var field in new[] { "award", "budget", "budgetToDate", "actualToDate", "variance", "variancePercent", "burnPercent", "timeElapsedPercent", "forecastAtCompletion", "runRateForecast", "rag" })
            {
                item[field]!.ToJsonString().Should().Be(single![field]!.ToJsonString(), field);
            }
        }

        // Sorted by the size of the variance: G1 (+3,000) and G2 (-3,000) before G3.
        items.Select(i => Math.Abs(i!["variance"]!.GetValue<decimal>())).Should().BeInDescendingOrder();
        items.Take(2).Should().OnlyContain(i => i!["rag"]!.GetValue<string>() == "red");

        var byFunder = await client.GetFromJsonAsync<JsonObject>($"/api/burn?groupBy=funder&asOf={AsOf}");
        var funderA = byFunder!["items"]!.AsArray().Single(i => (long)i!["id"]! == portfolio.FunderA)!;
        funderA["variance"]!.GetValue<decimal>().Should().Be(0m);
        funderA["rag"]!.GetValue<string>().Should().Be("green", "a roll-up's RAG comes from its summed figures, not a vote of its red grants");
        ((int)funderA["grants"]!).Should().Be(2);
        byFunder["items"]!.AsArray().Sum(i => i!["actualToDate"]!.GetValue<decimal>()).Should().Be(byGrant["portfolio"]!["actualToDate"]!.GetValue<decimal>());

        var byArea = await client.GetFromJsonAsync<JsonObject>($"/api/burn?groupBy=programme-area&asOf={AsOf}");
        byArea!["items"]!.AsArray().Sum(i => i!["budgetToDate"]!.GetValue<decimal>()).Should().Be(byGrant["portfolio"]!["budgetToDate"]!.GetValue<decimal>());
        byArea["items"]!.AsArray().Sum(i => (int)i!["grants"]!).Should().Be(3);

        var byPartner = await client.GetFromJsonAsync<JsonObject>($"/api/burn?groupBy=partner&asOf={AsOf}");
        var partner = byPartner!["items"]!.AsArray().Single()!;
        partner["budget"]!.GetValue<decimal>().Should().Be(1000m);
        partner["actualToDate"]!.GetValue<decimal>().Should().Be(500m);
        // The agreement runs 15 May to 31 Dec (231 days); to 30 June is 47 days: 1,000 x 47 / 231 = 203.46.
        partner["budgetToDate"]!.GetValue<decimal>().Should().Be(203.46m);

        var filtered = await client.GetFromJsonAsync<JsonObject>($"/api/burn?groupBy=grant&asOf={AsOf}&funderId={portfolio.FunderA}");
        filtered!["items"]!.AsArray().Should().HaveCount(2);
        filtered["portfolio"]!["budget"]!.GetValue<decimal>().Should().Be(20000m);
    }

    [Test]
    public async Task TheSameData_GivesIdenticalResults_OnSqliteAndPostgres()
    {
        TestEnvironment.RequirePostgres();
        await using var sqlite = await Scenario.CreateAsync(DatabaseEngine.Sqlite);
        await using var postgres = await Scenario.CreateAsync(DatabaseEngine.Postgres);

        var paths = new List<string>();
        foreach (var asOf in new[] { "2026-05-20", AsOf, "2026-08-16", "2027-06-30" })
        {
            paths.AddRange(new[] { "grant", "programme-area", "funder", "partner" }.Select(g => $"/api/burn?groupBy={g}&asOf={asOf}"));
            paths.AddRange(new[] { 1, 2, 3 }.Select(id => $"/api/grants/{id}/burn?asOf={asOf}"));
        }

        foreach (var path in paths)
        {
            var fromSqlite = await sqlite.Finance.GetStringAsync(path);
            var fromPostgres = await postgres.Finance.GetStringAsync(path);
            fromPostgres.Should().Be(fromSqlite, path);
        }
    }

    private sealed class Scenario : IAsyncDisposable
    {
        private readonly PortfolioApp _app;

        private Scenario(PortfolioApp app, HttpClient finance)
        {
            _app = app;
            Finance = finance;
        }

        public HttpClient Finance { get; }

        public long FunderA { get; private set; }

        public static async Task<Scenario> CreateAsync(DatabaseEngine engine)
        {
            var options = await TestEnvironment.CreateDatabaseAsync(engine);
            var app = new PortfolioApp(options, settings: new Dictionary<string, string?> { ["Portfolio:BootstrapAdminKey"] = ApiTest.BootstrapKey, ["Portfolio:SeedDemo"] = "false" });
            var client = app.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", ApiTest.BootstrapKey);
            var scenario = new Scenario(app, client);
            await scenario.BuildAsync();
            return scenario;
        }

        public async ValueTask DisposeAsync()
        {
            Finance.Dispose();
            await _app.DisposeAsync();
        }

        private async Task BuildAsync()
        {
            FunderA = await IdAsync("/api/funders", new { name = "Funder A", kind = "government" });
            var funderB = await IdAsync("/api/funders", new { name = "Funder B", kind = "trust", reportingCalendar = "calendar-year" });
            var areaX = await IdAsync("/api/programme-areas", new { name = "Area X", code = "X" });
            var areaY = await IdAsync("/api/programme-areas", new { name = "Area Y", code = "Y" });
            var partner = await IdAsync("/api/partners", new { name = "Partner P", kind = "by-and-for" });

            var g1 = await IdAsync("/api/grants", new { funderId = FunderA, programmeAreaId = areaX, reference = "G1", title = "One", amountAwarded = 10000m, startDate = "2026-04-01", endDate = "2027-03-31" });
            var g2 = await IdAsync("/api/grants", new { funderId = FunderA, programmeAreaId = areaY, reference = "G2", title = "Two", amountAwarded = 10000m, startDate = "2026-04-01", endDate = "2027-03-31" });
            var g3 = await IdAsync("/api/grants", new { funderId = funderB, programmeAreaId = areaX, reference = "G3", title = "Three", amountAwarded = 5000.01m, startDate = "2026-05-15", endDate = "2026-12-31" });

            await BudgetAsync(g1, new { category = "staff", periodStart = "2026-04-01", amount = 10000m });
            await BudgetAsync(g2, new { category = "delivery", periodStart = "2026-04-01", amount = 10000m });
            await BudgetAsync(g3, new { category = "training", periodStart = "2026-05-15", amount = 1000.01m }, new { category = "training", periodStart = "2026-07-01", amount = 4000m });
            await IdAsync("/api/partner-agreements", new { grantId = g3, partnerId = partner, amount = 1000m, startDate = "2026-05-15", endDate = "2026-12-31" });

            await IdAsync("/api/transactions", new { grantId = g1, date = "2026-05-01", amount = 13000m, category = "staff", description = "Salaries" });
            await IdAsync("/api/transactions", new { grantId = g2, date = "2026-05-01", amount = 7000m, category = "delivery", description = "Delivery" });
            await IdAsync("/api/transactions", new { grantId = g3, date = "2026-06-10", amount = 500m, category = "training", description = "Course", partnerId = partner });
            await IdAsync("/api/transactions", new { grantId = g3, date = "2026-08-01", amount = 1234.57m, category = "training", description = "Course" });
        }

        private async Task BudgetAsync(long grantId, params object[] lines)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/grants/{grantId}/budget") { Content = JsonContent.Create(new { lines }) };
            request.Headers.TryAddWithoutValidation("If-Match", "\"0\"");
            (await Finance.SendAsync(request)).EnsureSuccessStatusCode();
        }

        private async Task<long> IdAsync(string path, object body)
        {
            var response = await Finance.PostAsJsonAsync(path, body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.That((int)response.StatusCode, Is.EqualTo(201), text);
            return (long)JsonNode.Parse(text)!["id"]!;
        }
    }
}
