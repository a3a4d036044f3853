using System.Text.RegularExpressions;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Web;

/// <summary>
/// The dashboard lists its grants 50 to a page (so 500 grants is not a megabyte of HTML), keeping the filters from
/// page to page; the figures above the table still cover every grant; each grant is on exactly one page.
/// </summary>
public sealed partial class DashboardPagingTests(DatabaseEngine engine) : ApiTest(engine)
{
    [Test]
    public async Task FiftyOneGrants_AreOnTwoPages_EachOnce_WithTheCountsOfAll()
    {
        var funderId = await CreateFunderAsync();
        var made = new HashSet<long>();
        for (var i = 0; i < 51; i++)
        {
            made.Add((long)(await CreateGrantAsync(funderId))["id"]!);
        }

        using var browser = await SignedInAsync("viewer");
        var first = await browser.GetStringAsync($"/?funderId={funderId}");
        var second = await browser.GetStringAsync($"/?funderId={funderId}&page=2");

        GrantIds(first).Should().HaveCount(50);
        GrantIds(second).Should().HaveCount(1);
        GrantIds(first).Concat(GrantIds(second)).Should().BeEquivalentTo(made, "every grant is on exactly one page");
        first.Should().Contain("Live grants (51): 1 to 50").And.Contain("Page 1 of 2").And.Contain($"funderId={funderId}&amp;partnerId=&amp;areaCode=&amp;page=2");
        second.Should().Contain("Live grants (51): 51 to 51").And.Contain("Page 2 of 2");
        Regex.Match(first, """data-figure="grants">(\d+)<""").Groups[1].Value.Should().Be("51", "the key figures cover every grant, not one page");
        (await browser.GetStringAsync($"/?funderId={funderId}&page=99")).Should().Contain("Page 2 of 2", "a page past the end shows the last");
    }

    private static List<long> GrantIds(string html) => GrantRow().Matches(html).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    [GeneratedRegex("""<tr class="govuk-table__row" data-grant-id="(\d+)">""")]
    private static partial Regex GrantRow();
}
