using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Features.Users;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;
using Portfolio.Core.PartnerReturns;
using Portfolio.Core.Periods;
using Portfolio.Jobs.PartnerReturns;

namespace Portfolio.Api.Features.PartnerReturns;

/// <summary>
/// One partner agreement's returns: each period it owes one for, when due, where it stands, the links made for it;
/// finance sends a link (emailed to the partner's contact, shown here once) or revokes one.
/// </summary>
[Authorize(Policy = Policies.People)]
public sealed class AgreementReturnsModel(Database database, TimeProvider clock, PublicBaseUrl baseUrl, PartnerReturnOptions options, PartnerReturnMailer mailer) : PageModel
{
    public PartnerAgreement Agreement { get; private set; } = null!;

    public Partner Partner { get; private set; } = null!;

    public Grant Grant { get; private set; } = null!;

    public IReadOnlyList<(ReturnDue Due, PartnerReturn? Return)> Returns { get; private set; } = [];

    public IReadOnlyList<ReturnLink> Links { get; private set; } = [];

    public DateOnly Today { get; private set; }

    public DateTime Now { get; private set; }

    public bool CanSendLinks { get; private set; }

    /// <summary>The address of a link just made, shown once.</summary>
    [TempData]
    public string? NewLinkUrl { get; set; }

    public async Task<IActionResult> OnGetAsync(long id) => await LoadAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostLinkAsync(long id, string periodStart)
    {
        if (!User.MayWrite())
        {
            return Forbid();
        }

        if (!DateOnly.TryParseExact(periodStart, "yyyy-MM-dd", out var start))
        {
            return NotFound();
        }

        var outcome = await UnitOfWork.RunAsync(database, session => ReturnLinks.IssueAsync(session, id, start, options.LinkDays, HttpContext.Change(), HttpContext.RequestAborted), HttpContext.RequestAborted);
        if (outcome.Value is not { } issued)
        {
            TempData[Notice.ImportantKey] = outcome.Refused!.Detail;
            return Redirect($"/partner-agreements/{id}/returns");
        }

        var url = baseUrl.For(Request, issued.Path);
        var emailed = await mailer.SendLinkAsync(issued, url, HttpContext.RequestAborted);
        NewLinkUrl = url;
        TempData[Notice.Key] = emailed is null
            ? "Link made. It could not be emailed (the partner has no contact address, or sending failed): copy it below and send it yourself."
            : $"Link made and emailed to {emailed}.";
        return Redirect($"/partner-agreements/{id}/returns");
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, long linkId)
    {
        if (!User.MayWrite())
        {
            return Forbid();
        }

        var outcome = await UnitOfWork.RunAsync(database, session => ReturnLinks.RevokeAsync(session, linkId, HttpContext.Change(), HttpContext.RequestAborted), HttpContext.RequestAborted);
        TempData[outcome.Succeeded ? Notice.Key : Notice.ImportantKey] = outcome.Succeeded ? $"Link {linkId} revoked: it no longer opens the form." : outcome.Refused!.Detail;
        return Redirect($"/partner-agreements/{id}/returns");
    }

    private async Task<bool> LoadAsync(long id)
    {
        var cancellationToken = HttpContext.RequestAborted;
        await using var session = await database.OpenAsync(cancellationToken);
        if (await ReturnSchedule.LoadAsync(session, id, cancellationToken) is not { } loaded)
        {
            return false;
        }

        Agreement = loaded.Agreement;
        Partner = (await PartnerStore.GetAsync(session, Agreement.PartnerId, cancellationToken))!;
        Grant = (await GrantStore.GetAsync(session, Agreement.GrantId, cancellationToken))!;
        var returns = new List<(ReturnDue, PartnerReturn?)>();
        foreach (var due in loaded.Due)
        {
            returns.Add((due, await Core.PartnerReturns.PartnerReturns.ForPeriodAsync(session, id, due.PeriodStart, cancellationToken)));
        }

        Returns = returns;
        Links = await ReturnLinks.ForAgreementAsync(session, id, cancellationToken);
        Today = UkDate.Today(clock);
        Now = clock.GetUtcNow().UtcDateTime;
        CanSendLinks = User.MayWrite();
        return true;
    }
}
