using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ClosedXML.Excel;
using Json.Schema;
using Microsoft.Extensions.Configuration;
using Portfolio.Core.Data;
using Portfolio.Reports.OpenData;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.OpenData;

/// <summary>
/// The 360Giving export (issue 15): the grants received and the sub-grants made, validated against the standard's
/// 1.4.3 JSON schemas (kept in <c>OpenData/360giving</c>, with the five codelists) by a real validator, every
/// codelist value checked, totals equal to the awards and agreements recorded, and the spreadsheet's columns the
/// standard's titles.
/// </summary>
public sealed class ThreeSixtyGivingTests(DatabaseEngine engine) : ApiTest(engine)
{
    private const string Prefix = "360G-dapartnership";

    private static readonly string Folder = Path.Combine(TestContext.CurrentContext.TestDirectory, "OpenData", "360giving");

    protected override Task<IReadOnlyDictionary<string, string?>> SettingsAsync() => Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>
    {
        ["Portfolio:OpenData:Prefix"] = Prefix,
        ["Portfolio:Organisation:Name"] = "Domestic Abuse Partnership",
        ["Portfolio:Organisation:CharityNumber"] = "1234567",
    });

    private async Task<(long Grant, long National, long Pipeline)> PortfolioAsync()
    {
        var funderId = (long)(await CreateAsync(Finance, "/api/funders", new { name = Unique.Text("Home Office"), kind = "government", orgIdentifier = "GB-GOR-PB1" }))["id"]!;
        var grant = (long)(await CreateAsync(Finance, "/api/grants", new
        {
            funderId, programmeAreaId = LeadAreaId, reference = Unique.Text("HO"), title = "Specialist services", description = "Advocacy in two force areas.",
            amountAwarded = 250000.50m, awardDate = "2026-03-01", startDate = "2026-04-01", endDate = "2028-03-31", areaCodes = new[] { "E23000029", "W15000004" },
        }))["id"]!;
        var national = (long)(await CreateAsync(Finance, "/api/grants", new
        {
            funderId, reference = Unique.Text("NAT"), title = "National helpline", amountAwarded = 1000m, startDate = "2026-04-01", endDate = "2027-03-31", areaCodes = new[] { "K04000001" },
        }))["id"]!;
        var pipeline = (long)(await CreateAsync(Finance, "/api/grants", new
        {
            funderId, reference = Unique.Text("PIPE"), title = "Not yet awarded", amountAwarded = 5000m, startDate = "2026-04-01", endDate = "2027-03-31", status = "pipeline",
        }))["id"]!;
        var registered = (long)(await CreateAsync(Finance, "/api/partners", new { name = Unique.Text("Rainbow Refuge"), kind = "by-and-for", orgIdentifier = "GB-CHC-1098765" }))["id"]!;
        var unregistered = await CreatePartnerAsync();
        await CreateAsync(Finance, "/api/partner-agreements", new { grantId = grant, partnerId = registered, amount = 60000.25m, startDate = "2026-04-01", endDate = "2027-03-31", areaCodes = new[] { "W15000004" } });
        await CreateAsync(Finance, "/api/partner-agreements", new { grantId = grant, partnerId = unregistered, amount = 40000m, startDate = "2026-07-01", endDate = "2028-03-31", purpose = "Outreach to LGBT+ survivors" });
        await CreateAsync(Finance, "/api/transactions", new { grantId = grant, date = "2026-05-01", amount = 15000m, category = "partner-grants", description = "Q1", partnerId = registered });
        return (grant, national, pipeline);
    }

    [Test]
    public async Task TheJsonPackage_ValidatesAgainstTheStandard_UsesItsCodelists_AndAddsUpToTheAwardsAndAgreements()
    {
        var (grant, national, pipeline) = await PortfolioAsync();
        ShouldBeProblem(await Lead.GetAsync("/api/exports/360giving.json"), 403);
        ShouldBeProblem(await Viewer.GetAsync("/api/exports/360giving.json"), 403);
        var response = await Finance.GetAsync("/api/exports/360giving.json");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var text = await response.Content.ReadAsStringAsync();

        Validate(text).Should().BeEmpty();
        var package = JsonNode.Parse(text)!.AsObject();
        var grants = package["grants"]!.AsArray().Select(g => g!.AsObject()).ToList();
        foreach (var g in grants)
        {
            foreach (var required in new[] { "id", "title", "description", "currency", "amountAwarded", "awardDate", "recipientOrganization", "fundingOrganization" })
            {
                g[required].Should().NotBeNull($"{required} is required of every grant ({g["id"]})");
            }

            ((string)g["id"]!).Should().StartWith(Prefix + "-");
        }

        CodelistValues(package, "currency").Should().OnlyContain(v => Codes("currency.csv").Contains(v)).And.Contain("GBP");
        CodelistValues(package, "countryCode").Should().OnlyContain(v => Codes("countryCode.csv").Contains(v)).And.Contain("GB");
        CodelistValues(package, "geoCodeType").Should().OnlyContain(v => Codes("geoCodeType.csv").Contains(v)).And.Equal(CodelistValues(package, "geoCodeType").Select(_ => "PFA"));
        CodelistValues(package, "regrantType").Should().OnlyContain(v => Codes("regrantType.csv").Contains(v)).And.NotBeEmpty();
        CodelistValues(package, "locationScope").Should().OnlyContain(v => Codes("locationScope.csv").Contains(v)).And.Contain("GLS030");

        // The grants received: every awarded grant recorded, none in the pipeline, adding up to the awards.
        var received = grants.Where(g => !((string)g["id"]!).Contains("-subgrant-", StringComparison.Ordinal)).ToList();
        var recorded = await AllAsync("/api/grants");
        var awarded = recorded.Where(g => (string)g["status"]! != "pipeline").ToList();
        received.Select(g => (string)g["id"]!).Should().BeEquivalentTo(awarded.Select(g => $"{Prefix}-grant-{g["id"]}"));
        received.Should().NotContain(g => (string)g["id"]! == $"{Prefix}-grant-{pipeline}");
        received.Sum(g => g["amountAwarded"]!.GetValue<decimal>()).Should().Be(awarded.Sum(g => g["amountAwarded"]!.GetValue<decimal>()));

        // The sub-grants: every agreement, adding up to the agreements, each a regrant linked to the grant it came from.
        var subGrants = grants.Where(g => ((string)g["id"]!).Contains("-subgrant-", StringComparison.Ordinal)).ToList();
        var agreements = await AllAsync("/api/partner-agreements");
        subGrants.Select(g => (string)g["id"]!).Should().BeEquivalentTo(agreements.Select(a => $"{Prefix}-subgrant-{a["id"]}"));
        subGrants.Sum(g => g["amountAwarded"]!.GetValue<decimal>()).Should().Be(agreements.Sum(a => a["amount"]!.GetValue<decimal>()));
        subGrants.Should().OnlyContain(g => (string)g["regrantType"]! == "FRG010");

        var ho = received.Single(g => (string)g["id"]! == $"{Prefix}-grant-{grant}");
        ho["amountAwarded"]!.GetValue<decimal>().Should().Be(250000.50m, "amounts are pounds, to the penny");
        ho["awardDate"]!.GetValue<string>().Should().Be("2026-03-01");
        ho["plannedDates"]![0]!.ToJsonString().Should().Be("""{"startDate":"2026-04-01","endDate":"2028-03-31","duration":24}""");
        ho["recipientOrganization"]![0]!["id"]!.GetValue<string>().Should().Be("GB-CHC-1234567");
        ho["fundingOrganization"]![0]!["id"]!.GetValue<string>().Should().Be("GB-GOR-PB1");
        ho["beneficiaryLocation"]!.AsArray().Select(l => ((string)l!["geoCode"]!, (string)l["name"]!)).Should().Equal(("E23000029", "Thames Valley"), ("W15000004", "Dyfed-Powys"));
        var nat = received.Single(g => (string)g["id"]! == $"{Prefix}-grant-{national}");
        nat["awardDate"]!.GetValue<string>().Should().Be("2026-04-01", "with no award date recorded, the start date stands for it");
        nat["locationScope"]!.GetValue<string>().Should().Be("GLS030");
        nat["beneficiaryLocation"]![0]!.ToJsonString().Should().Be("""{"name":"England and Wales","countryCode":"GB"}""");

        var rainbow = subGrants.Single(g => ((string)g["title"]!).Contains("Rainbow Refuge", StringComparison.Ordinal));
        rainbow["recipientOrganization"]![0]!["id"]!.GetValue<string>().Should().Be("GB-CHC-1098765");
        rainbow["fundingOrganization"]![0]!["id"]!.GetValue<string>().Should().Be("GB-CHC-1234567");
        rainbow["amountDisbursed"]!.GetValue<decimal>().Should().Be(15000m);
        rainbow["relatedActivity"]!.AsArray().Select(x => (string)x!).Should().Equal($"{Prefix}-grant-{grant}");
        rainbow["beneficiaryLocation"]!.AsArray().Select(l => (string)l!["geoCode"]!).Should().Equal("W15000004");
        var other = subGrants.Single(g => ((string)g["description"]!) == "Outreach to LGBT+ survivors");
        ((string)other["recipientOrganization"]![0]!["id"]!).Should().StartWith($"{Prefix}-partner-", "a partner with no registered number is identified under the prefix");
        other["beneficiaryLocation"]!.AsArray().Select(l => (string)l!["geoCode"]!).Should().Equal(["E23000029", "W15000004"], "an agreement naming no area is in its grant's");
    }

    [Test]
    public async Task TheValidator_RefusesAPackageThatBreaksTheStandard()
    {
        await PortfolioAsync();
        var package = JsonNode.Parse(await Finance.GetStringAsync("/api/exports/360giving.json"))!.AsObject();
        var first = package["grants"]![0]!.AsObject();

        var noAmount = package.DeepClone().AsObject();
        noAmount["grants"]![0]!.AsObject().Remove("amountAwarded");
        Validate(noAmount.ToJsonString()).Should().NotBeEmpty("amountAwarded is required");

        var badCurrency = package.DeepClone().AsObject();
        badCurrency["grants"]![0]!["currency"] = "POUNDS";
        Validate(badCurrency.ToJsonString()).Should().NotBeEmpty("currency is from the codelist");

        var badOrganisation = package.DeepClone().AsObject();
        badOrganisation["grants"]![0]!["recipientOrganization"]![0]!.AsObject().Remove("id");
        Validate(badOrganisation.ToJsonString()).Should().NotBeEmpty("an organisation needs its id (the schema's $defs are followed)");

        var badDate = package.DeepClone().AsObject();
        badDate["grants"]![0]!["awardDate"] = "1 March 2026";
        Validate(badDate.ToJsonString()).Should().NotBeEmpty("dates are YYYY-MM-DD");
        first["id"].Should().NotBeNull();
    }

    [Test]
    public async Task ThePeriodFilter_TakesTheGrantsAwardedInIt_AndAnEmptyRangeIsRefused()
    {
        var (grant, _, _) = await PortfolioAsync();
        var march = JsonNode.Parse(await Finance.GetStringAsync("/api/exports/360giving.json?from=2026-03-01&to=2026-03-31"))!["grants"]!.AsArray();
        march.Select(g => (string)g!["awardDate"]!).Should().OnlyContain(d => d.StartsWith("2026-03", StringComparison.Ordinal));
        march.Select(g => (string)g!["id"]!).Should().Contain($"{Prefix}-grant-{grant}");
        ShouldBeProblem(await Finance.GetAsync("/api/exports/360giving.json?from=1990-01-01&to=1990-12-31"), 422);
        ShouldBeProblem(await Finance.GetAsync("/api/exports/360giving.json?from=2027-01-01&to=2026-01-01"), 400, "to");
        ShouldBeProblem(await Finance.GetAsync("/api/exports/360giving.json?from=yesterday"), 400, "from");
    }

    [Test]
    public async Task TheSpreadsheet_HasTheStandardsColumns_AndTheSameGrantsAsTheJson()
    {
        await PortfolioAsync();
        var json = JsonNode.Parse(await Finance.GetStringAsync("/api/exports/360giving.json"))!["grants"]!.AsArray();
        var response = await Admin.GetAsync("/api/exports/360giving.xlsx");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var workbook = new XLWorkbook(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        var sheet = workbook.Worksheet("grants");
        var titles = sheet.Row(1).CellsUsed().Select(c => c.GetString()).ToList();
        var known = SchemaTitles();
        titles.Should().OnlyContain(t => known.Contains(t), "every column is titled as the standard's schema titles it");
        titles.Should().Contain(["Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date", "Recipient Org:Identifier", "Recipient Org:Name", "Funding Org:Identifier", "Funding Org:Name",
            "Planned Dates:Start Date", "Planned Dates:End Date", "Beneficiary Location:Geographic Code", "Beneficiary Location:Geographic Code Type", "For Regrant Type"]);
        var column = titles.IndexOf("Identifier") + 1;
        var amount = titles.IndexOf("Amount Awarded") + 1;
        var rows = sheet.RowsUsed().Skip(1).Select(r => (Id: r.Cell(column).GetString(), Amount: r.Cell(amount).GetValue<decimal>())).ToList();
        rows.Should().BeEquivalentTo(json.Select(g => ((string)g!["id"]!, g["amountAwarded"]!.GetValue<decimal>())));

        // A grant in two areas has both on the one-to-many sheet, linked by its Identifier.
        var locations = workbook.Worksheet("beneficiaryLocation");
        var many = json.Where(g => g!["beneficiaryLocation"] is JsonArray { Count: > 1 }).ToList();
        locations.RowsUsed().Skip(1).Select(r => r.Cell(1).GetString()).Distinct().Should().BeEquivalentTo(many.Select(g => (string)g!["id"]!));
        locations.Row(1).CellsUsed().Select(c => c.GetString()).Should().OnlyContain(t => known.Contains(t));
    }

    [Test]
    public async Task WithoutAPublisherPrefix_TheExportSaysWhatToSet_AndABadPrefixStopsTheServiceStarting()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(Engine);
        await using (var app = new PortfolioApp(options, settings: new Dictionary<string, string?> { ["Portfolio:BootstrapAdminKey"] = BootstrapKey, ["Portfolio:SeedDemo"] = "false" }))
        {
            using var client = app.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", BootstrapKey);
            var refused = await client.GetAsync("/api/exports/360giving.json");
            ShouldBeProblem(refused, 422);
            (await refused.Content.ReadAsStringAsync()).Should().Contain("Portfolio:OpenData:Prefix");
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Portfolio:OpenData:Prefix"] = "dapartnership" }).Build();
        var bad = () => Portfolio.Jobs.Hosting.JobsHosting.ReadOpenDataOptions(configuration);
        bad.Should().Throw<Portfolio.Jobs.Hosting.InvalidSettingsException>().Which.Problems.Should().ContainSingle(p => p.Contains("Prefix", StringComparison.Ordinal));
    }

    /// <summary>
    /// The package's errors against the package schema (draft 2020-12), its reference to the grant schema by URL
    /// (which nothing here fetches) resolved to the local copy, and <c>format</c> asserted: the standard's dates are
    /// <c>oneOf</c> a date-time and a YYYY-MM-DD pattern, which only an asserting validator can tell apart.
    /// </summary>
    private static List<string> Validate(string json)
    {
        var grant = JsonSchema.FromFile(Path.Combine(Folder, "360-giving-schema.json"));
        var package = JsonSchema.FromFile(Path.Combine(Folder, "360-giving-package-schema.json"));
        var options = new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
        // The schemas name their draft with http://, the meta-schema's own id is https://: the same draft 2020-12.
        options.SchemaRegistry.Register(new Uri("http://json-schema.org/draft/2020-12/schema"), MetaSchemas.Draft202012);
        options.SchemaRegistry.Register(new Uri("https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json"), grant);
        var result = package.Evaluate(JsonNode.Parse(json), options);
        return result.IsValid
            ? []
            : [.. result.Details.Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key} {e.Value}"))];
    }

    /// <summary>Every title path the grant schema gives a spreadsheet column: titles joined by colons, through its $defs.</summary>
    private static HashSet<string> SchemaTitles()
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "360-giving-schema.json")))!.AsObject();
        var defs = root["$defs"]!.AsObject();
        var titles = new HashSet<string>(StringComparer.Ordinal) { "Identifier" };
        void Walk(JsonObject node, string prefix, int depth)
        {
            if (node["$ref"] is JsonValue reference && ((string)reference!).StartsWith("#/$defs/", StringComparison.Ordinal))
            {
                node = defs[((string)reference!)["#/$defs/".Length..]]!.AsObject();
            }

            if (node["items"] is JsonObject items)
            {
                Walk(items, prefix, depth);
                return;
            }

            if (node["properties"] is not JsonObject properties || depth > 3)
            {
                return;
            }

            foreach (var (name, value) in properties)
            {
                var child = value!.AsObject();
                var resolved = child["$ref"] is JsonValue r && ((string)r!).StartsWith("#/$defs/", StringComparison.Ordinal) ? defs[((string)r!)["#/$defs/".Length..]]!.AsObject() : child;
                var title = (string?)child["title"] ?? (string?)resolved["title"] ?? char.ToUpperInvariant(name[0]) + name[1..];
                var path = prefix.Length == 0 ? title : $"{prefix}:{title}";
                titles.Add(path);
                Walk(child, path, depth + 1);
            }
        }

        Walk(root, "", 0);
        return titles;
    }

    private static HashSet<string> Codes(string file) =>
        File.ReadLines(Path.Combine(Folder, file)).Skip(1).Select(line => line.Split(',')[0].Trim('"')).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every value of the field named <paramref name="field"/>, anywhere in the package.</summary>
    private static List<string> CodelistValues(JsonNode node, string field)
    {
        var found = new List<string>();
        void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var (name, value) in o)
                    {
                        if (name == field && value is JsonValue v)
                        {
                            found.Add((string)v!);
                        }

                        Walk(value);
                    }

                    break;
                case JsonArray a:
                    foreach (var item in a)
                    {
                        Walk(item);
                    }

                    break;
            }
        }

        Walk(node);
        return found;
    }

    private async Task<List<JsonObject>> AllAsync(string path)
    {
        var items = new List<JsonObject>();
        for (var page = 1; ; page++)
        {
            var body = (await Finance.GetFromJsonAsync<JsonObject>($"{path}?page={page}&pageSize=100"))!;
            items.AddRange(body["items"]!.AsArray().Select(i => i!.AsObject()));
            if (items.Count >= (long)body["total"]!)
            {
                return items;
            }
        }
    }
}
