using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Shared;

/// <summary>A form's errors, by field id, in the order the fields appear: what the GOV.UK error summary lists.</summary>
public static class FormErrors
{
    public static readonly IReadOnlyDictionary<string, string[]> None = new Dictionary<string, string[]>();

    /// <summary>
    /// The field errors of a Core refusal; a refusal that is not about fields goes on <paramref name="fallbackField"/>.
    /// Core words a field's error for the API, after the field's name ("must not be empty"); on a page the message
    /// stands alone, so it is given the field's label from <paramref name="labels"/> ("Note must not be empty").
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> From(Refusal refusal, string fallbackField, IReadOnlyDictionary<string, string>? labels = null) => refusal switch
    {
        InvalidFields invalid => invalid.Errors.ToDictionary(e => e.Key, e => e.Value.Select(m => Labelled(e.Key, m, labels)).ToArray()),
        BrokenControl broken => broken.Errors.ToDictionary(e => e.Key, e => e.Value.Select(m => Labelled(e.Key, m, labels)).ToArray()),
        _ => new Dictionary<string, string[]> { [fallbackField] = [refusal.Detail] },
    };

    private static string Labelled(string field, string message, IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return message;
        }

        // Core names other fields by their API names ("must not be before startDate"); a page names them by label.
        // Only camelCase names: a plain word such as "date" is also just a word in Core's messages.
        foreach (var (other, otherLabel) in labels.Where(l => l.Key.Any(char.IsUpper)))
        {
            message = System.Text.RegularExpressions.Regex.Replace(message, $@"\b{other}\b", otherLabel.ToLowerInvariant());
        }

        return labels.TryGetValue(field, out var label) && message.Length > 0 && char.IsLower(message[0]) ? $"{label} {message}" : message;
    }
}
