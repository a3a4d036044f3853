using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.ApiKeys;

/// <summary>
/// Admin: the API keys programs use, and issuing one (Core's <c>ApiKeys.IssueAsync</c>: the key is shown once, on
/// this page, and stored only as a hash) or revoking one (at the version shown; a key that is the last admin key,
/// or the one in use, is refused with the reason).
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class KeysPageModel(Database database) : FormPageModel
{
    public IReadOnlyList<ApiKeyView> Keys { get; private set; } = [];

    public IReadOnlyList<(string Value, string Text)> AreaOptions { get; private set; } = [];

    /// <summary>The key just issued: shown once.</summary>
    public NewApiKeyView? Issued { get; private set; }

    public static readonly IReadOnlyList<(string Value, string Text)> RoleOptions =
        [(Roles.Viewer, "Viewer: reads"), (Roles.ProgrammeLead, "Programme lead: reads, and writes notes for its areas"), (Roles.Finance, "Finance: records money and reports"), (Roles.Admin, "Admin: everything")];

    protected override IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string>
    {
        ["name"] = "What the key is for",
        ["role"] = "Role",
        ["programmeAreaIds"] = "Programme areas",
        ["keys"] = "API keys",
    };

    protected override string FirstField => "name";

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostIssueAsync()
    {
        ReadPostedForm();
        var input = new ApiKeyInput(ReadText("name") ?? "", ReadText("role") ?? "", ReadIds("programmeAreaIds"));
        var outcome = await RunAsync(database, session => Core.Domain.ApiKeys.IssueAsync(session, input, HttpContext.Change(), HttpContext.RequestAborted));
        if (outcome is not null)
        {
            if (outcome.Refused is { } refusal)
            {
                Refused(refusal);
            }
            else
            {
                Issued = outcome.Value;
                Values.Clear();
            }
        }

        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id)
    {
        ReadPostedForm();
        var version = ReadVersion();
        var outcome = await UnitOfWork.RunAsync(database, session => Core.Domain.ApiKeys.RevokeAsync(session, id, version, HttpContext.Change(), HttpContext.RequestAborted), HttpContext.RequestAborted);
        if (outcome.Refused is { } refusal)
        {
            if (refusal is Core.Operations.NotFound)
            {
                return NotFound();
            }

            AddError("keys", refusal is StaleVersion ? "The key changed since you opened this page: check it again." : refusal.Detail);
            Values.Clear();
            await LoadAsync();
            return Page();
        }

        TempData[Notice.Key] = $"The key “{outcome.Value!.Name}” is revoked: programs using it are refused from now on.";
        return Redirect("/admin/api-keys");
    }

    protected override string FieldFor(string coreField) => coreField.StartsWith("programmeAreaIds", StringComparison.Ordinal) ? "programmeAreaIds" : coreField;

    private async Task LoadAsync()
    {
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        Keys = (await ApiKeyStore.ListAsync(session, new PageRequest(1, PageRequest.MaxPageSize), HttpContext.RequestAborted)).Items.Select(ApiKeyView.Of).ToList();
        AreaOptions = (await ProgrammeAreaStore.ListAsync(session, new PageRequest(1, PageRequest.MaxPageSize), HttpContext.RequestAborted)).Items
            .Select(a => (a.Id.ToString(CultureInfo.InvariantCulture), a.Name)).ToList();
    }
}
