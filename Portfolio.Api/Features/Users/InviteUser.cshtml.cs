using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Users;

/// <summary>
/// Admin invites a person (Core's <c>Users.InviteAsync</c>): the one-time set-password link is shown here once and
/// emailed to them; if the email could not be sent, the page says so and the admin passes the link on.
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class InviteUserModel(Database database, PublicBaseUrl baseUrl, InvitationSender sender) : FormPageModel
{
    public static readonly IReadOnlyList<(string Value, string Text)> RoleOptions =
    [
        (Roles.Finance, "Finance: records money and approves reports"),
        (Roles.ProgrammeLead, "Programme lead: sees burn and writes variance notes for their areas"),
        (Roles.Viewer, "Viewer: reads everything, changes nothing"),
        (Roles.Admin, "Admin: everything, and users, keys and the audit log"),
    ];

    public IReadOnlyList<(string Value, string Text)> AreaOptions { get; private set; } = [];

    /// <summary>After a successful invitation: who, the link, until when, and why the email failed (null: it was sent).</summary>
    public (UserView User, string Url, DateTime ExpiresAt, string? EmailFailure)? Invited { get; private set; }

    protected override IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string>
    {
        ["name"] = "Full name",
        ["email"] = "Email address",
        ["role"] = "Role",
        ["programmeAreaIds"] = "Programme areas",
    };

    protected override string FirstField => "email";

    public async Task OnGetAsync() => await LoadAreasAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        await LoadAreasAsync();
        ReadPostedForm();
        var input = new UserInput(ReadText("email") ?? "", ReadText("name") ?? "", ReadText("role") ?? "", ReadIds("programmeAreaIds"));
        var change = HttpContext.Change();
        var outcome = await RunAsync(database, session => Core.Domain.Users.InviteAsync(session, input, change, HttpContext.RequestAborted));
        if (outcome is null)
        {
            return Page();
        }

        if (outcome.Refused is { } refusal)
        {
            return Refused(refusal);
        }

        var invited = outcome.Value!;
        var url = baseUrl.For(Request, "/set-password?token=" + Uri.EscapeDataString(invited.SetPasswordToken));
        var failure = await sender.SendAsync(invited, url, Actors.DisplayName(change.Actor), HttpContext.RequestAborted);
        Invited = (invited.User, url, invited.SetPasswordExpiresAt, failure);
        return Page();
    }

    /// <summary>Core names each area it refuses (<c>programmeAreaIds[0]</c>); the form has one set of boxes.</summary>
    protected override string FieldFor(string coreField) => coreField.StartsWith("programmeAreaIds", StringComparison.Ordinal) ? "programmeAreaIds" : coreField;

    private async Task LoadAreasAsync()
    {
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        AreaOptions = (await ProgrammeAreaStore.ListAsync(session, new PageRequest(1, PageRequest.MaxPageSize), HttpContext.RequestAborted)).Items
            .Select(a => (a.Id.ToString(CultureInfo.InvariantCulture), a.Name)).ToList();
    }
}
