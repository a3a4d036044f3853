using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Periods;

namespace Portfolio.Core.Burn;

public enum BurnGrouping
{
    Grant,
    ProgrammeArea,
    Funder,
    Partner,
    Area,
}

/// <summary>
/// Which grants: by funder, programme area, status, partner (grants with an agreement with that partner) and
/// delivery area (grants that name it).
/// </summary>
public sealed record BurnFilter(long? FunderId = null, long? ProgrammeAreaId = null, string? Status = null, long? PartnerId = null, string? AreaCode = null);

/// <summary>One grant's figures in a roll-up, with what a list of grants shows beside them.</summary>
public sealed record GrantLine(
    long Id,
    string Reference,
    string Title,
    long FunderId,
    string FunderName,
    long? ProgrammeAreaId,
    string? ProgrammeAreaName,
    DateOnly StartDate,
    DateOnly EndDate,
    int ReportLagDays,
    IReadOnlyList<ReportingPeriod> Periods,
    BurnTotals Totals,
    RagThresholds Thresholds,
    decimal TimeElapsedPercent)
{
    public Rag Rag => Totals.RagWith(Thresholds);
}

/// <summary>
/// The whole (filtered) portfolio at once: every grant's figures and the roll-ups by programme area, funder and
/// partner, from one read of each table (what the dashboard shows).
/// </summary>
public sealed record PortfolioBurn(
    DateOnly AsOf,
    IReadOnlyList<GrantLine> Grants,
    IReadOnlyList<BurnGroup> ByProgrammeArea,
    IReadOnlyList<BurnGroup> ByFunder,
    IReadOnlyList<BurnGroup> ByPartner,
    IReadOnlyList<AreaBurnGroup> ByArea,
    BurnTotals Portfolio,
    Rag PortfolioRag,
    IReadOnlyList<FailedGrant> Failed);

/// <summary>One row of a roll-up: a grant, programme area, funder or partner, with its summed figures.</summary>
public sealed record BurnGroup(long? Id, string Name, int Grants, BurnTotals Totals, RagThresholds Thresholds, decimal? TimeElapsedPercent)
{
    public Rag Rag => Totals.RagWith(Thresholds);

    /// <summary>
    /// By partner or area: what partners report they spent, from their accepted returns for periods started by the
    /// date (an agreement in several areas shared between them as its amount is); null for the other groupings.
    /// </summary>
    public long? ReportedByPartners { get; init; }
}

/// <summary>One delivery area's row of a roll-up (<see cref="BurnGroup"/> is keyed by number; an area by its ONS code).</summary>
public sealed record AreaBurnGroup(string Code, string Name, BurnGroup Group);

/// <summary>
/// A roll-up, and the grants left out of it because they could not be computed (their stored data is impossible):
/// one bad grant is listed here, never a failure of the whole roll-up.
/// </summary>
public sealed record BurnRollup(DateOnly AsOf, BurnGrouping GroupBy, IReadOnlyList<BurnGroup> Groups, BurnTotals Portfolio, Rag PortfolioRag, IReadOnlyList<FailedGrant> Failed)
{
    /// <summary>By area: each group's area code, in the order of <see cref="Groups"/> (empty for the other groupings).</summary>
    public IReadOnlyList<string> AreaCodes { get; init; } = [];
}

/// <summary>A grant that could not be computed, and why.</summary>
public sealed record FailedGrant(long GrantId, string Reference, string Reason);

/// <summary>
/// Reads what the burn calculation needs. For one grant, its lines and its spend by day; for a portfolio, the kept
/// totals: spend per grant, partner and area from one grouped query over the kept monthly totals
/// (<see cref="SpendTotals"/>), and the budget per grant and period (<see cref="BudgetTotals"/>) with only the
/// period in progress read line by line; never a query per grant or per period.
/// </summary>
public static class BurnQueries
{
    internal static readonly Sql DailyActuals = Sql.Common("""
        SELECT category_code, transaction_date, SUM(amount_pence) AS amount
        FROM spend_transaction
        WHERE grant_id = @GrantId AND voided_at IS NULL AND transaction_date <= @AsOf
        GROUP BY category_code, transaction_date
        """);

