using Portfolio.Api.Infrastructure;
using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Periods;
using Portfolio.Core.Results;

namespace Portfolio.Api.Features.Results;

/// <summary>An indicator as the outcomes answer gives it: figures as numbers, null where there is none.</summary>
public sealed record OutcomeRowDto(
    long IndicatorId, string Name, string Unit, bool HigherIsBetter, string Source, string ToDate, decimal? Baseline, decimal? PeriodTarget, decimal? PeriodActual,
    decimal? TargetToDate, decimal? ActualToDate, decimal? TotalTarget, string? Rag, string? Note, bool NeedsNote, IReadOnlyList<CommunityFigureView> Breakdown)
{
    public static OutcomeRowDto Of(OutcomeRow r) => new(
        r.IndicatorId, r.Name, r.Unit, r.HigherIsBetter, r.Source, r.ToDate, Figure(r.Baseline), Figure(r.PeriodTarget), Figure(r.PeriodActual), Figure(r.TargetToDate),
        Figure(r.ActualToDate), Figure(r.TotalTarget), r.Rag, r.Note, r.NeedsNote, [.. r.Breakdown.Select(b => new CommunityFigureView(b.Community, b.Value * 0.01m))]);

    private static decimal? Figure(long? hundredths) => hundredths is { } v ? v * 0.01m : null;
}

/// <summary>A grant's results for one period: the same figures as the report's outcomes section.</summary>
public sealed record OutcomesDto(long GrantId, DateOnly PeriodStart, DateOnly PeriodEnd, string PeriodLabel, IReadOnlyList<OutcomeRowDto> Indicators, NarrativeView? Narrative);

