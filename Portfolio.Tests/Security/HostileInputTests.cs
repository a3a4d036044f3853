using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Security;

/// <summary>
/// Hostile input over every write endpoint, generated from the tables below: wrong types, missing and extra fields,
/// duplicate keys, deep nesting, huge strings, control characters and broken unicode, amounts with three decimals
/// and 1e400, impossible dates, SQL and formula text in typed fields, wrong content types, empty bodies, and bad
/// paging on every list. Every case must get a 4xx problem detail, never a 5xx, and leave the database unchanged
/// (every table's row count, the sum of versions and the audit log).
/// </summary>
public class HostileInputTests(DatabaseEngine engine) : ApiTest(engine)
{
    private readonly Dictionary<string, string> _ids = [];

    /// <summary>Each write endpoint with a body it would accept; {placeholders} are filled with real ids.</summary>
    private static readonly (string Method, string Path, string Body, string? IfMatch)[] Endpoints =
    [
        ("POST", "/api/funders", """{"name":"Hostile funder","kind":"trust","orgIdentifier":"GB-CHC-123","reportLagDays":30,"contacts":[{"name":"A","email":"a@b.example"}]}""", null),
        ("POST", "/api/programme-areas", """{"name":"Area","code":"HOSTILE","leadEmail":"lead@b.example"}""", null),
        ("POST", "/api/partners", """{"name":"Partner","kind":"by-and-for","communities":["LGBT+"],"contactEmail":"p@b.example"}""", null),
        ("POST", "/api/grants", """{"funderId":{funderId},"reference":"H-1","title":"t","amountAwarded":100.00,"startDate":"2026-04-01","endDate":"2027-03-31","restricted":true}""", null),
        ("POST", "/api/transactions", """{"grantId":{grantId},"date":"2026-05-01","amount":1.50,"category":"staff","description":"d","partnerId":{partnerId}}""", null),
        ("POST", "/api/payments", """{"grantId":{grantId},"date":"2026-05-01","amount":1.50,"reference":"r"}""", null),
        ("POST", "/api/partner-agreements", """{"grantId":{grantId},"partnerId":{partnerId},"amount":1.00,"startDate":"2026-04-01","endDate":"2027-03-31","purpose":"p"}""", null),
        ("POST", "/api/api-keys", """{"name":"k","role":"viewer"}""", null),
        ("POST", "/api/users", """{"email":"hostile@b.example","name":"Hostile User","role":"viewer"}""", null),
        ("POST", "/api/grants/{grantId}/variance-notes", """{"periodStart":"2026-04-01","category":"staff","text":"t"}""", null),
        ("PUT", "/api/grants/{grantId}/budget", """{"lines":[{"category":"staff","periodStart":"2026-04-01","amount":1.00}]}""", "\"0\""),
        ("PUT", "/api/funders/{funderId}", """{"name":"Renamed","kind":"trust"}""", "\"1\""),
        ("PUT", "/api/transactions/{transactionId}", """{"grantId":{grantId},"date":"2026-05-01","amount":2.00,"category":"staff","description":"d"}""", "\"1\""),
        ("POST", "/api/transactions/{transactionId}/void", """{"reason":"r"}""", "\"1\""),
        ("POST", "/api/report-runs", """{"grantId":{grantId},"periodStart":"2026-04-01"}""", null),
        ("POST", "/api/grants/{grantId}/periods/2026-04-01/reopen", """{"reason":"r"}""", null),
    ];

