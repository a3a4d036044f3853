using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.VarianceNotes;

/// <summary>Programme leads' explanations of variances, by grant, period and optionally category. Audited like money.</summary>
public static class VarianceNotesApi
{
    public static IEndpointRouteBuilder MapVarianceNotes(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/grants/{grantId:long}/variance-notes").WithTags("Variance notes").RequireAuthorization(Policies.Read);
        group.MapGet("/", ListAsync).ReadsQuery(QueryParameter.Date("periodStart", "Only notes on the period starting on this date.")).WithName("ListVarianceNotes").Produces<ListResponse<VarianceNoteView>>().ProducesValidationProblem().ProducesProblem(404);
        group.MapPost("/", CreateAsync).WithName("CreateVarianceNote").RequireAuthorization(Policies.Notes)
            .Accepts<VarianceNoteInput>("application/json").Produces<VarianceNoteView>(201).ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        group.MapPut("/{noteId:long}", UpdateAsync).WithName("UpdateVarianceNote").RequireAuthorization(Policies.Notes)
            .Accepts<VarianceNoteChangeInput>("application/json").Produces<VarianceNoteView>().ProducesValidationProblem()
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    private static async Task<IResult> ListAsync(long grantId, HttpRequest request, Database database, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var periodStart = query.Date("periodStart");
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        if (await GrantStore.GetAsync(session, grantId, cancellationToken) is null)
        {
            return Problems.NotFound("grant", grantId);
        }

        var notes = (await VarianceNoteStore.ListForGrantAsync(session, grantId, periodStart, cancellationToken)).Select(VarianceNoteView.Of).ToList();
        return TypedResults.Ok(new ListResponse<VarianceNoteView>(notes, 1, notes.Count, notes.Count));
    }

    private static async Task<IResult> CreateAsync(long grantId, HttpContext http, Database database)
    {
        var (input, problem) = await JsonBody.ReadCheckedAsync<VarianceNoteInput>(http.Request);
        if (problem is not null)
        {
            return problem;
        }

        var change = http.Change();
        return await Writes.RunAsync(
            database,
            session => Core.Domain.VarianceNotes.AddAsync(session, grantId, input!, change, http.RequestAborted),
            note =>
            {
                ETags.Set(http, note.Version);
                return TypedResults.Created($"/api/grants/{grantId}/variance-notes/{note.Id}", note.View);
            },
            http.RequestAborted);
    }

    /// <summary>Corrects a note's category or text while its period is open: If-Match with the note's version, audited.</summary>
    private static async Task<IResult> UpdateAsync(long grantId, long noteId, HttpContext http, Database database)
    {
        var (expected, preconditionProblem) = ETags.RequireIfMatch(http.Request);
        if (preconditionProblem is not null)
        {
            return preconditionProblem;
        }

        var (input, problem) = await JsonBody.ReadCheckedAsync<VarianceNoteChangeInput>(http.Request);
        if (problem is not null)
        {
            return await ETags.BeforeContentAsync(problem, expected, database, async session => (await Core.Domain.VarianceNoteStore.GetAsync(session, grantId, noteId, http.RequestAborted))?.Version, http.RequestAborted);
        }

        var change = http.Change();
        return await Writes.RunAsync(
            database,
            session => Core.Domain.VarianceNotes.EditAsync(session, grantId, noteId, expected, input!, change, http.RequestAborted),
            note =>
            {
                ETags.Set(http, note.Version);
                return TypedResults.Ok(note.View);
            },
            http.RequestAborted);
    }
}
