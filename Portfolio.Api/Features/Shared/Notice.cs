namespace Portfolio.Api.Features.Shared;

/// <summary>
/// What a form did, said once on the next page in a GOV.UK success banner ("Spend of £120.00 recorded."): kept in
/// TempData (an encrypted cookie) across the redirect that follows a successful post.
/// </summary>
public static class Notice
{
    public const string Key = "notice";

    /// <summary>What did not happen and why, in a GOV.UK "Important" banner, when there is no form to show it beside.</summary>
    public const string ImportantKey = "important";
}
