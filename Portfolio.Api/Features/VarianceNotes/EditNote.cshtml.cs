using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.VarianceNotes;

/// <summary>Corrects a variance note while its period is open: Core's <c>VarianceNotes.EditAsync</c>, at the version the form showed.</summary>
[Authorize(Policy = Policies.Notes)]
public sealed class EditNoteModel(Database database) : NoteFormModel(database)
{
    [BindProperty]
    public int Version { get; set; }

    public DateOnly PeriodStart { get; private set; }

    public async Task<IActionResult> OnGetAsync(long grantId, long noteId)
    {
        if (!await LoadNoteAsync(grantId, noteId, fillForm: true))
        {
            return NotFound();
        }

        if (!HttpContext.MayWriteNotesIn(Grant.ProgrammeAreaId))
        {
            return Forbid();
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long grantId, long noteId)
    {
        if (!await LoadNoteAsync(grantId, noteId, fillForm: false))
        {
            return NotFound();
        }

        var input = new VarianceNoteChangeInput(Text ?? "", string.IsNullOrEmpty(Category) ? null : Category);
        var outcome = await UnitOfWork.RunAsync(Database, session => Core.Domain.VarianceNotes.EditAsync(session, grantId, noteId, Version, input, HttpContext.Change(), HttpContext.RequestAborted), HttpContext.RequestAborted);
        return outcome.Refused is { } refusal ? Refused(refusal) : BackToGrant(PeriodStart);
    }

    private async Task<bool> LoadNoteAsync(long grantId, long noteId, bool fillForm)
    {
        VarianceNote? note;
        await using (var session = await Database.OpenAsync(HttpContext.RequestAborted))
        {
            note = await VarianceNoteStore.GetAsync(session, grantId, noteId, HttpContext.RequestAborted);
        }

        if (note is null || !await LoadAsync(grantId, note.PeriodStart))
        {
            return false;
        }

        PeriodStart = note.PeriodStart;
        if (fillForm)
        {
            Text = note.NoteText;
            Category = note.CategoryCode;
            Version = note.Version;
        }

        return true;
    }
}
