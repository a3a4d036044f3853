using Portfolio.Core.Data;

namespace Portfolio.Core.Domain;

public sealed class CostCategory
{
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public int SortOrder { get; set; }
}

public static class CostCategoryStore
{
    internal static readonly Sql SelectAll = Sql.Common("SELECT code, name, sort_order FROM cost_category ORDER BY sort_order, code");

    public static async Task<IReadOnlyList<CostCategory>> ListAsync(DbSession session, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<CostCategory>(SelectAll, cancellationToken: cancellationToken)).ToList();

    /// <summary>Adds a field error unless <paramref name="code"/> is a cost category.</summary>
    public static async Task CheckAsync(DbSession session, string code, string field, Operations.FieldErrors errors, CancellationToken cancellationToken = default)
    {
        Check(await ListAsync(session, cancellationToken), code, field, errors);
    }

    /// <summary>As <see cref="CheckAsync"/> against categories already read (for many lines at once).</summary>
    public static void Check(IReadOnlyList<CostCategory> categories, string code, string field, Operations.FieldErrors errors)
    {
        if (!categories.Any(c => c.Code == code))
        {
            errors.Add(field, "must be one of: " + string.Join(", ", categories.Select(c => c.Code)));
        }
    }
}
