using System.Text.Json;
using Microsoft.Extensions.Options;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Infrastructure;

/// <summary>
/// HTTP for the records whose operations classes name their capabilities (<see cref="IRecordKind{TEntity,TView}"/>
/// and the rest): GET one with its ETag; POST (idempotent where the route <see cref="Writes.AcceptsIdempotencyKey{TBuilder}"/>);
/// PUT, DELETE and void with If-Match (a version, or <c>*</c> for whatever is current). Each handler is mapped for
/// a record that has the operation (<c>RecordHttp.ChangeAsync&lt;Funders, …&gt;</c>): a record without it does not
/// compile. This class only translates: body to input, outcome to status and problem details.
/// </summary>
public static class RecordHttp
{
    /// <summary>A page of the list, for records listed without filters.</summary>
    public static async Task<IResult> ListAsync<TKind, TEntity, TView>(HttpRequest request, Database database, CancellationToken cancellationToken)
        where TKind : IRecordKind<TEntity, TView>, IListedWhole<TEntity>
        where TEntity : class, IVersioned
        where TView : notnull
    {
        var query = new QueryInput(request);
        var page = query.Page();
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(ListResponse<TView>.From(await TKind.ListAsync(session, page, cancellationToken), TKind.View));
    }

    public static async Task<IResult> GetAsync<TKind, TEntity, TView>(long id, HttpContext http, Database database)
        where TKind : IRecordKind<TEntity, TView>
        where TEntity : class, IVersioned
        where TView : notnull
    {
        await using var session = await database.OpenAsync(http.RequestAborted);
        var entity = await TKind.LoadAsync(session, id, http.RequestAborted);
        if (entity is null)
        {
            return Problems.NotFound(TKind.Entity, id);
        }

        ETags.Set(http, entity.Version);
        return TypedResults.Ok(TKind.View(entity));
    }

    public static async Task<IResult> RecordAsync<TKind, TEntity, TInput, TView>(HttpContext http, Database database)
        where TKind : IRecordKind<TEntity, TView>, IRecordable<TInput, TView>
        where TEntity : class, IVersioned
        where TInput : notnull
        where TView : notnull
    {
        var (body, problem) = await JsonBody.ReadAsync<TInput>(http.Request, ReadOnly<TInput, TView>.Fields);
        if ((problem ?? body!.Problem()) is { } refused)
        {
            return refused;
        }

        if (body!.ReadOnly.Count > 0)
        {
            return Problems.Validation(body.ReadOnly.Keys.ToDictionary(k => k, _ => new[] { "is read-only: the service sets it, so leave it out of a new record" }));
        }

        var change = http.Change();
        Task<Outcome<Versioned<TView>>> RecordInAsync(DbSession session) => TKind.RecordAsync(session, body.Input, change, http.RequestAborted);
        IResult Created(Versioned<TView> created) => Respond(http, created, created: true);

        return http.GetEndpoint()?.Metadata.GetMetadata<Writes.AcceptsIdempotencyKeyMetadata>() is not null
            ? await Writes.CreateIdempotentAsync(http, database, body.Canonical(), RecordInAsync, Created)
            : await Writes.RunAsync(database, RecordInAsync, Created, http.RequestAborted);
    }

    public static async Task<IResult> ChangeAsync<TKind, TEntity, TInput, TView>(long id, HttpContext http, Database database)
        where TKind : IRecordKind<TEntity, TView>, IChangeable<TInput, TView>
        where TEntity : class, IVersioned
        where TInput : notnull
        where TView : notnull
    {
        var (expected, preconditionProblem) = ETags.RequireIfMatch(http.Request);
        if (preconditionProblem is not null)
        {
            return preconditionProblem;
        }

        var (body, problem) = await JsonBody.ReadAsync<TInput>(http.Request, ReadOnly<TInput, TView>.Fields);
        if ((problem ?? body!.Problem()) is { } refused)
        {
            return await ETags.BeforeContentAsync(refused, expected, database, async session => (await TKind.LoadAsync(session, id, http.RequestAborted))?.Version, http.RequestAborted);
        }

        var change = http.Change();
        return await Writes.RunAsync(database, async session =>
        {
            if (body!.ReadOnly.Count > 0 && await TKind.LoadAsync(session, id, http.RequestAborted) is { } stored)
            {
                // The stored version first: a stale copy is 412 whatever its read-only fields say.
                if (expected is { } version && stored.Version != version)
                {
                    return new StaleVersion(stored.Version);
                }

                if (ReadOnlyDifferences(http, TKind.View(stored), body.ReadOnly) is { } differences)
                {
                    return differences;
                }
            }

            return await TKind.ChangeAsync(session, id, expected, body!.Input, change, http.RequestAborted);
        }, updated => Respond(http, updated, created: false), http.RequestAborted);
    }

