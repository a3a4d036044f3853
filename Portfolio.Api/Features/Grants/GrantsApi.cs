using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Money;

namespace Portfolio.Api.Features.Grants;

public static class GrantsApi
{
    public static IEndpointRouteBuilder MapGrants(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/grants").WithTags("Grants").RequireAuthorization(Policies.Read);
        group.MapGet("/", ListAsync).WithName("ListGrants").Produces<ListResponse<GrantDto>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", Handlers.GetAsync).WithName("GetGrant").Produces<GrantDto>().ProducesProblem(404);
        group.MapPost("/", Handlers.CreateAsync).WithName("CreateGrant").RequireAuthorization(Policies.Write)
            .Accepts<GrantRequest>("application/json").Produces<GrantDto>(201).ProducesValidationProblem().ProducesProblem(409);
        group.MapPut("/{id:long}", Handlers.UpdateAsync).WithName("UpdateGrant").RequireAuthorization(Policies.Write)
            .Accepts<GrantRequest>("application/json").Produces<GrantDto>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(422).ProducesProblem(428);
        group.MapDelete("/{id:long}", Handlers.DeleteAsync).WithName("DeleteGrant").RequireAuthorization(Policies.Write)
            .Produces(204).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    internal static readonly ResourceHandlers<Grant, GrantDto> Handlers = new()
    {
        Entity = "grant",
        BasePath = "/api/grants",
        Fields = ["funderId", "programmeAreaId", "reference", "title", "description", "amountAwarded", "currency", "awardDate", "startDate", "endDate", "restricted", "status"],
        Load = GrantStore.GetAsync,
        Read = Read,
        Check = CheckAsync,
        Insert = GrantStore.InsertAsync,
        Update = GrantStore.UpdateAsync,
        Delete = GrantStore.DeleteAsync,
        DeleteBlocker = async (session, grant, ct) =>
            await GrantStore.DependentCountAsync(session, grant.Id, ct) > 0
                ? "The grant has budgets, money, agreements, notes or reports recorded against it and cannot be deleted; set its status to closed instead."
                : null,
        ToDto = ToDto,
    };

    public static GrantDto ToDto(Grant g) => new(
        g.Id, g.FunderId, g.ProgrammeAreaId, g.Reference, g.Title, g.Description, Money.ToPounds(g.AmountAwardedPence), g.Currency,
        g.AwardDate, g.StartDate, g.EndDate, g.Restricted, g.Status, g.Version, g.CreatedAt, g.UpdatedAt);

    private static async Task<IResult> ListAsync(HttpRequest request, Database database, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var filter = new GrantFilter(query.Id("funderId"), query.Id("programmeAreaId"), query.Code("status", Codes.GrantStatuses));
        var page = query.Page();
        if (!query.IsValid)
        {
            return query.Problem();
        }

        await using var session = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(ListResponse<GrantDto>.From(await GrantStore.ListAsync(session, filter, page, cancellationToken), ToDto));
    }

    private static Grant Read(JsonInput input)
    {
        var grant = new Grant
        {
            FunderId = input.Id("funderId", required: true) ?? 0,
            ProgrammeAreaId = input.Id("programmeAreaId", required: false),
            Reference = input.Text("reference", required: true, 200) ?? "",
            Title = input.Text("title", required: true, 500) ?? "",
            Description = input.Text("description", required: false, 4000, multiline: true),
            AmountAwardedPence = input.Money("amountAwarded", required: true, allowNegative: false) ?? 0,
            Currency = input.Code("currency", [Codes.Currency], Codes.Currency) ?? "",
            AwardDate = input.Date("awardDate", required: false),
            StartDate = input.Date("startDate", required: true) ?? default,
            EndDate = input.Date("endDate", required: true) ?? default,
            Restricted = input.Bool("restricted", true) ?? true,
            Status = input.Code("status", Codes.GrantStatuses, "active") ?? "",
        };

        if (input.Has("startDate") && input.Has("endDate") && grant.StartDate != default && grant.EndDate != default && grant.EndDate < grant.StartDate)
        {
            input.Error("endDate", "must not be before startDate");
        }

        return grant;
    }

    private static async Task<IResult?> CheckAsync(DbSession session, Grant proposed, Grant? current, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (await FunderStore.GetAsync(session, proposed.FunderId, cancellationToken) is null)
        {
            errors["funderId"] = [$"there is no funder with id {proposed.FunderId}"];
        }

        if (proposed.ProgrammeAreaId is { } areaId && await ProgrammeAreaStore.GetAsync(session, areaId, cancellationToken) is null)
        {
            errors["programmeAreaId"] = [$"there is no programme area with id {areaId}"];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (await GrantStore.GetByReferenceAsync(session, proposed.FunderId, proposed.Reference, cancellationToken) is { } holder && holder.Id != current?.Id)
        {
            return Problems.Conflict($"The funder already has a grant with reference '{proposed.Reference}' (grant {holder.Id}).");
        }

        if (current is not null && (current.StartDate != proposed.StartDate || current.EndDate != proposed.EndDate || current.FunderId != proposed.FunderId))
        {
            var loaded = (await GrantPeriods.LoadAsync(session, current.Id, cancellationToken))!;
            var funder = (await FunderStore.GetAsync(session, proposed.FunderId, cancellationToken))!;
            var proposedPeriods = GrantPeriods.PeriodsOf(current.Id, GrantPeriods.CalendarOf(current.Id, funder.ReportingCalendar), proposed.StartDate, proposed.EndDate);
            if (await ClosedPeriods.ChangeBlockedReasonAsync(session, loaded, proposed.FunderId, proposedPeriods, cancellationToken) is { } closed)
            {
                return Problems.Conflict(closed);
            }
        }

        if (current is not null)
        {
            var outside = await GrantStore.DatedRecordsOutsideAsync(session, current.Id, proposed.StartDate, proposed.EndDate, cancellationToken);
            if (outside > 0)
            {
                return Problems.Unprocessable($"{outside} transaction(s) or budget line(s) would fall outside {proposed.StartDate:yyyy-MM-dd} to {proposed.EndDate:yyyy-MM-dd}; move or void them first.");
            }

            var agreed = await PartnerAgreementStore.SumForGrantAsync(session, current.Id, null, cancellationToken);
            if (agreed > proposed.AmountAwardedPence)
            {
                return Problems.Unprocessable($"Partner agreements on this grant total {Money.Format(agreed)}, more than the proposed award of {Money.Format(proposed.AmountAwardedPence)}.");
            }
        }

        return null;
    }
}

public sealed record GrantDto(
    long Id,
    long FunderId,
    long? ProgrammeAreaId,
    string Reference,
    string Title,
    string? Description,
    decimal AmountAwarded,
    string Currency,
    DateOnly? AwardDate,
    DateOnly StartDate,
    DateOnly EndDate,
    bool Restricted,
    string Status,
    int Version,
    DateTime CreatedAt,
    DateTime UpdatedAt);

public sealed record GrantRequest(
    long FunderId,
    long? ProgrammeAreaId,
    string Reference,
    string Title,
    string? Description,
    decimal AmountAwarded,
    string? Currency,
    DateOnly? AwardDate,
    DateOnly StartDate,
    DateOnly EndDate,
    bool? Restricted,
    string? Status);
