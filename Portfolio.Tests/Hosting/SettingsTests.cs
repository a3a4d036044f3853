using Microsoft.Extensions.Configuration;
using Portfolio.Core.Data;
using Portfolio.Jobs.Email;
using Portfolio.Jobs.Hosting;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Hosting;

/// <summary>Settings are read and checked at start: a bad one stops the start, naming it, never a silent default.</summary>
public class SettingsTests
{
    private static IConfiguration Config(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Test]
    public void EveryBadSettingOfAConcern_IsNamedAtOnce()
    {
        var act = () => EmailOptions.FromConfiguration(Config(new()
        {
            ["Portfolio:Email:Mode"] = "Smtp",
            ["Portfolio:Email:Smtp:Port"] = "25x",
            ["Portfolio:Email:Smtp:Security"] = "Tls",
            ["Portfolio:Email:From"] = "not an address",
        }));

        var problems = act.Should().Throw<InvalidSettingsException>().Which.Problems;
        problems.Should().HaveCount(3);
        problems.Should().Contain(p => p.StartsWith("Portfolio:Email:Smtp:Port is '25x'", StringComparison.Ordinal) && p.Contains("from 1 to 65535"));
        problems.Should().Contain(p => p.StartsWith("Portfolio:Email:Smtp:Security is 'Tls'", StringComparison.Ordinal) && p.Contains("StartTls"));
        problems.Should().Contain(p => p.StartsWith("Portfolio:Email:From", StringComparison.Ordinal));
    }

    [Test]
    public void GoodSettings_AreRead_AndAbsentOnesTakeTheirDefaults()
    {
        var email = EmailOptions.FromConfiguration(Config(new() { ["Portfolio:Email:Mode"] = "smtp", ["Portfolio:Email:Smtp:Port"] = "2525", ["Portfolio:Email:Smtp:Security"] = "StartTls" }));
        email.Should().Match<EmailOptions>(e => e.Mode == EmailMode.Smtp && e.SmtpPort == 2525 && e.SmtpSecurity == MailKit.Security.SecureSocketOptions.StartTls && e.SmtpHost == "localhost");

        var jobs = JobsHosting.ReadOptions(Config(new() { ["Portfolio:Jobs:Schedule:Cron"] = "30 7 * * 1-5", ["Portfolio:Jobs:Delivery:RetryDelaysSeconds"] = "5, 10" }));
        jobs.ScheduleCron.Should().Be("30 7 * * 1-5");
        jobs.ScheduleTimeZone.Id.Should().Be("Europe/London");
        jobs.RetryDelaysSeconds.Should().Equal(5, 10);
        jobs.WorkerCount.Should().Be(4);
    }

    [TestCase("Portfolio:Jobs:Schedule:Cron", "every morning", "five-field cron")]
    [TestCase("Portfolio:Jobs:Schedule:TimeZone", "Europe/Londn", "time zone")]
    [TestCase("Portfolio:Jobs:Delivery:RetryDelaysSeconds", "30,soon", "comma-separated")]
    [TestCase("Portfolio:Jobs:WorkerCount", "0", "from 1 to 64")]
    [TestCase("Portfolio:Email:Smtp:Port", "70000", "from 1 to 65535")]
    [TestCase("Portfolio:Email:Mode", "Carrier pigeon", "Pickup, Smtp")]
    [TestCase("Portfolio:Database:Engine", "mysql", "sqlite, postgres")]
    [TestCase("Portfolio:RateLimit:TrustedProxies:0", "the load balancer", "IP address")]
    [TestCase("Portfolio:RateLimit:Burst", "-1", "from 1 to")]
    [TestCase("Portfolio:Cors:AllowedOrigins:0", "https://dashboard.example/path", "must be an origin")]
    [TestCase("Portfolio:Auth:Jwt:ClockSkewSeconds", "600", "from 0 to 30")]
    [TestCase("Portfolio:Auth:Jwt:SigningKey", "c2hvcnQ=", "at least 32 random bytes")]
    [TestCase("Portfolio:Auth:Jwt:Authority", "http://login.example", "https://")]
    [TestCase("Portfolio:Auth:Oidc:Authority", "http://login.example", "https://")]
    [TestCase("Portfolio:Auth:Oidc:ClientId", "", "required when Authority is set")]
    [TestCase("Portfolio:SeedDemo", "yes", "true or false")]
    [TestCase("Portfolio:Burn:RagRedPercent", "5", "at least RagAmberPercent")]
    public async Task ABadSetting_StopsTheStart_NamingIt(string key, string value, string expected)
    {
        var database = await TestEnvironment.CreateDatabaseAsync(DatabaseEngine.Sqlite);
        var settings = new Dictionary<string, string?> { ["Portfolio:BootstrapAdminKey"] = ApiTest.BootstrapKey, [key] = value };
        if (key.StartsWith("Portfolio:Auth:Oidc:", StringComparison.Ordinal))
        {
            settings.TryAdd("Portfolio:Auth:Oidc:Authority", "https://login.example/tenant/v2.0");
            settings["Portfolio:Auth:Oidc:ClientSecret"] = "secret";
        }

        if (key.StartsWith("Portfolio:Auth:Jwt:", StringComparison.Ordinal))
        {
            settings["Portfolio:Auth:Jwt:Audience"] = "portfolio";
            settings.TryAdd("Portfolio:Auth:Jwt:SigningKey", Convert.ToBase64String(new byte[32]));
        }

        await using var app = new PortfolioApp(database, settings: settings);
        var act = () => app.CreateClient();

        var messages = Messages(act.Should().Throw<Exception>().Which);
        var name = key.EndsWith(":0", StringComparison.Ordinal) ? key[..^2] : key;
        messages.Should().Contain(name).And.Contain(expected);
    }

    [Test]
    public async Task BadSettingsOfSeveralConcerns_AreNamedInOneMessage()
    {
        var database = await TestEnvironment.CreateDatabaseAsync(DatabaseEngine.Sqlite);
        await using var app = new PortfolioApp(database, settings: new Dictionary<string, string?>
        {
            ["Portfolio:Email:Smtp:Port"] = "25x",
            ["Portfolio:Jobs:Schedule:TimeZone"] = "Europe/Londn",
            ["Portfolio:RateLimit:Burst"] = "many",
        });
        var act = () => app.CreateClient();

        var messages = Messages(act.Should().Throw<Exception>().Which);
        messages.Should().Contain("Portfolio:Email:Smtp:Port").And.Contain("Portfolio:Jobs:Schedule:TimeZone").And.Contain("Portfolio:RateLimit:Burst");
    }

    private static string Messages(Exception exception)
    {
        var all = new List<string>();
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            all.Add(e.Message);
        }

        return string.Join("\n", all);
    }
}
