using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Shared;

/// <summary>A form's errors, by field id, in the order the fields appear: what the GOV.UK error summary lists.</summary>
public static class FormErrors
{
    public static readonly IReadOnlyDictionary<string, string[]> None = new Dictionary<string, string[]>();

    /// <summary>The field errors of a Core refusal; a refusal that is not about fields goes on <paramref name="fallbackField"/>.</summary>
    public static IReadOnlyDictionary<string, string[]> From(Refusal refusal, string fallbackField) => refusal switch
    {
        InvalidFields invalid => invalid.Errors.ToDictionary(e => e.Key, e => e.Value),
        _ => new Dictionary<string, string[]> { [fallbackField] = [refusal.Detail] },
    };
}
