using Portfolio.Core.Data;
using Portfolio.Core.Operations;

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

    /// <summary>Saves the lines as the grant's next budget version and returns it.</summary>
    public static async Task<BudgetVersion> InsertVersionAsync(DbSession session, long grantId, IReadOnlyList<BudgetLine> lines, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await GetCurrentAsync(session, grantId, cancellationToken);
        var number = (current?.VersionNumber ?? 0) + 1;
        var id = await session.ExecuteScalarAsync<long>(InsertVersion, new { GrantId = grantId, VersionNumber = number, change.At, change.Actor }, cancellationToken);
        foreach (var line in lines)
        {
            await session.ExecuteAsync(InsertLine, new { VersionId = id, line.CategoryCode, line.PeriodStart, line.AmountPence }, cancellationToken);
        }

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

public sealed record BudgetLineInput([Text(40)] string Category, DateOnly PeriodStart, Money.Money Amount);

/// <summary>A grant's whole budget: every line, by cost category and period.</summary>
public sealed record BudgetInput([Items(BudgetInput.MaxLines)] IReadOnlyList<BudgetLineInput> Lines)
{
    public const int MaxLines = 5000;
}
