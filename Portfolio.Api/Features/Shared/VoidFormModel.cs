using Microsoft.AspNetCore.Mvc;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Shared;

/// <summary>
/// Voiding a money record with a reason (spend or income): the record stays in the books and the audit trail,
/// marked void; Core refuses a void in a period already reported. The form carries the version it showed, so a
/// record changed in between is not voided unseen.
/// </summary>
public abstract class VoidFormModel(Database database) : FormPageModel
{
    public Grant Grant { get; private set; } = null!;

    /// <summary>What is being voided, as the person sees it: label and value pairs.</summary>
    public IReadOnlyList<(string Label, string Value)> Facts { get; private set; } = [];

    /// <summary>"spend" or "income".</summary>
    public abstract string What { get; }

    protected Database Database => database;

    protected override IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string> { ["reason"] = "Why it is void" };

    protected override string FirstField => "reason";

    /// <summary>The record's grant, version, date and facts; null when there is no such record.</summary>
    protected abstract Task<(long GrantId, int Version, DateOnly Date, IReadOnlyList<(string, string)> Facts, bool Voided)?> LoadRecordAsync(DbSession session, long id);

    protected abstract Task<Refusal?> VoidAsync(DbSession session, long id, int? version, ReasonInput input);

    public async Task<IActionResult> OnGetAsync(long id)
    {
        if (await LoadAsync(id) is not { } record)
        {
            return NotFound();
        }

        Values["version"] = record.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (record.Voided)
        {
            AddError("reason", $"This {What} is already void.");
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id)
    {
        if (await LoadAsync(id) is not { } record)
        {
            return NotFound();
        }

        ReadPostedForm();
        var version = ReadVersion();
        var input = new ReasonInput(ReadText("reason") ?? "");
        var outcome = await RunAsync(database, async session => await VoidAsync(session, id, version, input) is { } r ? r : Outcome<bool>.Done(true));
        if (outcome is null)
        {
            return Page();
        }

        if (outcome.Refused is { } refused)
        {
            return Refused(refused);
        }

        TempData[Notice.Key] = $"The {What} is void.";
        return Redirect($"/grants/{record.GrantId}?period={GrantPeriodStart(record.Date)}#{(What == "spend" ? "transactions" : "income")}");
    }

    private IReadOnlyList<Core.Periods.ReportingPeriod> periods = [];

    private string? GrantPeriodStart(DateOnly date) =>
        periods.FirstOrDefault(p => p.Start <= date && date <= p.End)?.Start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<(long GrantId, int Version, DateOnly Date, IReadOnlyList<(string, string)> Facts, bool Voided)?> LoadAsync(long id)
    {
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        if (await LoadRecordAsync(session, id) is not { } record || await GrantPeriods.LoadAsync(session, record.GrantId, HttpContext.RequestAborted) is not { } loaded)
        {
            return null;
        }

        (Grant, periods, Facts) = (loaded.Grant, loaded.Periods, record.Facts);
        return record;
    }
}
