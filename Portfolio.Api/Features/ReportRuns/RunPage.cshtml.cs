using Portfolio.Reports.Runs;
using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;
using Portfolio.Core.Periods;
using Portfolio.Jobs.ReportRuns;

namespace Portfolio.Api.Features.ReportRuns;

/// <summary>
/// One funder report: its state, files and deliveries, and what finance can do with it — approve the draft they
/// previewed (at the version shown; refused, with the reason, when a note is missing or the books changed), cancel
/// it with a reason, regenerate it from the books, or resend it. All through <see cref="ReportRunService"/>, as the
/// API does. Generating a run for a grant's period is posted here from the grant page.
/// </summary>
[Authorize(Policy = Policies.People)]
public sealed class RunPageModel(Database database, ReportRunService runs, TimeProvider clock) : FormPageModel
{
    public ReportRun Run { get; private set; } = null!;

    public Grant Grant { get; private set; } = null!;

    public Funder Funder { get; private set; } = null!;

    public IReadOnlyList<ReportFile> Files { get; private set; } = [];

    public IReadOnlyList<ReportDelivery> Deliveries { get; private set; } = [];

    public bool CanAct { get; private set; }

    public DateOnly Today { get; private set; }

    /// <summary>What holds a draft from approval, each with the form that clears it (empty when nothing does).</summary>
    public IReadOnlyList<(ReportHold Hold, string Href, string LinkText)> Holds { get; private set; } = [];

    /// <summary>Set after "Approve and send": the page asks to confirm, naming who receives what and what closes.</summary>
    public bool Confirming { get; private set; }

    /// <summary>The periods of the grant that approval closes (this one and every earlier one still open).</summary>
    public IReadOnlyList<ReportingPeriod> PeriodsToClose { get; private set; } = [];

    protected override IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string>
    {
        ["actions"] = "Report",
        ["reason"] = "Why it is cancelled",
    };

    protected override string FirstField => "actions";

    public async Task<IActionResult> OnGetAsync(long id) => await LoadAsync(id) ? Page() : NotFound();

    /// <summary>"Approve and send": nothing is sent yet; the page lists what holds it, or asks to confirm.</summary>
    public async Task<IActionResult> OnPostConfirmAsync(long id)
    {
        if (!MayAct())
        {
            return Forbid();
        }

        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        ReadPostedForm();
        if (Run.Status != "draft")
        {
            AddError("actions", $"Only a draft can be approved; this report is {Run.Status}.");
        }
        else if (ReadVersion() is { } version && version != Run.Version)
        {
            AddError("actions", "This report changed since you opened it. Check it again below, then approve it.");
        }
        else if (Holds.Count > 0)
        {
            AddHoldErrors();
        }
        else
        {
            Confirming = true;
        }

        return Page();
    }

    /// <summary>"Confirm and send": approves the version confirmed, and the delivery job sends it.</summary>
    public async Task<IActionResult> OnPostApproveAsync(long id) => await ActAsync(id, version => runs.ApproveAsync(id, User.Actor(), version, HttpContext.RequestAborted), "Approved: the report is being sent to the funder's contacts.");

    public async Task<IActionResult> OnPostRegenerateAsync(long id) => await ActAsync(id, _ => runs.RegenerateAsync(id, User.Actor(), HttpContext.RequestAborted), "A new draft was made from the books as they stand.");

    public async Task<IActionResult> OnPostResendAsync(long id) => await ActAsync(id, _ => runs.ResendAsync(id, null, User.Actor(), HttpContext.RequestAborted), "The report is being sent again to every contact.");

    public async Task<IActionResult> OnPostCancelAsync(long id)
    {
        ReadPostedForm();
        var reason = ReadText("reason");
        if (reason is null)
        {
            AddError("reason", "Enter why the report is cancelled");
            return await LoadAsync(id) ? Page() : NotFound();
        }

        return await ActAsync(id, version => runs.CancelAsync(id, reason, User.Actor(), version, HttpContext.RequestAborted), "The report is cancelled.");
    }

