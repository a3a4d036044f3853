using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Api;

/// <summary>
/// <c>docs/configuration.md</c> cannot drift from the code: the service is started with every optional feature on
/// (JWT, OpenID Connect, SMTP, a public address); the settings it asks for (recorded by <see cref="Portfolio.Jobs.Hosting.Settings.Asked"/>
/// and by a configuration source that notes each key asked of it) and the settings the table lists must be the same.
/// </summary>
public sealed partial class ConfigurationDocTests
{
    [Test]
    public async Task EverySettingTheServiceReads_IsInTheConfigurationTable_AndTheTableListsNothingElse()
    {
        var asked = new ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        var options = await TestEnvironment.CreateDatabaseAsync(DatabaseEngine.Sqlite);
        var settings = new Dictionary<string, string?>
        {
            ["Portfolio:Auth:Jwt:Issuer"] = "https://issuer.example",
            ["Portfolio:Auth:Jwt:SigningKey"] = Convert.ToBase64String(new byte[32]),
            ["Portfolio:Auth:Jwt:Audience"] = "portfolio",
            ["Portfolio:Auth:Oidc:Authority"] = "https://login.example",
            ["Portfolio:Auth:Oidc:ClientId"] = "portfolio",
            ["Portfolio:Auth:Oidc:ClientSecret"] = "secret",
            ["Portfolio:Email:Mode"] = "Smtp",
            ["Portfolio:PublicBaseUrl"] = "https://portfolio.example",
            ["Portfolio:Jobs:RunInProcess"] = "false",
            ["Portfolio:BootstrapAdminEmail"] = "first.admin@partnership.example",
            ["Portfolio:BootstrapLinkFile"] = Path.Combine(Path.GetTempPath(), $"portfolio-link-{Guid.NewGuid():N}.txt"),
        };
        await using (var app = new RecordingApp(options, settings, asked))
        {
            using var client = app.CreateClient();
            (await client.GetAsync("/health/live")).EnsureSuccessStatusCode();
        }

        // What the settings readers asked for (read while the host is built), and what is read from the configuration
        // directly once it is built (the first admin's bootstrap settings), which the recording source hears.
        var read = asked.Keys.Concat(Portfolio.Jobs.Hosting.Settings.Asked).Where(k => k.StartsWith("Portfolio:", StringComparison.OrdinalIgnoreCase) || k.Equals("ConnectionStrings:Portfolio", StringComparison.OrdinalIgnoreCase))
            .Select(Generalise).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var documented = Documented(await File.ReadAllTextAsync(Path.Combine(Portfolio.Tests.Core.Data.SqlServerSyntaxTests.RepositoryRoot(), "docs", "configuration.md")));

        read.Except(documented, StringComparer.OrdinalIgnoreCase).Should().BeEmpty("every setting the service reads is in docs/configuration.md");
        documented.Except(read, StringComparer.OrdinalIgnoreCase).Should().BeEmpty("docs/configuration.md lists only settings the service reads");
    }

    /// <summary>The keys of the table's first column: "`A:B:C`, `D`" is A:B:C and A:B:D; "`X` or `Y` + `Z`" likewise.</summary>
    private static HashSet<string> Documented(string markdown)
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in markdown.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var names = Code().Matches(line.Split('|')[1]).Select(m => m.Groups[1].Value).ToList();
            var parent = names[0][..names[0].LastIndexOf(':')];
            keys.Add(names[0]);
            foreach (var name in names.Skip(1))
            {
                keys.Add($"{parent}:{name}");
            }
        }

        return keys;
    }

    /// <summary>A list's items (<c>TrustedProxies:0</c>) are the list's one setting.</summary>
    private static string Generalise(string key) => ListItem().Replace(key, "");

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Code();

    [GeneratedRegex(@":\d+$")]
    private static partial Regex ListItem();

    private sealed class RecordingApp(DatabaseOptions database, IReadOnlyDictionary<string, string?> settings, ConcurrentDictionary<string, bool> asked)
        : PortfolioApp(database, settings: settings)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureAppConfiguration(configuration => configuration.Add(new RecordingSource(asked)));
        }
    }

    /// <summary>A configuration source that holds nothing and notes every key asked of it.</summary>
    private sealed class RecordingSource(ConcurrentDictionary<string, bool> asked) : IConfigurationSource, IConfigurationProvider
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

        public bool TryGet(string key, out string? value)
        {
            asked[key] = true;
            value = null;
            return false;
        }

        public void Set(string key, string? value)
        {
        }

        public Microsoft.Extensions.Primitives.IChangeToken GetReloadToken() => new Microsoft.Extensions.Primitives.CancellationChangeToken(CancellationToken.None);

        public void Load()
        {
        }

        public IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath) => earlierKeys;
    }
}