    private const string GrantFilter = """
        (@FunderId IS NULL OR g.funder_id = @FunderId)
          AND (@ProgrammeAreaId IS NULL OR g.programme_area_id = @ProgrammeAreaId)
          AND (@Status IS NULL OR g.status = @Status)
          AND (@PartnerId IS NULL OR EXISTS (SELECT 1 FROM partner_agreement pf WHERE pf.grant_id = g.id AND pf.partner_id = @PartnerId))
          AND (@AreaCode IS NULL OR EXISTS (SELECT 1 FROM grant_area gf WHERE gf.grant_id = g.id AND gf.area_code = @AreaCode))
        """;

    internal static readonly Sql Grants = Sql.Common($"""
        SELECT g.id, g.funder_id, g.programme_area_id, g.reference, g.title, g.amount_awarded_pence, g.start_date, g.end_date,
               f.name AS funder_name, f.reporting_calendar, f.report_lag_days, f.rag_amber_percent, f.rag_red_percent, pa.name AS programme_area_name
        FROM grant_award g
        JOIN funder f ON f.id = g.funder_id
        LEFT JOIN programme_area pa ON pa.id = g.programme_area_id
        WHERE {GrantFilter}
        ORDER BY g.id
        """);

    /// <summary>
    /// The current budget of the grants in scope summed per period start: the kept totals (<see cref="BudgetTotals"/>),
    /// a row per grant and period rather than a row per line.
    /// </summary>
    internal static readonly Sql BudgetByPeriod = Sql.Common($"""
        SELECT bt.grant_id, bt.period_start, bt.amount_pence
        FROM budget_total bt JOIN grant_award g ON g.id = bt.grant_id
        WHERE {GrantFilter}
        """);

    /// <summary>The current budget's lines of the grants in scope with period starts from <c>@From</c> to <c>@To</c>: the periods in progress.</summary>
    internal static readonly Sql BudgetLinesBetween = Sql.Common($"""
        SELECT bt.grant_id, bl.category_code, bl.period_start, bl.amount_pence
        FROM budget_total bt
        JOIN budget_line bl ON bl.budget_version_id = bt.budget_version_id AND bl.period_start = bt.period_start
        JOIN grant_award g ON g.id = bt.grant_id
        WHERE bt.period_start >= @From AND bt.period_start <= @To AND {GrantFilter}
        """);

    /// <summary>
    /// Actual to date per grant, partner (0: none) and delivery area ('': none), read once for every roll-up from the
    /// kept monthly totals (<see cref="SpendTotals"/>) and the transactions of the month <c>@AsOf</c> falls in: either
    /// the months before it plus its lines up to <c>@AsOf</c>, or the months up to and including it less its lines
    /// after <c>@AsOf</c>, whichever reads fewer days of lines (<see cref="Scope.CountBack"/>). The same sum as over
    /// every transaction either way; in the second half of a month today's dashboard reads no lines at all, since
    /// spend cannot be recorded with a date after today.
    /// </summary>
    internal static readonly Sql SpendToDate = Sql.Common($"""
        SELECT x.grant_id, x.partner_id, x.area_code, SUM(x.amount) AS amount
        FROM (
            SELECT s.grant_id, s.partner_id, s.area_code, s.amount_pence AS amount
            FROM spend_total s JOIN grant_award g ON g.id = s.grant_id
            WHERE s.month_start < @KeptBefore AND {GrantFilter}
            UNION ALL
            SELECT t.grant_id, COALESCE(t.partner_id, 0), COALESCE(t.area_code, ''), @LineSign * t.amount_pence
            FROM spend_transaction t JOIN grant_award g ON g.id = t.grant_id
            WHERE t.voided_at IS NULL AND t.transaction_date >= @LinesFrom AND t.transaction_date <= @LinesTo AND {GrantFilter}
        ) x
        GROUP BY x.grant_id, x.partner_id, x.area_code
        """);

    internal static readonly Sql Agreements = Sql.Common($"""
        SELECT a.partner_id, p.name AS partner_name, a.amount_pence, a.start_date, a.end_date
        FROM partner_agreement a
        JOIN partner p ON p.id = a.partner_id
        JOIN grant_award g ON g.id = a.grant_id
        WHERE {GrantFilter}
        """);

    internal static readonly Sql PartnerNames = Sql.Common("SELECT id, name FROM partner");

