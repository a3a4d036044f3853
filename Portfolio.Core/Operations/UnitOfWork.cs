using System.Data.Common;
using Portfolio.Core.Data;

namespace Portfolio.Core.Operations;

/// <summary>
/// The one place that begins and commits a transaction. Two entry points: <see cref="RunAsync{T}"/>, where the
/// outcome decides (committed when the operation succeeds, rolled back when it is refused, so a refused operation
/// changes nothing), for everything a person or a caller asks for; and <see cref="CommitAsync{T}"/>, where an
/// exception decides (committed unless the work throws), for jobs and start-up work that has no refusals. Both roll
/// back on an exception. Races the database settles (a unique value taken, a referenced record deleted, a deadlock)
/// become conflicts for an operation, never errors.
/// </summary>
public static class UnitOfWork
{
    public static async Task<Outcome<T>> RunAsync<T>(Database database, Func<DbSession, Task<Outcome<T>>> work, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var session = await database.OpenAsync(cancellationToken);
            return await RunInAsync(session, work, cancellationToken);
        }
        catch (DbException ex) when (RaceRefusal(ex) is { } refusal)
        {
            return refusal;
        }
    }

    /// <summary>As <see cref="RunAsync{T}"/> on a session the caller opened (and may use before and after).</summary>
    public static Task<Outcome<T>> RunInAsync<T>(DbSession session, Func<DbSession, Task<Outcome<T>>> work, CancellationToken cancellationToken = default) =>
        InTransactionAsync(session, work, outcome => outcome.Succeeded, cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one transaction on a connection of its own, committed unless it throws.</summary>
    public static async Task<T> CommitAsync<T>(Database database, Func<DbSession, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        return await CommitInAsync(session, work, cancellationToken);
    }

    /// <summary>As <see cref="CommitAsync{T}"/> for work with no result.</summary>
    public static async Task CommitAsync(Database database, Func<DbSession, Task> work, CancellationToken cancellationToken = default)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        await CommitInAsync(session, work, cancellationToken);
    }

    /// <summary>As <see cref="CommitAsync{T}"/> on a session the caller opened (and may use before and after).</summary>
    public static Task<T> CommitInAsync<T>(DbSession session, Func<DbSession, Task<T>> work, CancellationToken cancellationToken = default) =>
        InTransactionAsync(session, work, _ => true, cancellationToken);

    /// <summary>As <see cref="CommitInAsync{T}"/> for work with no result.</summary>
    public static Task CommitInAsync(DbSession session, Func<DbSession, Task> work, CancellationToken cancellationToken = default) =>
        InTransactionAsync(session, async s => { await work(s); return true; }, _ => true, cancellationToken);

    private static async Task<T> InTransactionAsync<T>(DbSession session, Func<DbSession, Task<T>> work, Func<T, bool> keep, CancellationToken cancellationToken)
    {
        await session.BeginAsync(cancellationToken);
        try
        {
            var result = await work(session);
            if (keep(result))
            {
                await session.CommitAsync(cancellationToken);
            }
            else
            {
                await session.RollbackAsync(cancellationToken);
            }

            return result;
        }
        catch
        {
            await session.RollbackAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// What an operation would refuse, without writing: it runs in a transaction that is always rolled back. For a
    /// form with fields that could not be read, so it hears Core's refusals of the other fields in the same answer.
    /// </summary>
    public static async Task<Refusal?> RefusalOfAsync<T>(Database database, Func<DbSession, Task<Outcome<T>>> work, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var session = await database.OpenAsync(cancellationToken);
            return (await InTransactionAsync(session, work, _ => false, cancellationToken)).Refused;
        }
        catch (DbException ex) when (RaceRefusal(ex) is { } refusal)
        {
            return refusal;
        }
    }

    /// <summary>The conflict a database error stands for when it is a race between writers, or null.</summary>
    public static Conflict? RaceRefusal(DbException exception) =>
        DbErrors.IsUniqueViolation(exception)
            ? new Conflict("Another record already holds one of these unique values (it may have been created at the same moment). Nothing was changed.")
            : DbErrors.IsForeignKeyViolation(exception)
                ? new Conflict("A record this change refers to was deleted at the same moment, or is still referred to by another. Nothing was changed.")
                : DbErrors.IsDeadlock(exception)
                    ? new Conflict("The change met another change to the same records at the same moment. Nothing was changed; try again.")
                    : null;
}
