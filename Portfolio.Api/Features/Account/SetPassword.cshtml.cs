using Portfolio.Api.Features.Shared;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Account;

/// <summary>The page an invitation links to: choose a password, once, within 24 hours; then you are signed in.</summary>
[AllowAnonymous]
public sealed class SetPasswordModel(Database database, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public string? ConfirmPassword { get; set; }

    public bool LinkValid { get; private set; }

    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = FormErrors.None;

    public async Task OnGetAsync()
    {
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        LinkValid = !string.IsNullOrEmpty(Token) && await Core.Domain.Users.IsValidLinkAsync(session, Token, clock.GetUtcNow().UtcDateTime, HttpContext.RequestAborted);
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var change = new ChangeContext("system:set-password", clock.GetUtcNow().UtcDateTime);
        var outcome = await UnitOfWork.RunAsync(
            database, session => Core.Domain.Users.SetPasswordAsync(session, Token ?? "", Password ?? "", ConfirmPassword ?? "", change, HttpContext.RequestAborted), HttpContext.RequestAborted);
        if (outcome.Value is { } user)
        {
            await HttpContext.SignInAsync(AuthExtensions.CookieScheme, AuthExtensions.PrincipalOf(user));
            return LocalRedirect("/");
        }

        Errors = FormErrors.From(outcome.Refused!, "password");
        LinkValid = !Errors.ContainsKey("token");
        Password = ConfirmPassword = null;
        return Page();
    }
}
