using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Portfolio.Core.Data;
using Portfolio.Core.Periods;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Imports;

/// <summary>
/// One set of spend and income rules (issue 27, point 2): every refusal case of a single write is also fed through an
/// import, as a line of a Xero export, and the import refuses the row with the same words. Dates are laid out around
/// today, so the "not after today" and closed-period cases hold on any day.
/// </summary>
public sealed class MoneyRulesAgreementTests(DatabaseEngine engine) : ApiTest(engine)
{
    private static readonly Sql CloseFirstPeriod = Sql.Common("""
        INSERT INTO report_run (grant_id, period_start, period_end, period_label, status, due_date, approved_at, approved_by, sent_at, version, created_at)
        VALUES (@GrantId, @Start, @End, 'Q1', 'sent', @End, @At, 'Finance', @At, 1, @At)
        """);

    protected override Task<IReadOnlyDictionary<string, string?>> SettingsAsync() => Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>
    {
        ["Portfolio:Imports:Folder"] = Path.Combine(Path.GetTempPath(), $"portfolio-imports-{Guid.NewGuid():N}"),
    });

    [Test]
    public async Task EveryRefusalOfASingleWrite_RefusesTheImportRow_InTheSameWords()
    {
        var today = UkDate.Today(TimeProvider.System);
        // A grant of two years whose first quarter (April to June, or the quarter nine months back) is reported and closed.
        var start = new DateOnly(today.AddMonths(-9).Year, (((today.AddMonths(-9).Month - 1) / 3) * 3) + 1, 1);
        var end = start.AddYears(2).AddDays(-1);
        var funder = await CreateFunderAsync("calendar-year");
        var grant = await CreateAsync(Finance, "/api/grants", new
        {
            funderId = funder, programmeAreaId = LeadAreaId, reference = Unique.Text("AG"), title = "Agreement", amountAwarded = 1000.00m,
            startDate = Iso(start), endDate = Iso(end), areaCodes = new[] { "E23000029" },
        });
        var grantId = (long)grant["id"]!;
        var reference = (string)grant["reference"]!;
        var partner = await CreatePartnerAsync();
        await using (var session = await Database.OpenAsync())
        {
            await session.ExecuteAsync(CloseFirstPeriod, new { GrantId = grantId, Start = start, End = start.AddMonths(3).AddDays(-1), At = DateTime.UtcNow.AddDays(-1) });
        }

        var open = today.AddDays(-1) < start.AddMonths(3) ? start.AddMonths(3) : today.AddDays(-1);
        var cases = new (string Name, string Kind, DateOnly Date, decimal Amount, string Tracking, long? Partner, string? Area)[]
        {
            ("spend before the grant", "spend", start.AddDays(-1), 10m, reference, null, null),
            ("spend after today", "spend", today.AddDays(5), 10m, reference, null, null),
            ("spend to a partner with no agreement", "spend", open, 10m, "NO-AGREEMENT", partner, null),
            ("spend outside the grant's areas", "spend", open, 10m, "KENT", null, "E23000032"),
            ("spend in a closed period", "spend", start.AddDays(10), 10m, reference, null, null),
            ("income after today", "income", today.AddDays(5), 10m, reference, null, null),
            ("income over the award", "income", open, 1000.01m, reference, null, null),
            ("income in a closed period", "income", start.AddDays(10), 10m, reference, null, null),
        };

        var mappings = await Finance.GetAsync("/api/import-mappings");
        var rules = await PutJsonAsync(Finance, "/api/import-mappings", $$"""
            {"accounts":[{"code":"7000","kind":"spend","category":"staff"},{"code":"4100","kind":"income"}],
             "tracking":[{"value":"NO-AGREEMENT","grantId":{{grantId}},"partnerId":{{partner}}},{"value":"KENT","grantId":{{grantId}},"areaCode":"E23000032"}],"generic":[]}
            """, mappings.Headers.ETag!.Tag == "\"0\"" ? null : mappings.Headers.ETag.Tag);
        rules.StatusCode.Should().Be(HttpStatusCode.OK, await rules.Content.ReadAsStringAsync());

        var single = new List<IReadOnlyList<string>>();
        foreach (var c in cases)
        {
            var response = c.Kind == "spend"
                ? await Finance.PostAsJsonAsync("/api/transactions", new { grantId, date = Iso(c.Date), amount = c.Amount, category = "staff", description = c.Name, partnerId = c.Partner, areaCode = c.Area })
                : await Finance.PostAsJsonAsync("/api/payments", new { grantId, date = Iso(c.Date), amount = c.Amount, reference = c.Name });
            var problem = await BodyAsync(response);
            ((int)response.StatusCode).Should().BeOneOf([400, 409, 422], $"{c.Name} is refused one at a time: {problem}");
            single.Add(problem["errors"] is JsonObject errors
                ? [.. errors.SelectMany(e => e.Value!.AsArray().Select(m => $"{e.Key} {m}"))]
                : [(string)problem["detail"]!]);
        }

        var file = new StringBuilder("Account Transactions\nPartnership\nFor the period\n\nDate,Source,Description,Reference,Debit,Credit,Running Balance,Gross,VAT,Grant\n");
        foreach (var group in cases.Select((c, i) => (c, i)).GroupBy(x => x.c.Kind))
        {
            file.Append(group.Key == "spend" ? "7000 - Staff salaries\n" : "4100 - Grant income\n");
            foreach (var (c, i) in group)
            {
                var money = c.Amount.ToString("0.00", CultureInfo.InvariantCulture);
                var (debit, credit) = c.Kind == "spend" ? (money, "0.00") : ("0.00", money);
                file.Append(CultureInfo.InvariantCulture, $"{c.Date.ToString("dd MMM yyyy", CultureInfo.InvariantCulture)},Manual Journal,{c.Name},CASE-{i},{debit},{credit},,,,{c.Tracking}\n");
            }
        }

        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(file.ToString()));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(content, "file", "agreement.csv");
        var upload = await Finance.PostAsync("/api/imports", form);
        var import = await BodyAsync(upload);
        upload.StatusCode.Should().Be(HttpStatusCode.Created, import.ToJsonString());
        var rows = (await BodyAsync(await Finance.GetAsync($"/api/imports/{import["id"]}/rows?pageSize=50")))["items"]!.AsArray()
            .ToDictionary(r => (string)r!["sourceReference"]!, r => r!);

        for (var i = 0; i < cases.Length; i++)
        {
            var row = rows[$"CASE-{i}"];
            ((string)row["status"]!).Should().Be("refused", cases[i].Name);
            var reasons = row["reasons"]!.AsArray().Select(r => (string)r!).ToList();
            reasons.Should().Contain(single[i], $"{cases[i].Name}: the import refuses the row for what the single write said, in its words");
        }
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
