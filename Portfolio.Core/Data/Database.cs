using System.Data;
using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Portfolio.Core.Data;

/// <summary>The connection factory: opens sessions on the configured engine.</summary>
public sealed class Database
{
    private readonly string _connectionString;
    private int _walSet;

    /// <summary>The native SQLite connections (kept open by the pool) whose <c>synchronous</c> is already set.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> SqlitePrepared = [];

    public Database(DatabaseOptions options)
    {
        TypeHandlers.Register();
        Options = options;
        _connectionString = options.Engine switch
        {
            DatabaseEngine.Sqlite => PrepareSqlite(options.ConnectionString),
            // No DISCARD ALL each time a pooled connection is returned: a round trip per session saved. Sessions set
            // no session state (the migrations' advisory lock is released in a finally), so there is nothing to reset.
            DatabaseEngine.Postgres => new NpgsqlConnectionStringBuilder(options.ConnectionString) { NoResetOnClose = true }.ToString(),
            _ => options.ConnectionString,
        };
    }

    public DatabaseOptions Options { get; }

    public DatabaseEngine Engine => Options.Engine;

    /// <summary>
    /// Told of each statement a session of this database runs (its SQL), and of each begin and commit: for tests that
    /// count a write's round trips, so a change that adds one is seen. Null, the default, costs nothing.
    /// </summary>
    public Action<string>? Observer { get; set; }

    public async Task<DbSession> OpenAsync(CancellationToken cancellationToken = default)
    {
        DbConnection connection = Engine switch
        {
            DatabaseEngine.Sqlite => new SqliteConnection(_connectionString),
            DatabaseEngine.Postgres => new NpgsqlConnection(_connectionString),
            DatabaseEngine.SqlServer => new SqlConnection(_connectionString),
            _ => throw new ArgumentOutOfRangeException(nameof(Engine), Engine, null),
        };

        try
        {
            await connection.OpenAsync(cancellationToken);
            if (Engine == DatabaseEngine.Sqlite && SqlitePrepared.TryAdd(((SqliteConnection)connection).Handle!, true))
            {
                // WAL is a property of the file: set once per process. synchronous is per native connection, which the
                // pool keeps open: set once for each (a statement saved on every later session).
                await using var pragma = connection.CreateCommand();
                pragma.CommandText = Interlocked.Exchange(ref _walSet, 1) == 0
                    ? "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                    : "PRAGMA synchronous = NORMAL;";
                await pragma.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return new DbSession(connection, Engine, this);
    }

    private static string PrepareSqlite(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            ForeignKeys = true,
            DefaultTimeout = 30,
            Pooling = true,
        };
        var dataSource = builder.DataSource;
        if (!string.IsNullOrEmpty(dataSource)
            && !dataSource.Equals(":memory:", StringComparison.OrdinalIgnoreCase)
            && builder.Mode != SqliteOpenMode.Memory)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }

        return builder.ToString();
    }
}
