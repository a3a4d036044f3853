using Portfolio.Core.Operations;
using Portfolio.Reports.Runs;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Periods;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Jobs.ReportRuns;

namespace Portfolio.Api.Features.ReportRuns;

/// <summary>Report runs: generated, approved, sent to each funder contact once, resent on request. All audited.</summary>
public static class ReportRunsApi
{
    public static IEndpointRouteBuilder MapReportRuns(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/report-runs").WithTags("Report runs").RequireAuthorization(Policies.Read);
        group.MapGet("/", ListAsync).ReadsPagedQuery(
            QueryParameter.Id("grantId", "Only this grant's runs."),
            QueryParameter.Code("status", "Only runs in this state.", Codes.ReportRunStatuses),
            QueryParameter.Code("overdue", "Only runs past (true) or not past (false) their due date and not yet sent.", ["true", "false"]),
            QueryParameter.Code("needsNote", "Only runs whose period needs (true) or does not need (false) a variance note.", ["true", "false"])).WithName("ListReportRuns").Produces<ListResponse<ReportRunDto>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", GetAsync).WithName("GetReportRun").Produces<ReportRunDto>().ProducesProblem(404);
        group.MapGet("/{id:long}/xlsx", (long id, Database database, CancellationToken ct) => FileAsync(id, "xlsx", database, ct)).WithName("GetReportRunExcel").Produces(200).ProducesProblem(404);
        group.MapGet("/{id:long}/pdf", (long id, Database database, CancellationToken ct) => FileAsync(id, "pdf", database, ct)).WithName("GetReportRunPdf").Produces(200).ProducesProblem(404);
        group.MapPost("/", GenerateAsync).WithName("CreateReportRun").RendersReports().RequireAuthorization(Policies.Write)
            .Accepts<ReportRunInput>("application/json").Produces<ReportRunDto>(202).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{id:long}/approve", ApproveAsync).WithName("ApproveReportRun").RequireAuthorization(Policies.Write)
            .Produces<ReportRunDto>(202).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(422).ProducesProblem(428);
        group.MapPost("/{id:long}/cancel", CancelAsync).WithName("CancelReportRun").RequireAuthorization(Policies.Write)
            .Accepts<CancelRunInput>("application/json").Produces<ReportRunDto>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        group.MapPost("/{id:long}/regenerate", RegenerateAsync).WithName("RegenerateReportRun").RendersReports().RequireAuthorization(Policies.Write)
            .Produces<ReportRunDto>(202).ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{id:long}/resend", ResendAsync).WithName("ResendReportRun").RequireAuthorization(Policies.Write)
            .Accepts<ResendInput>("application/json").Produces<ReportRunDto>(202).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);
        return app;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, Database database, TimeProvider clock, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var overdueText = query.Code("overdue", ["true", "false"]);
        var needsNoteText = query.Code("needsNote", ["true", "false"]);
        var filter = new ReportRunFilter(
            query.Id("grantId"), query.Code("status", Codes.ReportRunStatuses), overdueText is null ? null : overdueText == "true", UkDate.Today(clock),
            needsNoteText is null ? null : needsNoteText == "true");
        var page = query.Page();
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        var runs = await ReportRunStore.ListAsync(session, filter, page, cancellationToken);
        var today = UkDate.Today(clock);
        return TypedResults.Ok(ListResponse<ReportRunDto>.From(runs, r => ReportRunDto.From(r, today, null, null)));
    }

    private static async Task<IResult> GetAsync(long id, HttpContext http, Database database, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var run = await ReportRunStore.GetAsync(session, id, cancellationToken);
        if (run is null)
        {
            return Problems.NotFound("report run", id);
        }

        ETags.Set(http, run.Version);
        return TypedResults.Ok(ReportRunDto.From(
            run,
            UkDate.Today(clock),
            await ReportRunStore.ListFilesAsync(session, id, cancellationToken),
            await ReportRunStore.ListDeliveriesAsync(session, id, cancellationToken)));
    }

    private static async Task<IResult> FileAsync(long id, string format, Database database, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var file = await ReportRunStore.GetFileAsync(session, id, format, cancellationToken);
        return file is null
            ? Problems.NotFound("report run", id)
            : TypedResults.File(file.Content, file.ContentType, file.FileName);
    }

    private static async Task<IResult> GenerateAsync(HttpContext http, ReportRunService runs, Database database, TimeProvider clock)
    {
        var (input, problem) = await JsonBody.ReadCheckedAsync<ReportRunInput>(http.Request);
        if (problem is not null)
        {
            return problem;
        }

        var (grantId, periodStart) = input!;
        var result = await runs.GenerateAsync(grantId, periodStart, http.User.Actor(), http.RequestAborted);
        return result.Refused is { } refusal ? Problems.From(refusal) : await AcceptedAsync(result.Value!.Id, database, clock, http.RequestAborted);
    }

    /// <summary>With <c>If-Match</c>, approves exactly the version the approver previewed.</summary>
    private static async Task<IResult> ApproveAsync(long id, HttpContext http, ReportRunService runs, Database database, TimeProvider clock)
    {
        var (version, problem) = ETags.OptionalIfMatch(http.Request);
        return problem ?? await Answer(await runs.ApproveAsync(id, http.User.Actor(), version, http.RequestAborted), database, clock, http.RequestAborted);
    }

    private static async Task<IResult> CancelAsync(long id, HttpContext http, ReportRunService runs, Database database, TimeProvider clock)
    {
        var (version, problem) = ETags.OptionalIfMatch(http.Request);
        if (problem is not null)
        {
            return problem;
        }

        string? reason = null;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            var (input, bodyProblem) = await JsonBody.ReadCheckedAsync<CancelRunInput>(http.Request);
            if (bodyProblem is not null)
            {
                return await ETags.BeforeContentAsync(bodyProblem, version, database, async session => (await Core.Domain.ReportRunStore.GetAsync(session, id, http.RequestAborted))?.Version, http.RequestAborted);
            }

            reason = input!.Reason;
        }

        var result = await runs.CancelAsync(id, reason, http.User.Actor(), version, http.RequestAborted);
        if (result.Refused is { } refused)
        {
            return Problems.From(refused);
        }

        ETags.Set(http, result.Value!.Version);
        return TypedResults.Ok(ReportRunDto.From(result.Value, UkDate.Today(clock), null, null));
    }

    private static async Task<IResult> RegenerateAsync(long id, HttpContext http, ReportRunService runs, Database database, TimeProvider clock) =>
        await Answer(await runs.RegenerateAsync(id, http.User.Actor(), http.RequestAborted), database, clock, http.RequestAborted);

    private static async Task<IResult> ResendAsync(long id, HttpContext http, ReportRunService runs, Database database, TimeProvider clock)
    {
        List<string>? recipients = null;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            var (input, problem) = await JsonBody.ReadCheckedAsync<ResendInput>(http.Request);
            if (problem is not null)
            {
                return problem;
            }

            recipients = input!.Recipients?.ToList();
        }

        return await Answer(await runs.ResendAsync(id, recipients, http.User.Actor(), http.RequestAborted), database, clock, http.RequestAborted);
    }

    private static async Task<IResult> Answer(Outcome<ReportRun> result, Database database, TimeProvider clock, CancellationToken cancellationToken) =>
        result.Refused is { } refusal ? Problems.From(refusal) : await AcceptedAsync(result.Value!.Id, database, clock, cancellationToken);

    private static async Task<IResult> AcceptedAsync(long runId, Database database, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var run = (await ReportRunStore.GetAsync(session, runId, cancellationToken))!;
        var dto = ReportRunDto.From(run, UkDate.Today(clock), await ReportRunStore.ListFilesAsync(session, runId, cancellationToken), await ReportRunStore.ListDeliveriesAsync(session, runId, cancellationToken));
        return TypedResults.Accepted($"/api/report-runs/{runId}", dto);
    }
}




