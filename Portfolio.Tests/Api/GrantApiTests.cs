using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Api;

public class GrantApiTests(DatabaseEngine engine) : ApiTest(engine)
{
    [Test]
    public async Task Grant_HappyPath_KeepsTheAmountToThePenny()
    {
        var funderId = await CreateFunderAsync();
        var area = await CreateAsync(Finance, "/api/programme-areas", new { name = "Drive", code = Unique.Text("D") });
        var response = await PostJsonAsync(Finance, "/api/grants", $$"""
            {"funderId":{{funderId}},"programmeAreaId":{{area["id"]}},"reference":"NLCF-0001","title":"Three-year grant",
             "amountAwarded":53000000.07,"awardDate":"2026-02-01","startDate":"2026-04-01","endDate":"2030-03-31","restricted":false,"status":"pipeline"}
            """);

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var text = await response.Content.ReadAsStringAsync();
        text.Should().Contain("\"amountAwarded\":53000000.07");
        var grant = JsonNode.Parse(text)!.AsObject();
        grant["currency"]!.GetValue<string>().Should().Be("GBP");
        grant["restricted"]!.GetValue<bool>().Should().BeFalse();
        grant["startDate"]!.GetValue<string>().Should().Be("2026-04-01");

        var filtered = await Viewer.GetFromJsonAsync<JsonObject>($"/api/grants?funderId={funderId}&status=pipeline&programmeAreaId={area["id"]}");
        filtered!["items"]!.AsArray().Select(g => (long)g!["id"]!).Should().Equal((long)grant["id"]!);
        ((long)(await Viewer.GetFromJsonAsync<JsonObject>($"/api/grants?funderId={funderId}&status=closed"))!["total"]!).Should().Be(0);
    }

    [Test]
    public async Task Grant_DuplicateReferenceForTheSameFunder_Is409_ButAnotherFunderMayUseIt()
    {
        var first = await CreateGrantAsync();
        var before = await RowCountsAsync();
        var duplicate = $$"""{"funderId":{{first["funderId"]}},"reference":"{{first["reference"]}}","title":"x","amountAwarded":1,"startDate":"2026-04-01","endDate":"2026-04-30"}""";

        ShouldBeProblem(await PostJsonAsync(Finance, "/api/grants", duplicate), 409);
        (await RowCountsAsync()).Should().Equal(before);

        var otherFunder = await CreateFunderAsync();
        (await PostJsonAsync(Finance, "/api/grants", duplicate.Replace($"\"funderId\":{first["funderId"]}", $"\"funderId\":{otherFunder}", StringComparison.Ordinal)))
            .StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [TestCase("\"amountAwarded\":100.005", "amountAwarded")]
    [TestCase("\"amountAwarded\":\"100.00\"", "amountAwarded")]
    [TestCase("\"amountAwarded\":1e400", "amountAwarded")]
    [TestCase("\"amountAwarded\":1000000000000.01", "amountAwarded")]
    [TestCase("\"amountAwarded\":-5", "amountAwarded")]
    [TestCase("\"amountAwarded\":100,\"endDate\":\"2026-03-31\"", "endDate")]
    [TestCase("\"amountAwarded\":100,\"startDate\":\"2026-02-30\"", "startDate")]
    [TestCase("\"amountAwarded\":100,\"currency\":\"EUR\"", "currency")]
    [TestCase("\"amountAwarded\":100,\"funderId\":999999", "funderId")]
    [TestCase("\"amountAwarded\":100,\"programmeAreaId\":999999", "programmeAreaId")]
    [TestCase("\"amountAwarded\":100,\"status\":\"open\"", "status")]
    [TestCase("\"amountAwarded\":100,\"restricted\":\"yes\"", "restricted")]
    public async Task Grant_BadInput_Is400NamingTheField_AndChangesNothing(string fields, string field)
    {
        var funderId = await CreateFunderAsync();
        var before = await RowCountsAsync();
        var json = $$"""{"funderId":{{funderId}},"reference":"{{Unique.Text("R")}}","title":"t","startDate":"2026-04-01","endDate":"2027-03-31",{{fields}}}""";
        // The case's fields replace the defaults (a repeated key would be refused as duplicate JSON).
        json = DeduplicateKeys(json);

        ShouldBeProblem(await PostJsonAsync(Finance, "/api/grants", json), 400, field);
        (await RowCountsAsync()).Should().Equal(before);
    }

    [TestCase("{\"amountAwarded\": NaN}")]
    [TestCase("[1,2,3]")]
    [TestCase("")]
    [TestCase("{\"title\":\"a\",\"title\":\"b\"}")]
    public async Task Grant_BodyThatIsNotOneJsonObject_Is400(string body)
    {
        var before = await RowCountsAsync();
        ShouldBeProblem(await PostJsonAsync(Finance, "/api/grants", body), 400);
        (await RowCountsAsync()).Should().Equal(before);
    }

    [Test]
    public async Task Grant_WrongContentType_Is415()
    {
        using var content = new StringContent("funderId=1", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        ShouldBeProblem(await Finance.PostAsync("/api/grants", content), 415);
    }

    [Test]
    public async Task Grant_WithMoney_CannotBeDeleted_ButAnEmptyOneCan()
    {
        var withMoney = await CreateGrantAsync();
        (await PostJsonAsync(Finance, "/api/transactions", $$"""{"grantId":{{withMoney["id"]}},"date":"2026-05-01","amount":1,"category":"staff","description":"x"}""")).EnsureSuccessStatusCode();
        ShouldBeProblem(await SendJsonAsync(Finance, HttpMethod.Delete, $"/api/grants/{withMoney["id"]}", null, "\"1\"", null), 409);

        var empty = await CreateGrantAsync();
        (await SendJsonAsync(Finance, HttpMethod.Delete, $"/api/grants/{empty["id"]}", null, "\"1\"", null)).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Test]
    public async Task Grant_Update_CannotLeaveSpendOutsideItsDates()
    {
        var grant = await CreateGrantAsync();
        (await PostJsonAsync(Finance, "/api/transactions", $$"""{"grantId":{{grant["id"]}},"date":"2026-10-01","amount":1,"category":"staff","description":"x"}""")).EnsureSuccessStatusCode();
        var before = await RowCountsAsync();
        var shortened = $$"""{"funderId":{{grant["funderId"]}},"reference":"{{grant["reference"]}}","title":"t","amountAwarded":120000,"startDate":"2026-04-01","endDate":"2026-09-30"}""";

        ShouldBeProblem(await PutJsonAsync(Finance, $"/api/grants/{grant["id"]}", shortened, "\"1\""), 422);
        (await RowCountsAsync()).Should().Equal(before);
    }

    private static string DeduplicateKeys(string json)
    {
        var node = new JsonObject();
        using var document = System.Text.Json.JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            node[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }

        return node.ToJsonString();
    }
}
