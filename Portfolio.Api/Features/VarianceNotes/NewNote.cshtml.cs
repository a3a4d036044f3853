using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.VarianceNotes;

/// <summary>A lead (or finance) explains a period's variance, for the whole grant or one category: Core's <c>VarianceNotes.AddAsync</c>.</summary>
[Authorize(Policy = Policies.Notes)]
public sealed class NewNoteModel(Database database) : NoteFormModel(database)
{
    [BindProperty(SupportsGet = true, Name = "period")]
    public string? PeriodText { get; set; }

    public async Task<IActionResult> OnGetAsync(long grantId, string? category)
    {
        if (ParseDate(PeriodText) is not { } period || !await LoadAsync(grantId, period))
        {
            return NotFound();
        }

        if (!HttpContext.MayWriteNotesIn(Grant.ProgrammeAreaId))
        {
            return Forbid();
        }

        Category = category;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long grantId)
    {
        if (ParseDate(PeriodText) is not { } period || !await LoadAsync(grantId, period))
        {
            return NotFound();
        }

        var input = new VarianceNoteInput(period, Text ?? "", string.IsNullOrEmpty(Category) ? null : Category);
        var outcome = await UnitOfWork.RunAsync(Database, session => Core.Domain.VarianceNotes.AddAsync(session, grantId, input, HttpContext.Change(), HttpContext.RequestAborted), HttpContext.RequestAborted);
        return outcome.Refused is { } refusal ? Refused(refusal)
            : Shared.BackToApproval.From(Request) is { } approval ? Redirect(approval) : BackToGrant(period);
    }
}
