using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Infrastructure;

/// <summary>
/// The conventions every resource shares, written once: GET one with its ETag; POST that validates, writes and
/// audits in one transaction (optionally idempotent); PUT and DELETE that need If-Match and refuse stale
/// versions; void with a reason. Each resource supplies how to read, check and store itself.
/// </summary>
public sealed class ResourceHandlers<TEntity, TDto>
    where TEntity : class, IVersioned
    where TDto : notnull
{
    public delegate Task<IResult?> CheckAsync(DbSession session, TEntity proposed, TEntity? current, CancellationToken cancellationToken);

    public required string Entity { get; init; }

    public required string BasePath { get; init; }

    public required IReadOnlyCollection<string> Fields { get; init; }

    public required Func<DbSession, long, CancellationToken, Task<TEntity?>> Load { get; init; }

    /// <summary>Reads the body into a new entity; field errors go on the input.</summary>
    public required Func<JsonInput, TEntity> Read { get; init; }

    /// <summary>Checks against the database, inside the write's transaction (references exist, totals hold).</summary>
    public CheckAsync Check { get; init; } = (_, _, _, _) => Task.FromResult<IResult?>(null);

    public required Func<DbSession, TEntity, ChangeContext, CancellationToken, Task<long>> Insert { get; init; }

    public Func<DbSession, long, int, TEntity, ChangeContext, CancellationToken, Task<bool>>? Update { get; init; }

    /// <summary>Why the entity cannot be deleted (409), or null.</summary>
    public Func<DbSession, TEntity, CancellationToken, Task<string?>>? DeleteBlocker { get; init; }

    public Func<DbSession, long, int, CancellationToken, Task<bool>>? Delete { get; init; }

    public Func<DbSession, long, int, string, ChangeContext, CancellationToken, Task<bool>>? Void { get; init; }

    public required Func<TEntity, TDto> ToDto { get; init; }

    /// <summary>Why the entity's period is closed to changes (409), or null: money dated in a period already reported.</summary>
    public Func<DbSession, TEntity, CancellationToken, Task<string?>>? ClosedPeriod { get; init; }

    /// <summary>POST honours Idempotency-Key (money records).</summary>
    public bool Idempotent { get; init; }

    /// <summary>GET of a page of the list, for resources listed without filters.</summary>
    public Func<DbSession, PageRequest, CancellationToken, Task<Page<TEntity>>>? ListPage { get; init; }

    public async Task<IResult> ListAsync(HttpRequest request, Database database, CancellationToken cancellationToken)
    {
        var listPage = ListPage ?? throw new InvalidOperationException($"{Entity} has no plain list.");
        var query = new QueryInput(request);
        var page = query.Page();
        if (!query.IsValid)
        {
            return query.Problem();
        }

        await using var session = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(ListResponse<TDto>.From(await listPage(session, page, cancellationToken), ToDto));
    }

    public async Task<IResult> GetAsync(long id, HttpContext http, Database database)
    {
        await using var session = await database.OpenAsync(http.RequestAborted);
        var entity = await Load(session, id, http.RequestAborted);
        if (entity is null)
        {
            return Problems.NotFound(Entity, id);
        }

        ETags.Set(http, entity.Version);
        return TypedResults.Ok(ToDto(entity));
    }

    public async Task<IResult> CreateAsync(HttpContext http, Database database)
    {
        var (input, proposed, problem) = await ReadBodyAsync(http);
        if (problem is not null)
        {
            return problem;
        }

        var change = http.Change();
        async Task<IResult> CreateInAsync(DbSession session)
        {
            if (await Check(session, proposed, null, http.RequestAborted) is { } refused)
            {
                return refused;
            }

            if (await ClosedAsync(session, http.RequestAborted, proposed) is { } closed)
            {
                return closed;
            }

            var id = await Insert(session, proposed, change, http.RequestAborted);
            var created = (await Load(session, id, http.RequestAborted))!;
            var dto = ToDto(created);
            await AuditLog.WriteAsync(session, change, "create", Entity, id, null, dto, http.RequestAborted);
            ETags.Set(http, created.Version);
            return TypedResults.Created($"{BasePath}/{id}", dto);
        }

        return Idempotent
            ? await Writes.CreateIdempotentAsync(http, database, input!, CreateInAsync)
            : await Writes.InTransactionAsync(database, CreateInAsync, http.RequestAborted);
    }

    public async Task<IResult> UpdateAsync(long id, HttpContext http, Database database)
    {
        var update = Update ?? throw new InvalidOperationException($"{Entity} has no update.");
        var (expected, preconditionProblem) = ETags.RequireIfMatch(http.Request);
        if (preconditionProblem is not null)
        {
            return preconditionProblem;
        }

        var (_, proposed, problem) = await ReadBodyAsync(http);
        if (problem is not null)
        {
            return problem;
        }

        var change = http.Change();
        return await Writes.InTransactionAsync(database, async session =>
        {
            var (current, refusal) = await LoadAtVersionAsync(session, id, expected!.Value, http.RequestAborted);
            if (current is null)
            {
                return refusal!;
            }

            if (await Check(session, proposed, current, http.RequestAborted) is { } refused)
            {
                return refused;
            }

            if (await ClosedAsync(session, http.RequestAborted, current, proposed) is { } closed)
            {
                return closed;
            }

            if (!await update(session, id, expected.Value, proposed, change, http.RequestAborted))
            {
                return Problems.Conflict($"The {Entity} cannot be changed in its present state (it may have been voided or changed at the same moment).");
            }

            var updated = (await Load(session, id, http.RequestAborted))!;
            var dto = ToDto(updated);
            await AuditLog.WriteAsync(session, change, "update", Entity, id, ToDto(current), dto, http.RequestAborted);
            ETags.Set(http, updated.Version);
            return TypedResults.Ok(dto);
        }, http.RequestAborted);
    }

    public async Task<IResult> DeleteAsync(long id, HttpContext http, Database database)
    {
        var delete = Delete ?? throw new InvalidOperationException($"{Entity} cannot be deleted.");
        var (expected, preconditionProblem) = ETags.RequireIfMatch(http.Request);
        if (preconditionProblem is not null)
        {
            return preconditionProblem;
        }

        var change = http.Change();
        return await Writes.InTransactionAsync(database, async session =>
        {
            var (current, refusal) = await LoadAtVersionAsync(session, id, expected!.Value, http.RequestAborted);
            if (current is null)
            {
                return refusal!;
            }

            if (DeleteBlocker is not null && await DeleteBlocker(session, current, http.RequestAborted) is { } reason)
            {
                return Problems.Conflict(reason);
            }

            if (!await delete(session, id, expected.Value, http.RequestAborted))
            {
                return Problems.PreconditionFailed(current.Version);
            }

            await AuditLog.WriteAsync(session, change, "delete", Entity, id, ToDto(current), null, http.RequestAborted);
            return TypedResults.NoContent();
        }, http.RequestAborted);
    }

    public async Task<IResult> VoidAsync(long id, HttpContext http, Database database)
    {
        var voidEntity = Void ?? throw new InvalidOperationException($"{Entity} cannot be voided.");
        var (expected, preconditionProblem) = ETags.RequireIfMatch(http.Request);
        if (preconditionProblem is not null)
        {
            return preconditionProblem;
        }

        var (input, problem) = await JsonInput.ReadAsync(http.Request, ["reason"]);
        if (problem is not null)
        {
            return problem;
        }

        var reason = input!.Text("reason", required: true, 1000, multiline: true);
        if (!input.IsValid)
        {
            return input.Problem();
        }

        var change = http.Change();
        return await Writes.InTransactionAsync(database, async session =>
        {
            var (current, refusal) = await LoadAtVersionAsync(session, id, expected!.Value, http.RequestAborted);
            if (current is null)
            {
                return refusal!;
            }

            if (await ClosedAsync(session, http.RequestAborted, current) is { } closed)
            {
                return closed;
            }

            if (!await voidEntity(session, id, expected.Value, reason!, change, http.RequestAborted))
            {
                return Problems.Conflict($"The {Entity} is already voided.");
            }

            var voided = (await Load(session, id, http.RequestAborted))!;
            var dto = ToDto(voided);
            await AuditLog.WriteAsync(session, change, "void", Entity, id, ToDto(current), dto, http.RequestAborted);
            ETags.Set(http, voided.Version);
            return TypedResults.Ok(dto);
        }, http.RequestAborted);
    }

    /// <summary>The body read into a proposed entity, or the problem (400, 413, 415) to answer with.</summary>
    private async Task<(JsonInput? Input, TEntity Proposed, IResult? Problem)> ReadBodyAsync(HttpContext http)
    {
        var (input, problem) = await JsonInput.ReadAsync(http.Request, Fields);
        if (problem is not null)
        {
            return (null, null!, problem);
        }

        var proposed = Read(input!);
        return input!.IsValid ? (input, proposed, null) : (null, null!, input.Problem());
    }

    private async Task<IResult?> ClosedAsync(DbSession session, CancellationToken cancellationToken, params TEntity[] entities)
    {
        if (ClosedPeriod is null)
        {
            return null;
        }

        foreach (var entity in entities)
        {
            if (await ClosedPeriod(session, entity, cancellationToken) is { } reason)
            {
                return Problems.Conflict(reason);
            }
        }

        return null;
    }

    /// <summary>The entity at the version the client named: 404 when missing, 412 when it has moved on.</summary>
    private async Task<(TEntity? Current, IResult? Refusal)> LoadAtVersionAsync(DbSession session, long id, int expectedVersion, CancellationToken cancellationToken)
    {
        var current = await Load(session, id, cancellationToken);
        if (current is null)
        {
            return (null, Problems.NotFound(Entity, id));
        }

        return ETags.Check(expectedVersion, current.Version) is { } stale ? (null, stale) : (current, null);
    }
}
