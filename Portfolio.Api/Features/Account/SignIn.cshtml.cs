using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Api.Features.Shared;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.Account;

/// <summary>Sign in with an email address and password (the account's lockout and messages are Core's).</summary>
[AllowAnonymous]
public sealed class SignInModel(Database database, TimeProvider clock, OidcOptions oidc) : PageModel
{
    /// <summary>The organisation's identity provider's name, when sign-in through it is configured.</summary>
    public string? ProviderName => oidc.Enabled ? oidc.DisplayName : null;

    /// <summary>
    /// Sign in through the organisation's identity provider: a link, not a form, because the Content-Security-Policy's
    /// <c>form-action 'self'</c> would stop a form's redirect to the provider. The handler's state and nonce tie the
    /// answer to this browser.
    /// </summary>
    public IActionResult OnGetProvider(string? returnUrl) => oidc.Enabled
        ? Challenge(new AuthenticationProperties { RedirectUri = Url.IsLocalUrl(returnUrl) ? returnUrl : "/" }, OidcOptions.Scheme)
        : NotFound();

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = FormErrors.None;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(Email))
        {
            errors["email"] = ["Enter your email address"];
        }

        if (string.IsNullOrEmpty(Password))
        {
            errors["password"] = ["Enter your password"];
        }

        if (errors.Count == 0)
        {
            var outcome = await Core.Domain.Users.SignInAsync(database, Email!, Password!, new ChangeContext("system:sign-in", clock.GetUtcNow().UtcDateTime), HttpContext.RequestAborted);
            if (outcome.Value is { } user)
            {
                await HttpContext.SignInAsync(AuthExtensions.CookieScheme, AuthExtensions.PrincipalOf(user));
                return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
            }

            Errors = FormErrors.From(outcome.Refused!, "email");
        }
        else
        {
            Errors = errors;
        }

        Password = null;
        return Page();
    }
}