    /// <summary>Each agreement of the grants in scope with its delivery areas (one row per agreement and area).</summary>
    internal static readonly Sql AgreementAreas = Sql.Common($"""
        SELECT a.id AS agreement_id, a.grant_id, a.amount_pence, a.start_date, a.end_date, aa.area_code
        FROM partner_agreement a
        JOIN partner_agreement_area aa ON aa.agreement_id = a.id
        JOIN grant_award g ON g.id = a.grant_id
        WHERE {GrantFilter}
        """);

    /// <summary>Accepted partner returns of the grants in scope, for periods starting by <c>@AsOf</c>.</summary>
    internal static readonly Sql AcceptedReturns = Sql.Common($"""
        SELECT a.id AS agreement_id, a.partner_id, r.spend_json
        FROM partner_return r
        JOIN partner_agreement a ON a.id = r.agreement_id
        JOIN grant_award g ON g.id = a.grant_id
        WHERE r.status = 'accepted' AND r.period_start <= @AsOf AND {GrantFilter}
        """);

    /// <summary>The calculation's inputs for one grant, or null when there is no such grant.</summary>
    public static async Task<(Grant Grant, Funder Funder, GrantBurnInput Input)?> LoadGrantAsync(DbSession session, long grantId, CancellationToken cancellationToken = default)
    {
        var loaded = await GrantPeriods.LoadAsync(session, grantId, cancellationToken);
        if (loaded is null)
        {
            return null;
        }

        var (grant, funder, periods) = loaded;
        var budget = await BudgetStore.GetCurrentAsync(session, grantId, cancellationToken);
        var input = new GrantBurnInput(
            grant.AmountAwardedPence,
            grant.StartDate,
            grant.EndDate,
            periods,
            new RagThresholds(funder.RagAmberPercent, funder.RagRedPercent),
            budget?.Lines.Select(l => new BudgetAmount(l.CategoryCode, l.PeriodStart, l.AmountPence)).ToList() ?? []);
        return (grant, funder, input);
    }

    /// <summary>One grant's burn at <paramref name="asOf"/>, or null when there is no such grant.</summary>
    public static async Task<(Grant Grant, Funder Funder, GrantBurnInput Input, GrantBurn Burn)?> ForGrantAsync(DbSession session, long grantId, DateOnly asOf, CancellationToken cancellationToken = default)
    {
        var loaded = await LoadGrantAsync(session, grantId, cancellationToken);
        if (loaded is null)
        {
            return null;
        }

        var actuals = (await session.QueryAsync<ActualRow>(DailyActuals, new { GrantId = grantId, AsOf = asOf }, cancellationToken))
            .Select(r => new DailyActual(r.CategoryCode, r.TransactionDate, r.Amount))
            .ToList();
        var (grant, funder, input) = loaded.Value;
        return (grant, funder, input, BurnCalculator.ForGrant(input, actuals, asOf));
    }

    /// <summary>The portfolio grouped by grant, programme area, funder or partner, sorted by the size of the variance.</summary>
    public static async Task<BurnRollup> RollupAsync(DbSession session, BurnFilter filter, BurnGrouping groupBy, DateOnly asOf, RagThresholds portfolioThresholds, CancellationToken cancellationToken = default)
    {
        var scope = Scope.Of(filter, asOf);
        var (inScope, failed) = await GrantsInScopeAsync(session, scope, cancellationToken);
        var spend = await SpendToDateAsync(session, scope, cancellationToken);
        if (groupBy == BurnGrouping.Area)
        {
            var areas = SortedAreas(await AreaGroupsAsync(session, scope, spend, await AcceptedReturnsAsync(session, scope, cancellationToken), portfolioThresholds, cancellationToken));
            var total = areas.Aggregate(BurnTotals.Zero, (sum, g) => sum + g.Group.Totals);
            return new BurnRollup(asOf, groupBy, [.. areas.Select(a => a.Group)], total, total.RagWith(portfolioThresholds), failed)
            {
                AreaCodes = [.. areas.Select(a => a.Code)],
            };
        }

        if (groupBy == BurnGrouping.Partner)
        {
            var partners = await PartnerGroupsAsync(session, scope, spend, await AcceptedReturnsAsync(session, scope, cancellationToken), portfolioThresholds, cancellationToken);
            var total = partners.Aggregate(BurnTotals.Zero, (sum, g) => sum + g.Totals);
            return new BurnRollup(asOf, groupBy, Sorted(partners), total, total.RagWith(portfolioThresholds), failed);
        }

        var grants = await GrantLinesAsync(session, scope, inScope, spend, failed, cancellationToken);
        var portfolio = grants.Aggregate(BurnTotals.Zero, (sum, g) => sum + g.Totals);
        var groups = groupBy switch
        {
            BurnGrouping.Grant => grants.Select(g => new BurnGroup(g.Id, $"{g.Reference}: {g.Title}", 1, g.Totals, g.Thresholds, g.TimeElapsedPercent)).ToList(),
            BurnGrouping.ProgrammeArea => ByProgrammeArea(grants, portfolioThresholds),
            BurnGrouping.Funder => ByFunder(grants),
            _ => throw new ArgumentOutOfRangeException(nameof(groupBy), groupBy, null),
        };
        return new BurnRollup(asOf, groupBy, Sorted(groups), portfolio, portfolio.RagWith(portfolioThresholds), failed);
    }

