using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Infrastructure;

/// <summary>
/// Every write runs in one transaction with its audit entry: committed only when the handler answers 2xx,
/// rolled back on any refusal, so a refused request changes nothing.
/// </summary>
public static class Writes
{
    public const string IdempotencyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotency-Replayed";
    public static readonly TimeSpan IdempotencyRetention = TimeSpan.FromHours(24);

    /// <summary>Runs a Core operation in its own transaction and answers its result, or the problem detail for its refusal.</summary>
    public static async Task<IResult> RunAsync<T>(Database database, Func<DbSession, Task<Outcome<T>>> operation, Func<T, IResult> answer, CancellationToken cancellationToken)
    {
        var outcome = await UnitOfWork.RunAsync(database, operation, cancellationToken);
        return outcome.Refused is { } refusal ? Problems.From(refusal) : answer(outcome.Value!);
    }

    /// <summary>
    /// A create that honours <c>Idempotency-Key</c>: the same key and body (compared by meaning,
    /// <paramref name="canonicalBody"/>) replays the first response and creates nothing; the same key with another
    /// body is refused with 422. Keys are scoped to the caller and the endpoint (its method and route, whatever
    /// the path's case or trailing slash). The lookup, the create and the record share one connection and the
    /// record is saved in the create's transaction.
    /// </summary>
    public static async Task<IResult> CreateIdempotentAsync<T>(
        HttpContext http, Database database, string canonicalBody, Func<DbSession, Task<Outcome<T>>> create, Func<T, IResult> answer)
    {
        var cancellationToken = http.RequestAborted;
        var key = http.Request.Headers[IdempotencyHeader].ToString();
        if (string.IsNullOrEmpty(key))
        {
            return await RunAsync(database, create, answer, cancellationToken);
        }

        if (key.Length > 200 || key.Any(char.IsControl))
        {
            return Problems.BadRequest($"The {IdempotencyHeader} header must be at most 200 printable characters.");
        }

        var scope = $"{http.User.Actor()} {http.Request.Method} {EndpointOf(http)}";
        var requestHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalBody)));
        var now = TimeProvider(http).GetUtcNow().UtcDateTime;

        await using var session = await database.OpenAsync(cancellationToken);
        try
        {
            if (await IdempotencyStore.FindAsync(session, scope, key, now, cancellationToken) is { } earlier)
            {
                return Replay(http, earlier, requestHash);
            }

            IResult? result = null;
            var outcome = await UnitOfWork.RunInAsync(session, async session =>
            {
                var created = await create(session);
                if (created.Succeeded)
                {
                    // The answer is recorded in the create's own transaction: both are kept, or neither.
                    result = answer(created.Value!);
                    await IdempotencyStore.InsertAsync(session, new IdempotencyRecord
                    {
                        Scope = scope,
                        IdempotencyKey = key,
                        RequestHash = requestHash,
                        ResponseStatus = ((IStatusCodeHttpResult)result).StatusCode ?? StatusCodes.Status200OK,
                        ResponseBody = SerializeValue(http, result),
                        Location = LocationOf(result),
                        CreatedAt = now,
                        ExpiresAt = now + IdempotencyRetention,
                    }, cancellationToken);
                }

                return created;
            }, cancellationToken);
            return outcome.Refused is { } refusal ? Problems.From(refusal) : result!;
        }
        catch (DbException ex) when (Problems.IsUniqueViolation(ex))
        {
            // Another request with the same key won the race; answer as it did.
            var winner = await IdempotencyStore.FindAsync(session, scope, key, now, cancellationToken);
            return winner is not null
                ? Replay(http, winner, requestHash)
                : Problems.From(UnitOfWork.RaceRefusal(ex)!);
        }
        catch (DbException ex) when (UnitOfWork.RaceRefusal(ex) is { } race)
        {
            return Problems.From(race);
        }
    }

    /// <summary>The endpoint's name (<c>CreateTransaction</c>), or the route pattern, never the path as typed.</summary>
    private static string EndpointOf(HttpContext http)
    {
        var endpoint = http.GetEndpoint();
        return endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName
               ?? (endpoint as RouteEndpoint)?.RoutePattern.RawText
               ?? http.Request.Path.Value!.TrimEnd('/').ToLowerInvariant();
    }

    /// <summary>Marks a create that honours <see cref="IdempotencyHeader"/> (for the OpenAPI document).</summary>
    public static TBuilder AcceptsIdempotencyKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AcceptsIdempotencyKeyMetadata());

    public sealed class AcceptsIdempotencyKeyMetadata;

    private static IResult Replay(HttpContext http, IdempotencyRecord record, string requestHash)
    {
        if (!string.Equals(record.RequestHash, requestHash, StringComparison.Ordinal))
        {
            return Problems.Unprocessable(
                $"The {IdempotencyHeader} '{record.IdempotencyKey}' was already used with a different request body. Use a new key for a new request.");
        }

        http.Response.Headers[ReplayedHeader] = "true";
        using (var body = JsonDocument.Parse(record.ResponseBody))
        {
            if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("version", out var version) && version.TryGetInt32(out var number))
            {
                ETags.Set(http, number);
            }
        }

        if (record.Location is not null)
        {
            http.Response.Headers.Location = record.Location;
        }

        return Results.Text(record.ResponseBody, "application/json", Encoding.UTF8, record.ResponseStatus);
    }

    private static string SerializeValue(HttpContext http, IResult result)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var value = (result as IValueHttpResult)?.Value;
        return value is null ? "null" : JsonSerializer.Serialize(value, value.GetType(), options);
    }

    private static string? LocationOf(IResult result) =>
        result.GetType().GetProperty("Location")?.GetValue(result) as string;

    private static TimeProvider TimeProvider(HttpContext http) => http.RequestServices.GetRequiredService<TimeProvider>();
}
