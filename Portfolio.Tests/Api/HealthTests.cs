using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Api;

public class HealthTests
{
    [Test]
    public async Task OnANewSqliteFile_TheServiceCreatesAndMigratesTheDatabase_AndIsReady()
    {
        var file = Path.Combine(Path.GetTempPath(), "portfolio-tests", $"health-{Guid.NewGuid():N}.db");
        await using var app = new PortfolioApp(new DatabaseOptions(DatabaseEngine.Sqlite, $"Data Source={file}"), environment: "Production");
        using var client = app.CreateClient();

        var response = await client.GetAsync("/health/ready");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<ReadyBody>();
        body!.Engine.Should().Be("sqlite");
        body.Migrations.Should().Equal(Migrator.ScriptsFor(DatabaseEngine.Sqlite).Select(m => m.Id));
        File.Exists(file).Should().BeTrue();
    }

    [Test]
    public async Task StoppingAndStartingAgain_KeepsTheData()
    {
        var options = new DatabaseOptions(DatabaseEngine.Sqlite, $"Data Source={Path.Combine(Path.GetTempPath(), "portfolio-tests", $"restart-{Guid.NewGuid():N}.db")}");
        var funder = A.Funder();
        await using (var first = new PortfolioApp(options))
        {
            (await first.CreateClient().GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
            await Portfolio.Core.Operations.UnitOfWork.CommitAsync(new Database(options), s => FunderStore.InsertAsync(s, funder, A.Change()));
        }

        await using var second = new PortfolioApp(options);
        (await second.CreateClient().GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
        await using var session = await new Database(options).OpenAsync();
        var page = await FunderStore.ListAsync(session, new PageRequest());
        page.Items.Should().ContainSingle(f => f.Name == funder.Name);
    }

    [Test]
    public async Task OnAnUnmigratedPostgresInProduction_ReadyIs503_UntilTheMigrateCommandRuns()
    {
        TestEnvironment.RequirePostgres();
        var name = "unmigrated_" + Unique.Next();
        await TestEnvironment.Postgres.CreateDatabaseAsync(name);
        var options = new DatabaseOptions(DatabaseEngine.Postgres, TestEnvironment.Postgres.ConnectionString(name));
        await using var app = new PortfolioApp(options, environment: "Production");
        using var client = app.CreateClient();

        var before = await client.GetAsync("/health/ready");
        before.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        before.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await before.Content.ReadAsStringAsync()).Should().Contain("0001_initial").And.Contain("migrate");

        var output = await RunApiAsync(["migrate"], new()
        {
            ["Portfolio__Database__Engine"] = "postgres",
            ["ConnectionStrings__Portfolio"] = options.ConnectionString,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        });
        output.Should().Contain("Applied to the postgres database: 0001_initial");

        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await RunApiAsync(["migrate"], new()
        {
            ["Portfolio__Database__Engine"] = "postgres",
            ["ConnectionStrings__Portfolio"] = options.ConnectionString,
        })).Should().Contain("up to date");
    }

    [Test]
    public async Task WhenThePostgresDatabaseCannotBeReached_ReadyIs503()
    {
        TestEnvironment.RequirePostgres();
        var options = new DatabaseOptions(DatabaseEngine.Postgres, TestEnvironment.Postgres.ConnectionString("no_such_database_" + Unique.Next()));
        await using var app = new PortfolioApp(options, environment: "Production");

        var response = await app.CreateClient().GetAsync("/health/ready");

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadAsStringAsync()).Should().Contain("Database unavailable");
    }

    /// <summary>Runs the built API as an operator would, with environment variables, and returns what it printed.</summary>
    private static async Task<string> RunApiAsync(string[] arguments, Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Portfolio.Api.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.Should().Be(0, error);
        return output;
    }

    private sealed record ReadyBody(string Status, string Engine, List<string> Migrations);
}
