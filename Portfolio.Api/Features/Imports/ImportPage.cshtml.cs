using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Imports;
using Portfolio.Core.Operations;
using Portfolio.Jobs.Imports;

namespace Portfolio.Api.Features.Imports;

/// <summary>
/// One import: its counts, the rows (refused first) with their reasons, a rule added beside them and the file
/// previewed again, then commit (every ready row or none) or, once committed, reverse with a reason. While a job
/// reads or commits a large file the page shows its progress and refreshes itself.
/// </summary>
[Authorize(Policy = Policies.Write)]
public sealed partial class ImportPageModel(Database database, ImportService imports) : FormPageModel
{
    public const int RowsPerPage = 50;

    public ImportView Import { get; private set; } = null!;

    public Page<ImportRowView> Rows { get; private set; } = null!;

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public IReadOnlyList<CostCategory> Categories { get; private set; } = [];

    /// <summary>The preview's money by status, grant and kind (Core's <c>AccountImports.MoneyAsync</c>).</summary>
    public IReadOnlyList<ImportMoney> MoneyGroups { get; private set; } = [];

    /// <summary>Spend and income in pence of the rows in <paramref name="status"/> (and of one grant, when given).</summary>
    public (long Spend, long Income, long Other) MoneyOf(string status, long? grantId = null, bool anyGrant = true)
    {
        var rows = MoneyGroups.Where(m => m.Status == status && (anyGrant || m.GrantId == grantId)).ToList();
        return (rows.Where(m => m.Kind == "spend").Sum(m => m.Pence), rows.Where(m => m.Kind == "income").Sum(m => m.Pence), rows.Where(m => m.Kind is null).Sum(m => m.Pence));
    }

    public IReadOnlyList<Grant> Grants { get; private set; } = [];

    public IReadOnlyList<Partner> Partners { get; private set; } = [];

    public bool Running => Import.Status is ImportStatuses.Previewing or ImportStatuses.Committing;

    public int Percent => Import.Progress.Total <= 0 ? 0 : (int)Math.Min(100, 100L * Import.Progress.Done / Import.Progress.Total);

    protected override IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string>
    {
        ["code"] = "Account code",
        ["kind"] = "What the account records",
        ["category"] = "Cost category",
        ["value"] = "Tracking value",
        ["grantId"] = "Grant",
        ["partnerId"] = "Partner",
        ["reason"] = "Reason",
        ["commit"] = "Commit",
    };

    protected override string FirstField => "code";

