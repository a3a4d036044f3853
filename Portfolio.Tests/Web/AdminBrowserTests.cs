using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MimeKit;
using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;
using Pounds = Portfolio.Core.Money.Money;

namespace Portfolio.Tests.Web;

/// <summary>
/// The admin pages in Chromium, sending through a test SMTP server: an admin invites a programme lead, who gets the
/// link by email, sets a password and signs in to their area; a lead without areas is refused beside the field;
/// an API key is issued (shown once), works, and is refused once revoked; the audit log names the admin and its
/// chain checks whole, and the kept totals check names a total that differs from a recount. The API's invitation is emailed too.
/// </summary>
public sealed partial class AdminBrowserTests(DatabaseEngine engine) : BrowserTest(engine)
{
    protected override bool SendsEmail => true;

    private IPage admin = null!;

    [OneTimeSetUp]
    public async Task SignInAdminAsync() => admin = await SignInAsync(await CreateUserAsync("admin", "Ada Lovelace"));

    [Test]
    public async Task AnInvitedLead_GetsTheLinkByEmail_SetsAPassword_AndSignsInToTheirArea()
    {
        var email = $"{Unique.Text("lead")}@example.org".ToLowerInvariant();
        await admin.GotoAsync("/admin/users");
        await ShouldBeAccessibleAsync(admin, "admin-users");
        await admin.GetByRole(AriaRole.Link, new() { Name = "Invite a user" }).ClickAsync();
        await admin.GetByLabel("Email address").FillAsync(email);
        await admin.GetByLabel("Full name").FillAsync("Grace Hopper");
        await admin.GetByLabel("Programme lead: sees burn").CheckAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Invite" }).ClickAsync();
        (await admin.Locator(".govuk-error-summary a[href='#programmeAreaIds']").InnerTextAsync()).Should().StartWith("Programme areas ");
        await ShouldBeAccessibleAsync(admin, "invite-user-errors");

        await admin.GetByLabel("Lead's area").CheckAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Invite" }).ClickAsync();
        (await admin.Locator(".govuk-panel").InnerTextAsync()).Should().Contain("Grace Hopper is invited");
        (await admin.Locator("body").InnerTextAsync()).Should().Contain($"We emailed {email} a link");
        var shown = (await admin.Locator("#set-password-url").InnerTextAsync()).Trim();
        await ShouldBeAccessibleAsync(admin, "user-invited");

        var message = await EmailToAsync(email);
        message.Subject.Should().Contain("set your password");
        message.TextBody.Should().Contain(shown).And.Contain("Ada Lovelace has given you access");

        var lead = await NewPageAsync();
        await lead.GotoAsync(new Uri(LinkIn(message.TextBody!)).PathAndQuery);
        await lead.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await lead.GetByLabel("Confirm password").FillAsync(Password);
        await lead.GetByRole(AriaRole.Button, new() { Name = "Set password" }).ClickAsync();
        await lead.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        (await lead.Locator(".app-service-navigation__user").InnerTextAsync()).Should().Contain("Grace Hopper (programme lead)");

        await admin.GotoAsync("/admin/users");
        (await admin.Locator("#users").InnerTextAsync()).Should().Contain("Grace Hopper").And.Contain("Lead's area");
    }

