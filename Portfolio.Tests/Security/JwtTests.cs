using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Security;

/// <summary>JWT bearer sign-in, with tokens signed by a key the test makes; at most 30 seconds of clock skew.</summary>
public class JwtTests
{
    private static readonly byte[] SigningKey = RandomNumberGenerator.GetBytes(32);

    [Test]
    public async Task ATokenWithARole_IsAcceptedAndAudited_AndBadTokensAreRefused()
    {
        var options = await TestEnvironment.CreateDatabaseAsync(DatabaseEngine.Sqlite);
        await using var app = new PortfolioApp(options, settings: new Dictionary<string, string?>
        {
            ["Portfolio:SeedDemo"] = "false",
            ["Portfolio:BootstrapAdminKey"] = ApiTest.BootstrapKey,
            ["Portfolio:Auth:Jwt:Issuer"] = "https://login.partnership.example",
            ["Portfolio:Auth:Jwt:Audience"] = "portfolio",
            ["Portfolio:Auth:Jwt:SigningKey"] = Convert.ToBase64String(SigningKey),
            ["Portfolio:Auth:Jwt:ClockSkewSeconds"] = "30",
        });
        using var client = app.CreateClient();

        async Task<HttpStatusCode> Post(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/funders") { Content = JsonContent.Create(new { name = "Funder " + Guid.NewGuid(), kind = "trust" }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return (await client.SendAsync(request)).StatusCode;
        }

        (await Post(Token("finance"))).Should().Be(HttpStatusCode.Created);
        (await Post(Token("viewer"))).Should().Be(HttpStatusCode.Forbidden);
        (await Post(Token("finance", expiresIn: TimeSpan.FromSeconds(-20)))).Should().Be(HttpStatusCode.Created, "20 s past expiry is within the 30 s skew");
        (await Post(Token("finance", expiresIn: TimeSpan.FromSeconds(-45)))).Should().Be(HttpStatusCode.Unauthorized, "the skew is 30 s at most (a higher setting stops the start: SettingsTests)");
        (await Post(Token("finance", key: RandomNumberGenerator.GetBytes(32)))).Should().Be(HttpStatusCode.Unauthorized);
        (await Post(Token("finance", audience: "someone-else"))).Should().Be(HttpStatusCode.Unauthorized);
        (await Post(Token("finance", issuer: "https://evil.example"))).Should().Be(HttpStatusCode.Unauthorized);
        (await Post("not-a-token")).Should().Be(HttpStatusCode.Unauthorized);

        client.DefaultRequestHeaders.Add("X-Api-Key", ApiTest.BootstrapKey);
        var audit = await client.GetFromJsonAsync<JsonObject>("/api/audit?entity=funder");
        audit!["items"]!.AsArray().Select(e => e!["actor"]!.GetValue<string>()).Should().Contain("jwt:alice@partnership.example");
    }

    private static string Token(string role, TimeSpan? expiresIn = null, byte[]? key = null, string audience = "portfolio", string issuer = "https://login.partnership.example")
    {
        var now = DateTime.UtcNow;
        var expires = now + (expiresIn ?? TimeSpan.FromMinutes(10));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", "alice@partnership.example"), new Claim("role", role)]),
            NotBefore = expires.AddMinutes(-20),
            IssuedAt = expires.AddMinutes(-20),
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? SigningKey), SecurityAlgorithms.HmacSha256),
        });
    }
}
