using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Core.Burn;

/// <summary>
/// Live spend per grant, cost category, partner, delivery area and calendar month (<c>spend_total</c>, migrations 0012 and 0014), changed
/// in the same transaction as every write to <c>spend_transaction</c> (<see cref="TransactionStore"/> calls
/// <see cref="AddAsync"/>), so a whole portfolio's actual to date is a sum over a few rows per grant and month.
/// Calendar months, not reporting periods: a month never moves when a grant's dates or funder change.
/// <see cref="CheckAsync"/> recounts from the transactions and names every bucket that disagrees.
/// </summary>
public static class SpendTotals
{
    private const string Upsert = """
        INSERT INTO spend_total (grant_id, category_code, partner_id, area_code, month_start, amount_pence, line_count)
        VALUES (@GrantId, @CategoryCode, @PartnerId, @AreaCode, @MonthStart, @AmountPence, @Lines)
        ON CONFLICT (grant_id, category_code, partner_id, area_code, month_start)
        DO UPDATE SET amount_pence = spend_total.amount_pence + excluded.amount_pence, line_count = spend_total.line_count + excluded.line_count
        """;

    internal static readonly Sql Add = new(Upsert, Upsert, """
        MERGE spend_total WITH (HOLDLOCK) AS t
        USING (SELECT @GrantId AS grant_id, @CategoryCode AS category_code, @PartnerId AS partner_id, @AreaCode AS area_code, @MonthStart AS month_start) AS s
        ON t.grant_id = s.grant_id AND t.category_code = s.category_code AND t.partner_id = s.partner_id AND t.area_code = s.area_code AND t.month_start = s.month_start
        WHEN MATCHED THEN UPDATE SET amount_pence = t.amount_pence + @AmountPence, line_count = t.line_count + @Lines
        WHEN NOT MATCHED THEN INSERT (grant_id, category_code, partner_id, area_code, month_start, amount_pence, line_count)
            VALUES (@GrantId, @CategoryCode, @PartnerId, @AreaCode, @MonthStart, @AmountPence, @Lines);
        """);

    internal static readonly Sql Stored = Sql.Common("""
        SELECT grant_id, category_code, partner_id, area_code, month_start, amount_pence, line_count FROM spend_total
        WHERE amount_pence <> 0 OR line_count <> 0
        """);

    internal static readonly Sql Recount = new(
        """
        SELECT grant_id, category_code, COALESCE(partner_id, 0) AS partner_id, COALESCE(area_code, '') AS area_code, date(transaction_date, 'start of month') AS month_start,
               SUM(amount_pence) AS amount_pence, COUNT(*) AS line_count
        FROM spend_transaction WHERE voided_at IS NULL
        GROUP BY grant_id, category_code, COALESCE(partner_id, 0), COALESCE(area_code, ''), date(transaction_date, 'start of month')
        """,
        """
        SELECT grant_id, category_code, COALESCE(partner_id, 0) AS partner_id, COALESCE(area_code, '') AS area_code, date_trunc('month', transaction_date)::date AS month_start,
               SUM(amount_pence) AS amount_pence, COUNT(*) AS line_count
        FROM spend_transaction WHERE voided_at IS NULL
        GROUP BY grant_id, category_code, COALESCE(partner_id, 0), COALESCE(area_code, ''), date_trunc('month', transaction_date)::date
        """,
        """
        SELECT grant_id, category_code, COALESCE(partner_id, 0) AS partner_id, COALESCE(area_code, '') AS area_code, DATEFROMPARTS(YEAR(transaction_date), MONTH(transaction_date), 1) AS month_start,
               SUM(amount_pence) AS amount_pence, COUNT_BIG(*) AS line_count
        FROM spend_transaction WHERE voided_at IS NULL
        GROUP BY grant_id, category_code, COALESCE(partner_id, 0), COALESCE(area_code, ''), DATEFROMPARTS(YEAR(transaction_date), MONTH(transaction_date), 1)
        """);

