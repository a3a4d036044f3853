using Portfolio.Api.Infrastructure;
using Portfolio.Core.Periods;
using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Core.Money;

namespace Portfolio.Api.Features.Burn;

/// <summary>Budget burn for a grant, and rolled up by grant, programme area, funder or partner. Any role may read.</summary>
public static class BurnApi
{
    private static readonly Dictionary<string, BurnGrouping> Groupings = new(StringComparer.Ordinal)
    {
        ["grant"] = BurnGrouping.Grant,
        ["programme-area"] = BurnGrouping.ProgrammeArea,
        ["funder"] = BurnGrouping.Funder,
        ["partner"] = BurnGrouping.Partner,
        ["area"] = BurnGrouping.Area,
    };

    /// <summary><c>Portfolio:Burn</c>: the RAG thresholds of the roll-up's totals (grants use their funder's), checked at start.</summary>
    public static IServiceCollection AddPortfolioBurn(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton(ReadThresholds(configuration));

    public static RagThresholds ReadThresholds(IConfiguration configuration)
    {
        var settings = new Portfolio.Jobs.Hosting.Settings(configuration, "Portfolio:Burn");
        var amber = settings.Int("RagAmberPercent", RagThresholds.Default.AmberPercent, 0, 1000);
        var red = settings.Int("RagRedPercent", RagThresholds.Default.RedPercent, 0, 1000);
        settings.Require(red >= amber, "RagRedPercent", $"it must be at least RagAmberPercent ({amber})");
        settings.ThrowIfInvalid();
        return new RagThresholds(amber, red);
    }

    public static IEndpointRouteBuilder MapBurn(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/grants/{grantId:long}/burn", GrantBurnAsync).ReadsQuery(QueryParameter.Date("asOf", "Burn as it stood at the end of this day (default: today, UK).")).WithTags("Burn").WithName("GetGrantBurn")
            .RequireAuthorization(Policies.Read).Produces<GrantBurnDto>().ProducesValidationProblem().ProducesProblem(404);
        app.MapGet("/api/burn", RollupAsync).ReadsQuery(
                QueryParameter.Date("asOf", "Burn as it stood at the end of this day (default: today, UK)."),
                QueryParameter.Code("groupBy", "How to group the grants (default: grant).", [.. Groupings.Keys]),
                QueryParameter.Id("funderId", "Only this funder's grants."),
                QueryParameter.Id("programmeAreaId", "Only grants in this programme area."),
                QueryParameter.Id("partnerId", "Only grants with an agreement with this partner."),
                QueryParameter.Text("areaCode", "Only grants that name this delivery area (its ONS code, as GET /api/delivery-areas lists them).", 20),
                QueryParameter.Code("status", "Only grants with this status.", Portfolio.Core.Domain.Codes.GrantStatuses)).WithTags("Burn").WithName("GetBurnRollup")
            .RequireAuthorization(Policies.Read).Produces<BurnRollupDto>().ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> GrantBurnAsync(long grantId, HttpRequest request, Database database, TimeProvider clock, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var asOf = query.Date("asOf") ?? UkDate.Today(clock);
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        var result = await BurnQueries.ForGrantAsync(session, grantId, asOf, cancellationToken);
        if (result is null)
        {
            return Problems.NotFound("grant", grantId);
        }

        var (grant, _, _, burn) = result.Value;
        return TypedResults.Ok(GrantBurnDto.From(grant.Id, grant.Reference, grant.Title, burn));
    }

    private static readonly Action<ILogger, long, string, Exception?> LogFailedGrant =
        LoggerMessage.Define<long, string>(LogLevel.Error, new EventId(4091, "RollupGrantFailed"), "Burn roll-up left out grant {GrantId}: {Reason}");

    private static async Task<IResult> RollupAsync(HttpRequest request, Database database, TimeProvider clock, RagThresholds thresholds, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var asOf = query.Date("asOf") ?? UkDate.Today(clock);
        var groupBy = query.Code("groupBy", [.. Groupings.Keys]) ?? "grant";
        var filter = new BurnFilter(query.Id("funderId"), query.Id("programmeAreaId"), query.Code("status", Portfolio.Core.Domain.Codes.GrantStatuses), query.Id("partnerId"),
            query.Text("areaCode", 20)?.Trim().ToUpperInvariant());
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        var rollup = await BurnQueries.RollupAsync(session, filter, Groupings[groupBy], asOf, thresholds, cancellationToken);
        var logger = loggers.CreateLogger("Portfolio.Burn");
        foreach (var failed in rollup.Failed)
        {
            LogFailedGrant(logger, failed.GrantId, failed.Reason, null);
        }

        return TypedResults.Ok(new BurnRollupDto(
            rollup.AsOf,
            groupBy,
            rollup.Groups.Select((g, i) => BurnRowDto.From(g.Id, g.Name, g.Grants, g.Totals, g.TimeElapsedPercent, g.Rag) with
            {
                AreaCode = rollup.AreaCodes.Count > 0 ? rollup.AreaCodes[i] : null,
                ReportedByPartners = g.ReportedByPartners is { } reported ? Money.ToPounds(reported) : null,
            }).ToList(),
            BurnRowDto.From(null, "portfolio", rollup.Groups.Sum(g => g.Grants), rollup.Portfolio, null, rollup.PortfolioRag),
            rollup.Failed.Select(f => new FailedGrantDto(f.GrantId, f.Reference, f.Reason)).ToList()));
    }
}

public sealed record BurnRowDto(
    long? Id,
    string Name,
    int Grants,
    decimal Award,
    decimal Budget,
    decimal Unallocated,
    decimal BudgetToDate,
    decimal ActualToDate,
    decimal Variance,
    decimal? VariancePercent,
    decimal? BurnPercent,
    decimal? TimeElapsedPercent,
    decimal ForecastAtCompletion,
    decimal? RunRateForecast,
    string Rag)
{
    /// <summary>The delivery area's ONS code, in a roll-up by area (<c>groupBy=area</c>; the row's id is then null).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? AreaCode { get; init; }

    /// <summary>By partner or area: what partners report they spent, from their accepted returns (absent for the other groupings).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public decimal? ReportedByPartners { get; init; }

    public static BurnRowDto From(long? id, string name, int grants, BurnTotals t, decimal? timeElapsed, Rag rag) => new(
        id, name, grants, Money.ToPounds(t.Award), Money.ToPounds(t.Budget), Money.ToPounds(t.Unallocated), Money.ToPounds(t.BudgetToDate),
        Money.ToPounds(t.ActualToDate), Money.ToPounds(t.Variance), t.VariancePercent, t.BurnPercent, timeElapsed,
        Money.ToPounds(t.ForecastAtCompletion), t.RunRateForecast is { } rate ? Money.ToPounds(rate) : null, rag.ToCode());
}

/// <summary>The roll-up; <c>failed</c> lists grants that could not be computed and are left out of every row and of the portfolio total.</summary>
public sealed record BurnRollupDto(DateOnly AsOf, string GroupBy, IReadOnlyList<BurnRowDto> Items, BurnRowDto Portfolio, IReadOnlyList<FailedGrantDto> Failed);

public sealed record FailedGrantDto(long GrantId, string Reference, string Reason);

public sealed record CategoryBurnDto(
    string Category,
    decimal Budget,
    decimal BudgetToDate,
    decimal ActualToDate,
    decimal Variance,
    decimal? VariancePercent,
    decimal? BurnPercent,
    decimal ForecastAtCompletion,
    decimal? RunRateForecast,
    string Rag);

public sealed record PeriodBurnDto(
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    string Label,
    decimal Budget,
    decimal BudgetToDate,
    decimal Actual,
    decimal Variance,
    decimal? VariancePercent,
    string Rag,
    decimal CumulativeBudget,
    decimal CumulativeBudgetToDate,
    decimal CumulativeActual);

public sealed record GrantBurnDto(
    long GrantId,
    string Reference,
    string Title,
    DateOnly AsOf,
    decimal Award,
    decimal Budget,
    decimal Unallocated,
    decimal BudgetToDate,
    decimal ActualToDate,
    decimal Variance,
    decimal? VariancePercent,
    decimal? BurnPercent,
    decimal TimeElapsedPercent,
    decimal ForecastAtCompletion,
    decimal? RunRateForecast,
    string Rag,
    IReadOnlyList<CategoryBurnDto> ByCategory,
    IReadOnlyList<PeriodBurnDto> ByPeriod)
{
    public static GrantBurnDto From(long grantId, string reference, string title, GrantBurn burn)
    {
        var t = burn.Totals;
        return new GrantBurnDto(
            grantId, reference, title, burn.AsOf,
            Money.ToPounds(t.Award), Money.ToPounds(t.Budget), Money.ToPounds(t.Unallocated), Money.ToPounds(t.BudgetToDate),
            Money.ToPounds(t.ActualToDate), Money.ToPounds(t.Variance), t.VariancePercent, t.BurnPercent, burn.TimeElapsedPercent,
            Money.ToPounds(t.ForecastAtCompletion), t.RunRateForecast is { } rate ? Money.ToPounds(rate) : null, burn.Rag.ToCode(),
            burn.ByCategory.Select(c => new CategoryBurnDto(
                c.Category, Money.ToPounds(c.Totals.Budget), Money.ToPounds(c.Totals.BudgetToDate), Money.ToPounds(c.Totals.ActualToDate),
                Money.ToPounds(c.Totals.Variance), c.Totals.VariancePercent, c.Totals.BurnPercent, Money.ToPounds(c.Totals.ForecastAtCompletion),
                c.Totals.RunRateForecast is { } r ? Money.ToPounds(r) : null, c.Rag.ToCode())).ToList(),
            burn.ByPeriod.Select(p => new PeriodBurnDto(
                p.Period.Start, p.Period.End, p.Period.Label, Money.ToPounds(p.Budget), Money.ToPounds(p.BudgetToDate), Money.ToPounds(p.Actual),
                Money.ToPounds(p.Variance), p.VariancePercent, p.Rag.ToCode(), Money.ToPounds(p.CumulativeBudget),
                Money.ToPounds(p.CumulativeBudgetToDate), Money.ToPounds(p.CumulativeActual))).ToList());
    }
}