    /// <summary>Every grant and the roll-ups by programme area, funder and partner, reading spend once.</summary>
    public static async Task<PortfolioBurn> PortfolioAsync(DbSession session, BurnFilter filter, DateOnly asOf, RagThresholds portfolioThresholds, CancellationToken cancellationToken = default)
    {
        var scope = Scope.Of(filter, asOf);
        var (inScope, failed) = await GrantsInScopeAsync(session, scope, cancellationToken);
        var spend = await SpendToDateAsync(session, scope, cancellationToken);
        var grants = await GrantLinesAsync(session, scope, inScope, spend, failed, cancellationToken);
        var reported = await AcceptedReturnsAsync(session, scope, cancellationToken);
        var partners = await PartnerGroupsAsync(session, scope, spend, reported, portfolioThresholds, cancellationToken);
        var areas = await AreaGroupsAsync(session, scope, spend, reported, portfolioThresholds, cancellationToken);
        var portfolio = grants.Aggregate(BurnTotals.Zero, (sum, g) => sum + g.Totals);
        return new PortfolioBurn(
            asOf,
            [.. grants.OrderByDescending(g => Math.Abs(g.Totals.Variance)).ThenBy(g => g.Reference, StringComparer.Ordinal)],
            Sorted(ByProgrammeArea(grants, portfolioThresholds)),
            Sorted(ByFunder(grants)),
            Sorted(partners),
            SortedAreas(areas),
            portfolio,
            portfolio.RagWith(portfolioThresholds),
            failed);
    }

    /// <summary>A roll-up's parameters: the filter, the day, and the dates its kept totals are read by.</summary>
    private sealed record Scope(long? FunderId, long? ProgrammeAreaId, string? Status, long? PartnerId, string? AreaCode, DateOnly AsOf)
    {
        public static Scope Of(BurnFilter filter, DateOnly asOf) => new(filter.FunderId, filter.ProgrammeAreaId, filter.Status, filter.PartnerId, filter.AreaCode, asOf);

        /// <summary>
        /// Late in its month, actual to date is the kept months through <see cref="AsOf"/>'s month less its lines
        /// after the day; early in it, the kept months before it plus its lines up to the day.
        /// </summary>
        public bool CountBack => AsOf.Day > DateTime.DaysInMonth(AsOf.Year, AsOf.Month) / 2;

        /// <summary>The kept monthly totals read are those of months starting before this.</summary>
        public DateOnly KeptBefore => CountBack ? MonthStart.AddMonths(1) : MonthStart;

        /// <summary>The first and last dates of the month's lines read, and whether they are added (1) or taken away (-1).</summary>
        public DateOnly LinesFrom => CountBack ? AsOf.AddDays(1) : MonthStart;

        public DateOnly LinesTo => CountBack ? MonthStart.AddMonths(1).AddDays(-1) : AsOf;

        public int LineSign => CountBack ? -1 : 1;

        private DateOnly MonthStart => SpendTotals.MonthOf(AsOf);

        /// <summary>The first and last period start whose budget lines are read one by one (<see cref="BudgetLinesBetween"/>).</summary>
        public DateOnly From { get; init; }

        public DateOnly To { get; init; }
    }

