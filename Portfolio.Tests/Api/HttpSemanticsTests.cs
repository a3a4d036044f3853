using System.Net;
using System.Text.Json.Nodes;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Api;

/// <summary>The HTTP a client expects: a GET's body can be PUT back, <c>If-Match: *</c>, unknown query parameters, idempotent retries.</summary>
public sealed class HttpSemanticsTests(DatabaseEngine engine) : ApiTest(engine)
{
    /// <summary>Each resource with a PUT, and how to create one.</summary>
    private async Task<(string Path, JsonObject Created)> CreateResourceAsync(string resource)
    {
        switch (resource)
        {
            case "funders":
                return ("/api/funders", await CreateAsync(Finance, "/api/funders", new { name = Unique.Text("F"), kind = "trust", contacts = new[] { new { name = "Officer", email = "officer@funder.example" } } }));
            case "programme-areas":
                return ("/api/programme-areas", await CreateAsync(Admin, "/api/programme-areas", new { name = Unique.Text("A"), code = Unique.Text("C") }));
            case "partners":
                return ("/api/partners", await CreateAsync(Finance, "/api/partners", new { name = Unique.Text("P"), kind = "specialist", communities = new[] { "Deaf women" } }));
            case "grants":
                return ("/api/grants", await CreateGrantAsync());
            case "transactions":
                var grant = await CreateGrantAsync();
                return ("/api/transactions", await CreateAsync(Finance, "/api/transactions", new { grantId = grant["id"], date = "2026-05-01", amount = 100.5m, category = "staff", description = "Salaries", sourceReference = "INV-9" }));
            case "payments":
                var paid = await CreateGrantAsync();
                return ("/api/payments", await CreateAsync(Finance, "/api/payments", new { grantId = paid["id"], date = "2026-05-01", amount = 1000m, reference = "REM-1" }));
            default:
                var agreed = await CreateGrantAsync();
                var partnerId = await CreatePartnerAsync();
                return ("/api/partner-agreements", await CreateAsync(Finance, "/api/partner-agreements", new { grantId = agreed["id"], partnerId, amount = 5000m, startDate = "2026-04-01", endDate = "2027-03-31" }));
        }
    }

    private static readonly string[] Resources = ["funders", "programme-areas", "partners", "grants", "transactions", "payments", "partner-agreements"];

    [TestCaseSource(nameof(Resources))]
    public async Task ThePutOfWhatAGetReturned_Succeeds(string resource)
    {
        var (path, created) = await CreateResourceAsync(resource);
        var get = await Viewer.GetAsync($"{path}/{created["id"]}");
        var representation = await get.Content.ReadAsStringAsync();

        var put = await PutJsonAsync(Admin, $"{path}/{created["id"]}", representation, ETagOf(get));

        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        (await BodyAsync(put))["version"]!.GetValue<int>().Should().Be(2);
    }

    [TestCaseSource(nameof(Resources))]
    public async Task AReadOnlyFieldThatDiffers_IsRefusedByName_AndNothingChanges(string resource)
    {
        var (path, created) = await CreateResourceAsync(resource);
        var body = (JsonObject)created.DeepClone();
        body["id"] = created["id"]!.GetValue<long>() + 1;
        body["createdAt"] = "2001-01-01T00:00:00Z";
        var before = await RowCountsAsync();

        var put = await PutJsonAsync(Admin, $"{path}/{created["id"]}", body.ToJsonString(), "\"1\"");

        ShouldBeProblem(put, 400, "id");
        ShouldBeProblem(put, 400, "createdAt");
        (await BodyAsync(put))["errors"]!["id"]![0]!.GetValue<string>().Should().Contain("read-only");
        (await RowCountsAsync()).Should().Equal(before);
        (await BodyAsync(await Viewer.GetAsync($"{path}/{created["id"]}")))["version"]!.GetValue<int>().Should().Be(1);
    }

    [TestCaseSource(nameof(Resources))]
    public async Task AStaleIfMatch_Is412_BeforeTheBodysReadOnlyFieldsOrErrors(string resource)
    {
        var (path, created) = await CreateResourceAsync(resource);
        var get = await Viewer.GetAsync($"{path}/{created["id"]}");
        var representation = await get.Content.ReadAsStringAsync();
        (await PutJsonAsync(Admin, $"{path}/{created["id"]}", representation, ETagOf(get))).StatusCode.Should().Be(HttpStatusCode.OK);
        var before = await RowCountsAsync();

        var changedReadOnly = JsonNode.Parse(representation)!.AsObject();
        changedReadOnly["createdAt"] = "2001-01-01T00:00:00Z";
        var stale = await PutJsonAsync(Admin, $"{path}/{created["id"]}", changedReadOnly.ToJsonString(), "\"1\"");
        ShouldBeProblem(stale, 412);

        var unknownField = await PutJsonAsync(Admin, $"{path}/{created["id"]}", """{"nonsense":1}""", "\"1\"");
        ShouldBeProblem(unknownField, 412);

        (await RowCountsAsync()).Should().Equal(before);
        ShouldBeProblem(await PutJsonAsync(Admin, $"{path}/{created["id"]}", changedReadOnly.ToJsonString(), "\"2\""), 400, "createdAt");
    }

