using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Core.Operations;

/// <summary>Why: the one field of a void or a reopening.</summary>
public sealed record ReasonInput([Text(1000, Multiline = true)] string Reason);

/// <summary>
/// The write operations a record shares, written once in Core: create, change (at the version the caller read,
/// or whatever is current), void with a reason and delete. Each checks the input's shape and every rule against
/// the database (one answer lists every refusal), writes and audits in the caller's transaction, and returns the record as people see it or the
/// refusal. The API, the pages and the import all call these; none of them repeats a rule.
/// </summary>
/// <remarks>The session must be in a transaction (<see cref="UnitOfWork"/>): a refusal leaves the rollback to it.</remarks>
public sealed class Resource<TEntity, TInput, TView>
    where TEntity : class, IVersioned
    where TInput : notnull
    where TView : notnull
{
    /// <summary>Checks against the database, inside the write's transaction: references exist, totals hold, controls pass.</summary>
    public delegate Task<Refusal?> CheckAsync(DbSession session, TEntity proposed, TEntity? current, TInput input, ChangeContext change, CancellationToken cancellationToken);

    /// <summary>The record's name in messages, such as "partner agreement".</summary>
    public required string Entity { get; init; }

    /// <summary>The record's name in the audit trail (kebab-case, one of <see cref="AuditEntities"/>).</summary>
    public required string AuditName { get; init; }

    public required Func<DbSession, long, CancellationToken, Task<TEntity?>> Load { get; init; }

    /// <summary>The entity the checked input describes (<c>current</c> is null for a create).</summary>
    public required Func<TInput, TEntity?, TEntity> Build { get; init; }

    public CheckAsync Check { get; init; } = (_, _, _, _, _, _) => Task.FromResult<Refusal?>(null);

    public required Func<DbSession, TEntity, ChangeContext, CancellationToken, Task<long>> Insert { get; init; }

    public Func<DbSession, long, int, TEntity, ChangeContext, CancellationToken, Task<bool>>? Update { get; init; }

    /// <summary>Why the entity cannot be deleted, or null.</summary>
    public Func<DbSession, TEntity, CancellationToken, Task<string?>>? DeleteBlocker { get; init; }

    public Func<DbSession, long, int, CancellationToken, Task<bool>>? Delete { get; init; }

    public Func<DbSession, long, int, string, ChangeContext, CancellationToken, Task<bool>>? Void { get; init; }

    /// <summary>
    /// Why the entity may not be voided because its period is closed, or null: money dated in a period already
    /// reported. (Its create and change check closed periods among their rules, in <see cref="Check"/>.)
    /// </summary>
    public Func<DbSession, TEntity, CancellationToken, Task<string?>>? VoidClosedPeriod { get; init; }

    public required Func<TEntity, TView> View { get; init; }

    public async Task<TView?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        await Load(session, id, cancellationToken) is { } entity ? View(entity) : default;

    public async Task<Outcome<Versioned<TView>>> CreateAsync(DbSession session, TInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var (checkedInput, shape) = CheckShape(input);
        var proposed = Build(checkedInput, null);
        if (AllAtOnce(shape, await RulesAsync(session, proposed, null, checkedInput, change, shape, cancellationToken)) is { } refused)
        {
            return refused;
        }

        var id = await Insert(session, proposed, change, cancellationToken);
        var created = (await Load(session, id, cancellationToken))!;
        var view = View(created);
        await AuditLog.WriteAsync(session, change, "create", AuditName, id, null, view, cancellationToken);
        return Outcome<Versioned<TView>>.Done(new Versioned<TView>(id, created.Version, view));
    }

    /// <summary>Changes the record at <paramref name="expectedVersion"/>; null means whatever version is current (<c>If-Match: *</c>).</summary>
    public async Task<Outcome<Versioned<TView>>> UpdateAsync(DbSession session, long id, int? expectedVersion, TInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var update = Update ?? throw new InvalidOperationException($"A {Entity} cannot be changed.");
        var (current, refusal) = await LoadAtVersionAsync(session, id, expectedVersion, cancellationToken);
        if (current is null)
        {
            return refusal!;
        }

        var (checkedInput, shape) = CheckShape(input);
        var proposed = Build(checkedInput, current);
        if (AllAtOnce(shape, await RulesAsync(session, proposed, current, checkedInput, change, shape, cancellationToken)) is { } refused)
        {
            return refused;
        }

        if (!await update(session, id, current.Version, proposed, change, cancellationToken))
        {
            return await WhyNotWrittenAsync(session, id, current.Version, cancellationToken);
        }

        var updated = (await Load(session, id, cancellationToken))!;
        var view = View(updated);
        await AuditLog.WriteAsync(session, change, "update", AuditName, id, View(current), view, cancellationToken);
        return Outcome<Versioned<TView>>.Done(new Versioned<TView>(id, updated.Version, view));
    }

    public async Task<Outcome<Versioned<TView>>> VoidAsync(DbSession session, long id, int? expectedVersion, ReasonInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var voidEntity = Void ?? throw new InvalidOperationException($"A {Entity} cannot be voided.");
        var (current, refusal) = await LoadAtVersionAsync(session, id, expectedVersion, cancellationToken);
        if (current is null)
        {
            return refusal!;
        }

        var errors = new FieldErrors();
        input = InputShape.Check(input, errors);
        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        if (VoidClosedPeriod is not null && await VoidClosedPeriod(session, current, cancellationToken) is { } closed)
        {
            return new Conflict(closed);
        }

        if (!await voidEntity(session, id, current.Version, input.Reason, change, cancellationToken))
        {
            return await WhyNotWrittenAsync(session, id, current.Version, cancellationToken);
        }

        var voided = (await Load(session, id, cancellationToken))!;
        var view = View(voided);
        await AuditLog.WriteAsync(session, change, "void", AuditName, id, View(current), view, cancellationToken);
        return Outcome<Versioned<TView>>.Done(new Versioned<TView>(id, voided.Version, view));
    }

    public async Task<Outcome<TView>> DeleteAsync(DbSession session, long id, int? expectedVersion, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var delete = Delete ?? throw new InvalidOperationException($"A {Entity} cannot be deleted.");
        var (current, refusal) = await LoadAtVersionAsync(session, id, expectedVersion, cancellationToken);
        if (current is null)
        {
            return refusal!;
        }

        if (DeleteBlocker is not null && await DeleteBlocker(session, current, cancellationToken) is { } reason)
        {
            return new Conflict(reason);
        }

        if (!await delete(session, id, current.Version, cancellationToken))
        {
            return await WhyNotWrittenAsync(session, id, current.Version, cancellationToken);
        }

        var view = View(current);
        await AuditLog.WriteAsync(session, change, "delete", AuditName, id, view, null, cancellationToken);
        return Outcome<TView>.Done(view);
    }

    private static (TInput Input, FieldErrors Shape) CheckShape(TInput input)
    {
        var errors = new FieldErrors();
        return (InputShape.Check(input, errors), errors);
    }

    /// <summary>
    /// The rules against the database. With shape errors already found, a value the database itself cannot take (a
    /// NUL in text) may make a rule's query fail: then the shape errors are the answer (the write is refused anyway).
    /// </summary>
    private async Task<Refusal?> RulesAsync(DbSession session, TEntity proposed, TEntity? current, TInput input, ChangeContext change, FieldErrors shape, CancellationToken cancellationToken)
    {
        try
        {
            return await Check(session, proposed, current, input, change, cancellationToken);
        }
        catch (System.Data.Common.DbException) when (shape.Any)
        {
            return null;
        }
    }

    /// <summary>
    /// Every refusal of a write in one answer: the fields wrong in themselves, and what the rules against the
    /// database say of the other fields (a field keeps its shape error; a refusal naming no field gives way to them).
    /// </summary>
    private static Refusal? AllAtOnce(FieldErrors shape, Refusal? rules)
    {
        if (!shape.Any)
        {
            return rules;
        }

        shape.AddMissing(rules switch
        {
            InvalidFields invalid => FieldErrors.Of(invalid.Errors),
            BrokenControl broken => FieldErrors.Of(broken.Errors),
            _ => new FieldErrors(),
        });
        return shape.ToRefusal();
    }

    /// <summary>The record at the version the caller named: not found, or stale when it has moved on.</summary>
    private async Task<(TEntity? Current, Refusal? Refusal)> LoadAtVersionAsync(DbSession session, long id, int? expectedVersion, CancellationToken cancellationToken)
    {
        var current = await Load(session, id, cancellationToken);
        if (current is null)
        {
            return (null, new NotFound(Entity, id));
        }

        return expectedVersion is { } expected && expected != current.Version ? (null, new StaleVersion(current.Version)) : (current, null);
    }

    /// <summary>
    /// A guarded write touched no row: another writer got there first. Stale when it changed the record (on every
    /// engine: PostgreSQL and SQL Server wait for the other writer and then find the version moved), gone when it
    /// deleted it, otherwise the record's state (voided) forbids the change.
    /// </summary>
    private async Task<Refusal> WhyNotWrittenAsync(DbSession session, long id, int version, CancellationToken cancellationToken)
    {
        var now = await Load(session, id, cancellationToken);
        return now switch
        {
            null => new Conflict($"The {Entity} was deleted at the same moment. Nothing was changed."),
            _ when now.Version != version => new StaleVersion(now.Version),
            _ => new Conflict($"The {Entity} cannot be changed in its present state (it may be voided)."),
        };
    }
}

/// <summary>A record as people see it, with its id and version (the ETag).</summary>
public sealed record Versioned<TView>(long Id, int Version, TView View);

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
