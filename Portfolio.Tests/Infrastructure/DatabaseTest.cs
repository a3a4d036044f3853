using Portfolio.Core.Data;

namespace Portfolio.Tests.Infrastructure;

/// <summary>The engines every data test runs on.</summary>
public static class Engines
{
    public static readonly DatabaseEngine[] Real = [DatabaseEngine.Sqlite, DatabaseEngine.Postgres];
}

/// <summary>
/// A data test closed once per engine: each fixture gets its own freshly migrated database.
/// Tests within a fixture share it, so they use unique values from <see cref="Unique"/>.
/// </summary>
[TestFixtureSource(typeof(Engines), nameof(Engines.Real))]
public abstract class DatabaseTest(DatabaseEngine engine)
{
    protected DatabaseEngine Engine { get; } = engine;

    protected Database Database { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync()
    {
        Database = new Database(await TestEnvironment.CreateDatabaseAsync(Engine));
    }

    [SetUp]
    public void RequireEngine()
    {
        if (Engine == DatabaseEngine.Postgres)
        {
            TestEnvironment.RequirePostgres();
        }
    }

    protected Task<DbSession> OpenAsync() => Database.OpenAsync();
}

/// <summary>Unique values per call, so tests that share a database never collide.</summary>
public static class Unique
{
    private static long _counter = DateTime.UtcNow.Ticks % 1_000_000;

    public static long Next() => Interlocked.Increment(ref _counter);

    public static string Text(string prefix) => $"{prefix}-{Next()}";
}