    private static List<BurnGroup> Sorted(IEnumerable<BurnGroup> groups) => groups
        .OrderByDescending(g => Math.Abs(g.Totals.Variance))
        .ThenBy(g => g.Name, StringComparer.Ordinal)
        .ToList();

    private static List<AreaBurnGroup> SortedAreas(IEnumerable<AreaBurnGroup> areas) => areas
        .OrderByDescending(a => Math.Abs(a.Group.Totals.Variance))
        .ThenBy(a => a.Name, StringComparer.Ordinal)
        .ToList();

    private static List<BurnGroup> ByProgrammeArea(IEnumerable<GrantLine> grants, RagThresholds portfolioThresholds) => grants
        .GroupBy(g => (g.ProgrammeAreaId, Name: g.ProgrammeAreaName ?? "(no programme area)"))
        .Select(group => Sum(group.Key.ProgrammeAreaId, group.Key.Name, group.Select(g => g.Totals), portfolioThresholds))
        .ToList();

    private static List<BurnGroup> ByFunder(IEnumerable<GrantLine> grants) => grants
        .GroupBy(g => (Id: g.FunderId, Name: g.FunderName, g.Thresholds))
        .Select(group => Sum(group.Key.Id, group.Key.Name, group.Select(g => g.Totals), group.Key.Thresholds))
        .ToList();

    /// <summary>A grant in scope with its reporting periods, and the one in progress on the day (null: none).</summary>
    private sealed record ScopedGrant(GrantRow Row, IReadOnlyList<ReportingPeriod> Periods, ReportingPeriod? InProgress);

    /// <summary>The filtered grants with their periods; a grant whose stored data is impossible is listed as failed, not thrown.</summary>
    private static async Task<(List<ScopedGrant> Grants, List<FailedGrant> Failed)> GrantsInScopeAsync(DbSession session, Scope scope, CancellationToken cancellationToken)
    {
        var grants = new List<ScopedGrant>();
        var failed = new List<FailedGrant>();
        foreach (var g in await session.QueryAsync<GrantRow>(Grants, scope, cancellationToken))
        {
            try
            {
                var periods = GrantPeriods.PeriodsOf(g.Id, GrantPeriods.CalendarOf(g.Id, g.ReportingCalendar), g.StartDate, g.EndDate);
                grants.Add(new ScopedGrant(g, periods, periods.FirstOrDefault(p => p.Start <= scope.AsOf && scope.AsOf < p.End)));
            }
            catch (GrantDataException ex)
            {
                failed.Add(new FailedGrant(g.Id, g.Reference, ex.Message));
            }
        }

        return (grants, failed);
    }

    /// <summary>What stands for all of a period's lines in a budget read from the kept totals: a period total, not a cost category.</summary>
    private const string WholePeriod = "(period total)";

    /// <summary>
    /// Each grant's current budget as its totals need it: a period's lines summed (the kept totals), except in the
    /// period in progress, whose lines are read one by one because each is pro-rated by days and rounded to the
    /// penny on its own. A period ended or not yet begun counts all or none of its lines, so budget to date is the
    /// same, to the penny, as over every line (<see cref="BurnCalculator.BudgetToDate"/>); a line with a start
    /// inside the period in progress, not on its first day, belongs to it there too.
    /// </summary>
    private static async Task<ILookup<long, BudgetAmount>> BudgetsAsync(DbSession session, Scope scope, IReadOnlyList<ScopedGrant> grants, CancellationToken cancellationToken)
    {
        var inProgress = grants.Where(g => g.InProgress is not null).ToDictionary(g => g.Row.Id, g => g.InProgress!);
        bool Pending(long grantId, DateOnly periodStart) => inProgress.TryGetValue(grantId, out var p) && p.Contains(periodStart);
        var totals = (await session.QueryAsync<PeriodTotalRow>(BudgetByPeriod, scope, cancellationToken))
            .Where(t => !Pending(t.GrantId, t.PeriodStart))
            .Select(t => (t.GrantId, Amount: new BudgetAmount(WholePeriod, t.PeriodStart, t.AmountPence)));
        var lines = inProgress.Count == 0
            ? []
            : (await session.QueryAsync<LineRow>(BudgetLinesBetween, scope with { From = inProgress.Values.Min(p => p.Start), To = inProgress.Values.Max(p => p.End) }, cancellationToken))
                .Where(l => Pending(l.GrantId, l.PeriodStart))
                .Select(l => (l.GrantId, Amount: new BudgetAmount(l.CategoryCode, l.PeriodStart, l.AmountPence)));
        return totals.Concat(lines).ToLookup(x => x.GrantId, x => x.Amount);
    }

