using Portfolio.Core.Data;
using Portfolio.Core.Operations;
using Portfolio.Core.Periods;
using Pounds = Portfolio.Core.Money.Money;

namespace Portfolio.Core.Domain;

/// <summary>A grant's spend profile. Each replacement is a new version; older versions are kept.</summary>
public sealed class BudgetVersion
{
    public long Id { get; set; }
    public long GrantId { get; set; }
    public int VersionNumber { get; set; }
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public List<BudgetLine> Lines { get; set; } = [];
}

public sealed class BudgetLine
{
    public string CategoryCode { get; set; } = "";
    public DateOnly PeriodStart { get; set; }
    public long AmountPence { get; set; }
}

public static class BudgetStore
{
    internal static readonly Sql SelectCurrentVersion = Sql.Paged("""
        SELECT id, grant_id, version_number, created_at, created_by
        FROM budget_version WHERE grant_id = @GrantId
        ORDER BY version_number DESC
        """);

    internal static readonly Sql SelectLines = Sql.Common("""
        SELECT category_code, period_start, amount_pence FROM budget_line
        WHERE budget_version_id = @VersionId
        ORDER BY period_start, category_code
        """);

    internal static readonly Sql InsertVersion = Sql.InsertReturningId("""
        INSERT INTO budget_version (grant_id, version_number, created_at, created_by)
        VALUES (@GrantId, @VersionNumber, @At, @Actor)
        """);

    internal static readonly Sql InsertLine = Sql.Common("""
        INSERT INTO budget_line (budget_version_id, category_code, period_start, amount_pence)
        VALUES (@VersionId, @CategoryCode, @PeriodStart, @AmountPence)
        """);

    internal static readonly Sql SelectVersions = Sql.Common("""
        SELECT id, grant_id, version_number, created_at, created_by
        FROM budget_version WHERE grant_id = @GrantId
        ORDER BY version_number
        """);

    internal static readonly Sql SelectAllLines = Sql.Common("""
        SELECT l.budget_version_id, l.category_code, l.period_start, l.amount_pence
        FROM budget_line l JOIN budget_version v ON v.id = l.budget_version_id
        WHERE v.grant_id = @GrantId
        ORDER BY l.period_start, l.category_code
        """);

    /// <summary>Every version of the grant's budget with its lines, oldest first.</summary>
    public static async Task<IReadOnlyList<BudgetVersion>> ListVersionsAsync(DbSession session, long grantId, CancellationToken cancellationToken = default)
    {
        var versions = (await session.QueryAsync<BudgetVersion>(SelectVersions, new { GrantId = grantId }, cancellationToken)).ToList();
        var lines = (await session.QueryAsync<VersionLine>(SelectAllLines, new { GrantId = grantId }, cancellationToken)).ToLookup(l => l.BudgetVersionId);
        foreach (var version in versions)
        {
            version.Lines = lines[version.Id].Select(l => new BudgetLine { CategoryCode = l.CategoryCode, PeriodStart = l.PeriodStart, AmountPence = l.AmountPence }).ToList();
        }

        return versions;
    }

    private sealed class VersionLine
    {
        public long BudgetVersionId { get; set; }
        public string CategoryCode { get; set; } = "";
        public DateOnly PeriodStart { get; set; }
        public long AmountPence { get; set; }
    }

    /// <summary>The latest version with its lines, or null when the grant has no budget yet.</summary>
    public static async Task<BudgetVersion?> GetCurrentAsync(DbSession session, long grantId, CancellationToken cancellationToken = default)
    {
        var version = (await session.QueryAsync<BudgetVersion>(SelectCurrentVersion, new { GrantId = grantId, Offset = 0, Limit = 1 }, cancellationToken)).SingleOrDefault();
        if (version is not null)
        {
            version.Lines = (await session.QueryAsync<BudgetLine>(SelectLines, new { VersionId = version.Id }, cancellationToken)).ToList();
        }

        return version;
    }

