using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Portfolio.Api.Features.Account;

/// <summary>
/// What a person sees when a page answers an error with nothing to show (re-executed by the status-code pages for
/// every path that is not the API's): 403, that their role does not allow it, answered as 403 rather than a redirect;
/// 404, that there is no such page or record; 409 for a grant that cannot be computed, what to correct; anything else, that something went wrong. The status is kept.
/// </summary>
[AllowAnonymous]
[Microsoft.AspNetCore.Mvc.IgnoreAntiforgeryToken] // re-executed for a refused post, whose form it does not read
public sealed class StatusPageModel : PageModel
{
    public string Heading { get; private set; } = "";

    public string Advice { get; private set; } = "";

    public void OnGet(int code)
    {
        var original = HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is null ? code : Response.StatusCode;
        Response.StatusCode = original is >= 400 and <= 599 ? original : StatusCodes.Status404NotFound;
        (Heading, Advice) = Response.StatusCode switch
        {
            StatusCodes.Status409Conflict when HttpContext.Items[Infrastructure.GrantDataPageFilter.ItemKey] is Core.Periods.GrantDataException grantData =>
                ("This grant's figures cannot be worked out", $"{grantData.ForPeople} Other grants are not affected."),
            StatusCodes.Status403Forbidden => ("You do not have access to this page", "Your role does not allow this. If you need it, ask an administrator."),
            StatusCodes.Status404NotFound => ("Page not found", "There is no such page, or the record it names does not exist. Check the address, or start again from the dashboard."),
            _ => ("Sorry, there is a problem", "Portfolio could not answer this. Try again; if it goes on, tell your administrator the time it happened."),
        };
    }
}
