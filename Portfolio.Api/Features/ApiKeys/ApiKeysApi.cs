using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.ApiKeys;

/// <summary>API keys: created by admins, shown once, stored as a hash, revoked rather than deleted.</summary>
public static class ApiKeysApi
{
    private const string Entity = "api-key";

    public static IEndpointRouteBuilder MapApiKeys(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/api-keys").WithTags("API keys").RequireAuthorization(Policies.Admin);
        group.MapGet("/", ListAsync).ReadsQuery().WithName("ListApiKeys").Produces<ListResponse<ApiKeyDto>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", GetAsync).WithName("GetApiKey").Produces<ApiKeyDto>().ProducesProblem(404);
        group.MapPost("/", CreateAsync).WithName("CreateApiKey").Accepts<ApiKeyInput>("application/json").Produces<NewApiKeyDto>(201).ProducesValidationProblem();
        group.MapDelete("/{id:long}", RevokeAsync).WithName("RevokeApiKey").Produces(204).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    private static ApiKeyDto ToDto(ApiKey k) => new(k.Id, k.Name, k.Role, k.ProgrammeAreaIds, k.KeyPrefix, k.RevokedAt is not null, k.CreatedAt, k.CreatedBy, k.RevokedAt, k.Version);

    private static async Task<IResult> ListAsync(HttpRequest request, Database database, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var page = query.Page();
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(ListResponse<ApiKeyDto>.From(await ApiKeyStore.ListAsync(session, page, cancellationToken), ToDto));
    }

    private static async Task<IResult> GetAsync(long id, HttpContext http, Database database, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var key = await ApiKeyStore.GetAsync(session, id, cancellationToken);
        if (key is null)
        {
            return Problems.NotFound(Entity, id);
        }

        ETags.Set(http, key.Version);
        return TypedResults.Ok(ToDto(key));
    }

    private static async Task<IResult> CreateAsync(HttpContext http, Database database)
    {
        var (input, problem) = await JsonBody.ReadCheckedAsync<ApiKeyInput>(http.Request);
        if (problem is not null)
        {
            return problem;
        }

        var (name, role, areaIds) = (input!.Name, input.Role, input.ProgrammeAreaIds ?? []);
        var change = http.Change();
        var secret = ApiKeyStore.GenerateKey();
        return await Writes.InTransactionAsync(database, async session =>
        {
            foreach (var areaId in areaIds)
            {
                if (await ProgrammeAreaStore.GetAsync(session, areaId, http.RequestAborted) is null)
                {
                    return Problems.Field("programmeAreaIds", $"there is no programme area with id {areaId}");
                }
            }

            var key = await ApiKeyStore.InsertAsync(session, name!, role!, secret, change, http.RequestAborted, areaIds);
            await AuditLog.WriteAsync(session, change, "create", Entity, key.Id, null, ToDto(key), http.RequestAborted);
            ETags.Set(http, key.Version);
            return TypedResults.Created($"/api/api-keys/{key.Id}", new NewApiKeyDto(key.Id, key.Name, key.Role, key.ProgrammeAreaIds, key.KeyPrefix, secret, key.CreatedAt, key.Version));
        }, http.RequestAborted);
    }

    private static async Task<IResult> RevokeAsync(long id, HttpContext http, Database database)
    {
        var (expected, preconditionProblem) = ETags.RequireIfMatch(http.Request);
        if (preconditionProblem is not null)
        {
            return preconditionProblem;
        }

        var change = http.Change();
        return await Writes.InTransactionAsync(database, async session =>
        {
            var current = await ApiKeyStore.GetAsync(session, id, http.RequestAborted);
            if (current is null)
            {
                return Problems.NotFound(Entity, id);
            }

            if (ETags.Check(expected, current.Version) is { } stale)
            {
                return stale;
            }

            if (await ApiKeyStore.RevokeBlockedReasonAsync(session, current, http.RequestAborted) is { } blocked)
            {
                return Problems.Conflict(blocked);
            }

            if (!await ApiKeyStore.RevokeAsync(session, id, current.Version, change, http.RequestAborted))
            {
                return Problems.Conflict("The key is already revoked.");
            }

            var revoked = (await ApiKeyStore.GetAsync(session, id, http.RequestAborted))!;
            await AuditLog.WriteAsync(session, change, "revoke", Entity, id, ToDto(current), ToDto(revoked), http.RequestAborted);
            return TypedResults.NoContent();
        }, http.RequestAborted);
    }
}

public sealed record ApiKeyDto(long Id, string Name, string Role, IReadOnlyList<long> ProgrammeAreaIds, string KeyPrefix, bool Revoked, DateTime CreatedAt, string CreatedBy, DateTime? RevokedAt, int Version);

/// <summary>The only response that carries the key itself.</summary>
public sealed record NewApiKeyDto(long Id, string Name, string Role, IReadOnlyList<long> ProgrammeAreaIds, string KeyPrefix, string Key, DateTime CreatedAt, int Version);

