using System.Text.Json;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Audit;

/// <summary>The audit trail, read-only: who changed what, when, before and after.</summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(Policies.Read);
        group.MapGet("/", ListAsync).ReadsPagedQuery(
            QueryParameter.Code("entity", "Only entries about this kind of record.", AuditEntities.All),
            QueryParameter.Text("entityId", "Only entries about the record with this id.", 50),
            QueryParameter.Date("from", "Only entries on or after this date (UTC)."),
            QueryParameter.Date("to", "Only entries on or before this date (UTC).")).WithName("ListAuditEntries").Produces<ListResponse<AuditEntryDto>>().ProducesValidationProblem();
        group.MapGet("/verify", VerifyAsync).ReadsQuery(
            QueryParameter.Text("expectHead", "A chain head kept elsewhere, ENTRY:HASH (the log writes one with each anchor), to check as well.", 100)).WithName("VerifyAudit").RequireAuthorization(Policies.Admin).Produces<AuditVerificationDto>().ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, Database database, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var from = query.Date("from");
        var to = query.Date("to");
        var filter = new AuditFilter(
            query.Code("entity", AuditEntities.All),
            query.Text("entityId", 50),
            from?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
            to?.ToDateTime(TimeOnly.MaxValue, DateTimeKind.Utc));
        var page = query.Page();
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        var entries = await AuditLog.ListAsync(session, filter, page, cancellationToken);
        return TypedResults.Ok(ListResponse<AuditEntryDto>.From(entries, e => new AuditEntryDto(
            e.Id, e.At, e.Actor, e.Action, e.Entity, e.EntityId, Parse(e.BeforeJson), Parse(e.AfterJson))));
    }

    /// <summary>
    /// Walks the hash chain and checks every anchor. <c>expectHead=ENTRY:HASH</c> also checks a head kept
    /// elsewhere (the log writes one with each anchor).
    /// </summary>
    private static async Task<IResult> VerifyAsync(HttpRequest request, Database database, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var head = query.Text("expectHead", 100);
        (long, string)? expected = null;
        if (head is not null)
        {
            var parts = head.Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var entryId)
                && parts[1].Length == 64 && parts[1].All(Uri.IsHexDigit))
            {
                expected = (entryId, parts[1].ToLowerInvariant());
            }
            else
            {
                query.Refuse("expectHead", "must be an entry id and its hash, written ENTRY:HASH (64 hex digits), as the log's audit anchors give them");
            }
        }

        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        var result = await AuditLog.VerifyAsync(session, expected, cancellationToken);
        return TypedResults.Ok(new AuditVerificationDto(result.Valid, result.Entries, result.Unchained, result.FirstBrokenId, result.Anchors, result.BrokenAnchorId, result.Detail));
    }

    private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}

public sealed record AuditEntryDto(long Id, DateTime At, string Actor, string Action, string Entity, string EntityId, JsonElement? Before, JsonElement? After);

public sealed record AuditVerificationDto(bool Valid, long Entries, long Unchained, long? FirstBrokenId, long Anchors, long? BrokenAnchorId, string? Detail);