    private static readonly string[] Lists =
    [
        "/api/funders", "/api/programme-areas", "/api/partners", "/api/grants", "/api/transactions", "/api/payments",
        "/api/partner-agreements", "/api/audit", "/api/api-keys", "/api/report-runs", "/api/users",
    ];

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var (method, path, body, ifMatch) in Endpoints)
        {
            var name = $"{method} {path}";
            TestCaseData Case(string label, string? payload, string contentType = "application/json") =>
                new TestCaseData(method, path, payload, contentType, ifMatch).SetName($"Hostile({name}: {label})");

            yield return Case("empty body", "");
            yield return Case("null", "null");
            yield return Case("array", "[]");
            yield return Case("bare string", "\"text\"");
            yield return Case("truncated", body[..(body.Length / 2)]);
            yield return Case("text/plain", body, "text/plain");
            yield return Case("form", "a=1", "application/x-www-form-urlencoded");
            yield return Case("utf-16 charset", body, "application/json; charset=utf-16");
            yield return Case("nesting 1000 deep", "{\"x\":" + new string('[', 1000) + new string(']', 1000) + "}");
            yield return Case("1 MB string", "{\"name\":\"" + new string('a', 1_100_000) + "\"}");
            yield return Case("extra field", body[..^1] + ",\"zzz\":1}");
            var fields = JsonNode.Parse(Fill(body, "1"))!.AsObject();
            var first = fields.First().Key;
            yield return Case("duplicate key", body[..^1] + $",\"{first}\":" + fields[first]!.ToJsonString() + "}");
            foreach (var (field, value) in fields.ToList())
            {
                foreach (var (label, replacement) in Replacements(field, value!))
                {
                    yield return Case($"{field} {label}", ReplaceField(body, field, replacement));
                }
            }
        }

        foreach (var list in Lists)
        {
            foreach (var query in new[] { "pageSize=-1", "page=0", "pageSize=100000", "page=abc", "pageSize=1e3", "page=1&page=2" })
            {
                yield return new TestCaseData("GET", $"{list}?{query}", null, "application/json", null).SetName($"Hostile(GET {list}?{query})");
            }
        }
    }

    [OneTimeSetUp]
    public async Task CreateTargetsAsync()
    {
        if (Engine == DatabaseEngine.Postgres)
        {
            TestEnvironment.RequirePostgres();
        }

        var funder = await CreateAsync(Admin, "/api/funders", new { name = "Target funder", kind = "trust" });
        _ids["funderId"] = funder["id"]!.ToString();
        var grant = await CreateAsync(Admin, "/api/grants", new { funderId = (long)funder["id"]!, reference = "TARGET", title = "Target", amountAwarded = 1000m, startDate = "2026-04-01", endDate = "2027-03-31" });
        _ids["grantId"] = grant["id"]!.ToString();
        _ids["partnerId"] = (await CreatePartnerAsync()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var transaction = await CreateAsync(Admin, "/api/transactions", new { grantId = (long)grant["id"]!, date = "2026-05-01", amount = 1m, category = "staff", description = "target" });
        _ids["transactionId"] = transaction["id"]!.ToString();
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Hostile(string method, string path, string? body, string contentType, string? ifMatch)
    {
        var before = await RowCountsAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), Fill(path, _ids));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Fill(body, _ids)));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        var response = await Admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        ((int)response.StatusCode).Should().BeInRange(400, 499, text.Length > 500 ? text[..500] : text);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        (await RowCountsAsync()).Should().Equal(before);
    }

    [Test]
    public void TheSuite_HasAtLeast300Cases() => Cases().Count().Should().BeGreaterThanOrEqualTo(300);

    private static IEnumerable<(string Label, string Json)> Replacements(string field, JsonNode value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                var text = value.GetValue<string>();
                yield return ("as number", "12345");
                yield return ("as object", "{}");
                yield return ("as array", "[\"x\"]");
                yield return ("with NUL", JsonSerializer.Serialize(text + "\u0000"));
                yield return ("with BEL", JsonSerializer.Serialize("\u0007" + text));
                yield return ("lone surrogate", "\"a\\ud800b\"");
                if (LooksLikeDate(text))
                {
                    yield return ("30 February", "\"2026-02-30\"");
                    yield return ("slashes", "\"2026/04/01\"");
                    yield return ("formula", "\"=TODAY()\"");
                    yield return ("SQL", "\"2026-04-01'; DROP TABLE funder; --\"");
                }
                else if (field is "kind" or "role" or "category")
                {
                    yield return ("SQL", "\"staff' OR '1'='1\"");
                    yield return ("formula", "\"=cmd|' /C calc'!A0\"");
                }
                else if (field.Contains("mail", StringComparison.OrdinalIgnoreCase))
                {
                    yield return ("not an address", "\"=HYPERLINK(1)\"");
                }

                break;
            case JsonValueKind.Number:
                yield return ("as string", "\"12\"");
                yield return ("as object", "{}");
                yield return ("as true", "true");
                yield return ("1e400", "1e400");
                yield return ("-1e400", "-1e400");
                yield return (field.EndsWith("Id", StringComparison.Ordinal) ? "negative" : "three decimals", field.EndsWith("Id", StringComparison.Ordinal) ? "-1" : "1.005");
                yield return ("SQL", "\"1; DROP TABLE grant_award\"");
                break;
            case JsonValueKind.True or JsonValueKind.False:
                yield return ("as string", "\"yes\"");
                yield return ("as number", "1");
                break;
            case JsonValueKind.Array:
                yield return ("as object", "{}");
                yield return ("as string", "\"x\"");
                yield return ("of empty objects", "[{}]");
                yield return ("of numbers", "[1,2]");
                break;
        }
    }

    private static bool LooksLikeDate(string text) => text.Length == 10 && text[4] == '-' && text[7] == '-';

    private static string ReplaceField(string body, string field, string replacement)
    {
        // Works on the template text so placeholders survive: find "field": and the value after it.
        var key = $"\"{field}\":";
        var start = body.IndexOf(key, StringComparison.Ordinal) + key.Length;
        var depth = 0;
        var inString = false;
        var end = start;
        for (; end < body.Length; end++)
        {
            var c = body[end];
            if (inString)
            {
                if (c == '\\')
                {
                    end++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            if (c == '"')
            {
                inString = true;
            }
            else if (c is '[' or '{')
            {
                depth++;
            }
            else if (c is ']' or '}')
            {
                if (depth == 0)
                {
                    break;
                }

                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                break;
            }
        }

        return body[..start] + replacement + body[end..];
    }

    private static string Fill(string template, string value) =>
        Fill(template, new Dictionary<string, string> { ["funderId"] = value, ["grantId"] = value, ["partnerId"] = value, ["transactionId"] = value });

    private static string Fill(string template, IReadOnlyDictionary<string, string> ids)
    {
        foreach (var (name, id) in ids)
        {
            template = template.Replace("{" + name + "}", id, StringComparison.Ordinal);
        }

        return template;
    }
}
