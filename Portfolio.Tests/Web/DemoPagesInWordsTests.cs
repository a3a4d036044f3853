using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Web;

/// <summary>
/// Words for people (issue 26, item 5), checked on the demo as it is seeded today, where every state the pages show
/// is present (returns in each state, reports sent, drafts, an unpaid instalment): no page's visible text carries a
/// status code ("sent-back"), an ISO date, an API path or an HTTP verb.
/// </summary>
public sealed partial class DemoPagesInWordsTests(DatabaseEngine engine) : ApiTest(engine)
{
    protected override Task<IReadOnlyDictionary<string, string?>> SettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>
        {
            ["Portfolio:SeedDemo"] = "true",
            ["Portfolio:Email:PickupDirectory"] = Path.Combine(Path.GetTempPath(), "portfolio-words-outbox-" + Guid.NewGuid().ToString("N")),
        });

    [Test]
    public async Task EveryDemoPage_SpeaksInWords_NotCodesDatesOrPaths()
    {
        using var browser = await SignedInAsync("admin");
        var pages = new List<string> { "/", "/funders", "/partners", "/programme-areas", "/report-runs", "/imports", "/exports", "/admin/audit", "/admin/users" };
        foreach (var grant in (await Admin.GetFromJsonAsync<JsonObject>("/api/grants"))!["items"]!.AsArray())
        {
            pages.Add($"/grants/{grant!["id"]}");
            pages.Add($"/grants/{grant["id"]}/budget");
        }

        pages.AddRange((await Admin.GetFromJsonAsync<JsonObject>("/api/partner-agreements?pageSize=100"))!["items"]!.AsArray().Select(a => $"/partner-agreements/{a!["id"]}/returns"));
        pages.AddRange((await Admin.GetFromJsonAsync<JsonObject>("/api/report-runs?pageSize=100"))!["items"]!.AsArray().Select(r => $"/report-runs/{r!["id"]}"));

        var problems = new List<string>();
        foreach (var page in pages)
        {
            using var response = await browser.GetAsync(page);
            response.StatusCode.Should().Be(HttpStatusCode.OK, page);
            var text = VisibleText(await response.Content.ReadAsStringAsync());
            foreach (Match m in Unspoken().Matches(text))
            {
                var from = Math.Max(0, m.Index - 40);
                problems.Add($"{page}: \"{Space().Replace(text.Substring(from, Math.Min(text.Length - from, m.Index - from + m.Length + 40)), " ").Trim()}\"");
            }
        }

        pages.Should().Contain(p => p.EndsWith("/returns", StringComparison.Ordinal));
        problems.Should().BeEmpty("a page a person reads names statuses, dates and actions in words:\n" + string.Join("\n", problems.Distinct()));
    }

    /// <summary>
    /// The text a person sees: scripts, styles, tags and attributes removed, entities decoded. The audit log's
    /// "Before and after" is the stored record itself, kept verbatim for whoever audits it, so it is left out.
    /// </summary>
    private static string VisibleText(string html) =>
        WebUtility.HtmlDecode(Tags().Replace(StoredRecord().Replace(Hidden().Replace(html, " "), " "), " "));

    [GeneratedRegex(@"<(script|style|template)\b.*?</\1>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Hidden();

    [GeneratedRegex(@"<p class=""govuk-body-s app-secret"">.*?</p>", RegexOptions.Singleline)]
    private static partial Regex StoredRecord();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Space();

    [GeneratedRegex("<[^>]*>", RegexOptions.Singleline)]
    private static partial Regex Tags();

    [GeneratedRegex(@"\b(sent-back|not-started|programme-lead(?!-\d)|uk-financial-year|each-period|final-period)\b|\b\d{4}-\d{2}-\d{2}\b|/api/|\b(GET|POST|PUT|DELETE|PATCH) /")]
    private static partial Regex Unspoken();
}
