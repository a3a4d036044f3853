using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Infrastructure;

/// <summary>Checks that a body's references name records that exist, as field errors.</summary>
public static class References
{
    public static async Task CheckCategoryAsync(DbSession session, string category, Dictionary<string, string[]> errors, CancellationToken cancellationToken, string field = "category")
    {
        var categories = await CostCategoryStore.ListAsync(session, cancellationToken);
        if (!categories.Any(c => c.Code == category))
        {
            errors[field] = ["must be one of: " + string.Join(", ", categories.Select(c => c.Code))];
        }
    }
}