    internal static readonly Sql DeleteAll = Sql.Common("DELETE FROM spend_total");

    internal static readonly Sql RebuildAll = new(
        $"INSERT INTO spend_total (grant_id, category_code, partner_id, area_code, month_start, amount_pence, line_count) {Recount.Sqlite}",
        $"INSERT INTO spend_total (grant_id, category_code, partner_id, area_code, month_start, amount_pence, line_count) {Recount.Postgres}",
        $"INSERT INTO spend_total (grant_id, category_code, partner_id, area_code, month_start, amount_pence, line_count) {Recount.SqlServer}");

    private const string ImportLines = "FROM spend_transaction WHERE import_id = @Id AND voided_at IS NULL";

    /// <summary>
    /// Adds (<c>@Sign</c> 1) or takes away (-1) an import's live lines, bucket by bucket, in one statement: what
    /// <see cref="AddAsync"/> does line by line, for the thousands of lines of one import.
    /// </summary>
    internal static readonly Sql AddImport = new(
        $"""
        INSERT INTO spend_total (grant_id, category_code, partner_id, area_code, month_start, amount_pence, line_count)
        SELECT grant_id, category_code, COALESCE(partner_id, 0), COALESCE(area_code, ''), date(transaction_date, 'start of month'), @Sign * SUM(amount_pence), @Sign * COUNT(*)
        {ImportLines}
        GROUP BY grant_id, category_code, COALESCE(partner_id, 0), COALESCE(area_code, ''), date(transaction_date, 'start of month')
        ON CONFLICT (grant_id, category_code, partner_id, area_code, month_start)
        DO UPDATE SET amount_pence = spend_total.amount_pence + excluded.amount_pence, line_count = spend_total.line_count + excluded.line_count
        """,
        $"""
        INSERT INTO spend_total (grant_id, category_code, partner_id, area_code, month_start, amount_pence, line_count)
        SELECT grant_id, category_code, COALESCE(partner_id, 0), COALESCE(area_code, ''), date_trunc('month', transaction_date)::date, @Sign * SUM(amount_pence), @Sign * COUNT(*)
        {ImportLines}
        GROUP BY grant_id, category_code, COALESCE(partner_id, 0), COALESCE(area_code, ''), date_trunc('month', transaction_date)::date
        ON CONFLICT (grant_id, category_code, partner_id, area_code, month_start)
        DO UPDATE SET amount_pence = spend_total.amount_pence + excluded.amount_pence, line_count = spend_total.line_count + excluded.line_count
        """,
        $"""
        MERGE spend_total WITH (HOLDLOCK) AS t
        USING (
            SELECT grant_id, category_code, COALESCE(partner_id, 0) AS partner_id, COALESCE(area_code, '') AS area_code, DATEFROMPARTS(YEAR(transaction_date), MONTH(transaction_date), 1) AS month_start,
                   @Sign * SUM(amount_pence) AS amount_pence, @Sign * COUNT_BIG(*) AS line_count
            {ImportLines}
            GROUP BY grant_id, category_code, COALESCE(partner_id, 0), COALESCE(area_code, ''), DATEFROMPARTS(YEAR(transaction_date), MONTH(transaction_date), 1)
        ) AS s
        ON t.grant_id = s.grant_id AND t.category_code = s.category_code AND t.partner_id = s.partner_id AND t.area_code = s.area_code AND t.month_start = s.month_start
        WHEN MATCHED THEN UPDATE SET amount_pence = t.amount_pence + s.amount_pence, line_count = t.line_count + s.line_count
        WHEN NOT MATCHED THEN INSERT (grant_id, category_code, partner_id, area_code, month_start, amount_pence, line_count)
            VALUES (s.grant_id, s.category_code, s.partner_id, s.area_code, s.month_start, s.amount_pence, s.line_count);
        """);

