using Portfolio.Core.Periods;
using System.Globalization;
using System.Net.Mail;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portfolio.Core.Money;

namespace Portfolio.Api.Infrastructure;

/// <summary>
/// Reads a JSON request body field by field, collecting one message per wrong field, so that a bad request
/// gets a problem detail naming every field at once and nothing is written. Unknown fields, duplicate keys,
/// wrong types and fractions of a penny are all refused here rather than coerced.
/// </summary>
public sealed partial class JsonInput
{
    public const int MaxBodyBytes = 1024 * 1024;
    public const int MaxDepth = 32;

    private readonly JsonElement _element;
    private readonly string _prefix;
    private readonly Dictionary<string, List<string>> _errors;

    private JsonInput(JsonElement element, string prefix, Dictionary<string, List<string>> errors)
    {
        _element = element;
        _prefix = prefix;
        _errors = errors;
    }

    public bool IsValid => _errors.Count == 0;

    public IDictionary<string, string[]> Errors => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    /// <summary>Parses the body as one JSON object with only <paramref name="allowedFields"/>; on failure returns the problem to send.</summary>
    public static async Task<(JsonInput? Input, IResult? Problem)> ReadAsync(HttpRequest request, IReadOnlyCollection<string> allowedFields)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, Problems.PayloadTooLarge());
        }

        if (!IsJson(request.ContentType))
        {
            return (null, Problems.UnsupportedMediaType());
        }

        JsonDocument document;
        try
        {
            using var limited = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
            {
                if (limited.Length + read > MaxBodyBytes)
                {
                    return (null, Problems.PayloadTooLarge());
                }

                limited.Write(buffer, 0, read);
            }

            if (limited.Length == 0)
            {
                return (null, Problems.BadRequest("The request body is empty: a JSON object is expected."));
            }

            document = JsonDocument.Parse(limited.ToArray(), new JsonDocumentOptions { MaxDepth = MaxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            return (null, Problems.BadRequest($"The request body is not valid JSON: {ex.Message}"));
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Problems.BadRequest("The request body must be a JSON object."));
            }

            var input = new JsonInput(document.RootElement.Clone(), "", new Dictionary<string, List<string>>(StringComparer.Ordinal));
            input.RefuseUnknown(allowedFields);
            return (input, null);
        }
    }

    /// <summary>The canonical text of the body (no insignificant whitespace), for idempotency comparison.</summary>
    public string Canonical() => JsonSerializer.Serialize(_element);

    public IResult Problem() => Problems.Validation(Errors);

    public void Error(string field, string message)
    {
        var key = _prefix + field;
        if (!_errors.TryGetValue(key, out var list))
        {
            _errors[key] = list = [];
        }

        list.Add(message);
    }

    public bool Has(string field) => _element.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null;

    public string? Text(string field, bool required, int maxLength, bool multiline = false)
    {
        if (!Get(field, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Error(field, "must be a string");
            return null;
        }

        if (!TryString(value, out var text))
        {
            Error(field, "must be well-formed text (it holds an unpaired surrogate)");
            return null;
        }

        if (required && string.IsNullOrWhiteSpace(text))
        {
            Error(field, "must not be empty");
            return null;
        }

        if (text.Length > maxLength)
        {
            Error(field, $"must be at most {maxLength} characters");
            return null;
        }

        if (text.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t')))
        {
            Error(field, "must not contain control characters");
            return null;
        }

        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    public string? Email(string field, bool required)
    {
        var text = Text(field, required, 320);
        if (text is not null && (!MailAddress.TryCreate(text, out var address) || address.Address != text || !text.Contains('@', StringComparison.Ordinal)))
        {
            Error(field, "must be an email address such as name@example.org");
            return null;
        }

        return text;
    }

    /// <summary>An org identifier in 360Giving / org-id form, such as <c>GB-CHC-200051</c>.</summary>
    public string? OrgIdentifier(string field)
    {
        var text = Text(field, required: false, 100);
        if (text is not null && !OrgIdPattern().IsMatch(text))
        {
            Error(field, "must be an org-id such as GB-CHC-200051 (country, register, identifier)");
            return null;
        }

        return text;
    }

    public string? Code(string field, IReadOnlyList<string> allowed, string? defaultValue)
    {
        if (!Get(field, required: defaultValue is null, out var value))
        {
            return defaultValue;
        }

        if (value.ValueKind != JsonValueKind.String || !TryString(value, out var code) || !allowed.Contains(code))
        {
            Error(field, "must be one of: " + string.Join(", ", allowed));
            return null;
        }

        return code;
    }

    /// <summary>An amount in pounds as a JSON number with at most two decimal places, returned in pence.</summary>
    public long? Money(string field, bool required, bool allowNegative)
    {
        if (!Get(field, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            Error(field, "must be a JSON number of pounds, such as 1234.56");
            return null;
        }

        if (!value.TryGetDecimal(out var pounds))
        {
            Error(field, "must be between -1000000000000.00 and 1000000000000.00");
            return null;
        }

        if (!Portfolio.Core.Money.Money.TryFromPounds(pounds, out var money, out var error))
        {
            Error(field, error!);
            return null;
        }

        if (!allowNegative && money.Pence < 0)
        {
            Error(field, "must not be negative");
            return null;
        }

        return money.Pence;
    }

    public DateOnly? Date(string field, bool required)
    {
        if (!Get(field, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || !TryString(value, out var dateText)
            || !DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            Error(field, "must be a date written YYYY-MM-DD");
            return null;
        }

        if (!RecordDates.Contains(date))
        {
            Error(field, RecordDates.OutOfRangeMessage);
            return null;
        }

        return date;
    }

    public long? Id(string field, bool required)
    {
        if (!Get(field, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var id) || id <= 0)
        {
            Error(field, "must be the positive whole-number id of an existing record");
            return null;
        }

        return id;
    }

    public int? Int(string field, int min, int max, int? defaultValue)
    {
        if (!Get(field, required: defaultValue is null, out var value))
        {
            return defaultValue;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min || number > max)
        {
            Error(field, $"must be a whole number from {min} to {max}");
            return null;
        }

        return number;
    }

    public bool? Bool(string field, bool? defaultValue)
    {
        if (!Get(field, required: defaultValue is null, out var value))
        {
            return defaultValue;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Error(field, "must be true or false");
            return null;
        }

        return value.GetBoolean();
    }

    /// <summary>An array of objects; each is read by <paramref name="readItem"/> with field names prefixed <c>field[i].</c>.</summary>
    public List<T> Objects<T>(string field, bool required, int maxItems, IReadOnlyCollection<string> allowedFields, Func<JsonInput, T?> readItem)
    {
        var items = new List<T>();
        if (!Get(field, required, out var value))
        {
            return items;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Error(field, "must be an array");
            return items;
        }

        if (value.GetArrayLength() > maxItems)
        {
            Error(field, $"must have at most {maxItems} items");
            return items;
        }

        var index = 0;
        foreach (var element in value.EnumerateArray())
        {
            var itemPrefix = $"{_prefix}{field}[{index}]";
            if (element.ValueKind != JsonValueKind.Object)
            {
                Error($"{field}[{index}]", "must be an object");
            }
            else
            {
                var item = new JsonInput(element, itemPrefix + ".", _errors);
                item.RefuseUnknown(allowedFields);
                var read = readItem(item);
                if (read is not null)
                {
                    items.Add(read);
                }
            }

            index++;
        }

        return items;
    }

    public List<long> Ids(string field, int maxItems)
    {
        var ids = new List<long>();
        if (!Get(field, required: false, out var value))
        {
            return ids;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > maxItems)
        {
            Error(field, $"must be an array of at most {maxItems} ids");
            return ids;
        }

        var index = 0;
        foreach (var element in value.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var id) || id <= 0)
            {
                Error($"{field}[{index}]", "must be the positive whole-number id of an existing record");
            }
            else if (!ids.Contains(id))
            {
                ids.Add(id);
            }

            index++;
        }

        return ids;
    }

    public List<string> Strings(string field, int maxItems, int maxLength)
    {
        var items = new List<string>();
        if (!Get(field, required: false, out var value))
        {
            return items;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Error(field, "must be an array of strings");
            return items;
        }

        if (value.GetArrayLength() > maxItems)
        {
            Error(field, $"must have at most {maxItems} items");
            return items;
        }

        var index = 0;
        foreach (var element in value.EnumerateArray())
        {
            var text = element.ValueKind == JsonValueKind.String && TryString(element, out var raw) ? raw.Trim() : null;
            if (string.IsNullOrEmpty(text) || text.Length > maxLength || text.Any(char.IsControl))
            {
                Error($"{field}[{index}]", $"must be a non-empty string of at most {maxLength} characters");
            }
            else
            {
                items.Add(text);
            }

            index++;
        }

        return items;
    }

    /// <summary>A JSON string as .NET text; false for escapes that are not well-formed UTF-16 (a lone surrogate).</summary>
    private static bool TryString(JsonElement element, out string text)
    {
        try
        {
            text = element.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }

    private bool Get(string field, bool required, out JsonElement value)
    {
        if (!_element.TryGetProperty(field, out value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Error(field, "is required");
            }

            return false;
        }

        return true;
    }

    private void RefuseUnknown(IReadOnlyCollection<string> allowedFields)
    {
        foreach (var property in _element.EnumerateObject())
        {
            if (!allowedFields.Contains(property.Name))
            {
                Error(property.Name, "is not a field of this resource");
            }
        }
    }

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }

        var charset = media.Charset.Value;
        return media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
               && (string.IsNullOrEmpty(charset) || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));
    }

    [GeneratedRegex(@"^[A-Z]{2}-[A-Z0-9]{2,10}-[A-Za-z0-9][A-Za-z0-9._-]{0,60}$")]
    private static partial Regex OrgIdPattern();
}
