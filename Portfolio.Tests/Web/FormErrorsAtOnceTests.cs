using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Web;

/// <summary>
/// Every form lists every mistake at once (issue 26, item 6). Each test submits two independent mistakes, where it
/// can one the form cannot read (an amount with three decimals) and one only Core's rules against the database find
/// (a date outside the grant), and sees both in the error summary and beside their fields, with nothing written.
/// Before the change the form stopped at the reading error, and the second came only on the next submit.
/// </summary>
public sealed partial class FormErrorsAtOnceTests(DatabaseEngine engine) : ApiTest(engine)
{
    private HttpClient finance = null!;
    private HttpClient admin = null!;
    private JsonObject grant = null!;
    private long grantId;

    private static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    [OneTimeSetUp]
    public async Task SignInAsync()
    {
        finance = await SignedInAsync("finance");
        admin = await SignedInAsync("admin");
        grant = await CreateGrantAsync(start: Today.AddMonths(-6).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), end: Today.AddMonths(18).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        grantId = (long)grant["id"]!;
    }

    [Test]
    public async Task Spend_ShowsAnUnreadableAmountAndADateBeforeTheGrant_AtOnce_AndTheGrantsDates()
    {
        var start = DateOnly.Parse((string)grant["startDate"]!, CultureInfo.InvariantCulture);
        var form = await finance.GetStringAsync($"/grants/{grantId}/spend/new");
        form.Should().Contain($"The grant runs from {Written(start)}").And.Contain("No period has been reported yet");
        var html = await SubmitAsync(finance, $"/grants/{grantId}/spend/new",
            [.. Date("date", start.AddDays(-3)), ("amount", "12.345"), ("category", "staff"), ("description", "Caseworker")],
            "date", "amount");
        html.Should().Contain("must be within the grant&#x27;s dates").And.Contain("Amount");
    }

    [Test]
    public async Task Income_ShowsAnUnreadableAmountAndADateAfterToday_AtOnce()
    {
        var html = await SubmitAsync(finance, $"/grants/{grantId}/income/new",
            [.. Date("date", Today.AddDays(10)), ("amount", "ten pounds"), ("reference", "REM-1")],
            "date", "amount");
        html.Should().Contain("must not be after today");
    }

    [Test]
    public async Task Grant_ShowsAnUnreadableAwardAndAnAwardDateAfterTheEnd_AtOnce()
    {
        var funderId = await CreateFunderAsync();
        var html = await SubmitAsync(finance, "/grants/new",
            [("funderId", funderId.ToString(CultureInfo.InvariantCulture)), ("reference", Unique.Text("G")), ("title", "Refuge"), ("amountAwarded", "1.234"),
                .. Date("startDate", new DateOnly(2026, 4, 1)), .. Date("endDate", new DateOnly(2027, 3, 31)), .. Date("awardDate", new DateOnly(2027, 6, 1)),
                ("status", "active"), ("restricted", "true")],
            "amountAwarded", "awardDate");
        html.Should().Contain("must not be after the grant&#x27;s end date, 31 March 2027");
    }

    [Test]
    public async Task Agreement_ShowsAnUnreadableAmountAndAStartBeforeTheGrant_AtOnce()
    {
        var partnerId = await CreatePartnerAsync();
        var start = DateOnly.Parse((string)grant["startDate"]!, CultureInfo.InvariantCulture);
        var html = await SubmitAsync(finance, $"/grants/{grantId}/agreements/new",
            [("partnerId", partnerId.ToString(CultureInfo.InvariantCulture)), ("amount", "lots"), .. Date("startDate", start.AddMonths(-1)), .. Date("endDate", start.AddMonths(3)),
                ("returnsDue", "each-period"), ("returnLagDays", "30"), ("purpose", "Outreach")],
            "amount", "startDate");
        html.Should().Contain($"within the grant&#x27;s dates, {Written(start)}");
    }