/// <summary>Indicators, their actuals, the narratives, and the outcomes they add up to, per grant and period.</summary>
public static class ResultsApi
{
    public static IEndpointRouteBuilder MapResults(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/grants/{grantId:long}").WithTags("Results").RequireAuthorization(Policies.Read);
        group.MapGet("/indicators", ListAsync).WithName("ListIndicators").Produces<ListResponse<IndicatorView>>().ProducesProblem(404);
        group.MapPost("/indicators", CreateAsync).WithName("CreateIndicator").RequireAuthorization(Policies.Notes)
            .Accepts<IndicatorInput>("application/json").Produces<IndicatorView>(201).ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404);
        group.MapGet("/indicators/{indicatorId:long}", GetAsync).WithName("GetIndicator").Produces<IndicatorView>().ProducesProblem(404);
        group.MapPut("/indicators/{indicatorId:long}", UpdateAsync).WithName("UpdateIndicator").RequireAuthorization(Policies.Notes)
            .Accepts<IndicatorInput>("application/json").Produces<IndicatorView>().ProducesValidationProblem()
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        group.MapGet("/indicators/{indicatorId:long}/actuals", ActualsAsync).WithName("ListIndicatorActuals").Produces<ListResponse<IndicatorActualView>>().ProducesProblem(404);
        group.MapPut("/indicators/{indicatorId:long}/actuals/{periodStart}", RecordActualAsync).WithName("RecordIndicatorActual").RequireAuthorization(Policies.Notes)
            .Accepts<IndicatorActualInput>("application/json").Produces<IndicatorActualView>().ProducesValidationProblem()
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(422);
        group.MapGet("/narratives", NarrativesAsync).WithName("ListNarratives").Produces<ListResponse<NarrativeView>>().ProducesProblem(404);
        group.MapPut("/narratives/{periodStart}", SaveNarrativeAsync).WithName("SaveNarrative").RequireAuthorization(Policies.Notes)
            .Accepts<NarrativeInput>("application/json").Produces<NarrativeView>().ProducesValidationProblem()
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);
        group.MapGet("/outcomes", OutcomesAsync)
            .ReadsQuery(QueryParameter.Date("periodStart", "The period (its first day); by default the last period that has ended, or the first."))
            .WithName("GetOutcomes").Produces<OutcomesDto>().ProducesValidationProblem().ProducesProblem(404);
        return app;
    }

    private static async Task<IResult> ListAsync(long grantId, Database database, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        if (await GrantStore.GetAsync(session, grantId, cancellationToken) is null)
        {
            return Problems.NotFound("grant", grantId);
        }

        var items = (await IndicatorStore.ListForGrantAsync(session, grantId, cancellationToken)).Select(IndicatorView.Of).ToList();
        return TypedResults.Ok(new ListResponse<IndicatorView>(items, 1, items.Count, items.Count));
    }

    private static async Task<IResult> GetAsync(long grantId, long indicatorId, HttpContext http, Database database, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        if (await IndicatorStore.GetAsync(session, grantId, indicatorId, cancellationToken) is not { } indicator)
        {
            return Problems.NotFound("indicator", indicatorId);
        }

        ETags.Set(http, indicator.Version);
        return TypedResults.Ok(IndicatorView.Of(indicator));
    }

    private static async Task<IResult> CreateAsync(long grantId, HttpContext http, Database database)
    {
        var (input, problem) = await JsonBody.ReadCheckedAsync<IndicatorInput>(http.Request);
        if (problem is not null)
        {
            return problem;
        }

        var change = http.Change();
        return await Writes.RunAsync(
            database,
            session => Indicators.CreateAsync(session, grantId, input!, change, http.RequestAborted),
            saved =>
            {
                ETags.Set(http, saved.Version);
                return TypedResults.Created($"/api/grants/{grantId}/indicators/{saved.Id}", saved.View);
            },
            http.RequestAborted);
    }

    /// <summary>Replaces the indicator: If-Match with its version; a closed period's target cannot change.</summary>
    private static async Task<IResult> UpdateAsync(long grantId, long indicatorId, HttpContext http, Database database)
    {
        var (expected, preconditionProblem) = ETags.RequireIfMatch(http.Request);
        if (preconditionProblem is not null)
        {
            return preconditionProblem;
        }

        var (input, problem) = await JsonBody.ReadCheckedAsync<IndicatorInput>(http.Request);
        if (problem is not null)
        {
            return await ETags.BeforeContentAsync(problem, expected, database, async session => (await IndicatorStore.GetAsync(session, grantId, indicatorId, http.RequestAborted))?.Version, http.RequestAborted);
        }

        var change = http.Change();
        return await Writes.RunAsync(
            database,
            session => Indicators.EditAsync(session, grantId, indicatorId, expected, input!, change, http.RequestAborted),
            saved =>
            {
                ETags.Set(http, saved.Version);
                return TypedResults.Ok(saved.View);
            },
            http.RequestAborted);
    }

    private static async Task<IResult> ActualsAsync(long grantId, long indicatorId, Database database, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        if (await IndicatorStore.GetAsync(session, grantId, indicatorId, cancellationToken) is null)
        {
            return Problems.NotFound("indicator", indicatorId);
        }

        var items = (await IndicatorStore.ActualsForGrantAsync(session, grantId, cancellationToken)).Where(a => a.IndicatorId == indicatorId).Select(IndicatorActualView.Of).ToList();
        return TypedResults.Ok(new ListResponse<IndicatorActualView>(items, 1, items.Count, items.Count));
    }

    /// <summary>The actual for one period, created or replaced; If-Match (the actual's version, "0" for none yet) is optional.</summary>
    private static async Task<IResult> RecordActualAsync(long grantId, long indicatorId, string periodStart, HttpContext http, Database database, TimeProvider clock)
    {
        if (!DateOnly.TryParseExact(periodStart, "yyyy-MM-dd", out var start))
        {
            return Problems.Field("periodStart", "must be a date in the form yyyy-MM-dd");
        }

        var (expected, preconditionProblem) = ETags.OptionalIfMatch(http.Request);
        if (preconditionProblem is not null)
        {
            return preconditionProblem;
        }

        var (input, problem) = await JsonBody.ReadCheckedAsync<IndicatorActualInput>(http.Request);
        if (problem is not null)
        {
            return await ETags.BeforeContentAsync(problem, expected, database, async session => (await IndicatorStore.GetActualAsync(session, indicatorId, start, http.RequestAborted))?.Version ?? 0, http.RequestAborted);
        }

        var change = http.Change();
        return await Writes.RunAsync(
            database,
            session => Indicators.RecordActualAsync(session, grantId, indicatorId, start, expected, input!, change, UkDate.Today(clock), http.RequestAborted),
            saved =>
            {
                ETags.Set(http, saved.Version);
                return TypedResults.Ok(saved);
            },
            http.RequestAborted);
    }

    private static async Task<IResult> NarrativesAsync(long grantId, Database database, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        if (await GrantStore.GetAsync(session, grantId, cancellationToken) is null)
        {
            return Problems.NotFound("grant", grantId);
        }

        var items = (await Narratives.ListAsync(session, grantId, cancellationToken)).Select(NarrativeView.Of).ToList();
        return TypedResults.Ok(new ListResponse<NarrativeView>(items, 1, items.Count, items.Count));
    }

    private static async Task<IResult> SaveNarrativeAsync(long grantId, string periodStart, HttpContext http, Database database)
    {
        if (!DateOnly.TryParseExact(periodStart, "yyyy-MM-dd", out var start))
        {
            return Problems.Field("periodStart", "must be a date in the form yyyy-MM-dd");
        }

        var (expected, preconditionProblem) = ETags.OptionalIfMatch(http.Request);
        if (preconditionProblem is not null)
        {
            return preconditionProblem;
        }

        var (input, problem) = await JsonBody.ReadCheckedAsync<NarrativeInput>(http.Request);
        if (problem is not null)
        {
            return await ETags.BeforeContentAsync(problem, expected, database, async session => (await Narratives.GetAsync(session, grantId, start, http.RequestAborted))?.Version ?? 0, http.RequestAborted);
        }

        var change = http.Change();
        return await Writes.RunAsync(
            database,
            session => Narratives.SaveAsync(session, grantId, start, expected, input!, change, http.RequestAborted),
            saved =>
            {
                ETags.Set(http, saved.Version);
                return TypedResults.Ok(saved);
            },
            http.RequestAborted);
    }

    private static async Task<IResult> OutcomesAsync(long grantId, HttpRequest request, Database database, TimeProvider clock, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var periodStart = query.Date("periodStart");
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        if (await GrantPeriods.LoadAsync(session, grantId, cancellationToken) is not { } grant)
        {
            return Problems.NotFound("grant", grantId);
        }

        var outcomes = await OutcomesFor(session, grant, periodStart, UkDate.Today(clock), cancellationToken);
        return outcomes is null
            ? Problems.Field("periodStart", grant.NotAPeriodStart)
            : TypedResults.Ok(outcomes);
    }

    /// <summary>The grant's outcomes for the period starting <paramref name="periodStart"/> (by default the last ended, or the first); null for a date that starts no period.</summary>
    internal static async Task<OutcomesDto?> OutcomesFor(DbSession session, GrantPeriods grant, DateOnly? periodStart, DateOnly today, CancellationToken cancellationToken)
    {
        var start = periodStart ?? (grant.Periods.LastOrDefault(p => p.End < today) ?? grant.Periods[0]).Start;
        var thresholds = new RagThresholds(grant.Funder.RagAmberPercent, grant.Funder.RagRedPercent);
        var outcomes = await Outcomes.ForPeriodAsync(session, grant, start, thresholds, cancellationToken);
        return outcomes is null
            ? null
            : new OutcomesDto(grant.Grant.Id, outcomes.Period.Start, outcomes.Period.End, outcomes.Period.Label, [.. outcomes.Rows.Select(OutcomeRowDto.Of)],
                outcomes.Narrative is { } n ? NarrativeView.Of(n) : null);
    }
}
