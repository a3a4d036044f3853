using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.ApiKeys;

/// <summary>API keys: created by admins, shown once, stored as a hash, revoked rather than deleted.</summary>
public static class ApiKeysApi
{
    public static IEndpointRouteBuilder MapApiKeys(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/api-keys").WithTags("API keys").RequireAuthorization(Policies.Admin);
        group.MapGet("/", ListAsync).ReadsPagedQuery().WithName("ListApiKeys").Produces<ListResponse<ApiKeyView>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", GetAsync).WithName("GetApiKey").Produces<ApiKeyView>().ProducesProblem(404);
        group.MapPost("/", CreateAsync).WithName("CreateApiKey").Accepts<ApiKeyInput>("application/json").Produces<NewApiKeyView>(201).ProducesValidationProblem();
        group.MapDelete("/{id:long}", RevokeAsync).WithName("RevokeApiKey").Produces(204).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, Database database, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var page = query.Page();
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(ListResponse<ApiKeyView>.From(await ApiKeyStore.ListAsync(session, page, cancellationToken), ApiKeyView.Of));
    }

    private static async Task<IResult> GetAsync(long id, HttpContext http, Database database, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var key = await ApiKeyStore.GetAsync(session, id, cancellationToken);
        if (key is null)
        {
            return Problems.NotFound("api-key", id);
        }

        ETags.Set(http, key.Version);
        return TypedResults.Ok(ApiKeyView.Of(key));
    }

    private static async Task<IResult> CreateAsync(HttpContext http, Database database)
    {
        var (input, problem) = await JsonBody.ReadCheckedAsync<ApiKeyInput>(http.Request);
        if (problem is not null)
        {
            return problem;
        }

        var change = http.Change();
        return await Writes.RunAsync(
            database,
            session => Core.Domain.ApiKeys.IssueAsync(session, input!, change, http.RequestAborted),
            key =>
            {
                ETags.Set(http, key.Version);
                return TypedResults.Created($"/api/api-keys/{key.Id}", key);
            },
            http.RequestAborted);
    }

    private static async Task<IResult> RevokeAsync(long id, HttpContext http, Database database)
    {
        var (expected, preconditionProblem) = ETags.RequireIfMatch(http.Request);
        if (preconditionProblem is not null)
        {
            return preconditionProblem;
        }

        var change = http.Change();
        return await Writes.RunAsync(
            database, session => Core.Domain.ApiKeys.RevokeAsync(session, id, expected, change, http.RequestAborted), _ => TypedResults.NoContent(), http.RequestAborted);
    }
}
