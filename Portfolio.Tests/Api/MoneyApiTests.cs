using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Api;

/// <summary>Budgets, spend, income and partner agreements: exact, safe to retry, audited.</summary>
public class MoneyApiTests(DatabaseEngine engine) : ApiTest(engine)
{
    [Test]
    public async Task Budget_PutAndGet_TotalsByCategoryAndPeriod_AndUnallocated()
    {
        var grant = await CreateGrantAsync(amount: 120000.00m);
        var id = grant["id"]!;
        var empty = await Viewer.GetAsync($"/api/grants/{id}/budget");
        empty.Headers.ETag!.Tag.Should().Be("\"0\"");
        (await BodyAsync(empty))["lines"]!.AsArray().Should().BeEmpty();

        // 30,000.00 + 20,000.00 + 29,999.99 + 0.01 = 80,000.00 budgeted; 120,000.00 - 80,000.00 = 40,000.00 unallocated.
        var put = await PutJsonAsync(Finance, $"/api/grants/{id}/budget", """
            {"lines":[
              {"category":"staff","periodStart":"2026-04-01","amount":30000.00},
              {"category":"staff","periodStart":"2026-07-01","amount":20000},
              {"category":"delivery","periodStart":"2026-07-01","amount":29999.99},
              {"category":"evaluation","periodStart":"2027-01-01","amount":0.01}]}
            """, "\"0\"");

        var text = await put.Content.ReadAsStringAsync();
        put.StatusCode.Should().Be(HttpStatusCode.OK, text);
        put.Headers.ETag!.Tag.Should().Be("\"1\"");
        var budget = JsonNode.Parse(text)!.AsObject();
        text.Should().Contain("\"total\":80000.00").And.Contain("\"unallocated\":40000.00").And.Contain("\"award\":120000.00");
        budget["totalsByCategory"]!.AsArray().Select(c => (c!["category"]!.GetValue<string>(), c["amount"]!.GetValue<decimal>()))
            .Should().Equal(("delivery", 29999.99m), ("evaluation", 0.01m), ("staff", 50000.00m));
        budget["totalsByPeriod"]!.AsArray().Select(p => (p!["label"]!.GetValue<string>(), p["amount"]!.GetValue<decimal>()))
            .Should().Equal(("2026/27 Q1", 30000.00m), ("2026/27 Q2", 49999.99m), ("2026/27 Q3", 0m), ("2026/27 Q4", 0.01m));
    }

    [Test]
    public async Task Budget_EachPutIsANewVersion_TheOldKept_AndStaleOrMissingIfMatchIsRefused()
    {
        var grant = await CreateGrantAsync();
        var path = $"/api/grants/{grant["id"]}/budget";
        var lines = """{"lines":[{"category":"staff","periodStart":"2026-04-01","amount":100}]}""";
        (await PutJsonAsync(Finance, path, lines, "\"0\"")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await PutJsonAsync(Finance, path, lines.Replace("100", "200", StringComparison.Ordinal), "\"1\"")).StatusCode.Should().Be(HttpStatusCode.OK);
        var before = await RowCountsAsync();

        ShouldBeProblem(await PutJsonAsync(Finance, path, lines, "\"1\""), 412);
        ShouldBeProblem(await PutJsonAsync(Finance, path, lines, null), 428);

        (await RowCountsAsync()).Should().Equal(before);
        before["budget_version"].Should().BeGreaterThanOrEqualTo(2);
        var current = await BodyAsync(await Viewer.GetAsync(path));
        ((int)current["version"]!).Should().Be(2);
        current["total"]!.GetValue<decimal>().Should().Be(200m);
    }

    [TestCase("""{"category":"staff","periodStart":"2026-05-01","amount":1}""", "lines[0].periodStart")]
    [TestCase("""{"category":"staff","periodStart":"2027-04-01","amount":1}""", "lines[0].periodStart")]
    [TestCase("""{"category":"catering","periodStart":"2026-04-01","amount":1}""", "lines[0].category")]
    [TestCase("""{"category":"staff","periodStart":"2026-04-01","amount":1.001}""", "lines[0].amount")]
    [TestCase("""{"category":"staff","periodStart":"2026-04-01","amount":-1}""", "lines[0].amount")]
    [TestCase("""{"category":"staff","periodStart":"2026-04-01"}""", "lines[0].amount")]
    [TestCase("""{"category":"staff","periodStart":"2026-04-01","amount":1,"note":"x"}""", "lines[0].note")]
    public async Task Budget_ALineTheGrantCannotHave_IsRefused(string line, string field)
    {
        var grant = await CreateGrantAsync();
        var before = await RowCountsAsync();

        ShouldBeProblem(await PutJsonAsync(Finance, $"/api/grants/{grant["id"]}/budget", $$"""{"lines":[{{line}}]}""", "\"0\""), 400, field);
        (await RowCountsAsync()).Should().Equal(before);
    }

