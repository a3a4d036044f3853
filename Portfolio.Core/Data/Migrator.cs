using System.Reflection;
using System.Text.RegularExpressions;

namespace Portfolio.Core.Data;

/// <summary>
/// Applies the numbered <c>db/&lt;engine&gt;/*.sql</c> scripts embedded in this assembly, in order, once each,
/// each in its own transaction, journalled in <c>schema_migration</c>. A lock held for the whole run
/// keeps two processes starting together from applying the same script twice.
/// </summary>
public sealed partial class Migrator(Database database)
{
    internal static readonly Sql CreateJournal = new(
        Sqlite: "CREATE TABLE IF NOT EXISTS schema_migration (id TEXT NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL)",
        Postgres: "CREATE TABLE IF NOT EXISTS schema_migration (id text NOT NULL PRIMARY KEY, applied_at timestamptz NOT NULL)",
        SqlServer: "IF OBJECT_ID(N'dbo.schema_migration', N'U') IS NULL CREATE TABLE dbo.schema_migration (id nvarchar(200) NOT NULL PRIMARY KEY, applied_at datetime2(7) NOT NULL)");

    internal static readonly Sql AcquireLock = new(
        Sqlite: "SELECT 1",
        Postgres: "SELECT pg_advisory_lock(7265701)",
        SqlServer: "EXEC sp_getapplock @Resource = N'portfolio-migrations', @LockMode = N'Exclusive', @LockOwner = N'Session', @LockTimeout = 120000");

    internal static readonly Sql ReleaseLock = new(
        Sqlite: "SELECT 1",
        Postgres: "SELECT pg_advisory_unlock(7265701)",
        SqlServer: "EXEC sp_releaseapplock @Resource = N'portfolio-migrations', @LockOwner = N'Session'");

    // SQLite cannot alter a constraint in place: a script may rebuild a table (create, copy, drop, rename), which is
    // only safe with foreign keys off. They are switched off around each SQLite script and checked before it commits.
    internal static readonly Sql ForeignKeysOff = new(Sqlite: "PRAGMA foreign_keys = OFF", Postgres: "SELECT 1", SqlServer: "SELECT 1");

    internal static readonly Sql ForeignKeysOn = new(Sqlite: "PRAGMA foreign_keys = ON", Postgres: "SELECT 1", SqlServer: "SELECT 1");

    internal static readonly Sql ForeignKeyViolations = new(
        Sqlite: "SELECT COUNT(*) FROM pragma_foreign_key_check",
        Postgres: "SELECT 0",
        SqlServer: "SELECT 0");

    internal static readonly Sql AppliedIds = Sql.Common("SELECT id FROM schema_migration ORDER BY id");

    internal static readonly Sql RecordApplied = Sql.Common("INSERT INTO schema_migration (id, applied_at) VALUES (@Id, @AppliedAt)");

    /// <summary>The scripts for one engine, in the order they apply.</summary>
    public static IReadOnlyList<Migration> ScriptsFor(DatabaseEngine engine)
    {
        var prefix = $"db/{engine.MigrationFolder()}/";
        var assembly = typeof(Migrator).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name => new Migration(Path.GetFileNameWithoutExtension(name[prefix.Length..]), ReadResource(assembly, name)))
            .ToList();
    }

    /// <summary>Applies what has not been applied; returns the ids applied by this call.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var scripts = ScriptsFor(database.Engine);
        if (scripts.Count == 0)
        {
            throw new InvalidOperationException($"No migrations are embedded for {database.Engine.ToCode()}.");
        }

        await using var session = await database.OpenAsync(cancellationToken);
        await session.ExecuteAsync(AcquireLock, cancellationToken: cancellationToken);
        try
        {
            await session.ExecuteAsync(CreateJournal, cancellationToken: cancellationToken);
            var applied = new List<string>();
            foreach (var script in scripts)
            {
                await session.ExecuteAsync(ForeignKeysOff, cancellationToken: cancellationToken);
                var wasApplied = await Operations.UnitOfWork.CommitInAsync(session, async session =>
                {
                    var done = (await session.QueryAsync<string>(AppliedIds, cancellationToken: cancellationToken)).ToHashSet(StringComparer.Ordinal);
                    if (done.Contains(script.Id))
                    {
                        return false;
                    }

                    foreach (var batch in Batches(script.Text))
                    {
                        await session.ExecuteScriptAsync(batch, cancellationToken);
                    }

                    var violations = await session.ExecuteScalarAsync<long>(ForeignKeyViolations, cancellationToken: cancellationToken);
                    if (violations > 0)
                    {
                        throw new InvalidOperationException($"Migration {script.Id} would leave {violations} foreign key violation(s); nothing was applied.");
                    }

                    await session.ExecuteAsync(RecordApplied, new { script.Id, AppliedAt = DateTime.UtcNow }, cancellationToken);
                    return true;
                }, cancellationToken);
                await session.ExecuteAsync(ForeignKeysOn, cancellationToken: cancellationToken);
                if (wasApplied)
                {
                    applied.Add(script.Id);
                }
            }

            return applied;
        }
        finally
        {
            await session.ExecuteAsync(ForeignKeysOn, cancellationToken: CancellationToken.None);
            await session.ExecuteAsync(ReleaseLock, cancellationToken: CancellationToken.None);
        }
    }

    public async Task<IReadOnlyList<string>> AppliedAsync(CancellationToken cancellationToken = default)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        await session.ExecuteAsync(CreateJournal, cancellationToken: cancellationToken);
        return (await session.QueryAsync<string>(AppliedIds, cancellationToken: cancellationToken)).ToList();
    }

    /// <summary>Splits a script on lines holding only <c>GO</c> (the SQL Server batch separator).</summary>
    public static IEnumerable<string> Batches(string script) =>
        GoSeparator().Split(script).Where(batch => !string.IsNullOrWhiteSpace(batch));

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Missing embedded migration {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^\s*GO\s*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex GoSeparator();
}

public sealed record Migration(string Id, string Text);