    /// <summary>Actual to date of the grants in scope, by grant, partner and area, from one read (<see cref="SpendToDate"/>).</summary>
    private sealed record SpendSums(IReadOnlyDictionary<long, long> ByGrant, IReadOnlyDictionary<long, long> ByPartner, IReadOnlyDictionary<string, long> ByArea);

    private static async Task<SpendSums> SpendToDateAsync(DbSession session, Scope scope, CancellationToken cancellationToken)
    {
        var rows = (await session.QueryAsync<SpendRow>(SpendToDate, scope, cancellationToken)).ToList();
        return new SpendSums(
            rows.GroupBy(r => r.GrantId).ToDictionary(g => g.Key, g => g.Sum(r => r.Amount)),
            rows.Where(r => r.PartnerId != 0).GroupBy(r => r.PartnerId).ToDictionary(g => g.Key, g => g.Sum(r => r.Amount)),
            rows.Where(r => r.AreaCode.Length > 0).GroupBy(r => r.AreaCode, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(r => r.Amount), StringComparer.Ordinal));
    }

    private static async Task<List<GrantLine>> GrantLinesAsync(
        DbSession session, Scope scope, IReadOnlyList<ScopedGrant> grants, SpendSums spend, List<FailedGrant> failed, CancellationToken cancellationToken)
    {
        var budgets = await BudgetsAsync(session, scope, grants, cancellationToken);
        var lines = new List<GrantLine>();
        foreach (var (g, periods, _) in grants)
        {
            try
            {
                var input = new GrantBurnInput(g.AmountAwardedPence, g.StartDate, g.EndDate, periods, new RagThresholds(g.RagAmberPercent, g.RagRedPercent), [.. budgets[g.Id]]);
                lines.Add(new GrantLine(
                    g.Id, g.Reference, g.Title, g.FunderId, g.FunderName, g.ProgrammeAreaId, g.ProgrammeAreaName, g.StartDate, g.EndDate,
                    g.ReportLagDays, periods, BurnCalculator.Totals(input, spend.ByGrant.GetValueOrDefault(g.Id), scope.AsOf), input.Thresholds,
                    BurnCalculator.TimeElapsedPercent(g.StartDate, g.EndDate, scope.AsOf)));
            }
            catch (Exception ex) when (ex is ArgumentException or OverflowException or InvalidOperationException)
            {
                failed.Add(new FailedGrant(g.Id, g.Reference, $"Grant {g.Id}'s burn could not be computed: {ex.Message}"));
            }
        }

        return lines;
    }

    private static BurnGroup Sum(long? id, string name, IEnumerable<BurnTotals> totals, RagThresholds thresholds)
    {
        var list = totals.ToList();
        return new BurnGroup(id, name, list.Count, list.Aggregate(BurnTotals.Zero, (sum, t) => sum + t), thresholds, null);
    }

    /// <summary>
    /// By partner: budget is the partner's agreements (to date: each agreement pro rata by days, as a budget line
    /// is), actual is the spend recorded against the partner. Award is the agreements' total; there is no run rate.
    /// </summary>
    private static async Task<List<BurnGroup>> PartnerGroupsAsync(DbSession session, Scope scope, SpendSums spend, IReadOnlyList<ReturnRow> accepted, RagThresholds thresholds, CancellationToken cancellationToken)
    {
        var agreements = (await session.QueryAsync<AgreementRow>(Agreements, scope, cancellationToken)).ToList();
        var names = (await session.QueryAsync<NameRow>(PartnerNames, cancellationToken: cancellationToken)).ToDictionary(r => r.Id, r => r.Name);
        var reported = accepted.ToLookup(r => r.PartnerId, r => r.SpendPence);
        var partnerIds = agreements.Select(a => a.PartnerId).Concat(spend.ByPartner.Keys).Distinct();
        return partnerIds.Select(id =>
        {
            var own = agreements.Where(a => a.PartnerId == id).ToList();
            var budget = own.Sum(a => a.AmountPence);
            var totals = new BurnTotals(
                budget,
                budget,
                own.Sum(a => BurnCalculator.ToDateOver(a.AmountPence, a.StartDate, a.EndDate, scope.AsOf)),
                spend.ByPartner.GetValueOrDefault(id),
                null);
            return new BurnGroup(id, names.GetValueOrDefault(id, $"partner {id}"), own.Count, totals, thresholds, null) { ReportedByPartners = reported[id].Sum() };
        }).ToList();
    }