    [Test]
    public async Task Funder_ShowsAnUnreadableLagAndABlankName_AtOnce() =>
        await SubmitAsync(finance, "/funders/new",
            [("name", " "), ("kind", "trust"), ("reportingCalendar", "uk-financial-year"), ("reportLagDays", "soon"), ("deliveryMode", "approval"), ("ragAmberPercent", "10"), ("ragRedPercent", "20")],
            "name", "reportLagDays");

    [Test]
    public async Task Partner_ShowsABlankNameAndABadEmail_AtOnce() =>
        await SubmitAsync(finance, "/partners/new", [("name", ""), ("kind", "by-and-for"), ("communities", "LGBT+"), ("contactEmail", "not an email")], "name", "contactEmail");

    [Test]
    public async Task ProgrammeArea_ShowsABlankNameAndABadLeadEmail_AtOnce() =>
        await SubmitAsync(finance, "/programme-areas/new", [("name", ""), ("code", Unique.Text("PA")), ("leadEmail", "lead at example")], "name", "leadEmail");

    [Test]
    public async Task Indicator_ShowsABlankNameAndAnUnreadableBaseline_AtOnce() =>
        await SubmitAsync(finance, $"/grants/{grantId}/indicators/new",
            [("name", ""), ("unit", "people"), ("higherIsBetter", "true"), ("baseline", "1.234"), ("source", "lead"), ("toDate", "sum")],
            "name", "baseline");

    [Test]
    public async Task Budget_ShowsTwoUnreadableCells_AtOnce()
    {
        var page = await finance.GetStringAsync($"/grants/{grantId}/budget");
        var cells = BudgetCell().Matches(page).Select(m => m.Groups[1].Value).Distinct().Take(2).ToArray();
        cells.Should().HaveCount(2, "the budget grid has a cell per category and period");
        await SubmitAsync(finance, $"/grants/{grantId}/budget", [(cells[0], "12.345"), (cells[1], "twelve")], cells);
    }

    [Test]
    public async Task InviteUser_ShowsABadEmailAndNoRole_AtOnce() =>
        await SubmitAsync(admin, "/admin/users/invite", [("email", "someone at example"), ("name", "Someone")], "email", "role");

    [Test]
    public async Task ApiKey_ShowsABlankNameAndNoRole_AtOnce() =>
        await SubmitAsync(admin, "/admin/api-keys", "/admin/api-keys?handler=Issue", [("name", " ")], "name", "role");

    private static string Written(DateOnly date) => date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    private static (string, string)[] Date(string id, DateOnly date) =>
    [
        ($"{id}-day", date.Day.ToString(CultureInfo.InvariantCulture)),
        ($"{id}-month", date.Month.ToString(CultureInfo.InvariantCulture)),
        ($"{id}-year", date.Year.ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>Posts the form and checks it came back with an error on each of <paramref name="fields"/>, in the summary and beside the field, and that nothing was written.</summary>
    private Task<string> SubmitAsync(HttpClient browser, string path, (string Name, string Value)[] values, params string[] fields) =>
        SubmitAsync(browser, path, path, values, fields);

    private async Task<string> SubmitAsync(HttpClient browser, string formPath, string path, (string Name, string Value)[] values, params string[] fields)
    {
        var page = await browser.GetStringAsync(formPath);
        var before = await RowCountsAsync();
        var response = await browser.PostAsync(path, new FormUrlEncodedContent(
            [new("__RequestVerificationToken", Documents.AntiforgeryToken(page)), .. values.Select(v => new KeyValuePair<string, string>(v.Name, v.Value))]));
        var html = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, html);
        var summary = SummaryLink().Matches(html).Select(m => m.Groups[1].Value).ToList();
        foreach (var field in fields)
        {
            summary.Should().Contain(field, $"the error summary lists {field} (it lists {string.Join(", ", summary)})");
            html.Should().Contain($"id=\"{field}-error\"", $"{field}'s error is shown beside it");
        }

        (await RowCountsAsync()).Should().Equal(before, "a refused form writes nothing");
        return html;
    }

    [GeneratedRegex("""<li><a href="#([^"]+)">""")]
    private static partial Regex SummaryLink();

    [GeneratedRegex("name=\"(b-[^\"]+)\"")]
    private static partial Regex BudgetCell();
}
