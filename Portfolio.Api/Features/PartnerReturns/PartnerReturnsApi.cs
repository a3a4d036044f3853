using Portfolio.Api.Features.Users;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.PartnerReturns;
using Portfolio.Core.Periods;
using Portfolio.Jobs.PartnerReturns;

namespace Portfolio.Api.Features.PartnerReturns;

/// <summary>
/// What partners report back: the returns an agreement owes, the links finance sends partners (emailed to the
/// partner's contact), the returns themselves, and their review by finance or the grant's programme lead.
/// </summary>
public static class PartnerReturnsApi
{
    public static IEndpointRouteBuilder MapPartnerReturns(this IEndpointRouteBuilder app)
    {
        var agreements = app.MapGroup("/api/partner-agreements/{agreementId:long}/returns").WithTags("Partner returns").RequireAuthorization(Policies.Read);
        agreements.MapGet("/", DueAsync).WithName("ListReturnsDue").Produces<ListResponse<ReturnDueDto>>().ProducesProblem(404);
        agreements.MapPost("/{periodStart}/link", LinkAsync).WithName("CreateReturnLink").RequireAuthorization(Policies.Write)
            .Produces<ReturnLinkDto>(201).ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404);

        app.MapPost("/api/partner-return-links/{id:long}/revoke", RevokeAsync).WithTags("Partner returns").WithName("RevokeReturnLink")
            .RequireAuthorization(Policies.Write).Produces<ReturnLinkView>().ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        var returns = app.MapGroup("/api/partner-returns").WithTags("Partner returns").RequireAuthorization(Policies.Read);
        returns.MapGet("/", ListAsync).ReadsPagedQuery(
            QueryParameter.Id("agreementId", "Only returns under this partner agreement."),
            QueryParameter.Id("grantId", "Only returns under this grant's agreements."),
            QueryParameter.Code("status", "Only returns in this state.", Codes.ReturnStatuses)).WithName("ListPartnerReturns").Produces<ListResponse<PartnerReturnView>>().ProducesValidationProblem();
        returns.MapGet("/{id:long}", GetAsync).WithName("GetPartnerReturn").Produces<PartnerReturnView>().ProducesProblem(404);
        returns.MapPost("/{id:long}/accept", (long id, HttpContext http, Database database) => ReviewAsync(id, accept: true, http, database))
            .WithName("AcceptPartnerReturn").RequireAuthorization(Policies.Notes).Accepts<ReturnReviewInput>("application/json")
            .Produces<PartnerReturnView>().ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);
        returns.MapPost("/{id:long}/send-back", (long id, HttpContext http, Database database) => ReviewAsync(id, accept: false, http, database))
            .WithName("SendBackPartnerReturn").RequireAuthorization(Policies.Notes).Accepts<ReturnReviewInput>("application/json")
            .Produces<PartnerReturnView>().ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);
        return app;
    }

    private static async Task<IResult> DueAsync(long agreementId, Database database, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        if (await ReturnSchedule.LoadAsync(session, agreementId, cancellationToken) is not { } loaded)
        {
            return Problems.NotFound("partner agreement", agreementId);
        }

        var today = UkDate.Today(clock);
        var items = new List<ReturnDueDto>();
        foreach (var due in loaded.Due)
        {
            var made = await Core.PartnerReturns.PartnerReturns.ForPeriodAsync(session, agreementId, due.PeriodStart, cancellationToken);
            items.Add(ReturnDueDto.Of(due, made, today));
        }

        return TypedResults.Ok(new ListResponse<ReturnDueDto>(items, 1, items.Count, items.Count));
    }

    /// <summary>201 with the form's address, emailed to the partner's contact when there is one (the only answer that carries the token).</summary>
    private static async Task<IResult> LinkAsync(long agreementId, string periodStart, HttpContext http, Database database, PublicBaseUrl baseUrl, PartnerReturnOptions options, PartnerReturnMailer mailer)
    {
        if (!DateOnly.TryParseExact(periodStart, "yyyy-MM-dd", out var start))
        {
            return Problems.Field("periodStart", "must be a date in the form yyyy-MM-dd");
        }

        var change = http.Change();
        IssuedLink? issued = null;
        var result = await Writes.RunAsync(
            database,
            session => ReturnLinks.IssueAsync(session, agreementId, start, options.LinkDays, change, http.RequestAborted),
            link =>
            {
                issued = link;
                return TypedResults.Created($"/api/partner-agreements/{agreementId}/returns", new ReturnLinkDto(link.Link.Id, baseUrl.For(http.Request, link.Path), link.Link.ExpiresAt, null));
            },
            http.RequestAborted);
        if (issued is null)
        {
            return result;
        }

        var emailedTo = await mailer.SendLinkAsync(issued, baseUrl.For(http.Request, issued.Path), http.RequestAborted);
        return TypedResults.Created($"/api/partner-agreements/{agreementId}/returns", new ReturnLinkDto(issued.Link.Id, baseUrl.For(http.Request, issued.Path), issued.Link.ExpiresAt, emailedTo));
    }

    private static async Task<IResult> RevokeAsync(long id, HttpContext http, Database database)
    {
        var change = http.Change();
        return await Writes.RunAsync(database, session => ReturnLinks.RevokeAsync(session, id, change, http.RequestAborted), view => TypedResults.Ok(view), http.RequestAborted);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, Database database, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var filter = new PartnerReturnFilter(query.Id("agreementId"), query.Id("grantId"), query.Code("status", Codes.ReturnStatuses));
        var page = query.Page();
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(ListResponse<PartnerReturnView>.From(await Core.PartnerReturns.PartnerReturns.ListAsync(session, filter, page, cancellationToken), Core.PartnerReturns.PartnerReturns.View));
    }

    private static async Task<IResult> GetAsync(long id, HttpContext http, Database database, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        if (await Core.PartnerReturns.PartnerReturns.GetAsync(session, id, cancellationToken) is not { } found)
        {
            return Problems.NotFound("partner return", id);
        }

        ETags.Set(http, found.Version);
        return TypedResults.Ok(Core.PartnerReturns.PartnerReturns.View(found));
    }

    private static async Task<IResult> ReviewAsync(long id, bool accept, HttpContext http, Database database)
    {
        var (version, preconditionProblem) = ETags.OptionalIfMatch(http.Request);
        if (preconditionProblem is not null)
        {
            return preconditionProblem;
        }

        var input = new ReturnReviewInput();
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            var (read, problem) = await JsonBody.ReadCheckedAsync<ReturnReviewInput>(http.Request);
            if (problem is not null)
            {
                return await ETags.BeforeContentAsync(problem, version, database, async session => (await Core.PartnerReturns.PartnerReturns.GetAsync(session, id, http.RequestAborted))?.Version, http.RequestAborted);
            }

            input = read!;
        }

        var change = http.Change();
        return await Writes.RunAsync(
            database,
            session => Core.PartnerReturns.PartnerReturns.ReviewAsync(session, id, version, accept, input, change, http.RequestAborted),
            view =>
            {
                ETags.Set(http, view.Version);
                return TypedResults.Ok(view);
            },
            http.RequestAborted);
    }
}

/// <summary>A new link: the form's address (a secret: shown here once), when it expires, and whom it was emailed to (null: not emailed).</summary>
public sealed record ReturnLinkDto(long LinkId, string Url, DateTime ExpiresAt, string? EmailedTo);

/// <summary>A return an agreement owes: the period, when it is due, and where it stands (<c>not-started</c> until the partner saves it).</summary>
public sealed record ReturnDueDto(DateOnly PeriodStart, DateOnly PeriodEnd, string PeriodLabel, DateOnly DueDate, string Status, bool Overdue, long? ReturnId)
{
    public static ReturnDueDto Of(ReturnDue due, PartnerReturn? made, DateOnly today) => new(
        due.PeriodStart, due.PeriodEnd, due.PeriodLabel, due.DueDate, made?.Status ?? "not-started",
        due.DueDate < today && made?.Status is not (ReturnStatus.Submitted or ReturnStatus.Accepted), made?.Id);
}
