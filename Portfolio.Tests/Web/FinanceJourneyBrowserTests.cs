using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using MimeKit;
using Portfolio.Core.Data;
using Portfolio.Tests.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Web;

/// <summary>
/// The whole journey in Chromium, on a host whose clock is 23 Nov 2026 and which sends through a test SMTP server:
/// finance records a funder, a grant, its budget, its income and its spend through the forms (each refusing bad
/// input first, beside the field); makes the report for the quarter that ended; approval is refused until a lead,
/// who sees the grant amber, writes the note; an admin approves (the note changed the books, so a new draft is made
/// and approved); the email with the PDF and workbook arrives; the PDF has the grant page's figures, the note and
/// the approver's name; and the reported quarter is closed to new spend.
/// </summary>
public sealed class FinanceJourneyBrowserTests(DatabaseEngine engine) : BrowserTest(engine)
{
    protected override bool SendsEmail => true;

    protected override TimeProvider? Clock { get; } = new FixedClock(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    [Test]
    public async Task FinanceRecordsAGrant_ALeadExplainsTheAmber_AnAdminApproves_AndTheFunderReceivesTheReport()
    {
        var financeEmail = await CreateUserAsync("finance", "Farah Shah");
        var leadEmail = await CreateUserAsync("programme-lead", "Amira Khan", LeadAreaId);
        var adminEmail = await CreateUserAsync("admin", "Ada Lovelace");
        var funderName = Unique.Text("Journey Trust");
        var reference = Unique.Text("JT");
        var contact = $"{Unique.Text("officer")}@journey-trust.example".ToLowerInvariant();
        var finance = await SignInAsync(financeEmail);

        // A funder, with a report contact.
        await finance.GetByRole(AriaRole.Link, new() { Name = "Funders" }).ClickAsync();
        await finance.GetByRole(AriaRole.Link, new() { Name = "Add a funder" }).ClickAsync();
        await finance.GetByLabel("Name", new() { Exact = true }).FillAsync(funderName);
        await finance.GetByLabel("Contact 1 name").FillAsync("Grants Officer");
        await finance.GetByLabel("Contact 1 email address").FillAsync(contact);
        await ShouldBeAccessibleAsync(finance, "funder-form");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Save funder" }).ClickAsync();
        await finance.WaitForURLAsync("**/funders");
        (await finance.Locator(".govuk-notification-banner").InnerTextAsync()).Should().Contain($"Funder {funderName} saved.");
        await ShouldBeAccessibleAsync(finance, "funders");

        // A grant: refused beside its fields first (fractions of a penny; an end before the start), then recorded.
        await finance.GotoAsync("/grants/new");
        await finance.GetByLabel("Funder", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = funderName });
        await finance.GetByLabel("Funder's grant reference").FillAsync(reference);
        await finance.GetByLabel("Title").FillAsync("Outreach in the county");
        await finance.GetByLabel("Programme area").SelectOptionAsync(new SelectOptionValue { Label = "Lead's area" });
        await finance.GetByLabel("Amount awarded").FillAsync("12,000.005");
        await FillDateAsync(finance, "startDate", 1, 7, 2026);
        await FillDateAsync(finance, "endDate", 31, 3, 2026);
        await finance.GetByRole(AriaRole.Button, new() { Name = "Record grant" }).ClickAsync();
        var errors = await finance.Locator(".govuk-error-summary").InnerTextAsync();
        errors.Should().Contain("Amount awarded must have at most two decimal places (whole pence)").And.Contain("End date must not be before start date");
        (await finance.Locator("#amountAwarded").InputValueAsync()).Should().Be("12,000.005", "the form comes back as it was typed");
        await ShouldBeAccessibleAsync(finance, "grant-form-errors");
        (await Finance.GetFromJsonAsync<JsonObject>("/api/grants?pageSize=200"))!["items"]!.AsArray()
            .Should().NotContain(g => g!["reference"]!.GetValue<string>() == reference, "a refused form records nothing");
        await finance.GetByLabel("Amount awarded").FillAsync("12,000.00");
        await FillDateAsync(finance, "endDate", 31, 3, 2027);
        await finance.GetByRole(AriaRole.Button, new() { Name = "Record grant" }).ClickAsync();
        await finance.WaitForURLAsync("**/budget");
        var grantId = long.Parse(finance.Url.Split('/')[^2], System.Globalization.CultureInfo.InvariantCulture);

        // Its budget, with the running totals kept as it is typed.
        await finance.Locator("#b-staff-20260701").FillAsync("3,000.00");
        await finance.Locator("#b-staff-20261001").FillAsync("2000");
        (await finance.Locator("tfoot [data-grand-total]").InnerTextAsync()).Should().Be("£5,000.00");
        (await finance.Locator("dd[data-unallocated]").InnerTextAsync()).Should().Be("£7,000.00");
        await ShouldBeAccessibleAsync(finance, "budget");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Save as version 1" }).ClickAsync();
        (await finance.Locator(".govuk-notification-banner").InnerTextAsync()).Should().Contain("Budget version 1 saved: £5,000.00 of the £12,000.00 award, £7,000.00 unallocated.");
        var budget = await Finance.GetFromJsonAsync<JsonObject>($"/api/grants/{grantId}/budget");
        budget!["total"]!.GetValue<decimal>().Should().Be(5000.00m);

        // Income and spend; bad spend refused beside its fields, and the same line not recorded twice unasked.
        await finance.GotoAsync($"/grants/{grantId}");
        await finance.GetByRole(AriaRole.Link, new() { Name = "Record income" }).ClickAsync();
        await FillDateAsync(finance, "date", 1, 7, 2026);
        await finance.GetByLabel("Amount").FillAsync("6000");
        await finance.GetByLabel("Reference").FillAsync("REMIT-1");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Record income" }).ClickAsync();
        (await finance.Locator(".govuk-notification-banner").InnerTextAsync()).Should().Contain("Income of £6,000.00 received on 1 July 2026 recorded.");

        await finance.GetByRole(AriaRole.Link, new() { Name = "Record spend" }).ClickAsync();
        await FillDateAsync(finance, "date", 31, 2, 2026);
        await finance.GetByLabel("Amount").FillAsync("3500.001");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Record spend" }).ClickAsync();
        errors = await finance.Locator(".govuk-error-summary").InnerTextAsync();
        errors.Should().Contain("Date of spend must be a real date").And.Contain("Amount must have at most two decimal places")
            .And.Contain("Cost category must not be empty").And.Contain("Description must not be empty");
        await ShouldBeAccessibleAsync(finance, "spend-form-errors");
        await RecordSpendAsync(finance);
        await finance.WaitForURLAsync($"**/grants/{grantId}?period=2026-07-01#transactions");
        (await finance.Locator(".govuk-notification-banner").InnerTextAsync()).Should().Contain("Spend of £3,500.00 on 15 August 2026 recorded.");
        await finance.GotoAsync($"/grants/{grantId}/spend/new");
        await RecordSpendAsync(finance);
        (await finance.Locator(".govuk-error-summary").InnerTextAsync()).Should().Contain("has the same source reference, date, amount and category");
        (await finance.GetByLabel("This is a second, separate line").IsCheckedAsync()).Should().BeFalse();
        (await Finance.GetFromJsonAsync<JsonObject>($"/api/transactions?grantId={grantId}"))!["items"]!.AsArray().Should().HaveCount(1);

        // The report for the quarter that ended: approval is refused until the amber is explained.
        await finance.GotoAsync($"/grants/{grantId}");
        (await finance.Locator("h2").First.InnerTextAsync()).Should().Contain("2026/27 Q2");
        var summary = await SummaryAsync(finance);
        summary["Actual to date"].Should().Be("£3,500.00");
        summary["Budget to date"].Should().Be("£3,000.00");
        var burn = (await Finance.GetFromJsonAsync<JsonObject>("/api/burn?groupBy=grant&asOf=2026-09-30"))!["items"]!.AsArray().Single(g => (long)g!["id"]! == grantId)!;
        burn["actualToDate"]!.GetValue<decimal>().Should().Be(3500.00m, "the page's figure is the API's");
        burn["budgetToDate"]!.GetValue<decimal>().Should().Be(3000.00m);
        await finance.GetByRole(AriaRole.Button, new() { Name = "Make the report for 2026/27 Q2" }).ClickAsync();
        await finance.WaitForURLAsync("**/report-runs/*");
        var runPath = new Uri(finance.Url).AbsolutePath;
        (await finance.Locator(".govuk-notification-banner").InnerTextAsync()).Should().Contain("Draft report made for 2026/27 Q2");
        await ShouldBeAccessibleAsync(finance, "report-run-draft");

        // The draft is shown on its page, and its files open with the person's own sign-in (no API key).
        (await finance.Locator("iframe#draft-preview").GetAttributeAsync("src")).Should().MatchRegex(@"^/report-runs/\d+/pdf$");
        var draftPdfHref = await finance.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Preview the PDF") }).GetAttributeAsync("href");
        var draftXlsxHref = await finance.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Preview the Excel workbook") }).GetAttributeAsync("href");
        draftPdfHref.Should().NotStartWith("/api");
        var draftPdf = await finance.APIRequest.GetAsync(draftPdfHref!);
        draftPdf.Status.Should().Be(200);
        draftPdf.Headers["content-type"].Should().Be("application/pdf");
        draftPdf.Headers["content-disposition"].Should().MatchRegex("^inline; filename=\"?[^\"]+\\.pdf\"?; filename\\*=UTF-8''[^;]+\\.pdf$");
        var draftText = Documents.PdfText(await draftPdf.BodyAsync());
        draftText.Should().Contain("DRAFT").And.Contain("£3,500.00").And.Contain("£3,000.00");
        var draftXlsx = await finance.APIRequest.GetAsync(draftXlsxHref!);
        draftXlsx.Status.Should().Be(200);
        draftXlsx.Headers["content-type"].Should().Be("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");

        // Approval lists what holds it, each with the form that clears it, and sends nothing.
        (await finance.Locator("#holds").InnerTextAsync()).Should().Contain("Spend for 2026/27 Q2 is AMBER against its budget");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Approve and send" }).ClickAsync();
        (await finance.Locator(".govuk-error-summary").InnerTextAsync()).Should().Contain("Spend for 2026/27 Q2 is AMBER against its budget: add a variance note for the period saying why.");
        (await finance.GetByRole(AriaRole.Link, new() { Name = "Add a variance note for 2026/27 Q2" }).GetAttributeAsync("href")).Should().Contain("run=");
        (await finance.GetByRole(AriaRole.Button, new() { Name = "Confirm and send" }).CountAsync()).Should().Be(0);
        await ShouldBeAccessibleAsync(finance, "report-run-needs-note");

        // The lead sees the grant amber in their area today (£3,500.00 against £3,000.00 for Q2 and 54 of Q3's 92
        // days of £2,000.00: 16% under) and explains the quarter's overspend.
        var lead = await SignInAsync(leadEmail);
        var row = lead.Locator($"tr[data-grant-id='{grantId}']");
        (await row.Locator(".govuk-tag").First.InnerTextAsync()).Should().Be("Amber");
        await row.GetByRole(AriaRole.Link, new() { Name = reference }).ClickAsync();
        await lead.GetByRole(AriaRole.Link, new() { Name = "Add a note on Staff" }).ClickAsync();
        const string note = "The outreach worker started a month early to meet demand after the summer.";
        await lead.GetByLabel("Note", new() { Exact = true }).FillAsync(note);
        await lead.GetByRole(AriaRole.Button, new() { Name = "Save note" }).ClickAsync();
        await lead.WaitForURLAsync($"**/grants/{grantId}?period=2026-07-01#categories");

        // The lead's view of the same report: the draft and its files with her own sign-in, and no way to send it.
        await lead.GotoAsync(runPath);
        (await lead.Locator("h1").InnerTextAsync()).Should().Be("Report for 2026/27 Q2");
        (await lead.Locator("iframe#draft-preview").GetAttributeAsync("src")).Should().Be(runPath + "/pdf");
        var leadPdf = await lead.APIRequest.GetAsync(runPath + "/pdf");
        leadPdf.Status.Should().Be(200);
        Documents.PdfText(await leadPdf.BodyAsync()).Should().Contain("£3,500.00").And.Contain(reference);
        (await lead.GetByRole(AriaRole.Button, new() { Name = "Approve and send" }).CountAsync()).Should().Be(0, "only finance and admins approve");
        (await lead.Locator("body").InnerTextAsync()).Should().NotContain("/api/");
        await ShouldBeAccessibleAsync(lead, "report-run-lead");

        // An admin approves: the note is new since the draft, so a new draft is made to check; then it is sent.
        var admin = await SignInAsync(adminEmail);
        await admin.GetByRole(AriaRole.Link, new() { Name = "Reports" }).ClickAsync();
        await ShouldBeAccessibleAsync(admin, "report-runs");
        await admin.Locator("#runs").GetByRole(AriaRole.Link).First.ClickAsync();
        (await admin.Locator("#holds").CountAsync()).Should().Be(0, "the note cleared the only hold");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Approve and send" }).ClickAsync();

        // Nothing is sent on one click: the page names who receives what, and what closes.
        (await admin.Locator("#recipients").InnerTextAsync()).Should().Contain($"Grants Officer ({contact})");
        (await admin.Locator("#attachments").InnerTextAsync()).Should().Contain(".pdf").And.Contain(".xlsx").And.Contain("KB");
        (await admin.Locator("#periods-to-close").InnerTextAsync()).Should().Contain("2026/27 Q2 (1 July 2026 to 30 September 2026)");
        (await admin.Locator("#confirm").InnerTextAsync()).Should().Contain("only an admin can reopen a closed period");
        Smtp.Messages().Should().NotContain(m => m.To.Mailboxes.Any(b => b.Address == contact), "nothing is sent before confirming");
        await ShouldBeAccessibleAsync(admin, "report-run-confirm");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Confirm and send" }).ClickAsync();
        var stale = await admin.Locator(".govuk-notification-banner").InnerTextAsync();
        stale.Should().Contain("The books changed after this draft was made: the variance notes").And.Contain("A fresh draft is ready").And.NotContain("Success").And.NotContain("/api/");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Approve and send" }).ClickAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Confirm and send" }).ClickAsync();
        (await admin.Locator(".govuk-notification-banner").InnerTextAsync()).Should().Contain("Approved: the report is being sent");
        bool ToContact(MimeMessage m) => m.To.Mailboxes.Any(b => b.Address == contact);
        await JobsApp.EventuallyAsync(() => Task.FromResult(Smtp.Messages().Any(ToContact)), "the report email to arrive");

        var message = Smtp.Messages().Single(ToContact);
        message.To.Mailboxes.Select(m => m.Address).Should().Equal(contact);
        message.Subject.Should().Be($"Test Partnership: {reference} report for 2026/27 Q2");
        var attachments = message.Attachments.OfType<MimePart>().ToList();
        attachments.Select(a => Path.GetExtension(a.FileName)).Should().BeEquivalentTo([".pdf", ".xlsx"]);
        using var pdfBytes = new MemoryStream();
        await attachments.Single(a => a.FileName!.EndsWith(".pdf", StringComparison.Ordinal)).Content!.DecodeToAsync(pdfBytes);
        var pdf = Documents.PdfText(pdfBytes.ToArray());
        foreach (var (label, value) in summary)
        {
            pdf.Should().Contain(value, $"the funder's PDF prints \"{label}\" as the grant page did");
        }

        pdf.Should().Contain("outreach worker started a month early").And.Contain("Ada Lovelace");
        await JobsApp.EventuallyAsync(async () => (await admin.ReloadAsync())!.Ok && await admin.Locator("[data-status='sent']").CountAsync() == 1, "the run page to say sent");
        (await admin.Locator("#deliveries").InnerTextAsync()).Should().Contain(contact);
        await ShouldBeAccessibleAsync(admin, "report-run-sent");

        // What was sent downloads from the page, byte for byte the email's attachment.
        var sentPdfHref = await admin.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Download the PDF") }).GetAttributeAsync("href");
        var sentPdf = await admin.APIRequest.GetAsync(sentPdfHref!);
        sentPdf.Status.Should().Be(200);
        (await sentPdf.BodyAsync()).Should().Equal(pdfBytes.ToArray());
        var sentXlsx = await admin.APIRequest.GetAsync(await admin.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Download the Excel workbook") }).GetAttributeAsync("href") ?? "");
        sentXlsx.Status.Should().Be(200);
        sentXlsx.Headers["content-disposition"].Should().StartWith("attachment");

        // What was sent is final: the quarter is closed to new spend.
        await finance.GotoAsync($"/grants/{grantId}/spend/new");
        await FillDateAsync(finance, "date", 20, 9, 2026);
        await finance.GetByLabel("Amount").FillAsync("10.00");
        await finance.GetByLabel("Cost category").SelectOptionAsync(new SelectOptionValue { Label = "Staff" });
        await finance.GetByLabel("Description").FillAsync("Late claim");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Record spend" }).ClickAsync();
        var closed = await finance.Locator(".govuk-error-summary").InnerTextAsync();
        closed.Should().Contain("2026/27 Q2").And.Contain("only an admin can reopen the period").And.NotContain("/api/").And.NotContain("2026-07-01");
        (await Finance.GetFromJsonAsync<JsonObject>($"/api/transactions?grantId={grantId}"))!["items"]!.AsArray().Should().HaveCount(1);
        (await finance.GotoAsync($"/grants/{grantId}?period=2026-07-01"))!.Ok.Should().BeTrue();
        (await finance.GetByRole(AriaRole.Link, new() { Name = "Reopen 2026/27 Q2" }).CountAsync()).Should().Be(0, "only an admin reopens");

        // An admin reopens the quarter from the grant page, with a reason; then the late claim can be recorded.
        await admin.GotoAsync($"/grants/{grantId}?period=2026-07-01");
        await admin.GetByRole(AriaRole.Link, new() { Name = "Reopen 2026/27 Q2" }).ClickAsync();
        (await admin.Locator("#closed-by").InnerTextAsync()).Should().Contain("sent to the funder on");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Reopen 2026/27 Q2" }).ClickAsync();
        (await admin.Locator(".govuk-error-summary").InnerTextAsync()).Should().Contain("Why it is reopened");
        await ShouldBeAccessibleAsync(admin, "reopen-period-errors");
        await admin.GetByLabel("Why it is reopened").FillAsync("A September invoice was posted after the report.");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Reopen 2026/27 Q2" }).ClickAsync();
        (await admin.Locator(".govuk-notification-banner").InnerTextAsync()).Should().Contain("2026/27 Q2 is open again");
        var audit = await Admin.GetFromJsonAsync<JsonObject>("/api/audit?entity=period");
        audit!["items"]!.AsArray().Should().Contain(e => e!["action"]!.GetValue<string>() == "reopen" && e["after"]!.ToJsonString().Contains("A September invoice", StringComparison.Ordinal));
        await finance.GotoAsync($"/grants/{grantId}/spend/new");
        await FillDateAsync(finance, "date", 20, 9, 2026);
        await finance.GetByLabel("Amount").FillAsync("10.00");
        await finance.GetByLabel("Cost category").SelectOptionAsync(new SelectOptionValue { Label = "Staff" });
        await finance.GetByLabel("Description").FillAsync("Late claim");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Record spend" }).ClickAsync();
        (await finance.Locator(".govuk-notification-banner").InnerTextAsync()).Should().Contain("Spend of £10.00");
    }

    private static async Task RecordSpendAsync(IPage page)
    {
        await FillDateAsync(page, "date", 15, 8, 2026);
        await page.GetByLabel("Amount").FillAsync("3,500.00");
        await page.GetByLabel("Cost category").SelectOptionAsync(new SelectOptionValue { Label = "Staff" });
        await page.GetByLabel("Description").FillAsync("Outreach worker, July and August");
        await page.GetByLabel("Reference in the accounts").FillAsync("XERO-1001");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record spend" }).ClickAsync();
    }

    private static async Task FillDateAsync(IPage page, string id, int day, int month, int year)
    {
        await page.Locator($"#{id}").FillAsync(day.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator($"#{id}-month").FillAsync(month.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator($"#{id}-year").FillAsync(year.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The grant page's summary figures, label to value.</summary>
    private static async Task<Dictionary<string, string>> SummaryAsync(IPage page)
    {
        var figures = new Dictionary<string, string>();
        foreach (var row in await page.Locator("#summary .govuk-summary-list__row").AllAsync())
        {
            figures[(await row.Locator("dt").InnerTextAsync()).Trim()] = (await row.Locator("dd").InnerTextAsync()).Trim();
        }

        return figures;
    }
}
