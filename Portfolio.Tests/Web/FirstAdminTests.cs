using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Web;

/// <summary>
/// Outside Development, the first person comes from the bootstrap: with <c>Portfolio:BootstrapAdminEmail</c> and no
/// users, an admin is invited at start and the one-time link written to a file only the service can read; setting a
/// password through it signs them in as admin. A restart invites nobody else.
/// </summary>
public sealed class FirstAdminTests
{
    [TestCase(DatabaseEngine.Sqlite)]
    [TestCase(DatabaseEngine.Postgres)]
    public async Task TheFirstAdmin_IsInvitedAtStart_AndSetsAPasswordThroughTheLinkInTheFile(DatabaseEngine engine)
    {
        var database = await TestEnvironment.CreateDatabaseAsync(engine);
        var linkFile = Path.Combine(Path.GetTempPath(), $"portfolio-first-admin-{Guid.NewGuid():N}.txt");
        var settings = new Dictionary<string, string?>
        {
            ["Portfolio:SeedDemo"] = "false",
            ["Portfolio:BootstrapAdminEmail"] = "Head.Of.Finance@Partnership.example",
            ["Portfolio:BootstrapAdminName"] = "Hana Head",
            ["Portfolio:BootstrapLinkFile"] = linkFile,
            ["Portfolio:PublicBaseUrl"] = "https://localhost",
        };
        try
        {
            await using (var app = new PortfolioApp(database, settings: settings))
            {
                using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = true, HandleCookies = true, BaseAddress = new Uri("https://localhost") });
                var link = new Uri((await File.ReadAllTextAsync(linkFile)).Trim());
                link.AbsolutePath.Should().Be("/set-password");
                if (!OperatingSystem.IsWindows())
                {
                    File.GetUnixFileMode(linkFile).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, "only the service user may read the link");
                }

                var form = await (await browser.GetAsync(link.PathAndQuery)).Content.ReadAsStringAsync();
                var set = await browser.PostAsync("/set-password", new FormUrlEncodedContent(
                [
                    new("__RequestVerificationToken", Documents.AntiforgeryToken(form)), new("token", Uri.UnescapeDataString(link.Query["?token=".Length..])),
                    new("password", "the first admin's password"), new("confirmPassword", "the first admin's password"),
                ]));
                set.StatusCode.Should().Be(HttpStatusCode.OK);
                (await set.Content.ReadAsStringAsync()).Should().Contain("Hana Head (admin)");
                (await browser.GetAsync("/admin/users")).StatusCode.Should().Be(HttpStatusCode.OK, "the first person is an admin");
            }

            File.Delete(linkFile);
            await using (var restarted = new PortfolioApp(database, settings: settings))
            {
                using var client = restarted.CreateClient();
                (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
                File.Exists(linkFile).Should().BeFalse("once anyone exists, no one else is invited at start");
            }
        }
        finally
        {
            File.Delete(linkFile);
        }
    }
}
