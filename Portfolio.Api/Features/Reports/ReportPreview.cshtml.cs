using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Reports.Quarterly;

namespace Portfolio.Api.Features.Reports;

/// <summary>
/// A person's preview of a grant's funder report for one period, made now and not stored: the PDF opens in the
/// browser, the workbook downloads. The same code and rules as the API's preview (any role may read), opened with
/// the sign-in cookie, and limited like every rendering (one at a time per person).
/// </summary>
[Authorize(Policy = Policies.Read)]
[Limits.RendersReportsMetadata]
public sealed class ReportPreviewModel(QuarterlyReports reports, TimeProvider clock) : PageModel
{
    public string Message { get; private set; } = "";

    public string Back { get; private set; } = "/";

    public string BackText { get; private set; } = "Go to the dashboard";

    public async Task<IActionResult> OnGetAsync(long grantId, string periodStart, string format)
    {
        var preview = await ReportsApi.PreviewAsync(grantId, periodStart, reports, clock, format, HttpContext.RequestAborted);
        if (preview.File is { } file)
        {
            return FileAnswer.For(Response, file.Content, file.ContentType, file.FileName);
        }

        Response.StatusCode = preview.Status;
        Message = preview.ForPeople!;
        if (preview.Status != StatusCodes.Status404NotFound)
        {
            (Back, BackText) = ($"/grants/{grantId}", "Go to the grant's page");
        }

        return Page();
    }
}