    /// <summary>From the grant page: a draft for the grant's period (<c>grantId</c>, <c>periodStart</c>).</summary>
    public async Task<IActionResult> OnPostGenerateAsync()
    {
        if (!MayAct())
        {
            return Forbid();
        }

        ReadPostedForm();
        var grantId = ReadId("grantId", required: true);
        var periodStart = DateOnly.TryParseExact(ReadText("periodStart"), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : (DateOnly?)null;
        if (grantId is null || periodStart is null)
        {
            return BadRequest();
        }

        var result = await runs.GenerateAsync(grantId.Value, periodStart.Value, User.Actor(), HttpContext.RequestAborted);
        if (result.Refused is { } refused && RunRefusal.Long(refused, RunRefusal.RunId) is { } existing)
        {
            return Redirect($"/report-runs/{existing}");
        }

        if (result.Refused is InvalidFields invalid && invalid.Errors.ContainsKey("grantId"))
        {
            return NotFound();
        }

        if (result.Refused is { } refusal)
        {
            TempData[Notice.ImportantKey] = $"No report was made: {refusal.Detail}";
            return Redirect($"/grants/{grantId}?period={periodStart:yyyy-MM-dd}#report-runs");
        }

        TempData[Notice.Key] = $"Draft report made for {result.Value!.PeriodLabel}. Preview it, then approve it.";
        return Redirect($"/report-runs/{result.Value.Id}");
    }

    private async Task<IActionResult> ActAsync(long id, Func<int?, Task<Outcome<ReportRun>>> act, string done)
    {
        if (!MayAct())
        {
            return Forbid();
        }

        ReadPostedForm();
        var version = ReadVersion();
        var result = await act(version);
        switch (result.Refused)
        {
            case null:
                TempData[Notice.Key] = done;
                return Redirect($"/report-runs/{result.Value!.Id}");
            case Conflict stale when RunRefusal.Long(stale, RunRefusal.NewRunId) is { } fresh:
                TempData[Notice.ImportantKey] = $"The books changed after this draft was made: {stale.Extensions![RunRefusal.Because]}. Nothing was sent. A fresh draft is ready: preview it, then approve it.";
                return Redirect($"/report-runs/{fresh}");
            case Core.Operations.NotFound:
                return NotFound();
        }

        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        switch (result.Refused)
        {
            case CannotApply { Extensions: { } extensions } when extensions.ContainsKey(RunRefusal.Holds):
                AddHoldErrors();
                return Page();
            case StaleVersion:
                AddError("actions", "This report changed since you opened it. Check it again below, then approve it.");
                return Page();
            default:
                AddError("actions", result.Refused.Detail);
                return Page();
        }
    }

    private bool MayAct() => User.MayWrite();

    /// <summary>Each hold in the error summary, linked to the form that clears it.</summary>
    private void AddHoldErrors()
    {
        foreach (var (hold, _, _) in Holds)
        {
            AddError("actions", hold.Message);
        }
    }

    private async Task<bool> LoadAsync(long id)
    {
        var cancellationToken = HttpContext.RequestAborted;
        await using var session = await database.OpenAsync(cancellationToken);
        if (await ReportRunStore.GetAsync(session, id, cancellationToken) is not { } run
            || await GrantPeriods.LoadAsync(session, run.GrantId, cancellationToken) is not { } loaded)
        {
            return false;
        }

        (Run, Grant, Funder) = (run, loaded.Grant, loaded.Funder);
        Files = await ReportRunStore.ListFilesAsync(session, id, cancellationToken);
        Deliveries = await ReportRunStore.ListDeliveriesAsync(session, id, cancellationToken);
        CanAct = MayAct();
        Today = UkDate.Today(clock);
        Values["version"] = run.Version.ToString(CultureInfo.InvariantCulture);
        if (run.Status == "draft")
        {
            var indicators = (await Core.Results.IndicatorStore.ListForGrantAsync(session, run.GrantId, cancellationToken)).ToDictionary(i => i.Id, i => i.Name);
            Holds = (await ReportRunService.HoldsAsync(session, run, cancellationToken)).Select(h => h.Kind == ReportHold.VarianceNote
                ? (h, $"/grants/{run.GrantId}/notes/new?period={h.PeriodStart:yyyy-MM-dd}&run={run.Id}", $"Add a variance note for {run.PeriodLabel}")
                : (h, $"/grants/{run.GrantId}/indicators/{h.IndicatorId}/actuals/{h.PeriodStart:yyyy-MM-dd}?run={run.Id}", $"Record the result or a note for {indicators.GetValueOrDefault(h.IndicatorId ?? 0, "the indicator")}")).ToList();
            var closed = await ClosedPeriods.LoadAsync(session, run.GrantId, cancellationToken);
            PeriodsToClose = loaded.Periods.Where(p => p.Start <= run.PeriodStart && !closed.IsClosed(p)).ToList();
        }

        return true;
    }
}
