using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Core.Operations;

/// <summary>Why: the one field of a void or a reopening.</summary>
public sealed record ReasonInput([Text(1000, Multiline = true)] string Reason);

/// <summary>A record as people see it, with its id and version (the ETag).</summary>
public sealed record Versioned<TView>(long Id, int Version, TView View);

/// <summary>
/// A kind of record with its own operations class (<c>Funders</c>, <c>Spend</c>, …): its name in messages, how one
/// is loaded and how people see it. What a record can undergo is one more interface each (<see cref="IRecordable{TInput,TView}"/>,
/// <see cref="IChangeable{TInput,TView}"/>, <see cref="IVoidable{TView}"/>, <see cref="IDeletable{TView}"/>): the API
/// and the forms map a route or a button only for a record that has the method, so spend, which is never deleted,
/// cannot be given a DELETE route (a compile error, not a run-time throw). The methods are plain static methods
/// that read top to bottom; these interfaces only name them.
/// </summary>
public interface IRecordKind<TEntity, TView>
    where TEntity : class, IVersioned
    where TView : notnull
{
    /// <summary>The record's name in messages, such as "partner agreement".</summary>
    static abstract string Entity { get; }

    static abstract Task<TEntity?> LoadAsync(DbSession session, long id, CancellationToken cancellationToken);

    static abstract TView View(TEntity entity);
}

/// <summary>A record listed whole, a page at a time, with no filters (funders, partners, programme areas).</summary>
public interface IListedWhole<TEntity>
{
    static abstract Task<Page<TEntity>> ListAsync(DbSession session, PageRequest page, CancellationToken cancellationToken);
}

public interface IRecordable<TInput, TView>
    where TView : notnull
{
    static abstract Task<Outcome<Versioned<TView>>> RecordAsync(DbSession session, TInput input, ChangeContext change, CancellationToken cancellationToken = default);
}

/// <summary>Changed at the version the caller read; a null version means whatever is current (<c>If-Match: *</c>).</summary>
public interface IChangeable<TInput, TView>
    where TView : notnull
{
    static abstract Task<Outcome<Versioned<TView>>> ChangeAsync(DbSession session, long id, int? expectedVersion, TInput input, ChangeContext change, CancellationToken cancellationToken = default);
}

public interface IVoidable<TView>
    where TView : notnull
{
    static abstract Task<Outcome<Versioned<TView>>> VoidAsync(DbSession session, long id, int? expectedVersion, ReasonInput input, ChangeContext change, CancellationToken cancellationToken = default);
}

public interface IDeletable<TView>
    where TView : notnull
{
    static abstract Task<Outcome<TView>> DeleteAsync(DbSession session, long id, int? expectedVersion, ChangeContext change, CancellationToken cancellationToken = default);
}

/// <summary>
/// The steps every record's operations share, called in order by each operation (check the shape, load, check the
/// rules, write, audit). They are helpers, not a framework: each operation says which it calls.
/// </summary>
/// <remarks>The session must be in a transaction (<see cref="UnitOfWork"/>): a refusal leaves the rollback to it.</remarks>
public static class RecordSteps
{
    /// <summary>The input with its text tidied, and what is wrong with its fields in themselves.</summary>
    public static (TInput Input, FieldErrors Shape) Shape<TInput>(TInput input)
        where TInput : notnull
    {
        var errors = new FieldErrors();
        return (InputShape.Check(input, errors), errors);
    }

    /// <summary>
    /// Every refusal of a write in one answer: the fields wrong in themselves, and what the rules against the
    /// database (<paramref name="rules"/>, already started) say of the other fields. A field keeps its shape error; a
    /// refusal naming no field gives way to them. With shape errors found, a value the database cannot take (a NUL in
    /// text) may make a rule's query fail: then the shape errors are the answer (the write is refused anyway).
    /// </summary>
    public static async Task<Refusal?> AllAtOnceAsync(FieldErrors shape, Task<Refusal?> rules)
    {
        Refusal? refused;
        try
        {
            refused = await rules;
        }
        catch (System.Data.Common.DbException) when (shape.Any)
        {
            refused = null;
        }

        if (!shape.Any)
        {
            return refused;
        }

        shape.AddMissing(refused switch
        {
            InvalidFields invalid => FieldErrors.Of(invalid.Errors),
            BrokenControl broken => FieldErrors.Of(broken.Errors),
            _ => new FieldErrors(),
        });
        return shape.ToRefusal();
    }

    /// <summary>Not found, or stale when the record has moved on from the version the caller named (null: any).</summary>
    public static Refusal? AtVersion<TEntity>(TEntity? current, string entity, long id, int? expectedVersion)
        where TEntity : class, IVersioned =>
        current is null ? new NotFound(entity, id)
        : expectedVersion is { } expected && expected != current.Version ? new StaleVersion(current.Version)
        : null;

    /// <summary>
    /// A guarded write touched no row (<paramref name="now"/> is the record read again): another writer got there
    /// first. Stale when it changed the record (on every engine: PostgreSQL and SQL Server wait for the other writer
    /// and then find the version moved), gone when it deleted it, otherwise the record's state (voided) forbids it.
    /// </summary>
    public static Refusal NotWritten<TEntity>(TEntity? now, string entity, int version)
        where TEntity : class, IVersioned => now switch
    {
        null => new Conflict($"The {entity} was deleted at the same moment. Nothing was changed."),
        _ when now.Version != version => new StaleVersion(now.Version),
        _ => new Conflict($"The {entity} cannot be changed in its present state (it may be voided)."),
    };

    /// <summary>Writes the audit entry for what was just written (in the same transaction) and answers the record as written.</summary>
    public static async Task<Outcome<Versioned<TView>>> AuditedAsync<TView>(
        DbSession session, ChangeContext change, string action, string auditName, long id, int version, TView? before, TView after, CancellationToken cancellationToken)
        where TView : notnull
    {
        await AuditLog.WriteAsync(session, change, action, auditName, id, before, after, cancellationToken);
        return Outcome<Versioned<TView>>.Done(new Versioned<TView>(id, version, after));
    }
}

/// <summary>The kebab-case names of everything the audit trail records.</summary>
public static class AuditEntities
{
    public static readonly IReadOnlyList<string> All =
    [
        "api-key", "budget", "funder", "grant", "grant-narrative", "import", "import-mapping", "indicator", "indicator-actual", "partner", "partner-agreement", "partner-return", "partner-return-link",
        "partner-return-reminder", "payment", "period", "portfolio",
        "programme-area", "report-delivery", "report-run", "transaction", "user", "variance-note",
    ];

    /// <summary>Names used before the vocabulary was fixed, still found in older entries (which the hash chain keeps as written).</summary>
    public static IReadOnlyList<string> WithFormerNames(string name) => name switch
    {
        "partner-agreement" => [name, "partner agreement"],
        "programme-area" => [name, "programme area"],
        _ => [name],
    };
}