    public async Task<IActionResult> OnGetAsync(long id)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        Suggest();
        return Page();
    }

    /// <summary>The progress bar's figures, for the page's script (<c>/js/import-progress.js</c>).</summary>
    public async Task<IActionResult> OnGetProgressAsync(long id)
    {
        if (await imports.GetAsync(id, HttpContext.RequestAborted) is not { } import)
        {
            return NotFound();
        }

        Import = import;
        return new JsonResult(new { running = Running, status = import.Status, done = import.Progress.Done, total = import.Progress.Total, percent = Percent });
    }

    public async Task<IActionResult> OnPostAccountAsync(long id)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        ReadPostedForm();
        var code = ReadText("code");
        var kind = ReadText("kind");
        if (code is null)
        {
            AddError("code", "Enter the account code, as the export shows it");
        }

        if (kind is null)
        {
            AddError("kind", "Select what the account records");
        }

        var category = kind == AccountKinds.Spend ? ReadText("category") : null;
        if (kind == AccountKinds.Spend && category is null)
        {
            AddError("category", "Select the cost category of this account's spend");
        }

        return HasErrors ? Page() : await SaveRuleAsync(id, rules => rules with { Accounts = [.. rules.Accounts, new AccountRule(code!, kind!, category)] }, $"Account {code} is now {kind}.");
    }

    public async Task<IActionResult> OnPostTrackingAsync(long id)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        ReadPostedForm();
        var value = ReadText("value");
        if (value is null)
        {
            AddError("value", "Enter the tracking value, as the export shows it");
        }

        var grantId = ReadId("grantId", required: true);
        var partnerId = ReadId("partnerId", required: false);
        return HasErrors ? Page() : await SaveRuleAsync(id, rules => rules with { Tracking = [.. rules.Tracking, new TrackingRule(value!, grantId!.Value, partnerId)] }, $"Tracking value {value} now maps to its grant.");
    }

    public async Task<IActionResult> OnPostPreviewAsync(long id)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        if (Import.Status is not (ImportStatuses.Previewed or ImportStatuses.Failed))
        {
            AddError("commit", $"This import is {ImportText.Status(Import.Status).ToLowerInvariant()}: only an import not yet committed can be read again.");
            return Page();
        }

        var (_, how) = await imports.PreviewAsync(id, HttpContext.Change(), HttpContext.RequestAborted);
        TempData[Notice.Key] = how == ImportService.Started.Queued ? "The file is being read again." : "The file was read again with the rules as they are now.";
        return Redirect($"/imports/{id}");
    }

    public async Task<IActionResult> OnPostCommitAsync(long id)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        var (outcome, how) = await imports.CommitAsync(id, HttpContext.Change(), HttpContext.RequestAborted);
        if (outcome.Refused is { } refusal)
        {
            AddError("commit", refusal.Detail);
            return Page();
        }

        TempData[Notice.Key] = how == ImportService.Started.Queued
            ? $"Committing {Import.Rows.Ready} rows: this page shows the progress."
            : $"{outcome.Value!.Written} rows recorded from {Import.FileName}.";
        return Redirect($"/imports/{id}");
    }

    public async Task<IActionResult> OnPostReverseAsync(long id)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        ReadPostedForm();
        var reason = ReadText("reason");
        if (reason is null)
        {
            AddError("reason", "Enter why the import is being reversed");
            return Page();
        }

        var outcome = await UnitOfWork.RunAsync(database, session => AccountImports.ReverseAsync(session, id, new ReasonInput(reason), HttpContext.Change(), HttpContext.RequestAborted), HttpContext.RequestAborted);
        if (outcome.Refused is { } refusal)
        {
            AddError("reason", refusal.Detail);
            return Page();
        }

        TempData[Notice.Key] = $"Every line {Import.FileName} recorded is now void.";
        return Redirect($"/imports/{id}");
    }

    public string PageHref(int page) => $"/imports/{Import.Id}?status={Status}&page={page}";

    public int Pages => Math.Max(1, (int)Math.Ceiling(Rows.Total / (double)RowsPerPage));

    /// <summary>Core names the rule's fields in the list (<c>accounts[3].category</c>); on this page each has one field.</summary>
    protected override string FieldFor(string coreField) => RuleField().Match(coreField) is { Success: true } m ? m.Groups[1].Value : coreField;

    private async Task<IActionResult> SaveRuleAsync(long id, Func<ImportRulesInput, ImportRulesInput> add, string done)
    {
        var outcome = await UnitOfWork.RunAsync(database, async session =>
        {
            var current = await ImportRules.GetAsync(session, HttpContext.RequestAborted);
            var input = add(new ImportRulesInput(current.Accounts, current.Tracking, current.Generic is null ? [] : [current.Generic]));
            return await ImportRules.SetAsync(session, current.Version, input, HttpContext.Change(), HttpContext.RequestAborted);
        }, HttpContext.RequestAborted);
        if (outcome.Refused is { } refusal)
        {
            return Refused(refusal);
        }

        var (_, how) = Import.Status is ImportStatuses.Previewed or ImportStatuses.Failed
            ? await imports.PreviewAsync(id, HttpContext.Change(), HttpContext.RequestAborted)
            : (Import, ImportService.Started.Previewed);
        TempData[Notice.Key] = $"{done} {(how == ImportService.Started.Queued ? "The file is being read again." : "The file was read again with the new rule.")}";
        return Redirect($"/imports/{id}");
    }

    /// <summary>Fills the rule forms from the first refused row that lacks one.</summary>
    private void Suggest()
    {
        foreach (var reason in Rows.Items.Where(r => r.Status == RowStatuses.Refused).SelectMany(r => r.Reasons))
        {
            if (!Values.ContainsKey("code") && NoAccountRule().Match(reason) is { Success: true } account)
            {
                Values["code"] = account.Groups[1].Value;
            }

            if (!Values.ContainsKey("value") && NoGrant().Match(reason) is { Success: true } tracking)
            {
                Values["value"] = tracking.Groups[1].Value;
            }
        }
    }

    private async Task<bool> LoadAsync(long id)
    {
        var cancellationToken = HttpContext.RequestAborted;
        if (await imports.GetAsync(id, cancellationToken) is not { } import)
        {
            return false;
        }

        Import = import;
        if (Status is not null && !RowStatuses.All.Contains(Status))
        {
            Status = null;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        var all = new PageRequest(1, PageRequest.MaxPageSize);
        PageNumber = Math.Max(1, PageNumber);
        Rows = await AccountImports.RowsAsync(session, id, Status, new PageRequest(PageNumber, RowsPerPage), cancellationToken);
        MoneyGroups = await AccountImports.MoneyAsync(session, id, cancellationToken);
        Categories = await CostCategoryStore.ListAsync(session, cancellationToken);
        Grants = (await GrantStore.ListAsync(session, new GrantFilter(), all, cancellationToken)).Items;
        Partners = (await PartnerStore.ListAsync(session, all, cancellationToken)).Items;
        return true;
    }

    [GeneratedRegex(@"^(?:accounts|tracking)\[\d+\]\.(\w+)$")]
    private static partial Regex RuleField();

    [GeneratedRegex(@"^no rule for account (\S+):")]
    private static partial Regex NoAccountRule();

    [GeneratedRegex(@"^no grant for tracking value '([^']+)'")]
    private static partial Regex NoGrant();
}
