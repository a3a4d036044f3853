using System.Data.Common;
using Dapper;

namespace Portfolio.Core.Data;

/// <summary>
/// An open connection and, optionally, its transaction. This is the only place that calls Dapper,
/// and it takes <see cref="Sql"/> statements, never strings, so every statement the service runs is
/// declared where the SQL Server syntax check can find it.
/// </summary>
public sealed class DbSession : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private DbTransaction? _transaction;
    private HashSet<long>? _lockedGrants;
    private readonly Database _database;

    internal DbSession(DbConnection connection, DatabaseEngine engine, Database database)
    {
        _connection = connection;
        Engine = engine;
        _database = database;
    }

    public DatabaseEngine Engine { get; }

    public bool InTransaction => _transaction is not null;

    public async Task BeginAsync(CancellationToken cancellationToken = default)
    {
        if (_transaction is not null)
        {
            throw new InvalidOperationException("A transaction is already open on this session.");
        }

        _database.Observer?.Invoke("BEGIN");
        _transaction = await _connection.BeginTransactionAsync(cancellationToken);
    }

    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        if (_transaction is null)
        {
            throw new InvalidOperationException("No transaction is open on this session.");
        }

        _database.Observer?.Invoke("COMMIT");
        await _transaction.CommitAsync(cancellationToken);
        await _transaction.DisposeAsync();
        _transaction = null;
        _lockedGrants = null;
    }

    public async Task RollbackAsync(CancellationToken cancellationToken = default)
    {
        if (_transaction is null)
        {
            return;
        }

        await _transaction.RollbackAsync(cancellationToken);
        await _transaction.DisposeAsync();
        _transaction = null;
        _lockedGrants = null;
    }

    public Task<IEnumerable<T>> QueryAsync<T>(Sql sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        _connection.QueryAsync<T>(Command(sql, parameters, cancellationToken));

    public Task<T?> QuerySingleOrDefaultAsync<T>(Sql sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        _connection.QuerySingleOrDefaultAsync<T>(Command(sql, parameters, cancellationToken));

    public Task<T> QuerySingleAsync<T>(Sql sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        _connection.QuerySingleAsync<T>(Command(sql, parameters, cancellationToken));

    /// <summary>
    /// A <see cref="Sql.Batch"/> of four queries in one round trip: the first's single row (or default) and the
    /// other three's rows, in the order the batch names them.
    /// </summary>
    public async Task<(T1? First, IReadOnlyList<T2> Second, IReadOnlyList<T3> Third, IReadOnlyList<T4> Fourth)> QueryBatchAsync<T1, T2, T3, T4>(
        Sql batch, object? parameters = null, CancellationToken cancellationToken = default)
    {
        await using var grid = await _connection.QueryMultipleAsync(Command(batch, parameters, cancellationToken));
        var first = await grid.ReadSingleOrDefaultAsync<T1>();
        var second = (await grid.ReadAsync<T2>()).ToList();
        var third = (await grid.ReadAsync<T3>()).ToList();
        var fourth = (await grid.ReadAsync<T4>()).ToList();
        return (first, second, third, fourth);
    }

    /// <summary>Runs a statement; one an engine does not need (empty text, such as a lock SQLite takes anyway) is skipped.</summary>
    public Task<int> ExecuteAsync(Sql sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        sql.For(Engine).Length == 0 ? Task.FromResult(0) : _connection.ExecuteAsync(Command(sql, parameters, cancellationToken));

    /// <summary>
    /// Records that this transaction holds the grant's row lock (it lasts until commit or rollback); false when it
    /// already did, so a second lock in the same transaction can be skipped.
    /// </summary>
    internal bool NoteGrantLocked(long grantId) => InTransaction && (_lockedGrants ??= []).Add(grantId);

    internal bool HoldsGrantLock(long grantId) => _lockedGrants?.Contains(grantId) == true;

    public Task<T?> ExecuteScalarAsync<T>(Sql sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        _connection.ExecuteScalarAsync<T>(Command(sql, parameters, cancellationToken));

    /// <summary>Runs a migration script (already split into batches by the migrator).</summary>
    internal Task<int> ExecuteScriptAsync(string script, CancellationToken cancellationToken) =>
        _connection.ExecuteAsync(new CommandDefinition(script, transaction: _transaction, commandTimeout: 300, cancellationToken: cancellationToken));

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
            _transaction = null;
        }

        await _connection.DisposeAsync();
    }

    private CommandDefinition Command(Sql sql, object? parameters, CancellationToken cancellationToken)
    {
        var text = sql.For(Engine);
        _database.Observer?.Invoke(text);
        return new(text, parameters, _transaction, cancellationToken: cancellationToken);
    }
}
