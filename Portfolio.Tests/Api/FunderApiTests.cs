using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Api;

public class FunderApiTests(DatabaseEngine engine) : ApiTest(engine)
{
    [Test]
    public async Task Funder_HappyPath_CreateReadListReplaceDelete()
    {
        var created = await PostJsonAsync(Finance, "/api/funders", """
            {"name":"Esmée Fairbairn Foundation","kind":"trust","orgIdentifier":"GB-CHC-200051",
             "contacts":[{"name":"Grants Manager","email":"grants@esmee.example"}]}
            """);
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        created.Headers.ETag!.Tag.Should().Be("\"1\"");
        var body = await BodyAsync(created);
        var id = (long)body["id"]!;
        created.Headers.Location!.ToString().Should().Be($"/api/funders/{id}");
        body["name"]!.GetValue<string>().Should().Be("Esmée Fairbairn Foundation");
        body["reportingCalendar"]!.GetValue<string>().Should().Be("uk-financial-year", "the default calendar");
        ((int)body["reportLagDays"]!).Should().Be(30);
        body["deliveryMode"]!.GetValue<string>().Should().Be("approval");
        ((int)body["ragAmberPercent"]!).Should().Be(10);
        ((int)body["ragRedPercent"]!).Should().Be(20);

        var read = await Viewer.GetAsync($"/api/funders/{id}");
        read.Headers.ETag!.Tag.Should().Be("\"1\"");
        (await BodyAsync(read))["contacts"]![0]!["email"]!.GetValue<string>().Should().Be("grants@esmee.example");

        var replaced = await PutJsonAsync(Finance, $"/api/funders/{id}", """
            {"name":"Esmée Fairbairn Foundation","kind":"trust","deliveryMode":"auto","reportingCalendar":"grant-anniversary",
             "contacts":[{"name":"A","email":"a@esmee.example"},{"name":"B","email":"b@esmee.example"}]}
            """, "\"1\"");
        replaced.StatusCode.Should().Be(HttpStatusCode.OK);
        var replacedBody = await BodyAsync(replaced);
        ((int)replacedBody["version"]!).Should().Be(2);
        replacedBody["orgIdentifier"].Should().BeNull("PUT replaces the whole resource");
        replacedBody["contacts"]!.AsArray().Should().HaveCount(2);

        var list = await Viewer.GetFromJsonAsync<JsonObject>("/api/funders?page=1&pageSize=500");
        list!["items"]!.AsArray().Select(i => (long)i!["id"]!).Should().Contain(id);
        ((int)list["pageSize"]!).Should().Be(500);
        ((int)list["page"]!).Should().Be(1);

        (await SendJsonAsync(Finance, HttpMethod.Delete, $"/api/funders/{id}", null, "\"2\"", null)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        ShouldBeProblem(await Viewer.GetAsync($"/api/funders/{id}"), 404);
    }

    [Test]
    public async Task Funder_WithBadFields_Gets400NamingEachField_AndNothingIsCreated()
    {
        var before = await RowCountsAsync();
        var response = await PostJsonAsync(Finance, "/api/funders", """
            {"name":"","kind":"bank","orgIdentifier":"charity 123","reportingCalendar":"lunar","reportLagDays":-1,
             "deliveryMode":"fax","contacts":[{"name":"x","email":"not-an-email"}],"ragAmberPercent":30,"ragRedPercent":"20","colour":"red"}
            """);

        ShouldBeProblem(response, 400);
        var errors = (await BodyAsync(response))["errors"]!.AsObject().Select(e => e.Key).ToList();
        errors.Should().BeEquivalentTo(["name", "kind", "orgIdentifier", "reportingCalendar", "reportLagDays", "deliveryMode", "contacts[0].email", "ragRedPercent", "colour"]);
        (await RowCountsAsync()).Should().Equal(before);
    }

    [Test]
    public async Task Funder_RedThresholdBelowAmber_IsRefused()
    {
        ShouldBeProblem(await PostJsonAsync(Finance, "/api/funders", """{"name":"x","kind":"trust","ragAmberPercent":15,"ragRedPercent":12}"""), 400, "ragRedPercent");
    }

    [Test]
    public async Task Funder_WithGrants_CannotBeDeleted()
    {
        var grant = await CreateGrantAsync();
        var funderId = (long)grant["funderId"]!;
        var before = await RowCountsAsync();

        var response = await SendJsonAsync(Finance, HttpMethod.Delete, $"/api/funders/{funderId}", null, "\"1\"", null);

        ShouldBeProblem(response, 409);
        (await response.Content.ReadAsStringAsync()).Should().Contain("1 grant(s)");
        (await RowCountsAsync()).Should().Equal(before);
    }

    [Test]
    public async Task Replacing_WithoutIfMatch_Is428_AndWithAStaleVersion_Is412_AndNothingChanges()
    {
        var id = await CreateFunderAsync();
        var put = """{"name":"Renamed","kind":"trust"}""";
        var before = await RowCountsAsync();

        ShouldBeProblem(await PutJsonAsync(Finance, $"/api/funders/{id}", put, null), 428);
        ShouldBeProblem(await PutJsonAsync(Finance, $"/api/funders/{id}", put, "\"7\""), 412);
        ShouldBeProblem(await PutJsonAsync(Finance, $"/api/funders/{id}", put, "W/\"1\""), 428);
        ShouldBeProblem(await SendJsonAsync(Finance, HttpMethod.Delete, $"/api/funders/{id}", null, null, null), 428);
        ShouldBeProblem(await SendJsonAsync(Finance, HttpMethod.Delete, $"/api/funders/{id}", null, "\"2\"", null), 412);

        (await RowCountsAsync()).Should().Equal(before);
        (await BodyAsync(await Viewer.GetAsync($"/api/funders/{id}")))["name"]!.GetValue<string>().Should().NotBe("Renamed");
    }

    [Test]
    public async Task UnknownIds_Are404ProblemDetails()
    {
        ShouldBeProblem(await Viewer.GetAsync("/api/funders/999999"), 404);
        ShouldBeProblem(await PutJsonAsync(Finance, "/api/funders/999999", """{"name":"x","kind":"trust"}""", "\"1\""), 404);
        ShouldBeProblem(await Viewer.GetAsync("/api/grants/999999"), 404);
        ShouldBeProblem(await Viewer.GetAsync("/api/grants/999999/budget"), 404);
        ShouldBeProblem(await Viewer.GetAsync("/api/transactions/999999"), 404);
        ShouldBeProblem(await PostJsonAsync(Finance, "/api/transactions/999999/void", """{"reason":"x"}"""), 428);
    }

    [TestCase("page=0")]
    [TestCase("pageSize=501")]
    [TestCase("pageSize=-5")]
    [TestCase("pageSize=abc")]
    public async Task BadPaging_Is400NamingTheParameter(string query)
    {
        var field = query.Split('=')[0];
        ShouldBeProblem(await Viewer.GetAsync("/api/funders?" + query), 400, field);
    }

    [Test]
    public async Task ProgrammeAreasAndPartners_HappyPath()
    {
        var code = Unique.Text("AREA");
        var area = await CreateAsync(Finance, "/api/programme-areas", new { name = "Drive Project", code, leadName = "Amira", leadEmail = "amira@example.org" });
        area["code"]!.GetValue<string>().Should().Be(code);
        ShouldBeProblem(await PostJsonAsync(Finance, "/api/programme-areas", $$"""{"name":"Other","code":"{{code}}"}"""), 409);

        var partner = await CreateAsync(Finance, "/api/partners", new { name = "Sahara", kind = "by-and-for", communities = new[] { "Black and minoritised women" }, contactEmail = "hi@sahara.example" });
        partner["communities"]!.AsArray().Select(c => c!.GetValue<string>()).Should().Equal("Black and minoritised women");
        var put = await PutJsonAsync(Finance, $"/api/partners/{partner["id"]}", """{"name":"Sahara Network","kind":"specialist","communities":["LGBT+","Disabled survivors"]}""", "\"1\"");
        (await BodyAsync(put))["communities"]!.AsArray().Should().HaveCount(2);
        ShouldBeProblem(await PostJsonAsync(Finance, "/api/partners", """{"name":"x","kind":"by-and-for","communities":["", 5]}"""), 400, "communities[0]");
    }

    [Test]
    public async Task CostCategories_AreTheDefaultSix()
    {
        var list = await Viewer.GetFromJsonAsync<JsonObject>("/api/cost-categories");
        list!["items"]!.AsArray().Select(c => c!["code"]!.GetValue<string>())
            .Should().Equal("staff", "delivery", "partner-grants", "training", "evaluation", "overheads");
    }
}
