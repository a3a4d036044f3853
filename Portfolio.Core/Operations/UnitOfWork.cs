using System.Data.Common;
using Portfolio.Core.Data;

namespace Portfolio.Core.Operations;

/// <summary>
/// Runs an operation in one transaction on one connection: committed when it succeeds, rolled back when it is
/// refused or throws, so a refused operation changes nothing. Races the database settles (a unique value taken,
/// a referenced record deleted, a deadlock) become conflicts, never errors.
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
    public static async Task<Outcome<T>> RunInAsync<T>(DbSession session, Func<DbSession, Task<Outcome<T>>> work, CancellationToken cancellationToken = default)
    {
        await session.BeginAsync(cancellationToken);
        try
        {
            var outcome = await work(session);
            if (outcome.Succeeded)
            {
                await session.CommitAsync(cancellationToken);
            }
            else
            {
                await session.RollbackAsync(cancellationToken);
            }

            return outcome;
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
            await session.BeginAsync(cancellationToken);
            try
            {
                return (await work(session)).Refused;
            }
            finally
            {
                await session.RollbackAsync(CancellationToken.None);
            }
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
