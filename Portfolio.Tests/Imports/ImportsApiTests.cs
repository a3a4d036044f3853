using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Imports;

/// <summary>Importing accounting exports through the API, on SQLite and PostgreSQL: every format, duplicates, rules, all-or-nothing, reverse.</summary>
public class ImportsApiTests(DatabaseEngine engine) : ApiTest(engine)
{
    private static readonly Encoding Windows1252 = CodePages();

    private static Encoding CodePages()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1252);
    }

    protected override Task<IReadOnlyDictionary<string, string?>> SettingsAsync() => Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>
    {
        ["Portfolio:Imports:Folder"] = Path.Combine(Path.GetTempPath(), $"portfolio-imports-{Guid.NewGuid():N}"),
        ["Portfolio:Imports:MaxBytes"] = "200000",
    });

    /// <summary>The account rules every test here uses; tracking values are grant references (the default mapping).</summary>
    private async Task<JsonObject> RulesAsync(string extraAccounts = "", string tracking = "", string generic = "[]")
    {
        var current = await Finance.GetAsync("/api/import-mappings");
        var body = $$"""
            {"accounts":[{"code":"7000","kind":"spend","category":"staff"},{"code":"4100","kind":"income"},{"code":"1200","kind":"ignore"}{{extraAccounts}}],
             "tracking":[{{tracking}}],"generic":{{generic}}}
            """;
        var response = await PutJsonAsync(Finance, "/api/import-mappings", body, current.Headers.ETag!.Tag == "\"0\"" ? null : current.Headers.ETag.Tag);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await BodyAsync(response);
    }

    private async Task<HttpResponseMessage> UploadAsync(byte[] file, string name, HttpClient? client = null)
    {
        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue(name.EndsWith(".xlsx", StringComparison.Ordinal) ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv");
        form.Add(content, "file", name);
        return await (client ?? Finance).PostAsync("/api/imports", form);
    }

    private async Task<JsonObject> PreviewAsync(byte[] file, string name)
    {
        var response = await UploadAsync(file, name);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static (int Total, int Ready, int Duplicate, int Refused, int Ignored) Counts(JsonObject import)
    {
        var rows = import["rows"]!;
        return ((int)rows["total"]!, (int)rows["ready"]!, (int)rows["duplicate"]!, (int)rows["refused"]!, (int)rows["ignored"]!);
    }

    /// <summary>The file's own total beside its lines' total, in pounds: (lines, file, difference).</summary>
    private static (decimal? Lines, decimal? File, decimal? Difference) Totals(JsonObject import)
    {
        var totals = import["totals"]!;
        return ((decimal?)totals["linesTotal"], (decimal?)totals["fileTotal"], (decimal?)totals["difference"]);
    }

    private async Task<JsonArray> RowsAsync(JsonObject import, string? status = null) =>
        (await BodyAsync(await Finance.GetAsync($"/api/imports/{import["id"]}/rows?pageSize=200{(status is null ? "" : $"&status={status}")}")))["items"]!.AsArray();

    private async Task<JsonObject> CommitAsync(JsonObject import)
    {
        var response = await Finance.PostAsync($"/api/imports/{import["id"]}/commit", null);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<long> ActualPenceAsync(long grantId)
    {
        await using var session = await Database.OpenAsync();
        var burn = await BurnQueries.ForGrantAsync(session, grantId, new DateOnly(2026, 11, 1));
        return burn!.Value.Burn.Totals.ActualToDate;
    }

    private async Task<(long Grant, string Reference)> GrantAsync()
    {
        var grant = await CreateGrantAsync();
        return ((long)grant["id"]!, (string)grant["reference"]!);
    }

    [Test]
    public async Task Xero_Csv_WithMark_IsPreviewedRowByRow_AndCommittedToThePenny()
    {
        await RulesAsync();
        var (grant, reference) = await GrantAsync();
        var file = SampleExports.Csv(SampleExports.XeroCsv, reference, new UTF8Encoding(false), byteOrderMark: true);

        var import = await PreviewAsync(file, "Account Transactions.csv");

        import["source"]!.GetValue<string>().Should().Be("xero");
        import["status"]!.GetValue<string>().Should().Be("previewed");
        import["sha256"]!.GetValue<string>().Should().Be(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file)));
        // 2 payroll lines + credit note + income ready; room hire refused (no rule for 7450); bank line and 5 totals ignored.
        Counts(import).Should().Be((11, 4, 0, 1, 6));
        Totals(import).Should().Be((-5130.00m, -5130.00m, 0m), "the grand Total row (debits 12,530.00 less credits 17,660.00) is what the lines add up to");
        var short1 = await PreviewAsync(SampleExports.Csv(string.Join('\n', SampleExports.XeroCsv.Split('\n').Where(l => !l.Contains("CN-7", StringComparison.Ordinal))), reference, new UTF8Encoding(false)), "short.csv");
        Totals(short1).Should().Be((-4950.00m, -5130.00m, 180.00m), "a line missing from the file shows as a difference from its own total");
        var refused = (await RowsAsync(import, "refused")).Single()!;
        refused["line"]!.GetValue<int>().Should().Be(12);
        refused["reasons"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Contain(r => r.Contains("no rule for account 7450", StringComparison.Ordinal));
        var ready = await RowsAsync(import, "ready");
        ready.Select(r => (r!["kind"]!.GetValue<string>(), r["amount"]!.GetValue<decimal>())).Should()
            .BeEquivalentTo(new[] { ("spend", 6240.00m), ("spend", 6240.00m), ("spend", -180.00m), ("income", 5000.00m) });

        var before = await ActualPenceAsync(grant);
        var committed = await CommitAsync(import);

        committed["status"]!.GetValue<string>().Should().Be("committed");
        committed["written"]!.GetValue<int>().Should().Be(4);
        (await ActualPenceAsync(grant) - before).Should().Be(1_230_000, "6,240.00 + 6,240.00 - 180.00");
        var spend = (await BodyAsync(await Finance.GetAsync($"/api/transactions?grantId={grant}&pageSize=50")))["items"]!.AsArray();
        spend.Select(t => t!["sourceReference"]!.GetValue<string>()).Should().BeEquivalentTo(["#2041", "#2041", "CN-7"]);
        var income = (await BodyAsync(await Finance.GetAsync($"/api/payments?grantId={grant}")))["items"]!.AsArray();
        income.Single()!["amount"]!.GetValue<decimal>().Should().Be(5000.00m);
        await using var session = await Database.OpenAsync();
        (await SpendTotals.CheckAsync(session)).Should().BeEmpty("the kept totals equal a recount after the import");
    }

    [Test]
    public async Task TheSameFileTwice_CreatesNothingTwice_AndAnOverlappingExport_OnlyItsNewLines()
    {
        await RulesAsync();
        var (grant, reference) = await GrantAsync();
        var file = SampleExports.Csv(SampleExports.XeroCsv, reference, new UTF8Encoding(false));
        await CommitAsync(await PreviewAsync(file, "april.csv"));
        var after = await ActualPenceAsync(grant);

        var again = await PreviewAsync(file, "april again.csv");
        Counts(again).Should().Be((11, 0, 4, 1, 6), "both payroll lines, the credit note and the income are already recorded");
        (await CommitAsync(again))["written"]!.GetValue<int>().Should().Be(0);

        // The next export repeats one payroll line and the credit note, and adds a new line.
        var overlap = SampleExports.XeroCsv
            .Replace("""30 Apr 2026,Manual Journal,April payroll - Outreach worker,#2041,"6,240.00",0.00,"12,480.00","6,240.00",0.00,{G}""", """31 May 2026,Manual Journal,May payroll,#2102,"3,000.00",0.00,"3,000.00","3,000.00",0.00,{G}""", StringComparison.Ordinal);
        var next = await PreviewAsync(SampleExports.Csv(overlap, reference, new UTF8Encoding(false)), "may.csv");
        Counts(next).Should().Be((11, 1, 3, 1, 6));
        await CommitAsync(next);
        (await ActualPenceAsync(grant) - after).Should().Be(300_000);
    }

    [Test]
    public async Task ATrackingRulesArea_IsGivenToTheSpend_AndAnAreaOutsideTheGrantsIsRefused()
    {
        var funder = await CreateFunderAsync();
        var inArea = await CreateAsync(Finance, "/api/grants", new { funderId = funder, programmeAreaId = LeadAreaId, reference = Unique.Text("TV"), title = "Thames Valley", amountAwarded = 120000m, startDate = "2026-04-01", endDate = "2027-03-31", areaCodes = new[] { "E23000029" } });
        var other = await CreateAsync(Finance, "/api/grants", new { funderId = funder, programmeAreaId = LeadAreaId, reference = Unique.Text("TV"), title = "Also Thames Valley", amountAwarded = 120000m, startDate = "2026-04-01", endDate = "2027-03-31", areaCodes = new[] { "E23000029" } });
        await RulesAsync(tracking: $$"""
            {"value":"{{inArea["reference"]}}","grantId":{{inArea["id"]}},"areaCode":"e23000029"},
            {"value":"{{other["reference"]}}","grantId":{{other["id"]}},"areaCode":"E23000032"}
            """);

        var import = await PreviewAsync(SampleExports.Csv(SampleExports.XeroCsv, (string)inArea["reference"]!, new UTF8Encoding(false)), "thames valley.csv");
        Counts(import).Should().Be((11, 4, 0, 1, 6));
        var ready = await RowsAsync(import, "ready");
        ready.Where(r => (string)r!["kind"]! == "spend").Select(r => (string?)r!["areaCode"]).Should().Equal("E23000029", "E23000029", "E23000029");
        ready.Single(r => (string)r!["kind"]! == "income")!["areaCode"].Should().BeNull("income has no area");
        await CommitAsync(import);
        var spend = (await BodyAsync(await Finance.GetAsync($"/api/transactions?grantId={inArea["id"]}&pageSize=50")))["items"]!.AsArray();
        spend.Select(t => (string?)t!["areaCode"]).Should().Equal("E23000029", "E23000029", "E23000029");
        await using (var session = await Database.OpenAsync())
        {
            (await SpendTotals.CheckAsync(session)).Should().BeEmpty();
        }

        var outside = await PreviewAsync(SampleExports.Csv(SampleExports.XeroCsv, (string)other["reference"]!, new UTF8Encoding(false)), "kent.csv");
        Counts(outside).Should().Be((11, 1, 0, 4, 6), "the three spend lines are refused; the income line has no area");
        (await RowsAsync(outside, "refused")).Where(r => (string?)r!["kind"] == "spend").Should().HaveCount(3)
            .And.OnlyContain(r => r!["reasons"]!.AsArray().Any(reason => ((string)reason!).Contains("not among the grant's delivery areas", StringComparison.Ordinal)));
    }

    [Test]
    public async Task ARefusedRow_IsReady_OnceARuleIsAdded_AndPreviewedAgain()
    {
        await RulesAsync();
        var (_, reference) = await GrantAsync();
        var import = await PreviewAsync(SampleExports.Csv(SampleExports.XeroCsv, reference, new UTF8Encoding(false)), "rooms.csv");
        Counts(import).Refused.Should().Be(1);

        await RulesAsync(""",{"code":"7450","kind":"spend","category":"delivery"}""");
        var again = await Finance.PostAsync($"/api/imports/{import["id"]}/preview", null);
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        var previewed = await BodyAsync(again);
        Counts(previewed).Should().Be((11, 5, 0, 0, 6));

        await CommitAsync(previewed);
        var spend = (await BodyAsync(await Finance.GetAsync("/api/transactions?category=delivery&pageSize=200")))["items"]!.AsArray();
        spend.Select(t => t!["description"]!.GetValue<string>()).Should().Contain("Community Hall - =HYPERLINK(\"http://x.example\")", "a formula-looking cell is kept as text, exactly");
    }

    [Test]
    public async Task Xero_Csv_InWindows1252_AndXero_Xlsx_AreRead()
    {
        await RulesAsync();
        var (grant, reference) = await GrantAsync();
        var text = SampleExports.XeroCsv.Replace("Acme Training - course cancelled", "Acme Training - £180 course cancelled", StringComparison.Ordinal);
        var ansi = await PreviewAsync(SampleExports.Csv(text, reference, Windows1252), "ansi.csv");
        Counts(ansi).Ready.Should().Be(4);
        (await RowsAsync(ansi)).Select(r => r!["description"]!.GetValue<string>()).Should().Contain("Acme Training - £180 course cancelled");

        var xlsx = await PreviewAsync(SampleExports.XeroXlsx(reference), "Account Transactions.xlsx");
        xlsx["source"]!.GetValue<string>().Should().Be("xero");
        Counts(xlsx).Should().Be((3, 2, 0, 0, 1), "two lines and the total, whose formula's stored value is never summed");
        Totals(xlsx).Should().Be((6140.11m, null, null), "Xero's workbook totals are formulas saved without their values: nothing to compare, and said so");
        xlsx["totals"]!["notStored"]!.GetValue<bool>().Should().BeTrue();
        (await RowsAsync(xlsx, "ready")).Select(r => (r!["date"]!.GetValue<string>(), r["amount"]!.GetValue<decimal>()))
            .Should().BeEquivalentTo(new[] { ("2026-06-30", 6240.10m), ("2026-07-01", -99.99m) });
        var before = await ActualPenceAsync(grant);
        await CommitAsync(xlsx);
        (await ActualPenceAsync(grant) - before).Should().Be(614_011);
    }

    [Test]
    public async Task Sage50_NominalActivity_ByDepartment_AndQuickBooks_ByClass_AreRead()
    {
        var (sageGrant, _) = await GrantAsync();
        await RulesAsync(tracking: $$"""{"value":"005","grantId":{{sageGrant}}}""");
        var sage = await PreviewAsync(SampleExports.Csv(SampleExports.Sage50Csv, "", Windows1252, department: "5"), "nominal activity.csv");
        sage["source"]!.GetValue<string>().Should().Be("sage50");
        Counts(sage).Should().Be((4, 2, 0, 0, 2), "a Sage department loses its leading zeros in Excel: 5 is 005");
        Totals(sage).Should().Be((6060.00m, 6060.00m, 0m), "Sage's Totals: row (debit 6,240.00, credit 180.00) is its section's total; History Balance is not a total");
        (await RowsAsync(sage, "ready")).Select(r => (r!["amount"]!.GetValue<decimal>(), r["description"]!.GetValue<string>()))
            .Should().BeEquivalentTo(new[] { (6240.00m, "April payroll £ outreach"), (-180.00m, "Acme Training credit") });

        var (_, reference) = await GrantAsync();
        var quickbooks = await PreviewAsync(SampleExports.Csv(SampleExports.QuickBooksCsv, reference, new UTF8Encoding(false)), "TransactionDetail.csv");
        quickbooks["source"]!.GetValue<string>().Should().Be("quickbooks");
        Counts(quickbooks).Should().Be((7, 3, 0, 1, 3));
        Totals(quickbooks).Should().Be((8570.00m, 8570.00m, 0m), "QuickBooks' grand TOTAL (with its £) is the signed amounts added up");
        var refused = (await RowsAsync(quickbooks, "refused")).Single()!;
        refused["reasons"]!.AsArray().Single()!.GetValue<string>().Should().Contain("'05/14/2026' is not a date", "a month-first date is never guessed");
        (await RowsAsync(quickbooks, "ready")).Select(r => (r!["kind"]!.GetValue<string>(), r["amount"]!.GetValue<decimal>(), r["description"]!.GetValue<string>()))
            .Should().BeEquivalentTo(new[] { ("spend", 6240.00m, "April payroll"), ("spend", -180.00m, "Acme Training - Course cancelled"), ("income", 2500.00m, "Funder - First instalment") });
    }

    [Test]
    public async Task AGenericCsv_IsReadWithTheColumnsMappedInTheRules()
    {
        var (grant, reference) = await GrantAsync();
        var headerless = await UploadAsync(SampleExports.Csv(SampleExports.GenericCsv, reference, new UTF8Encoding(false)), "ledger.csv");
        if ((await BodyAsync(await Finance.GetAsync("/api/import-mappings")))["generic"] is null)
        {
            ShouldBeProblem(headerless, 422);
            (await headerless.Content.ReadAsStringAsync()).Should().Contain("Tried: Xero Account Transactions").And.Contain("Sage 50").And.Contain("QuickBooks").And.Contain("generic");
        }

        await RulesAsync(generic: """[{"date":"Posted","account":"Nominal","amount":"Net","debit":null,"credit":null,"description":"Narrative","reference":"Ref","tracking":["Fund"]}]""");
        var import = await PreviewAsync(SampleExports.Csv(SampleExports.GenericCsv, reference, new UTF8Encoding(false)), "ledger.csv");
        import["source"]!.GetValue<string>().Should().Be("generic");
        Counts(import).Should().Be((2, 2, 0, 0, 0));
        var before = await ActualPenceAsync(grant);
        await CommitAsync(import);
        (await ActualPenceAsync(grant) - before).Should().Be(22_500);

        // Lines with neither reference nor description are still recognised when the same file comes again.
        var bare = SampleExports.Csv("Posted,Nominal,Fund,Narrative,Ref,Net\n05/06/2026,7000,{G},,,10.00\n05/06/2026,7000,{G},,,10.00\n", reference, new UTF8Encoding(false));
        Counts(await CommitAsync(await PreviewAsync(bare, "bare.csv"))).Ready.Should().Be(2);
        Counts(await PreviewAsync(bare, "bare again.csv")).Should().Be((2, 0, 2, 0, 0));
        await RulesAsync();
    }

    [Test]
    public async Task APreviewStartedWhileAnotherReadsTheFile_Supersedes_It_AndNoRowIsKeptTwice()
    {
        var (_, reference) = await GrantAsync();
        await RulesAsync(generic: """[{"date":"Posted","account":"Nominal","amount":"Net","debit":null,"credit":null,"description":"Narrative","reference":"Ref","tracking":["Fund"]}]""");
        var rows = Portfolio.Core.Imports.AccountImports.BatchSize + 1000;
        var text = new StringBuilder("Posted,Nominal,Fund,Narrative,Ref,Net\r\n");
        for (var i = 0; i < rows; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"03/06/2026,7000,{reference},Line {i},R-{i},1.00\r\n");
        }

        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, text.ToString());
        var change = new ChangeContext("test", DateTime.UtcNow);
        long id;
        await using (var session = await Database.OpenAsync())
        {
            await session.BeginAsync();
            id = (await Portfolio.Core.Imports.AccountImports.StartAsync(session, "twice.csv", file, change)).Value!.Id;
            await session.CommitAsync();
        }

        Portfolio.Core.Imports.ImportView? second = null;
        var first = await Portfolio.Core.Imports.AccountImports.PreviewAsync(Database, id, file, change, async (_, _) =>
        {
            // After the first preview's first batch, a second reading of the same import runs to the end.
            second ??= await Portfolio.Core.Imports.AccountImports.PreviewAsync(Database, id, file, change);
        });

        second!.Rows.Total.Should().Be(rows);
        first.Status.Should().Be("previewed", "the first stops and leaves the second's preview in place");
        first.Rows.Should().Be(second.Rows);
        (await BodyAsync(await Finance.GetAsync($"/api/imports/{id}/rows?pageSize=1")))["total"]!.GetValue<long>().Should().Be(rows);
        File.Delete(file);
        await RulesAsync();
    }

    [Test]
    public async Task Reverse_VoidsEverythingTheImportWrote_WithTheReason_AndDeletesNothing()
    {
        await RulesAsync();
        var (grant, reference) = await GrantAsync();
        var before = await ActualPenceAsync(grant);
        var import = await CommitAsync(await PreviewAsync(SampleExports.Csv(SampleExports.XeroCsv, reference, new UTF8Encoding(false)), "wrong month.csv"));
        var counts = await RowCountsAsync();

        ShouldBeProblem(await PostJsonAsync(Finance, $"/api/imports/{import["id"]}/reverse", """{"reason":""}"""), 400, "reason");
        var reversed = await PostJsonAsync(Finance, $"/api/imports/{import["id"]}/reverse", """{"reason":"Exported the wrong month"}""");
        reversed.StatusCode.Should().Be(HttpStatusCode.OK, await reversed.Content.ReadAsStringAsync());
        (await BodyAsync(reversed))["status"]!.GetValue<string>().Should().Be("reversed");

        (await ActualPenceAsync(grant)).Should().Be(before);
        var after = await RowCountsAsync();
        after["spend_transaction"].Should().Be(counts["spend_transaction"], "voided, never deleted");
        var lines = (await BodyAsync(await Finance.GetAsync($"/api/transactions?grantId={grant}")))["items"]!.AsArray();
        lines.Should().OnlyContain(t => t!["voided"]!.GetValue<bool>() && t["voidReason"]!.GetValue<string>() == "Exported the wrong month");
        ShouldBeProblem(await PostJsonAsync(Finance, $"/api/imports/{import["id"]}/reverse", """{"reason":"again"}"""), 409);
        await using var session = await Database.OpenAsync();
        (await SpendTotals.CheckAsync(session)).Should().BeEmpty();
    }

    [Test]
    public async Task Commit_IsAllOrNothing_WhenTheDatabaseFailsHalfway()
    {
        await RulesAsync();
        var (grant, reference) = await GrantAsync();
        var import = await PreviewAsync(SampleExports.Csv(SampleExports.XeroCsv, reference, new UTF8Encoding(false)), "halfway.csv");
        var before = await RowCountsAsync();
        var actual = await ActualPenceAsync(grant);

        // Spend is written first, then income: make the income insert fail, after the spend lines are in.
        await using (var session = await Database.OpenAsync())
        {
            await session.ExecuteAsync(FailingIncome.Create);
        }

        try
        {
            var response = await Finance.PostAsync($"/api/imports/{import["id"]}/commit", null);
            ((int)response.StatusCode).Should().BeGreaterThanOrEqualTo(500);
        }
        finally
        {
            await using var session = await Database.OpenAsync();
            await session.ExecuteAsync(FailingIncome.Drop);
        }

        var after = await RowCountsAsync();
        after["spend_transaction"].Should().Be(before["spend_transaction"]);
        after["payment"].Should().Be(before["payment"]);
        (await ActualPenceAsync(grant)).Should().Be(actual);
        var stays = await BodyAsync(await Finance.GetAsync($"/api/imports/{import["id"]}"));
        stays["status"]!.GetValue<string>().Should().Be("previewed");
        stays["error"]!.GetValue<string>().Should().Contain("wrote nothing");

        (await CommitAsync(import))["written"]!.GetValue<int>().Should().Be(4, "once the fault is gone the same import commits");
    }

    [Test]
    public async Task BadFiles_AreRefusedClearly_AndChangeNothing()
    {
        await RulesAsync();
        var before = await RowCountsAsync();

        ShouldBeProblem(await UploadAsync([], "empty.csv"), 422);
        ShouldBeProblem(await UploadAsync([0x00, 0x01, 0x02, 0x03, 0xFF], "photo.csv"), 422);
        ShouldBeProblem(await UploadAsync([0x50, 0x4B, 0x03, 0x04, 0x00, 0x00], "broken.xlsx"), 422);
        var unknown = await UploadAsync(Encoding.UTF8.GetBytes("Name,Colour\nAlice,Blue\n"), "people.csv");
        ShouldBeProblem(unknown, 422);
        (await unknown.Content.ReadAsStringAsync()).Should().Contain("Tried: Xero Account Transactions");
        ShouldBeProblem(await UploadAsync(new byte[250_000], "huge.csv"), 413);
        ShouldBeProblem(await PostJsonAsync(Finance, "/api/imports", "{}"), 415);
        ShouldBeProblem(await UploadAsync(Encoding.UTF8.GetBytes(SampleExports.GenericCsv), "lead.csv", Lead), 403);

        (await RowCountsAsync()).Should().Equal(before);
    }

    [Test]
    public async Task Rules_AreVersioned_Checked_AndAudited()
    {
        var saved = await RulesAsync();
        var version = saved["version"]!.GetValue<int>();
        ShouldBeProblem(await PutJsonAsync(Finance, "/api/import-mappings", """{"accounts":[],"tracking":[]}""", null), 428);
        ShouldBeProblem(await PutJsonAsync(Finance, "/api/import-mappings", """{"accounts":[],"tracking":[]}""", "\"999\""), 412);
        var bad = await PutJsonAsync(Finance, "/api/import-mappings", """
            {"accounts":[{"code":"7000","kind":"spend"},{"code":"07000","kind":"income"},{"code":"8000","kind":"gift"},{"code":"4100","kind":"income","category":"staff"}],
             "tracking":[{"value":"X","grantId":999999,"partnerId":999999,"areaCode":"E23000099"}]}
            """, $"\"{version}\"");
        ShouldBeProblem(bad, 400);
        var text = await bad.Content.ReadAsStringAsync();
        foreach (var field in new[] { "accounts[0].category", "accounts[1].code", "accounts[2].kind", "accounts[3].category", "tracking[0].grantId", "tracking[0].partnerId", "tracking[0].areaCode" })
        {
            text.Should().Contain(field);
        }

        (await BodyAsync(await Finance.GetAsync("/api/import-mappings")))["version"]!.GetValue<int>().Should().Be(version);
        var audit = await BodyAsync(await Admin.GetAsync("/api/audit?entity=import-mapping"));
        audit["items"]!.AsArray().Should().NotBeEmpty();
    }
}

/// <summary>A trigger that makes any income insert fail: the database failing halfway through a commit.</summary>
internal static class FailingIncome
{
    public static readonly Sql Create = new(
        "CREATE TRIGGER test_failing_income BEFORE INSERT ON payment BEGIN SELECT RAISE(ABORT, 'test: the disk is full'); END",
        """
        CREATE OR REPLACE FUNCTION test_failing_income() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'test: the disk is full'; END $$;
        CREATE TRIGGER test_failing_income BEFORE INSERT ON payment FOR EACH ROW EXECUTE FUNCTION test_failing_income();
        """,
        "SELECT 1");

    public static readonly Sql Drop = new(
        "DROP TRIGGER test_failing_income",
        "DROP TRIGGER test_failing_income ON payment; DROP FUNCTION test_failing_income();",
        "SELECT 1");
}