    [Test]
    public async Task Budget_RepeatedCategoryAndPeriod_IsRefused()
    {
        var grant = await CreateGrantAsync();
        var line = """{"category":"staff","periodStart":"2026-04-01","amount":1}""";
        ShouldBeProblem(await PutJsonAsync(Finance, $"/api/grants/{grant["id"]}/budget", $$"""{"lines":[{{line}},{{line}}]}""", "\"0\""), 400, "lines[1]");
    }

    [Test]
    public async Task Transaction_HappyPath_FiltersAndVoid()
    {
        var grant = await CreateGrantAsync();
        var partnerId = await CreatePartnerAsync();
        await CreateAsync(Finance, "/api/partner-agreements", new { grantId = grant["id"], partnerId, amount = 5000m, startDate = "2026-04-01", endDate = "2027-03-31" });
        var credit = await CreateAsync(Finance, "/api/transactions", new { grantId = grant["id"], date = "2026-06-30", amount = -250.10m, category = "delivery", description = "Refund", partnerId, sourceReference = "JNL-1" });
        credit["amount"]!.GetValue<decimal>().Should().Be(-250.10m);
        credit["partnerId"]!.GetValue<long>().Should().Be(partnerId);
        await CreateAsync(Finance, "/api/transactions", new { grantId = grant["id"], date = "2026-04-01", amount = 1000m, category = "staff", description = "Salaries" });

        var byPartner = await Viewer.GetFromJsonAsync<JsonObject>($"/api/transactions?grantId={grant["id"]}&partnerId={partnerId}");
        byPartner!["items"]!.AsArray().Should().ContainSingle();
        var byDates = await Viewer.GetFromJsonAsync<JsonObject>($"/api/transactions?grantId={grant["id"]}&from=2026-04-01&to=2026-04-30&category=staff");
        byDates!["items"]!.AsArray().Select(t => t!["description"]!.GetValue<string>()).Should().Equal("Salaries");
        ShouldBeProblem(await Viewer.GetAsync("/api/transactions?from=2026-13-01"), 400, "from");

        var path = $"/api/transactions/{credit["id"]}/void";
        ShouldBeProblem(await PostJsonAsync(Finance, path, """{"reason":"x"}"""), 428);
        ShouldBeProblem(await SendJsonAsync(Finance, HttpMethod.Post, path, """{"reason":"  "}""", "\"1\"", null), 400, "reason");
        ShouldBeProblem(await SendJsonAsync(Finance, HttpMethod.Post, path, """{"reason":"Wrong grant"}""", "\"2\"", null), 412);

        var voided = await SendJsonAsync(Finance, HttpMethod.Post, path, """{"reason":"Wrong grant"}""", "\"1\"", null);
        voided.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await BodyAsync(voided);
        body["voided"]!.GetValue<bool>().Should().BeTrue();
        body["voidReason"]!.GetValue<string>().Should().Be("Wrong grant");
        ShouldBeProblem(await SendJsonAsync(Finance, HttpMethod.Post, path, """{"reason":"again"}""", "\"2\"", null), 409);
        ShouldBeProblem(await PutJsonAsync(Finance, $"/api/transactions/{credit["id"]}", $$"""{"grantId":{{grant["id"]}},"date":"2026-06-30","amount":1,"category":"delivery","description":"x"}""", "\"2\""), 409);
        (await Viewer.GetAsync($"/api/transactions/{credit["id"]}")).StatusCode.Should().Be(HttpStatusCode.OK, "a voided transaction is kept");
    }

    [TestCase("\"date\":\"2026-03-31\"", "date")]
    [TestCase("\"date\":\"2027-04-01\"", "date")]
    [TestCase("\"amount\":0", "amount")]
    [TestCase("\"amount\":12.345", "amount")]
    [TestCase("\"category\":\"catering\"", "category")]
    [TestCase("\"partnerId\":999999", "partnerId")]
    [TestCase("\"grantId\":999999", "grantId")]
    [TestCase("\"description\":null", "description")]
    public async Task Transaction_BadInput_Is400NamingTheField_AndChangesNothing(string replacement, string field)
    {
        var grant = await CreateGrantAsync();
        var fields = new JsonObject
        {
            ["grantId"] = (long)grant["id"]!,
            ["date"] = "2026-05-01",
            ["amount"] = 10,
            ["category"] = "staff",
            ["description"] = "ok",
        };
        var change = JsonNode.Parse("{" + replacement + "}")!.AsObject().Single();
        fields[change.Key] = change.Value?.DeepClone();
        var before = await RowCountsAsync();

        ShouldBeProblem(await PostJsonAsync(Finance, "/api/transactions", fields.ToJsonString()), 400, field);
        (await RowCountsAsync()).Should().Equal(before);
    }

