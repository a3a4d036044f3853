using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Money;
using Portfolio.Core.Periods;

namespace Portfolio.Api.Features.Budgets;

/// <summary>A grant's whole spend profile: read it, or replace it with a new version (the old is kept).</summary>
public static class BudgetApi
{

    public static IEndpointRouteBuilder MapBudgets(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/grants/{grantId:long}/budget").WithTags("Budgets").RequireAuthorization(Policies.Read);
        group.MapGet("/", GetAsync).WithName("GetBudget").Produces<BudgetDto>().ProducesProblem(404);
        group.MapPut("/", PutAsync).WithName("PutBudget").RequireAuthorization(Policies.Write)
            .Accepts<BudgetInput>("application/json").Produces<BudgetDto>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    private static async Task<IResult> GetAsync(long grantId, HttpContext http, Database database, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var loaded = await GrantPeriods.LoadAsync(session, grantId, cancellationToken);
        if (loaded is null)
        {
            return Problems.NotFound("grant", grantId);
        }

        var budget = await BudgetStore.GetCurrentAsync(session, grantId, cancellationToken);
        ETags.Set(http, budget?.VersionNumber ?? 0);
        return TypedResults.Ok(ToDto(loaded.Grant, loaded.Periods, budget));
    }

    private static async Task<IResult> PutAsync(long grantId, HttpContext http, Database database)
    {
        var (expected, preconditionProblem) = ETags.RequireIfMatch(http.Request);
        if (preconditionProblem is not null)
        {
            return preconditionProblem;
        }

        var (input, problem) = await JsonBody.ReadCheckedAsync<BudgetInput>(http.Request);
        if (problem is not null)
        {
            return problem;
        }

        var lines = input!.Lines.Select(l => new BudgetLine { CategoryCode = l.Category, PeriodStart = l.PeriodStart, AmountPence = l.Amount.Pence }).ToList();
        var change = http.Change();
        var cancellationToken = http.RequestAborted;
        return await Writes.InTransactionAsync(database, async session =>
        {
            var loaded = await GrantPeriods.LoadAsync(session, grantId, cancellationToken);
            if (loaded is null)
            {
                return Problems.NotFound("grant", grantId);
            }

            var (grant, _, periods) = loaded;
            var current = await BudgetStore.GetCurrentAsync(session, grantId, cancellationToken);
            if (ETags.Check(expected, current?.VersionNumber ?? 0) is { } stale)
            {
                return stale;
            }

            var categories = (await CostCategoryStore.ListAsync(session, cancellationToken)).Select(c => c.Code).ToHashSet(StringComparer.Ordinal);
            var starts = periods.Select(p => p.Start).ToHashSet();
            var seen = new HashSet<(string, DateOnly)>();
            var errors = new Dictionary<string, string[]>();
            for (var i = 0; i < lines.Count; i++)
            {
                var line = lines[i];
                if (!categories.Contains(line.CategoryCode))
                {
                    errors[$"lines[{i}].category"] = ["must be one of: " + string.Join(", ", categories)];
                }

                if (!starts.Contains(line.PeriodStart))
                {
                    errors[$"lines[{i}].periodStart"] = [$"must be the first day of one of the grant's reporting periods: {string.Join(", ", periods.Select(p => $"{p.Start:yyyy-MM-dd} ({p.Label})"))}"];
                }

                if (!seen.Add((line.CategoryCode, line.PeriodStart)))
                {
                    errors[$"lines[{i}]"] = ["repeats the category and period of an earlier line; give one line per category and period"];
                }
            }

            if (errors.Count > 0)
            {
                return Problems.Validation(errors);
            }

            if (await ClosedPeriods.BudgetChangeBlockedReasonAsync(session, loaded, current?.Lines ?? [], lines, cancellationToken) is { } closed)
            {
                return Problems.Conflict(closed);
            }

            var saved = await BudgetStore.InsertVersionAsync(session, grantId, lines, change, cancellationToken);
            var dto = ToDto(grant, periods, saved);
            await AuditLog.WriteAsync(session, change, "update", "budget", grantId, current is null ? null : ToDto(grant, periods, current), dto, cancellationToken);
            ETags.Set(http, saved.VersionNumber);
            return TypedResults.Ok(dto);
        }, cancellationToken);
    }

    private static BudgetDto ToDto(Grant grant, IReadOnlyList<ReportingPeriod> periods, BudgetVersion? budget)
    {
        var lines = budget?.Lines ?? [];
        var total = lines.Sum(l => l.AmountPence);
        return new BudgetDto(
            grant.Id,
            budget?.VersionNumber ?? 0,
            budget?.CreatedAt,
            budget?.CreatedBy,
            lines.Select(l => new BudgetLineDto(l.CategoryCode, l.PeriodStart, Money.ToPounds(l.AmountPence))).ToList(),
            lines.GroupBy(l => l.CategoryCode).Select(g => new CategoryTotalDto(g.Key, Money.ToPounds(g.Sum(l => l.AmountPence)))).OrderBy(c => c.Category, StringComparer.Ordinal).ToList(),
            periods.Select(p => new PeriodTotalDto(p.Start, p.End, p.Label, Money.ToPounds(lines.Where(l => l.PeriodStart == p.Start).Sum(l => l.AmountPence)))).ToList(),
            Money.ToPounds(grant.AmountAwardedPence),
            Money.ToPounds(total),
            Money.ToPounds(grant.AmountAwardedPence - total));
    }
}

public sealed record BudgetLineDto(string Category, DateOnly PeriodStart, decimal Amount);

public sealed record CategoryTotalDto(string Category, decimal Amount);

public sealed record PeriodTotalDto(DateOnly PeriodStart, DateOnly PeriodEnd, string Label, decimal Amount);

public sealed record BudgetDto(
    long GrantId,
    int Version,
    DateTime? CreatedAt,
    string? CreatedBy,
    IReadOnlyList<BudgetLineDto> Lines,
    IReadOnlyList<CategoryTotalDto> TotalsByCategory,
    IReadOnlyList<PeriodTotalDto> TotalsByPeriod,
    decimal Award,
    decimal Total,
    decimal Unallocated);

