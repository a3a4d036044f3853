using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Core.Burn;

/// <summary>
/// Each grant's current budget summed per period start (<c>budget_total</c>, migration 0017), replaced in the same
/// transaction as every budget save (<see cref="BudgetStore.InsertVersionAsync"/> calls <see cref="SetCurrentAsync"/>),
/// so a whole portfolio's budget to date reads a row per grant and period rather than every line. Each row names the
/// version it sums, so the lines of the period in progress (pro-rated line by line) are read from that version.
/// <see cref="CheckAsync"/> recounts from the lines and names every row that disagrees.
/// </summary>
public static class BudgetTotals
{
    private const string Insert = "INSERT INTO budget_total (grant_id, period_start, budget_version_id, amount_pence, line_count)";

    internal static readonly Sql DeleteForGrant = Sql.Common("DELETE FROM budget_total WHERE grant_id = @GrantId");

    internal static readonly Sql InsertForVersion = Sql.Common($"""
        {Insert}
        SELECT @GrantId, period_start, budget_version_id, SUM(amount_pence), COUNT(*)
        FROM budget_line WHERE budget_version_id = @VersionId
        GROUP BY period_start, budget_version_id
        """);

    internal static readonly Sql Stored = Sql.Common("SELECT grant_id, period_start, budget_version_id, amount_pence, line_count FROM budget_total");

    /// <summary>Every grant's current version summed per period start (SQL Server counts into a bigint with <c>COUNT_BIG</c>).</summary>
    internal static readonly Sql Recount = new(RecountWith("COUNT(*)"), RecountWith("COUNT(*)"), RecountWith("COUNT_BIG(*)"));

    private static string RecountWith(string count) => $"""
        SELECT bv.grant_id, bl.period_start, bv.id AS budget_version_id, SUM(bl.amount_pence) AS amount_pence, {count} AS line_count
        FROM budget_line bl JOIN budget_version bv ON bv.id = bl.budget_version_id
        WHERE NOT EXISTS (SELECT 1 FROM budget_version newer WHERE newer.grant_id = bv.grant_id AND newer.version_number > bv.version_number)
        GROUP BY bv.grant_id, bl.period_start, bv.id
        """;

    internal static readonly Sql DeleteAll = Sql.Common("DELETE FROM budget_total");

    internal static readonly Sql RebuildAll = new($"{Insert} {Recount.Sqlite}", $"{Insert} {Recount.Postgres}", $"{Insert} {Recount.SqlServer}");

    /// <summary>Makes <paramref name="versionId"/> the grant's kept budget; call in the transaction that saves the version.</summary>
    public static async Task SetCurrentAsync(DbSession session, long grantId, long versionId, CancellationToken cancellationToken = default)
    {
        await session.ExecuteAsync(DeleteForGrant, new { GrantId = grantId }, cancellationToken);
        await session.ExecuteAsync(InsertForVersion, new { GrantId = grantId, VersionId = versionId }, cancellationToken);
    }

    /// <summary>Recounts every grant's current budget from its lines and returns the rows whose kept total differs (empty: all equal).</summary>
    public static async Task<IReadOnlyList<BudgetTotalDifference>> CheckAsync(DbSession session, CancellationToken cancellationToken = default)
    {
        var kept = (await session.QueryAsync<Row>(Stored, cancellationToken: cancellationToken)).ToDictionary(r => r.Key);
        var counted = (await session.QueryAsync<Row>(Recount, cancellationToken: cancellationToken)).ToDictionary(r => r.Key);
        var differences = new List<BudgetTotalDifference>();
        foreach (var key in kept.Keys.Union(counted.Keys).OrderBy(k => k.GrantId).ThenBy(k => k.PeriodStart))
        {
            var k = kept.GetValueOrDefault(key);
            var c = counted.GetValueOrDefault(key);
            if (k?.BudgetVersionId != c?.BudgetVersionId || k?.AmountPence != c?.AmountPence || k?.LineCount != c?.LineCount)
            {
                differences.Add(new BudgetTotalDifference(
                    key.GrantId, key.PeriodStart, k?.BudgetVersionId, c?.BudgetVersionId, k?.AmountPence ?? 0, c?.AmountPence ?? 0, k?.LineCount ?? 0, c?.LineCount ?? 0));
            }
        }

        return differences;
    }

    /// <summary>Recounts every row from the lines (after a bulk load, or to put right what the check found); in a transaction.</summary>
    public static async Task RebuildAsync(DbSession session, CancellationToken cancellationToken = default)
    {
        await session.ExecuteAsync(DeleteAll, cancellationToken: cancellationToken);
        await session.ExecuteAsync(RebuildAll, cancellationToken: cancellationToken);
    }

    private sealed class Row
    {
        public long GrantId { get; set; }
        public DateOnly PeriodStart { get; set; }
        public long BudgetVersionId { get; set; }
        public long AmountPence { get; set; }
        public long LineCount { get; set; }

        public (long GrantId, DateOnly PeriodStart) Key => (GrantId, PeriodStart);
    }
}

/// <summary>
/// A grant and period whose kept budget is not what its current version's lines add up to: the version each names
/// (null: no row), and the pence and lines of each.
/// </summary>
public sealed record BudgetTotalDifference(long GrantId, DateOnly PeriodStart, long? KeptVersionId, long? CurrentVersionId, long KeptPence, long CountedPence, long KeptLines, long CountedLines);
