using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Infrastructure;

namespace Portfolio.Api.Features.Account;

/// <summary>Signing out is a form post (with the anti-forgery token), never a link another site could follow.</summary>
[AllowAnonymous]
public sealed class SignOutModel(Core.Data.Database database) : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        // Ends the session on the server too: a copy of the cookie taken before this opens nothing after it.
        if (User.Session() is { } session)
        {
            await Core.Domain.Users.SignOutAsync(database, session.Id, session.Stamp, HttpContext.RequestAborted);
        }

        await HttpContext.SignOutAsync(AuthExtensions.CookieScheme);
        return LocalRedirect("/sign-in");
    }
}