    /// <summary>Saves the lines as the grant's next budget version, and its kept totals (<see cref="Burn.BudgetTotals"/>), and returns it.</summary>
    public static async Task<BudgetVersion> InsertVersionAsync(DbSession session, long grantId, IReadOnlyList<BudgetLine> lines, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await GetCurrentAsync(session, grantId, cancellationToken);
        var number = (current?.VersionNumber ?? 0) + 1;
        var id = await session.ExecuteScalarAsync<long>(InsertVersion, new { GrantId = grantId, VersionNumber = number, change.At, change.Actor }, cancellationToken);
        foreach (var line in lines)
        {
            await session.ExecuteAsync(InsertLine, new { VersionId = id, line.CategoryCode, line.PeriodStart, line.AmountPence }, cancellationToken);
        }

        await Burn.BudgetTotals.SetCurrentAsync(session, grantId, id, cancellationToken);

        return new BudgetVersion
        {
            Id = id,
            GrantId = grantId,
            VersionNumber = number,
            CreatedAt = change.At,
            CreatedBy = change.Actor,
            Lines = lines.OrderBy(l => l.PeriodStart).ThenBy(l => l.CategoryCode, StringComparer.Ordinal).ToList(),
        };
    }
}

public sealed record BudgetLineInput([Text(40)] string Category, DateOnly PeriodStart, Pounds Amount);

/// <summary>A grant's whole budget: every line, by cost category and period.</summary>
public sealed record BudgetInput([Items(BudgetInput.MaxLines)] IReadOnlyList<BudgetLineInput> Lines)
{
    public const int MaxLines = 5000;
}

public sealed record BudgetLineView(string Category, DateOnly PeriodStart, decimal Amount);

/// <summary>One cell of the budget that a version changed: its amount before (null: no line) and after (null: removed).</summary>
public sealed record BudgetLineChange(string Category, DateOnly PeriodStart, long? BeforePence, long? AfterPence);

/// <summary>A version of a grant's budget, who saved it and when, its total, and what it changed from the version before.</summary>
public sealed record BudgetHistoryEntry(int Version, DateTime CreatedAt, string CreatedBy, long TotalPence, long ChangePence, IReadOnlyList<BudgetLineChange> Changes)
{
    /// <summary>Every version, newest first, each with the cells it changed (the first: every cell it set).</summary>
    public static IReadOnlyList<BudgetHistoryEntry> Of(IReadOnlyList<BudgetVersion> versionsOldestFirst)
    {
        var entries = new List<BudgetHistoryEntry>();
        IReadOnlyDictionary<(string, DateOnly), long> before = new Dictionary<(string, DateOnly), long>();
        foreach (var version in versionsOldestFirst)
        {
            var after = version.Lines.ToDictionary(l => (l.CategoryCode, l.PeriodStart), l => l.AmountPence);
            var changes = before.Keys.Union(after.Keys)
                .Select(key => new BudgetLineChange(key.Item1, key.Item2, before.TryGetValue(key, out var b) ? b : null, after.TryGetValue(key, out var a) ? a : null))
                .Where(c => c.BeforePence != c.AfterPence)
                .OrderBy(c => c.PeriodStart).ThenBy(c => c.Category, StringComparer.Ordinal)
                .ToList();
            entries.Add(new BudgetHistoryEntry(version.VersionNumber, version.CreatedAt, version.CreatedBy, after.Values.Sum(), after.Values.Sum() - before.Values.Sum(), changes));
            before = after;
        }

        entries.Reverse();
        return entries;
    }
}

public sealed record CategoryTotalView(string Category, decimal Amount);

public sealed record PeriodTotalView(DateOnly PeriodStart, DateOnly PeriodEnd, string Label, decimal Amount);

/// <summary>A grant's current budget with its totals by category and by period, and what of the award is unallocated.</summary>
public sealed record BudgetView(
    long GrantId,
    int Version,
    DateTime? CreatedAt,
    string? CreatedBy,
    IReadOnlyList<BudgetLineView> Lines,
    IReadOnlyList<CategoryTotalView> TotalsByCategory,
    IReadOnlyList<PeriodTotalView> TotalsByPeriod,
    decimal Award,
    decimal Total,
    decimal Unallocated)
{
    public static BudgetView Of(Grant grant, IReadOnlyList<ReportingPeriod> periods, BudgetVersion? budget)
    {
        var lines = budget?.Lines ?? [];
        var total = lines.Sum(l => l.AmountPence);
        return new BudgetView(
            grant.Id,
            budget?.VersionNumber ?? 0,
            budget?.CreatedAt,
            budget?.CreatedBy,
            lines.Select(l => new BudgetLineView(l.CategoryCode, l.PeriodStart, Pounds.ToPounds(l.AmountPence))).ToList(),
            lines.GroupBy(l => l.CategoryCode).Select(g => new CategoryTotalView(g.Key, Pounds.ToPounds(g.Sum(l => l.AmountPence)))).OrderBy(c => c.Category, StringComparer.Ordinal).ToList(),
            periods.Select(p => new PeriodTotalView(p.Start, p.End, p.Label, Pounds.ToPounds(lines.Where(l => l.PeriodStart == p.Start).Sum(l => l.AmountPence)))).ToList(),
            Pounds.ToPounds(grant.AmountAwardedPence),
            Pounds.ToPounds(total),
            Pounds.ToPounds(grant.AmountAwardedPence - total));
    }
}

