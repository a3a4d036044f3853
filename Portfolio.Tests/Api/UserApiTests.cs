using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Api;

public class UserApiTests(DatabaseEngine engine) : ApiTest(engine)
{
    [Test]
    public async Task AnAdminInvitesAUser_AndTheOneTimeLinkSetsTheirPassword()
    {
        var email = Unique.Text("lead") + "@partnership.example";
        var created = await CreateAsync(Admin, "/api/users", new { email = email.ToUpperInvariant(), name = "Priya Lead", role = "programme-lead", programmeAreaIds = new[] { LeadAreaId } });

        var user = created["user"]!.AsObject();
        user["email"]!.GetValue<string>().Should().Be(email, "addresses are kept in lower case");
        user["programmeAreaIds"]!.AsArray().Select(a => a!.GetValue<long>()).Should().Equal(LeadAreaId);
        user["passwordSet"]!.GetValue<bool>().Should().BeFalse();
        created.ToJsonString().Should().NotContain("hash", "neither the password hash nor the token's hash leaves the service");
        var url = new Uri(created["setPasswordUrl"]!.GetValue<string>());
        url.AbsolutePath.Should().Be("/set-password");
        var token = Uri.UnescapeDataString(url.Query.Replace("?token=", "", StringComparison.Ordinal));

        // The link's token works once (the set-password page, issue 12, will call this operation).
        var set = await Portfolio.Core.Operations.UnitOfWork.RunAsync(Database, session =>
            Users.SetPasswordAsync(session, token, "three random words here", "three random words here", new ChangeContext("test", DateTime.UtcNow)));
        set.Succeeded.Should().BeTrue();

        var listed = await Admin.GetFromJsonAsync<JsonObject>("/api/users");
        listed!["items"]!.AsArray().Single(u => u!["id"]!.GetValue<long>() == user["id"]!.GetValue<long>())!["passwordSet"]!.GetValue<bool>().Should().BeTrue();
        var audit = await Admin.GetFromJsonAsync<JsonObject>($"/api/audit?entity=user&entityId={user["id"]}");
        audit!["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).Should().Equal("invite", "set-password");
    }

    [Test]
    public async Task AnInviteWithWrongFields_IsRefusedNamingEach_AndChangesNothing()
    {
        var before = await RowCountsAsync();
        var response = await Admin.PostAsJsonAsync("/api/users", new { email = "nobody", name = "", role = "finance", programmeAreaIds = new[] { LeadAreaId } });

        ShouldBeProblem(response, 400, "email");
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject().Select(e => e.Key);
        errors.Should().BeEquivalentTo(["email", "name"]);

        var areas = await Admin.PostAsJsonAsync("/api/users", new { email = Unique.Text("v") + "@partnership.example", name = "Viewer", role = "viewer", programmeAreaIds = new[] { LeadAreaId } });
        ShouldBeProblem(areas, 400, "programmeAreaIds");
        (await RowCountsAsync()).Should().Equal(before);
    }

    [TestCase("1:abc")]
    [TestCase("x:0000000000000000000000000000000000000000000000000000000000000000")]
    [TestCase("12")]
    public async Task AuditVerify_RefusesAMalformedHead_NamingIt(string head)
    {
        var response = await Admin.GetAsync($"/api/audit/verify?expectHead={Uri.EscapeDataString(head)}");
        ShouldBeProblem(response, 400, "expectHead");
    }

    [Test]
    public async Task AuditVerify_ChecksAHeadGivenOverHttp()
    {
        var last = (await Admin.GetFromJsonAsync<JsonObject>("/api/audit?pageSize=1"))!["total"]!.GetValue<long>();
        last.Should().BeGreaterThan(0);
        var unknown = await Admin.GetFromJsonAsync<JsonObject>($"/api/audit/verify?expectHead={long.MaxValue / 2}:{new string('a', 64)}");
        unknown!["valid"]!.GetValue<bool>().Should().BeFalse();
        unknown["detail"]!.GetValue<string>().Should().Contain("no longer in the chain");
    }
}