    [Test]
    public async Task AStaleIfMatch_Is412_BeforeABudgetsOrNotesBodyErrors()
    {
        var grant = await CreateGrantAsync();
        var id = grant["id"]!.GetValue<long>();
        var lines = """{"lines":[{"category":"staff","periodStart":"2026-04-01","amount":100}]}""";
        (await PutJsonAsync(Finance, $"/api/grants/{id}/budget", lines, "\"0\"")).StatusCode.Should().Be(HttpStatusCode.OK);
        ShouldBeProblem(await PutJsonAsync(Finance, $"/api/grants/{id}/budget", """{"lines":[{"category":"staff","periodStart":"2026-04-01","amount":1.001}]}""", "\"0\""), 412);
        ShouldBeProblem(await PutJsonAsync(Finance, $"/api/grants/{id}/budget", """{"lines":[{"category":"staff","periodStart":"2026-04-01","amount":1.001}]}""", "\"1\""), 400);

        var note = await CreateAsync(Finance, $"/api/grants/{id}/variance-notes", new { periodStart = "2026-04-01", text = "First" });
        var noteId = note["id"]!.GetValue<long>();
        (await PutJsonAsync(Finance, $"/api/grants/{id}/variance-notes/{noteId}", """{"text":"Second"}""", "\"1\"")).StatusCode.Should().Be(HttpStatusCode.OK);
        ShouldBeProblem(await PutJsonAsync(Finance, $"/api/grants/{id}/variance-notes/{noteId}", """{"text":""}""", "\"1\""), 412);
        ShouldBeProblem(await PutJsonAsync(Finance, $"/api/grants/{id}/variance-notes/{noteId}", """{"text":""}""", "\"2\""), 400);
    }

    [Test]
    public async Task AStaleOptionalIfMatch_Is412_BeforeAnActualsANarrativesOrTheImportRulesBodyErrors()
    {
        var grantId = (await CreateGrantAsync())["id"]!.GetValue<long>();
        var indicatorId = (await CreateAsync(Finance, $"/api/grants/{grantId}/indicators", new
        {
            name = "Survivors supported", unit = "people", higherIsBetter = true,
            targets = new[] { new { periodStart = "2026-04-01", value = 100m } },
        }))["id"]!.GetValue<long>();
        var actual = $"/api/grants/{grantId}/indicators/{indicatorId}/actuals/2026-04-01";
        var narrative = $"/api/grants/{grantId}/narratives/2026-04-01";
        (await PutJsonAsync(Finance, actual, """{"value":10}""", "\"0\"")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await PutJsonAsync(Finance, narrative, """{"whatHappened":"Groups began."}""", "\"0\"")).StatusCode.Should().Be(HttpStatusCode.OK);

        ShouldBeProblem(await PutJsonAsync(Finance, actual, """{"nonsense":1}""", "\"0\""), 412);
        ShouldBeProblem(await PutJsonAsync(Finance, narrative, """{"whatChanged":"x"}""", "\"0\""), 412);
        ShouldBeProblem(await PutJsonAsync(Finance, actual, """{"nonsense":1}""", "\"1\""), 400, "nonsense");
        ShouldBeProblem(await PutJsonAsync(Finance, narrative, """{"whatChanged":"x"}""", "\"1\""), 400, "whatHappened");
        ShouldBeProblem(await PutJsonAsync(Finance, actual, """{"nonsense":1}""", null), 400, "nonsense");

        var version = (await BodyAsync(await Admin.GetAsync("/api/import-mappings")))["version"]!.GetValue<int>();
        ShouldBeProblem(await PutJsonAsync(Admin, "/api/import-mappings", """{"nonsense":1}""", $"\"{version + 7}\""), 412);
        ShouldBeProblem(await PutJsonAsync(Admin, "/api/import-mappings", """{"nonsense":1}""", $"\"{version}\""), 400);
    }

    [Test]
    public async Task ReadOnlyFields_AreRefusedOnACreate()
    {
        var response = await PostJsonAsync(Finance, "/api/funders", """{"name":"x","kind":"trust","id":5,"version":1}""");

        ShouldBeProblem(response, 400, "id");
        ShouldBeProblem(response, 400, "version");
    }