/// <summary>Reading and replacing a grant's budget. A replacement is a new version; the old ones are kept.</summary>
public static class Budgets
{
    /// <summary>The grant's current budget (version 0, no lines, when none is set), or null when there is no such grant.</summary>
    public static async Task<BudgetView?> GetAsync(DbSession session, long grantId, CancellationToken cancellationToken = default)
    {
        var loaded = await GrantPeriods.LoadAsync(session, grantId, cancellationToken);
        return loaded is null ? null : BudgetView.Of(loaded.Grant, loaded.Periods, await BudgetStore.GetCurrentAsync(session, grantId, cancellationToken));
    }

    /// <summary>Every version of the grant's budget, newest first, with what each changed.</summary>
    public static async Task<IReadOnlyList<BudgetHistoryEntry>> HistoryAsync(DbSession session, long grantId, CancellationToken cancellationToken = default) =>
        BudgetHistoryEntry.Of(await BudgetStore.ListVersionsAsync(session, grantId, cancellationToken));

    /// <summary>
    /// Replaces the grant's budget with <paramref name="input"/>'s lines, at <paramref name="expectedVersion"/> (null:
    /// whatever is current; 0: no budget yet). Each line names a cost category and the start of one of the grant's
    /// periods, once per pair; lines in a reported period cannot change. The grant is locked first, so its periods
    /// cannot move while the lines are checked.
    /// </summary>
    public static async Task<Outcome<BudgetView>> SetAsync(DbSession session, long grantId, int? expectedVersion, BudgetInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var loaded = await GrantPeriods.LoadForUpdateAsync(session, grantId, cancellationToken);
        if (loaded is null)
        {
            return new NotFound("grant", grantId);
        }

        var current = await BudgetStore.GetCurrentAsync(session, grantId, cancellationToken);
        if (expectedVersion is { } expected && expected != (current?.VersionNumber ?? 0))
        {
            return new StaleVersion(current?.VersionNumber ?? 0);
        }

        var errors = new FieldErrors();
        input = InputShape.Check(input, errors);
        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        var categories = await CostCategoryStore.ListAsync(session, cancellationToken);
        var seen = new HashSet<(string, DateOnly)>();
        for (var i = 0; i < input.Lines.Count; i++)
        {
            var line = input.Lines[i];
            CostCategoryStore.Check(categories, line.Category, $"lines[{i}].category", errors);
            if (loaded.PeriodStarting(line.PeriodStart) is null)
            {
                errors.Add($"lines[{i}].periodStart", loaded.NotAPeriodStart);
            }

            if (!seen.Add((line.Category, line.PeriodStart)))
            {
                errors.Add($"lines[{i}]", "repeats the category and period of an earlier line; give one line per category and period");
            }
        }

        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        var lines = input.Lines.Select(l => new BudgetLine { CategoryCode = l.Category, PeriodStart = l.PeriodStart, AmountPence = l.Amount.Pence }).ToList();
        if (await ClosedPeriods.BudgetChangeBlockedReasonAsync(session, loaded, current?.Lines ?? [], lines, cancellationToken) is { } closed)
        {
            return new Conflict(closed);
        }

        var saved = await BudgetStore.InsertVersionAsync(session, grantId, lines, change, cancellationToken);
        var view = BudgetView.Of(loaded.Grant, loaded.Periods, saved);
        await AuditLog.WriteAsync(session, change, "update", "budget", grantId, current is null ? null : BudgetView.Of(loaded.Grant, loaded.Periods, current), view, cancellationToken);
        return Outcome<BudgetView>.Done(view);
    }
}