    public static async Task<IResult> DeleteAsync<TKind, TEntity, TView>(long id, HttpContext http, Database database)
        where TKind : IRecordKind<TEntity, TView>, IDeletable<TView>
        where TEntity : class, IVersioned
        where TView : notnull
    {
        var (expected, preconditionProblem) = ETags.RequireIfMatch(http.Request);
        if (preconditionProblem is not null)
        {
            return preconditionProblem;
        }

        var change = http.Change();
        return await Writes.RunAsync(database, session => TKind.DeleteAsync(session, id, expected, change, http.RequestAborted), _ => TypedResults.NoContent(), http.RequestAborted);
    }

    public static async Task<IResult> VoidAsync<TKind, TEntity, TView>(long id, HttpContext http, Database database)
        where TKind : IRecordKind<TEntity, TView>, IVoidable<TView>
        where TEntity : class, IVersioned
        where TView : notnull
    {
        var (expected, preconditionProblem) = ETags.RequireIfMatch(http.Request);
        if (preconditionProblem is not null)
        {
            return preconditionProblem;
        }

        var (body, problem) = await JsonBody.ReadAsync<ReasonInput>(http.Request);
        if ((problem ?? body!.Problem()) is { } refused)
        {
            return refused;
        }

        var change = http.Change();
        return await Writes.RunAsync(database, session => TKind.VoidAsync(session, id, expected, body!.Input, change, http.RequestAborted), voided => Respond(http, voided, created: false), http.RequestAborted);
    }

    private static IResult Respond<TView>(HttpContext http, Versioned<TView> written, bool created)
        where TView : notnull
    {
        var (id, version, view) = written;
        ETags.Set(http, version);
        return created ? TypedResults.Created($"{http.Request.PathBase}{http.Request.Path.Value!.TrimEnd('/')}/{id}", view) : TypedResults.Ok(view);
    }

    /// <summary>
    /// A PUT may carry the representation a GET returned: its read-only fields are accepted when they equal the
    /// stored values (compared by meaning, so <c>100</c> equals <c>100.00</c>) and refused, each named, when not.
    /// </summary>
    private static InvalidFields? ReadOnlyDifferences<TView>(HttpContext http, TView stored, IReadOnlyDictionary<string, JsonElement> sent)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(stored, options));
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, value) in sent)
        {
            if (!document.RootElement.TryGetProperty(name, out var current) || !JsonMeaning.Equal(current, value))
            {
                errors[name] = [$"is read-only and differs from the stored value ({(document.RootElement.TryGetProperty(name, out var shown) ? shown.GetRawText() : "none")}): leave it out or send the value a GET returned"];
            }
        }

        return errors.Count > 0 ? new InvalidFields(errors) : null;
    }

    /// <summary>Fields of the representation a client may send back unchanged but not set: the view's fields that are not the input's.</summary>
    public static class ReadOnly<TInput, TView>
        where TInput : notnull
    {
        public static readonly IReadOnlyCollection<string> Fields =
            typeof(TView).GetProperties().Select(p => InputField.JsonName(p.Name))
                .Except(InputShape.Of<TInput>().Fields.Select(f => f.Name)).ToArray();
    }
}

/// <summary>JSON values compared by meaning: numbers by value, objects regardless of key order.</summary>
public static class JsonMeaning
{
    public static bool Equal(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }

        return a.ValueKind switch
        {
            JsonValueKind.Number => a.TryGetDecimal(out var x) && b.TryGetDecimal(out var y) ? x == y : a.GetRawText() == b.GetRawText(),
            JsonValueKind.String => a.GetString() == b.GetString()
                                    || (a.TryGetDateTimeOffset(out var at) && b.TryGetDateTimeOffset(out var bt) && at == bt),
            JsonValueKind.Array => a.GetArrayLength() == b.GetArrayLength() && a.EnumerateArray().Zip(b.EnumerateArray()).All(p => Equal(p.First, p.Second)),
            JsonValueKind.Object => a.EnumerateObject().Count() == b.EnumerateObject().Count()
                                    && a.EnumerateObject().All(p => b.TryGetProperty(p.Name, out var other) && Equal(p.Value, other)),
            _ => true,
        };
    }
}