    /// <summary>Adds the lines an import has just written, in the import's transaction.</summary>
    public static Task AddImportAsync(DbSession session, long importId, CancellationToken cancellationToken = default) =>
        session.ExecuteAsync(AddImport, new { Id = importId, Sign = 1 }, cancellationToken);

    /// <summary>Takes away an import's live lines; call before voiding them, in the same transaction.</summary>
    public static Task SubtractImportAsync(DbSession session, long importId, CancellationToken cancellationToken = default) =>
        session.ExecuteAsync(AddImport, new { Id = importId, Sign = -1 }, cancellationToken);

    public static DateOnly MonthOf(DateOnly date) => new(date.Year, date.Month, 1);

    /// <summary>Adds a live transaction to its bucket (<paramref name="sign"/> 1), or takes it away (-1).</summary>
    public static Task AddAsync(DbSession session, SpendTransaction transaction, int sign, CancellationToken cancellationToken = default) =>
        session.ExecuteAsync(Add, new
        {
            transaction.GrantId,
            transaction.CategoryCode,
            PartnerId = transaction.PartnerId ?? 0,
            AreaCode = transaction.AreaCode ?? "",
            MonthStart = MonthOf(transaction.TransactionDate),
            AmountPence = checked(sign * transaction.AmountPence),
            Lines = sign,
        }, cancellationToken);

    /// <summary>Recounts every bucket from the transactions and returns those whose kept total differs (empty: all equal).</summary>
    public static async Task<IReadOnlyList<SpendTotalDifference>> CheckAsync(DbSession session, CancellationToken cancellationToken = default)
    {
        var kept = (await session.QueryAsync<Bucket>(Stored, cancellationToken: cancellationToken)).ToDictionary(b => b.Key);
        var counted = (await session.QueryAsync<Bucket>(Recount, cancellationToken: cancellationToken)).ToDictionary(b => b.Key);
        return kept.Keys.Union(counted.Keys)
            .Select(key => (key, kept: kept.GetValueOrDefault(key), counted: counted.GetValueOrDefault(key)))
            .Where(x => (x.kept?.AmountPence ?? 0) != (x.counted?.AmountPence ?? 0) || (x.kept?.LineCount ?? 0) != (x.counted?.LineCount ?? 0))
            .Select(x => new SpendTotalDifference(x.key.GrantId, x.key.CategoryCode, x.key.PartnerId == 0 ? null : x.key.PartnerId,
                x.key.AreaCode.Length == 0 ? null : x.key.AreaCode, x.key.MonthStart,
                x.kept?.AmountPence ?? 0, x.counted?.AmountPence ?? 0, x.kept?.LineCount ?? 0, x.counted?.LineCount ?? 0))
            .OrderBy(d => d.GrantId).ThenBy(d => d.MonthStart).ThenBy(d => d.Category, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Recounts every bucket from the transactions (after a bulk load that bypassed the store).</summary>
    public static async Task RebuildAsync(DbSession session, CancellationToken cancellationToken = default)
    {
        await session.ExecuteAsync(DeleteAll, cancellationToken: cancellationToken);
        await session.ExecuteAsync(RebuildAll, cancellationToken: cancellationToken);
    }

    private sealed class Bucket
    {
        public long GrantId { get; set; }
        public string CategoryCode { get; set; } = "";
        public long PartnerId { get; set; }
        public string AreaCode { get; set; } = "";
        public DateOnly MonthStart { get; set; }
        public long AmountPence { get; set; }
        public long LineCount { get; set; }

        public (long GrantId, string CategoryCode, long PartnerId, string AreaCode, DateOnly MonthStart) Key => (GrantId, CategoryCode, PartnerId, AreaCode, MonthStart);
    }
}

/// <summary>A bucket whose kept total is not what the transactions add up to.</summary>
public sealed record SpendTotalDifference(long GrantId, string Category, long? PartnerId, string? AreaCode, DateOnly MonthStart, long KeptPence, long CountedPence, long KeptLines, long CountedLines);
