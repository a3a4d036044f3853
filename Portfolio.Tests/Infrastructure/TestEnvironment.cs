using Portfolio.Core.Data;

using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests;

/// <summary>
/// Starts what the whole run needs once: a PostgreSQL server, with a migrated template database that
/// each fixture copies. Where PostgreSQL cannot start its tests are ignored with the reason, unless
/// the CI variable is set, where that is a failure.
/// </summary>
[SetUpFixture]
public sealed class TestEnvironment
{
    private const string TemplateDatabase = "portfolio_template";
    private static PostgresServer? _postgres;
    private static string? _postgresUnavailable;
    private static int _databaseCounter;

    public static bool IsCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    public static PostgresServer Postgres => _postgres ?? throw new InvalidOperationException(_postgresUnavailable ?? "PostgreSQL was not started.");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var binaries = PostgresServer.FindBinaries(out var reason);
        if (binaries is null)
        {
            _postgresUnavailable = reason;
            return;
        }

        try
        {
            _postgres = await PostgresServer.StartAsync(binaries);
            await _postgres.CreateDatabaseAsync(TemplateDatabase);
            var template = new Database(new DatabaseOptions(DatabaseEngine.Postgres, _postgres.ConnectionString(TemplateDatabase)));
            await new Migrator(template).MigrateAsync();
            Npgsql.NpgsqlConnection.ClearAllPools();
        }
        catch (Exception ex)
        {
            _postgresUnavailable = "PostgreSQL could not be started: " + ex.Message;
            if (_postgres is not null)
            {
                await _postgres.DisposeAsync();
                _postgres = null;
            }
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await SharedBrowser.CloseAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    /// <summary>
    /// A new, migrated, empty database on the engine. On PostgreSQL a missing server ignores the test
    /// (fails it under CI).
    /// </summary>
    public static async Task<DatabaseOptions> CreateDatabaseAsync(DatabaseEngine engine)
    {
        var name = $"t{Environment.ProcessId}_{Interlocked.Increment(ref _databaseCounter)}";
        switch (engine)
        {
            case DatabaseEngine.Sqlite:
            {
                var directory = Path.Combine(Path.GetTempPath(), "portfolio-tests");
                Directory.CreateDirectory(directory);
                var options = new DatabaseOptions(DatabaseEngine.Sqlite, $"Data Source={Path.Combine(directory, name + ".db")}");
                await new Migrator(new Database(options)).MigrateAsync();
                return options;
            }

            case DatabaseEngine.Postgres:
            {
                RequirePostgres();
                await Postgres.CreateDatabaseAsync(name, TemplateDatabase);
                return new DatabaseOptions(DatabaseEngine.Postgres, Postgres.ConnectionString(name));
            }

            case DatabaseEngine.SqlServer:
                Assert.Ignore("SQL Server cannot run on this machine: its SQL is syntax-checked with ScriptDom instead.");
                throw new InvalidOperationException("unreachable");
            default:
                throw new ArgumentOutOfRangeException(nameof(engine), engine, null);
        }
    }

    public static void RequirePostgres()
    {
        if (_postgres is not null)
        {
            return;
        }

        var reason = _postgresUnavailable ?? "PostgreSQL was not started.";
        if (IsCi)
        {
            Assert.Fail("CI is set, so PostgreSQL tests must run: " + reason);
        }

        Assert.Ignore(reason);
    }
}
