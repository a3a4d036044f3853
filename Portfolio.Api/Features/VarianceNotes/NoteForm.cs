using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.VarianceNotes;

/// <summary>What the add and edit note pages share: the grant, its categories, the form's fields and errors.</summary>
public abstract class NoteFormModel(Database database) : PageModel
{
    [BindProperty]
    public string? Text { get; set; }

    [BindProperty]
    public string? Category { get; set; }

    public Grant Grant { get; protected set; } = null!;

    public string PeriodLabel { get; protected set; } = "";

    public IReadOnlyList<CostCategory> Categories { get; private set; } = [];

    public IReadOnlyDictionary<string, string[]> Errors { get; protected set; } = FormErrors.None;

    protected Database Database => database;

    /// <summary>Loads the grant and the period's label; false when either does not exist.</summary>
    protected async Task<bool> LoadAsync(long grantId, DateOnly periodStart)
    {
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        var loaded = await GrantPeriods.LoadAsync(session, grantId, HttpContext.RequestAborted);
        if (loaded?.PeriodStarting(periodStart) is not { } period)
        {
            return false;
        }

        Grant = loaded.Grant;
        PeriodLabel = period.Label;
        Categories = await CostCategoryStore.ListAsync(session, HttpContext.RequestAborted);
        return true;
    }

    /// <summary>Back to the grant page at the note's period and category.</summary>
    protected IActionResult BackToGrant(DateOnly periodStart) =>
        Redirect($"/grants/{Grant.Id}?period={periodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}#categories");

    /// <summary>The page for a refusal: 404, 403, or the form again with the errors beside their fields.</summary>
    protected IActionResult Refused(Refusal refusal) => refusal switch
    {
        Core.Operations.NotFound => NotFound(),
        Core.Operations.Forbidden => Forbid(),
        _ => ShowErrors(refusal),
    };

    private PageResult ShowErrors(Refusal refusal)
    {
        Errors = FormErrors.From(refusal, "text", Labels);
        return Page();
    }

    private static readonly Dictionary<string, string> Labels = new() { ["text"] = "Note", ["category"] = "What the note explains" };

    protected static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
}
