using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;
using Portfolio.Core.PartnerReturns;

namespace Portfolio.Api.Features.PartnerReturns;

/// <summary>Finance or the grant's lead reads a submitted return and accepts it or sends it back with a comment (Core's <see cref="Core.PartnerReturns.PartnerReturns.ReviewAsync"/>).</summary>
[Authorize(Policy = Policies.People)]
public sealed class ReviewReturnModel(Database database) : FormPageModel
{
    public PartnerReturn Return { get; private set; } = null!;

    public PartnerAgreement Agreement { get; private set; } = null!;

    public Partner Partner { get; private set; } = null!;

    public Grant Grant { get; private set; } = null!;

    public IReadOnlyList<CostCategory> Categories { get; private set; } = [];

    /// <summary>The grant's indicators, to name the results the partner reports.</summary>
    public IReadOnlyList<Core.Results.Indicator> Indicators { get; private set; } = [];

    public bool CanReview { get; private set; }

    protected override IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string> { ["comment"] = "Comment for the partner" };

    protected override string FirstField => "comment";

    public async Task<IActionResult> OnGetAsync(long id) => await LoadAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(long id)
    {
        if (!User.MayWrite() && !User.IsInRole(Roles.ProgrammeLead))
        {
            return Forbid();
        }

        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        if (!CanReview)
        {
            return Forbid();
        }

        ReadPostedForm();
        var accept = ReadText("decision") == "accept";
        var outcome = await UnitOfWork.RunAsync(
            database,
            session => Core.PartnerReturns.PartnerReturns.ReviewAsync(session, id, ReadVersion(), accept, new ReturnReviewInput(ReadText("comment")), HttpContext.Change(), HttpContext.RequestAborted),
            HttpContext.RequestAborted);
        if (outcome.Refused is { } refusal)
        {
            return Refused(refusal);
        }

        TempData[Notice.Key] = accept ? $"Return from {Partner.Name} accepted." : $"Return sent back to {Partner.Name}: they can change it through the same link.";
        return Redirect($"/partner-agreements/{Agreement.Id}/returns");
    }

    private async Task<bool> LoadAsync(long id)
    {
        var cancellationToken = HttpContext.RequestAborted;
        await using var session = await database.OpenAsync(cancellationToken);
        if (await Core.PartnerReturns.PartnerReturns.GetAsync(session, id, cancellationToken) is not { } found)
        {
            return false;
        }

        Return = found;
        Agreement = (await PartnerAgreementStore.GetAsync(session, found.AgreementId, cancellationToken))!;
        Partner = (await PartnerStore.GetAsync(session, Agreement.PartnerId, cancellationToken))!;
        Grant = (await GrantStore.GetAsync(session, Agreement.GrantId, cancellationToken))!;
        Categories = await CostCategoryStore.ListAsync(session, cancellationToken);
        Indicators = await Core.Results.IndicatorStore.ListForGrantAsync(session, Agreement.GrantId, cancellationToken);
        CanReview = HttpContext.MayWriteNotesIn(Grant.ProgrammeAreaId);
        return true;
    }
}