    [Test]
    public async Task IfMatchStar_ChangesWhateverVersionIsCurrent()
    {
        var id = await CreateFunderAsync();
        (await PutJsonAsync(Finance, $"/api/funders/{id}", """{"name":"Once","kind":"trust"}""", "\"1\"")).StatusCode.Should().Be(HttpStatusCode.OK);

        var put = await PutJsonAsync(Finance, $"/api/funders/{id}", """{"name":"Twice","kind":"trust"}""", "*");

        put.StatusCode.Should().Be(HttpStatusCode.OK);
        put.Headers.ETag!.Tag.Should().Be("\"3\"");
        ShouldBeProblem(await PutJsonAsync(Finance, "/api/funders/999999", """{"name":"x","kind":"trust"}""", "*"), 404);
    }

    [TestCase("/api/transactions?grant=5", "grant")]
    [TestCase("/api/grants?status=active&funder=1", "funder")]
    [TestCase("/api/burn?asof=2026-06-30", "asof")]
    [TestCase("/api/funders/1?expand=contacts", "expand")]
    [TestCase("/api/cost-categories?page=2", "page")]
    public async Task AnUnknownQueryParameter_IsRefusedByName(string path, string parameter)
    {
        var response = await Admin.GetAsync(path);

        ShouldBeProblem(response, 400, parameter);
        (await BodyAsync(response))["errors"]![parameter]![0]!.GetValue<string>().Should().Contain("not a query parameter");
    }

    [Test]
    public async Task AnIdempotentRetry_IsTheSameRequestWhateverThePathCaseOrNumberForm()
    {
        var grant = await CreateGrantAsync();
        var key = Unique.Text("idem");
        var first = await PostJsonAsync(Finance, "/api/transactions", $$"""{"grantId":{{grant["id"]}},"date":"2026-05-02","amount":100.00,"category":"staff","description":"Salaries"}""", key);
        first.StatusCode.Should().Be(HttpStatusCode.Created);
        var before = await RowCountsAsync();

        var retry = await PostJsonAsync(Finance, "/API/TRANSACTIONS/", $$"""{"description":"Salaries","category":"staff","amount":100,"date":"2026-05-02","grantId":{{grant["id"]}}}""", key);

        retry.StatusCode.Should().Be(HttpStatusCode.Created);
        retry.Headers.GetValues("Idempotency-Replayed").Should().Equal("true");
        (await BodyAsync(retry))["id"]!.GetValue<long>().Should().Be((await BodyAsync(first))["id"]!.GetValue<long>());
        (await RowCountsAsync()).Should().Equal(before);

        var other = await PostJsonAsync(Finance, "/api/transactions", $$"""{"grantId":{{grant["id"]}},"date":"2026-05-02","amount":100.01,"category":"staff","description":"Salaries"}""", key);
        ShouldBeProblem(other, 422);
    }

    [Test]
    public async Task FinanceControls_AreUnprocessable_NamingTheFieldAndWhatToDo()
    {
        var grant = await CreateGrantAsync(amount: 1000m);
        var line = $$"""{"grantId":{{grant["id"]}},"date":"2026-05-03","amount":10,"category":"staff","description":"x","sourceReference":"INV-1"}""";
        (await PostJsonAsync(Finance, "/api/transactions", line)).StatusCode.Should().Be(HttpStatusCode.Created);
        var before = await RowCountsAsync();

        var duplicate = await PostJsonAsync(Finance, "/api/transactions", line);
        ShouldBeProblem(duplicate, 422, "confirmDuplicate");
        var income = await PostJsonAsync(Finance, "/api/payments", $$"""{"grantId":{{grant["id"]}},"date":"2026-05-03","amount":1000.01}""");
        ShouldBeProblem(income, 422, "amount");
        (await RowCountsAsync()).Should().Equal(before);

        var confirmed = await PostJsonAsync(Finance, "/api/transactions", line.Replace("}", ",\"confirmDuplicate\":true}"));
        confirmed.StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Test]
    public async Task AuditEntityNames_AreOneKebabCaseVocabulary()
    {
        ShouldBeProblem(await Admin.GetAsync("/api/audit?entity=Transaction"), 400, "entity");
        var (_, agreement) = await CreateResourceAsync("partner-agreements");

        var audit = await BodyAsync(await Viewer.GetAsync($"/api/audit?entity=partner-agreement&entityId={agreement["id"]}"));

        audit["items"]!.AsArray().Should().ContainSingle().Which!["action"]!.GetValue<string>().Should().Be("create");
    }
}