    [Test]
    public async Task Transaction_RetriedWithTheSameIdempotencyKey_IsCreatedOnce()
    {
        var grant = await CreateGrantAsync();
        var key = Unique.Text("retry");
        var body = $$"""{"grantId":{{grant["id"]}},"date":"2026-05-01","amount":99.99,"category":"staff","description":"Once"}""";

        var first = await PostJsonAsync(Finance, "/api/transactions", body, key);
        var before = await RowCountsAsync();
        var second = await PostJsonAsync(Finance, "/api/transactions", body.Replace(",", ", ", StringComparison.Ordinal), key);

        first.StatusCode.Should().Be(HttpStatusCode.Created);
        second.StatusCode.Should().Be(HttpStatusCode.Created);
        second.Headers.GetValues("Idempotency-Replayed").Should().Equal("true");
        second.Headers.Location.Should().Be(first.Headers.Location);
        second.Headers.ETag!.Tag.Should().Be("\"1\"");
        (await second.Content.ReadAsStringAsync()).Should().Be(await first.Content.ReadAsStringAsync());
        (await RowCountsAsync()).Should().Equal(before, "a replay creates nothing");
        first.Headers.Contains("Idempotency-Replayed").Should().BeFalse();
    }

    [Test]
    public async Task Transaction_SameIdempotencyKeyWithAnotherBody_Is422()
    {
        var grant = await CreateGrantAsync();
        var key = Unique.Text("retry");
        (await PostJsonAsync(Finance, "/api/transactions", $$"""{"grantId":{{grant["id"]}},"date":"2026-05-01","amount":1,"category":"staff","description":"a"}""", key)).EnsureSuccessStatusCode();
        var before = await RowCountsAsync();

        ShouldBeProblem(await PostJsonAsync(Finance, "/api/transactions", $$"""{"grantId":{{grant["id"]}},"date":"2026-05-01","amount":2,"category":"staff","description":"a"}""", key), 422);
        (await RowCountsAsync()).Should().Equal(before);
    }