    /// <summary>
    /// By delivery area: budget is the agreements' amounts in the area (an agreement naming several areas is split
    /// equally between them, in whole pence, the odd pence to the first codes, so the shares add up to the agreement),
    /// to date pro rata by days as for partners; actual is the spend recorded in the area. No run rate.
    /// </summary>
    private static async Task<List<AreaBurnGroup>> AreaGroupsAsync(DbSession session, Scope scope, SpendSums spend, IReadOnlyList<ReturnRow> reported, RagThresholds thresholds, CancellationToken cancellationToken)
    {
        var rows = (await session.QueryAsync<AgreementAreaRow>(AgreementAreas, scope, cancellationToken)).ToList();
        return await AreaTotalsAsync(session, rows, new Dictionary<string, long>(spend.ByArea, StringComparer.Ordinal), reported, scope.AsOf, thresholds, cancellationToken);
    }

    private static async Task<IReadOnlyList<ReturnRow>> AcceptedReturnsAsync(DbSession session, Scope scope, CancellationToken cancellationToken) =>
        (await session.QueryAsync<ReturnRow>(AcceptedReturns, scope, cancellationToken)).ToList();

    /// <summary>
    /// One grant's figures by delivery area at <paramref name="asOf"/> (what its funder report shows), by the same
    /// rule as the roll-up: one row for each of the grant's areas and each area its agreements or spend name.
    /// </summary>
    public static async Task<IReadOnlyList<AreaBurnGroup>> AreasOfGrantAsync(DbSession session, long grantId, DateOnly asOf, RagThresholds thresholds, CancellationToken cancellationToken = default)
    {
        var parameters = new { GrantId = grantId, AsOf = asOf };
        var rows = (await session.QueryAsync<AgreementAreaRow>(AgreementAreasOfGrant, parameters, cancellationToken)).ToList();
        var actuals = (await session.QueryAsync<AreaSumRow>(ActualsByAreaOfGrant, parameters, cancellationToken)).ToDictionary(r => r.AreaCode, r => r.Amount, StringComparer.Ordinal);
        foreach (var code in await DeliveryAreaStore.ForGrantAsync(session, grantId, cancellationToken))
        {
            actuals.TryAdd(code, 0);
        }

        return [.. (await AreaTotalsAsync(session, rows, actuals, [], asOf, thresholds, cancellationToken)).OrderBy(a => a.Name, StringComparer.Ordinal)];
    }

    internal static readonly Sql AgreementAreasOfGrant = Sql.Common("""
        SELECT a.id AS agreement_id, a.grant_id, a.amount_pence, a.start_date, a.end_date, aa.area_code
        FROM partner_agreement a JOIN partner_agreement_area aa ON aa.agreement_id = a.id
        WHERE a.grant_id = @GrantId
        """);

    internal static readonly Sql ActualsByAreaOfGrant = Sql.Common("""
        SELECT area_code, SUM(amount_pence) AS amount FROM spend_transaction
        WHERE grant_id = @GrantId AND area_code IS NOT NULL AND voided_at IS NULL AND transaction_date <= @AsOf
        GROUP BY area_code
        """);

