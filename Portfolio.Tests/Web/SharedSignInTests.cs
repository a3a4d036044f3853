using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Web;

/// <summary>
/// Two instances of the service on one database, as behind a load balancer: the set-password form is read from
/// one and posted to the other (its anti-forgery token honoured), and the sign-in cookie the second issues opens
/// pages on the first. Both hold their Data Protection keys in the database, so they share one key ring.
/// </summary>
public sealed class SharedSignInTests(DatabaseEngine engine) : ApiTest(engine)
{
    [Test]
    public async Task ASessionStartedOnOneInstance_IsHonouredByAnother()
    {
        await using var second = new PortfolioApp(Database.Options, settings: new Dictionary<string, string?> { ["Portfolio:SeedDemo"] = "false" });
        using var one = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("https://localhost") });
        using var two = second.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("https://localhost") });
        var cookies = new Dictionary<string, string>();

        var invited = await Admin.PostAsJsonAsync("/api/users", new { email = $"{Unique.Text("shared")}@example.org".ToLowerInvariant(), name = "Shared Session", role = "viewer" });
        invited.StatusCode.Should().Be(HttpStatusCode.Created);
        var link = new Uri((await invited.Content.ReadFromJsonAsync<JsonObject>())!["setPasswordUrl"]!.GetValue<string>());

        using var form = await SendAsync(one, HttpMethod.Get, link.PathAndQuery, cookies);
        form.StatusCode.Should().Be(HttpStatusCode.OK);
        var token = Documents.AntiforgeryToken(await form.Content.ReadAsStringAsync());
        using var set = await SendAsync(two, HttpMethod.Post, "/set-password", cookies, new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", token), new("token", Uri.UnescapeDataString(link.Query["?token=".Length..])),
            new("password", "a shared session password"), new("confirmPassword", "a shared session password"),
        ]));
        set.StatusCode.Should().Be(HttpStatusCode.Redirect, "the second instance honours the first's anti-forgery token and signs the person in");
        set.Headers.Location!.OriginalString.Should().Be("/");
        cookies.Should().ContainKey("portfolio");

        using var dashboard = await SendAsync(one, HttpMethod.Get, "/", cookies);
        dashboard.StatusCode.Should().Be(HttpStatusCode.OK, "the first instance honours the second's sign-in cookie");
        (await dashboard.Content.ReadAsStringAsync()).Should().Contain("Shared Session (viewer)");

        await using var session = await Database.OpenAsync();
        (await session.ExecuteScalarAsync<long>(KeyCount)).Should().BeGreaterThan(0, "the key ring is in the database");
    }

    private static readonly Sql KeyCount = Sql.Common("SELECT COUNT(*) FROM data_protection_key");

    /// <summary>Sends with the cookies held so far, and keeps the ones the answer sets (as a browser would).</summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, Dictionary<string, string> cookies, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        var response = await client.SendAsync(request);
        foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
        {
            var pair = header.Split(';')[0];
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            cookies[pair[..at]] = pair[(at + 1)..];
        }

        return response;
    }
}