    [Test]
    public async Task Transaction_ConcurrentRetriesWithOneKey_CreateOneRow()
    {
        var grant = await CreateGrantAsync();
        var key = Unique.Text("race");
        var body = $$"""{"grantId":{{grant["id"]}},"date":"2026-05-02","amount":5,"category":"staff","description":"{{key}}"}""";

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostJsonAsync(Finance, "/api/transactions", body, key)));

        responses.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.Created);
        var list = await Viewer.GetFromJsonAsync<JsonObject>($"/api/transactions?grantId={grant["id"]}&pageSize=500");
        list!["items"]!.AsArray().Count(t => t!["description"]!.GetValue<string>() == key).Should().Be(1);
    }

    [Test]
    public async Task Payment_HappyPath_VoidAndIdempotency()
    {
        var grant = await CreateGrantAsync();
        var key = Unique.Text("pay");
        var body = $$"""{"grantId":{{grant["id"]}},"date":"2026-04-10","amount":30000.00,"reference":"BACS 123"}""";
        var first = await PostJsonAsync(Finance, "/api/payments", body, key);
        first.StatusCode.Should().Be(HttpStatusCode.Created);
        var replay = await PostJsonAsync(Finance, "/api/payments", body, key);
        replay.Headers.GetValues("Idempotency-Replayed").Should().Equal("true");
        var payment = await BodyAsync(first);
        (await Viewer.GetFromJsonAsync<JsonObject>($"/api/payments?grantId={grant["id"]}"))!["total"]!.GetValue<long>().Should().Be(1);

        var voided = await SendJsonAsync(Finance, HttpMethod.Post, $"/api/payments/{payment["id"]}/void", """{"reason":"Duplicate bank line"}""", "\"1\"", null);
        voided.StatusCode.Should().Be(HttpStatusCode.OK);
        ShouldBeProblem(await PostJsonAsync(Finance, "/api/payments", $$"""{"grantId":{{grant["id"]}},"date":"2026-04-10","amount":"30000"}"""), 400, "amount");
    }

    [Test]
    public async Task PartnerAgreements_MayNotExceedTheAward()
    {
        // Award £100,000.00: £60,000.00 + £40,000.00 fits exactly; one penny more does not.
        var grant = await CreateGrantAsync(amount: 100000m);
        var partnerId = await CreatePartnerAsync();
        object Agreement(decimal amount) => new { grantId = grant["id"], partnerId, amount, startDate = "2026-04-01", endDate = "2027-03-31", purpose = "Outreach" };
        var first = await CreateAsync(Finance, "/api/partner-agreements", Agreement(60000m));
        await CreateAsync(Finance, "/api/partner-agreements", Agreement(40000m));
        var before = await RowCountsAsync();

        var over = await Finance.PostAsJsonAsync("/api/partner-agreements", Agreement(0.01m));
        ShouldBeProblem(over, 422);
        (await over.Content.ReadAsStringAsync()).Should().Contain("£100,000.01").And.Contain("£100,000.00");
        (await RowCountsAsync()).Should().Equal(before);

        // Replacing an agreement counts the others, not itself: 60,000 -> 59,999.99 is fine, 60,000.01 is not.
        var put = $$"""{"grantId":{{grant["id"]}},"partnerId":{{partnerId}},"amount":59999.99,"startDate":"2026-04-01","endDate":"2027-03-31"}""";
        (await PutJsonAsync(Finance, $"/api/partner-agreements/{first["id"]}", put, "\"1\"")).StatusCode.Should().Be(HttpStatusCode.OK);
        ShouldBeProblem(await PutJsonAsync(Finance, $"/api/partner-agreements/{first["id"]}", put.Replace("59999.99", "60000.02", StringComparison.Ordinal), "\"2\""), 422);
    }

    [Test]
    public async Task PartnerAgreements_ConcurrentCreates_NeverExceedTheAward()
    {
        var grant = await CreateGrantAsync(amount: 1000m);
        var partnerId = await CreatePartnerAsync();
        var body = $$"""{"grantId":{{grant["id"]}},"partnerId":{{partnerId}},"amount":300,"startDate":"2026-04-01","endDate":"2027-03-31"}""";

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostJsonAsync(Finance, "/api/partner-agreements", body)));

        responses.Count(r => r.StatusCode == HttpStatusCode.Created).Should().Be(3, "3 x £300 fits in £1,000 and a fourth would not");
        var list = await Viewer.GetFromJsonAsync<JsonObject>($"/api/partner-agreements?grantId={grant["id"]}");
        list!["items"]!.AsArray().Sum(a => a!["amount"]!.GetValue<decimal>()).Should().Be(900m);
    }

    [Test]
    public async Task EveryChange_WritesOneAuditEntry_WithBeforeAndAfter()
    {
        var grant = await CreateGrantAsync();
        var transaction = await CreateAsync(Finance, "/api/transactions", new { grantId = grant["id"], date = "2026-05-01", amount = 10m, category = "staff", description = "Audited" });
        await PutJsonAsync(Finance, $"/api/transactions/{transaction["id"]}", $$"""{"grantId":{{grant["id"]}},"date":"2026-05-01","amount":11,"category":"staff","description":"Audited"}""", "\"1\"");
        await SendJsonAsync(Finance, HttpMethod.Post, $"/api/transactions/{transaction["id"]}/void", """{"reason":"Test"}""", "\"2\"", null);
        await PutJsonAsync(Finance, $"/api/grants/{grant["id"]}/budget", """{"lines":[{"category":"staff","periodStart":"2026-04-01","amount":5}]}""", "\"0\"");

        var entries = await Viewer.GetFromJsonAsync<JsonObject>($"/api/audit?entity=transaction&entityId={transaction["id"]}");
        var items = entries!["items"]!.AsArray();
        items.Select(e => e!["action"]!.GetValue<string>()).Should().Equal("create", "update", "void");
        items[0]!["before"].Should().BeNull();
        items[0]!["after"]!["amount"]!.GetValue<decimal>().Should().Be(10m);
        items[1]!["before"]!["amount"]!.GetValue<decimal>().Should().Be(10m);
        items[1]!["after"]!["amount"]!.GetValue<decimal>().Should().Be(11m);
        items[2]!["after"]!["voidReason"]!.GetValue<string>().Should().Be("Test");
        items.Should().OnlyContain(e => e!["actor"]!.GetValue<string>().StartsWith("key:", StringComparison.Ordinal));

        var grantAudit = await Viewer.GetFromJsonAsync<JsonObject>($"/api/audit?entity=grant&entityId={grant["id"]}");
        grantAudit!["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).Should().Equal("create");
        var budgetAudit = await Viewer.GetFromJsonAsync<JsonObject>($"/api/audit?entity=budget&entityId={grant["id"]}&from=2000-01-01&to=2100-12-31");
        budgetAudit!["items"]!.AsArray().Should().ContainSingle();
        var none = await Viewer.GetFromJsonAsync<JsonObject>($"/api/audit?entity=budget&entityId={grant["id"]}&to=2000-01-01");
        none!["total"]!.GetValue<long>().Should().Be(0);
    }
}
