using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.ReportRuns;

/// <summary>
/// A report run's stored PDF (opened in the browser) or workbook (downloaded) for a signed-in person: the draft
/// before approval, or exactly what was sent. The same file and rules as <c>GET /api/report-runs/{id}/pdf</c>.
/// </summary>
[Authorize(Policy = Policies.Read)]
public sealed class RunFileModel(Database database) : PageModel
{
    public async Task<IActionResult> OnGetAsync(long id, string format)
    {
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        if (await ReportRunStore.GetFileAsync(session, id, format, HttpContext.RequestAborted) is { } file)
        {
            return FileAnswer.For(Response, file.Content, file.ContentType, file.FileName);
        }

        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