    private static async Task<List<AreaBurnGroup>> AreaTotalsAsync(
        DbSession session, List<AgreementAreaRow> rows, Dictionary<string, long> actuals, IReadOnlyList<ReturnRow> reported, DateOnly asOf, RagThresholds thresholds, CancellationToken cancellationToken)
    {
        var byAgreement = rows.GroupBy(r => r.AgreementId).Select(g => g.OrderBy(a => a.AreaCode, StringComparer.Ordinal).ToList()).ToList();

        // What partners report, shared between an agreement's areas as its amount is.
        var areasOf = byAgreement.ToDictionary(areas => areas[0].AgreementId, areas => areas.Select(a => a.AreaCode).ToList());
        var reportedIn = reported.Where(r => areasOf.ContainsKey(r.AgreementId))
            .SelectMany(r => areasOf[r.AgreementId].Zip(AreaShares.Split(r.SpendPence, areasOf[r.AgreementId].Count)))
            .ToLookup(x => x.First, x => x.Second);
        var names = (await DeliveryAreaStore.ListAsync(session, cancellationToken)).ToDictionary(a => a.Code, a => a.Name, StringComparer.Ordinal);
        var shares = byAgreement.SelectMany(areas =>
        {
            var amounts = AreaShares.Split(areas[0].AmountPence, areas.Count);
            return areas.Select((a, i) => (a.AreaCode, a.GrantId, Amount: amounts[i], ToDate: BurnCalculator.ToDateOver(amounts[i], a.StartDate, a.EndDate, asOf)));
        }).ToList();
        var codes = shares.Select(s => s.AreaCode).Concat(actuals.Keys).Distinct(StringComparer.Ordinal);
        return codes.Select(code =>
        {
            var own = shares.Where(s => s.AreaCode == code).ToList();
            var budget = own.Sum(s => s.Amount);
            var totals = new BurnTotals(budget, budget, own.Sum(s => s.ToDate), actuals.GetValueOrDefault(code), null);
            var name = names.GetValueOrDefault(code, code);
            return new AreaBurnGroup(code, name, new BurnGroup(null, name, own.Select(s => s.GrantId).Distinct().Count(), totals, thresholds, null) { ReportedByPartners = reportedIn[code].Sum() });
        }).ToList();
    }

    /// <summary>An accepted return's agreement, partner and spend (read as <see cref="PartnerReturns.PartnerReturn"/> reads it).</summary>
    private sealed class ReturnRow
    {
        public long AgreementId { get; set; }
        public long PartnerId { get; set; }
        public string SpendJson { get; set; } = "[]";

        public long SpendPence => new PartnerReturns.PartnerReturn { SpendJson = SpendJson }.SpendPence;
    }

    private sealed class AgreementAreaRow
    {
        public long AgreementId { get; set; }
        public long GrantId { get; set; }
        public long AmountPence { get; set; }
        public DateOnly StartDate { get; set; }
        public DateOnly EndDate { get; set; }
        public string AreaCode { get; set; } = "";
    }

    private sealed class AreaSumRow
    {
        public string AreaCode { get; set; } = "";
        public long Amount { get; set; }
    }

    private sealed class ActualRow
    {
        public string CategoryCode { get; set; } = "";
        public DateOnly TransactionDate { get; set; }
        public long Amount { get; set; }
    }

    private sealed class GrantRow
    {
        public long Id { get; set; }
        public long FunderId { get; set; }
        public long? ProgrammeAreaId { get; set; }
        public string Reference { get; set; } = "";
        public string Title { get; set; } = "";
        public long AmountAwardedPence { get; set; }
        public DateOnly StartDate { get; set; }
        public DateOnly EndDate { get; set; }
        public string FunderName { get; set; } = "";
        public string ReportingCalendar { get; set; } = "";
        public int ReportLagDays { get; set; }
        public int RagAmberPercent { get; set; }
        public int RagRedPercent { get; set; }
        public string? ProgrammeAreaName { get; set; }
    }

    private sealed class LineRow
    {
        public long GrantId { get; set; }
        public string CategoryCode { get; set; } = "";
        public DateOnly PeriodStart { get; set; }
        public long AmountPence { get; set; }
    }

    private sealed class PeriodTotalRow
    {
        public long GrantId { get; set; }
        public DateOnly PeriodStart { get; set; }
        public long AmountPence { get; set; }
    }

    private sealed class SpendRow
    {
        public long GrantId { get; set; }
        public long PartnerId { get; set; }
        public string AreaCode { get; set; } = "";
        public long Amount { get; set; }
    }

    private sealed class AgreementRow
    {
        public long PartnerId { get; set; }
        public string PartnerName { get; set; } = "";
        public long AmountPence { get; set; }
        public DateOnly StartDate { get; set; }
        public DateOnly EndDate { get; set; }
    }

    private sealed class NameRow
    {
        public long Id { get; set; }
        public string Name { get; set; } = "";
    }
}
