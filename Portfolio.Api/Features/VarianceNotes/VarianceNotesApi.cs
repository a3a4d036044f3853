using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.VarianceNotes;

/// <summary>Programme leads' explanations of variances, by grant, period and optionally category. Audited like money.</summary>
public static class VarianceNotesApi
{
    private const string Entity = "variance-note";

    public static IEndpointRouteBuilder MapVarianceNotes(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/grants/{grantId:long}/variance-notes").WithTags("Variance notes").RequireAuthorization(Policies.Read);
        group.MapGet("/", ListAsync).ReadsQuery().WithName("ListVarianceNotes").Produces<ListResponse<VarianceNoteDto>>().ProducesValidationProblem().ProducesProblem(404);
        group.MapPost("/", CreateAsync).WithName("CreateVarianceNote").RequireAuthorization(Policies.Notes)
            .Accepts<VarianceNoteInput>("application/json").Produces<VarianceNoteDto>(201).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);
        group.MapPut("/{noteId:long}", UpdateAsync).WithName("UpdateVarianceNote").RequireAuthorization(Policies.Notes)
            .Accepts<VarianceNoteChangeInput>("application/json").Produces<VarianceNoteDto>().ProducesValidationProblem()
            .ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    private static IResult OtherArea(long grantId) => TypedResults.Problem(
        detail: $"Your key is for other programme areas: it may not write or change notes on grant {grantId}.",
        statusCode: StatusCodes.Status403Forbidden,
        title: "Forbidden");

    public static VarianceNoteDto ToDto(VarianceNote n) => new(
        n.Id, n.GrantId, n.PeriodStart, n.CategoryCode, n.NoteText, n.Author, Actors.DisplayName(n.Author), n.Version, n.CreatedAt, n.UpdatedAt,
        n.UpdatedBy is null ? null : Actors.DisplayName(n.UpdatedBy));

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

        var notes = (await VarianceNoteStore.ListForGrantAsync(session, grantId, periodStart, cancellationToken)).Select(ToDto).ToList();
        return TypedResults.Ok(new ListResponse<VarianceNoteDto>(notes, 1, notes.Count, notes.Count));
    }

    private static async Task<IResult> CreateAsync(long grantId, HttpContext http, Database database)
    {
        var (input, problem) = await JsonBody.ReadCheckedAsync<VarianceNoteInput>(http.Request);
        if (problem is not null)
        {
            return problem;
        }

        var (periodStart, text, category) = input!;
        var change = http.Change();
        var cancellationToken = http.RequestAborted;
        return await Writes.InTransactionAsync(database, async session =>
        {
            var loaded = await GrantPeriods.LoadAsync(session, grantId, cancellationToken);
            if (loaded is null)
            {
                return Problems.NotFound("grant", grantId);
            }

            if (!http.User.MayActInArea(loaded.Grant.ProgrammeAreaId))
            {
                return OtherArea(grantId);
            }

            var errors = new FieldErrors();
            var periods = loaded.Periods;
            if (!periods.Any(p => p.Start == periodStart))
            {
                errors.Add("periodStart", $"must be the first day of one of the grant's reporting periods: {string.Join(", ", periods.Select(p => $"{p.Start:yyyy-MM-dd} ({p.Label})"))}");
            }

            if (category is not null)
            {
                await CostCategoryStore.CheckAsync(session, category, "category", errors, cancellationToken);
            }

            if (errors.Any)
            {
                return Problems.From(errors.ToRefusal());
            }

            if (await ClosedPeriods.NoteBlockedReasonAsync(session, loaded, periodStart, cancellationToken) is { } closed)
            {
                return Problems.Conflict(closed);
            }

            var note = new VarianceNote { GrantId = grantId, PeriodStart = periodStart, CategoryCode = category, NoteText = text, Author = change.Actor, CreatedAt = change.At };
            await VarianceNoteStore.InsertAsync(session, note, cancellationToken);
            var dto = ToDto(note);
            await AuditLog.WriteAsync(session, change, "create", Entity, note.Id, null, dto, cancellationToken);
            ETags.Set(http, note.Version);
            return TypedResults.Created($"/api/grants/{grantId}/variance-notes/{note.Id}", dto);
        }, cancellationToken);
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
            return problem;
        }

        var (text, category) = input!;
        var change = http.Change();
        var cancellationToken = http.RequestAborted;
        return await Writes.InTransactionAsync(database, async session =>
        {
            var loaded = await GrantPeriods.LoadAsync(session, grantId, cancellationToken);
            var before = loaded is null ? null : await VarianceNoteStore.GetAsync(session, grantId, noteId, cancellationToken);
            if (loaded is null || before is null)
            {
                return Problems.NotFound("variance note", noteId);
            }

            if (!http.User.MayActInArea(loaded.Grant.ProgrammeAreaId))
            {
                return OtherArea(grantId);
            }

            if (ETags.Check(expected, before.Version) is { } stale)
            {
                return stale;
            }

            var errors = new FieldErrors();
            if (category is not null)
            {
                await CostCategoryStore.CheckAsync(session, category, "category", errors, cancellationToken);
            }

            if (errors.Any)
            {
                return Problems.From(errors.ToRefusal());
            }

            if (await ClosedPeriods.NoteBlockedReasonAsync(session, loaded, before.PeriodStart, cancellationToken) is { } closed)
            {
                return Problems.Conflict(closed);
            }

            if (!await VarianceNoteStore.UpdateAsync(session, noteId, before.Version, category, text, change, cancellationToken))
            {
                return Problems.PreconditionFailed(before.Version + 1);
            }

            var after = (await VarianceNoteStore.GetAsync(session, grantId, noteId, cancellationToken))!;
            await AuditLog.WriteAsync(session, change, "update", Entity, noteId, ToDto(before), ToDto(after), cancellationToken);
            ETags.Set(http, after.Version);
            return TypedResults.Ok(ToDto(after));
        }, cancellationToken);
    }
}

/// <summary>A variance note; <c>author</c> is the recorded actor, <c>authorName</c> the name printed in reports.</summary>
public sealed record VarianceNoteDto(
    long Id, long GrantId, DateOnly PeriodStart, string? Category, string Text, string Author, string AuthorName, int Version, DateTime CreatedAt, DateTime? UpdatedAt, string? UpdatedBy);