public sealed record ReportFileDto(string Format, string FileName, string ContentType, string Sha256, long SizeBytes);

public sealed record ReportDeliveryDto(long Id, string RecipientName, string RecipientEmail, string Status, int Attempts, string? MessageId, DateTime? SentAt, string? LastError);

public sealed record ReportRunDto(
    long Id,
    long GrantId,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    string PeriodLabel,
    string Status,
    string? Rag,
    DateOnly DueDate,
    bool Overdue,
    DateTime? GeneratedAt,
    DateTime? ApprovedAt,
    string? ApprovedBy,
    DateTime? SentAt,
    bool SentLate,
    bool NeedsVarianceNote,
    long? SupersededByRunId,
    string? FailureReason,
    DateTime? CancelledAt,
    string? CancelledBy,
    string? CancelReason,
    string? ModelSha256,
    int Version,
    IReadOnlyList<ReportFileDto>? Files,
    IReadOnlyList<ReportDeliveryDto>? Deliveries)
{
    public static ReportRunDto From(ReportRun r, DateOnly today, IReadOnlyList<ReportFile>? files, IReadOnlyList<ReportDelivery>? deliveries) => new(
        r.Id, r.GrantId, r.PeriodStart, r.PeriodEnd, r.PeriodLabel, r.Status, r.Rag, r.DueDate,
        r.Status is not ("sent" or "superseded" or "cancelled") && r.DueDate < today,
        r.GeneratedAt, r.ApprovedAt, r.ApprovedBy, r.SentAt,
        r.SentAt is { } sent && UkDate.Of(sent) > r.DueDate,
        r.NeedsVarianceNote,
        r.SupersededByRunId, r.FailureReason, r.CancelledAt, r.CancelledBy, r.CancelReason, r.ModelSha256, r.Version,
        files?.Select(f => new ReportFileDto(f.Format, f.FileName, f.ContentType, f.Sha256, f.SizeBytes)).ToList(),
        deliveries?.Select(d => new ReportDeliveryDto(d.Id, d.RecipientName, d.RecipientEmail, d.Status, d.Attempts, d.MessageId, d.SentAt, d.LastError)).ToList());
}