    [Test]
    public async Task TheApisInvitation_IsEmailedToo()
    {
        var email = $"{Unique.Text("api")}@example.org".ToLowerInvariant();
        var response = await Admin.PostAsJsonAsync("/api/users", new { email, name = "Api Invitee", role = "viewer" });
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var url = (await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["setPasswordUrl"]!.GetValue<string>();
        (await EmailToAsync(email)).TextBody!.Should().Contain(url);
    }

    [Test]
    public async Task AnApiKey_IsShownOnce_Works_AndIsRefusedOnceRevoked()
    {
        var name = Unique.Text("County feed");
        await admin.GotoAsync("/admin/api-keys");
        await admin.GetByLabel("What the key is for").FillAsync(name);
        await admin.GetByLabel("Viewer: reads").CheckAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Issue key" }).ClickAsync();
        var key = (await admin.Locator("#new-key").InnerTextAsync()).Trim();
        await ShouldBeAccessibleAsync(admin, "api-key-issued");
        using (var program = ClientWithKey(key))
        {
            (await program.GetAsync("/api/grants")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await admin.GotoAsync("/admin/api-keys");
        (await admin.Locator("body").InnerTextAsync()).Should().NotContain(key, "the key is shown once");
        await admin.GetByRole(AriaRole.Button, new() { Name = $"Revoke {name}" }).ClickAsync();
        (await admin.Locator(".govuk-notification-banner").InnerTextAsync()).Should().Contain("is revoked");
        using (var program = ClientWithKey(key))
        {
            (await program.GetAsync("/api/grants")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        await admin.GotoAsync("/admin/audit?entity=api-key");
        var entries = await admin.Locator("#entries").InnerTextAsync();
        entries.Should().Contain("Ada Lovelace").And.Contain("revoke").And.Contain($"Api key: {name}", "a record is named, not numbered");
        (await admin.Locator("#entries tbody tr").First.InnerTextAsync()).Should().Contain("revoke", "the newest entry comes first");
        var ids = new List<long>();
        foreach (var row in await admin.Locator("#entries tbody tr").AllAsync())
        {
            ids.Add(long.Parse((await row.GetAttributeAsync("data-entry-id"))!, System.Globalization.CultureInfo.InvariantCulture));
        }

        ids.Should().BeInDescendingOrder().And.HaveCountGreaterThan(1);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Check the chain" }).ClickAsync();
        (await admin.Locator("#verification").InnerTextAsync()).Should().Contain("The audit chain is whole");
        await ShouldBeAccessibleAsync(admin, "audit-log");
    }

    [Test]
    public async Task TheKeptTotalsCheck_SaysTheyEqualARecount_AndNamesABudgetTotalChangedBehindTheStoresBack()
    {
        var grant = await A.SavedGrantAsync(Database);
        (await UnitOfWork.RunAsync(Database, s => Budgets.SetAsync(s, grant.Id, 0, new BudgetInput(
            [new BudgetLineInput("staff", new DateOnly(2026, 4, 1), Pounds.FromPounds(75m))]), A.Change()))).Succeeded.Should().BeTrue();
        (await UnitOfWork.RunAsync(Database, s => Spend.RecordAsync(s,
            new TransactionInput(grant.Id, new DateOnly(2026, 5, 20), Pounds.FromPounds(10m), "staff", "Line", null, null), A.Change()))).Succeeded.Should().BeTrue();

        await admin.GotoAsync("/admin/audit");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Check the kept totals" }).ClickAsync();
        (await admin.Locator("#totals-check").InnerTextAsync()).Should().Contain("The kept spend totals equal a recount of every transaction, and the kept budget totals");

        await Portfolio.Core.Operations.UnitOfWork.CommitAsync(Database, s => s.ExecuteAsync(CorruptBudgetTotal, new { GrantId = grant.Id }));
        try
        {
            await admin.GetByRole(AriaRole.Button, new() { Name = "Check the kept totals" }).ClickAsync();
            var summary = await admin.Locator("#totals-check").InnerTextAsync();
            summary.Should().Contain("1 kept total differs from a recount")
                .And.Contain($"Budget: {grant.Reference} {grant.Title}, period starting 1 April 2026: kept £75.01 in 1 line, counted £75.00 in 1 line");
            await ShouldBeAccessibleAsync(admin, "audit-totals-differ");
        }
        finally
        {
            await Portfolio.Core.Operations.UnitOfWork.CommitAsync(Database, async s => { await BudgetTotals.RebuildAsync(s); return true; });
        }
    }

    private static readonly Sql CorruptBudgetTotal = Sql.Common("UPDATE budget_total SET amount_pence = amount_pence + 1 WHERE grant_id = @GrantId");

    private async Task<MimeMessage> EmailToAsync(string address)
    {
        MimeMessage? found = null;
        await JobsApp.EventuallyAsync(
            () => Task.FromResult((found = Smtp.Messages().FirstOrDefault(m => m.To.Mailboxes.Any(b => b.Address == address))) is not null),
            $"an email to {address}");
        return found!;
    }

    private static string LinkIn(string text) => SetPasswordLink().Match(text).Value;

    [GeneratedRegex(@"https?://\S+/set-password\?token=\S+")]
    private static partial Regex SetPasswordLink();
}
