using System.Globalization;
using System.Text.Json;
using Portfolio.Core.Money;
using Portfolio.Core.Results;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Infrastructure;

/// <summary>A request body read into its input record, with what was wrong in its JSON and the read-only fields it carried.</summary>
public sealed record BodyRead<T>(T Input, FieldErrors Errors, IReadOnlyDictionary<string, JsonElement> ReadOnly)
    where T : notnull
{
    /// <summary>
    /// The problem to answer when the JSON was wrong, naming every field at once: its type errors, and the rules
    /// Core finds broken in the fields that were readable.
    /// </summary>
    public IResult? Problem()
    {
        if (!Errors.Any)
        {
            return null;
        }

        var all = new FieldErrors();
        all.AddMissing(Errors);
        var rules = new FieldErrors();
        InputShape.Check(Input, rules);
        all.AddMissing(rules);
        return Problems.Validation(all.ToDictionary().ToDictionary(e => e.Key, e => e.Value));
    }

    /// <summary>The body's meaning, for comparing an idempotent retry: <c>100</c> and <c>100.00</c>, or keys in another order, are the same.</summary>
    public string Canonical() => JsonSerializer.Serialize(Input, Input.GetType());
}

/// <summary>
/// Reads a JSON request body into an input record declared in Core (<see cref="InputShape"/>): the record is the
/// contract, so what is read, what is checked and what the OpenAPI document shows cannot disagree. This reader
/// refuses what JSON itself gets wrong (unknown and duplicate fields, wrong types, numbers out of range, fractions
/// of a penny, unpaired surrogates, depth, size); the rules on values are Core's, run by the operation.
/// </summary>
public static class JsonBody
{
    public const int MaxBodyBytes = 1024 * 1024;
    public const int MaxDepth = 32;

    /// <summary>
    /// The body as <typeparamref name="T"/>, or the problem (400, 413, 415) when it is not a JSON object.
    /// <paramref name="readOnly"/> names fields of the resource's representation that the client may send back
    /// unchanged (a GET's body sent to PUT); they are returned for the caller to compare, not refused as unknown.
    /// </summary>
    public static async Task<(BodyRead<T>? Body, IResult? Problem)> ReadAsync<T>(HttpRequest request, IReadOnlyCollection<string>? readOnly = null)
        where T : notnull
    {
        var (document, problem) = await ParseAsync(request);
        if (problem is not null)
        {
            return (null, problem);
        }

        using (document)
        {
            var errors = new FieldErrors();
            var readOnlyValues = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            var input = (T)ReadObject(InputShape.Of<T>(), document!.RootElement, "", errors, readOnly ?? [], readOnlyValues);
            return (new BodyRead<T>(input, errors, readOnlyValues), null);
        }
    }

    /// <summary>
    /// The body as <typeparamref name="T"/> with Core's rules on its fields applied (text trimmed), or the problem
    /// naming every wrong field: for endpoints whose operation takes the checked input directly.
    /// </summary>
    public static async Task<(T? Input, IResult? Problem)> ReadCheckedAsync<T>(HttpRequest request)
        where T : class
    {
        var (body, problem) = await ReadAsync<T>(request);
        if ((problem ?? body!.Problem()) is { } refused)
        {
            return (null, refused);
        }

        var errors = new FieldErrors();
        var input = InputShape.Check(body!.Input, errors);
        return errors.Any ? (null, Problems.From(errors.ToRefusal())) : (input, null);
    }

    private static async Task<(JsonDocument? Document, IResult? Problem)> ParseAsync(HttpRequest request)
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
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // A chunked body has no Content-Length: the server's own cap stops it part way.
            return (null, Problems.PayloadTooLarge());
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, Problems.BadRequest("The request body must be a JSON object."));
        }

        return (document, null);
    }

    private static object ReadObject(InputShape shape, JsonElement element, string prefix, FieldErrors errors, IReadOnlyCollection<string> readOnly, Dictionary<string, JsonElement> readOnlyValues)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (shape.Fields.Any(f => f.Name == property.Name))
            {
                continue;
            }

            if (prefix.Length == 0 && readOnly.Contains(property.Name))
            {
                readOnlyValues[property.Name] = property.Value.Clone();
            }
            else
            {
                errors.Add(prefix + property.Name, "is not a field of this resource");
            }
        }

        var values = new object?[shape.Fields.Count];
        for (var i = 0; i < shape.Fields.Count; i++)
        {
            var field = shape.Fields[i];
            var key = prefix + field.Name;
            if (!element.TryGetProperty(field.Name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (field.Required)
                {
                    errors.Add(key, "is required");
                }

                values[i] = field.Missing;
                continue;
            }

            values[i] = ReadValue(field, value, key, errors) ?? field.Missing;
        }

        return shape.Create(values);
    }

    private static object? ReadValue(InputField field, JsonElement value, string key, FieldErrors errors)
    {
        switch (field.Kind)
        {
            case InputKind.Text:
                if (value.ValueKind != JsonValueKind.String || !TryString(value, out var text))
                {
                    errors.Add(key, field.Code is { } code ? "must be one of: " + string.Join(", ", code.Values)
                        : value.ValueKind == JsonValueKind.String ? "must be well-formed text (it holds an unpaired surrogate)" : "must be a string");
                    return null;
                }

                return text;
            case InputKind.Id:
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var id))
                {
                    errors.Add(key, "must be the positive whole-number id of an existing record");
                    return null;
                }

                return id;
            case InputKind.WholeNumber:
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
                {
                    errors.Add(key, $"must be a whole number from {field.Range!.Min} to {field.Range.Max}");
                    return null;
                }

                return number;
            case InputKind.Flag:
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    errors.Add(key, "must be true or false");
                    return null;
                }

                return value.GetBoolean();
            case InputKind.Date:
                if (value.ValueKind != JsonValueKind.String || !TryString(value, out var dateText)
                    || !DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    errors.Add(key, "must be a date written YYYY-MM-DD");
                    return null;
                }

                return date;
            case InputKind.Money:
                return ReadMoney(value, key, errors);
            case InputKind.Quantity:
                return ReadQuantity(value, key, errors);
            case InputKind.Strings:
                return ReadStrings(field, value, key, errors);
            case InputKind.Ids:
                return ReadIds(field, value, key, errors);
            case InputKind.Objects:
                return ReadObjects(field, value, key, errors);
            default:
                throw new InvalidOperationException($"No reader for {field.Kind}.");
        }
    }

    private static Money? ReadMoney(JsonElement value, string key, FieldErrors errors)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            errors.Add(key, "must be a JSON number of pounds, such as 1234.56");
            return null;
        }

        if (!value.TryGetDecimal(out var pounds))
        {
            errors.Add(key, "must be between -1000000000000.00 and 1000000000000.00");
            return null;
        }

        if (!Money.TryFromPounds(pounds, out var money, out var error))
        {
            errors.Add(key, error!);
            return null;
        }

        return money;
    }

    private static Quantity? ReadQuantity(JsonElement value, string key, FieldErrors errors)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var number))
        {
            errors.Add(key, "must be a JSON number, such as 1250 or 12.5");
            return null;
        }

        if (!Quantity.TryFrom(number, out var quantity, out var error))
        {
            errors.Add(key, error!);
            return null;
        }

        return quantity;
    }

    private static IReadOnlyList<string>? ReadStrings(InputField field, JsonElement value, string key, FieldErrors errors)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(key, "must be an array of strings");
            return null;
        }

        var items = new List<string>();
        var index = 0;
        foreach (var element in value.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.String && TryString(element, out var text))
            {
                items.Add(text);
            }
            else if (value.GetArrayLength() <= field.Items!.Max)
            {
                errors.Add($"{key}[{index}]", $"must be a non-empty string of at most {field.Items.ItemMaxLength} characters");
            }

            index++;
        }

        return items;
    }

    private static IReadOnlyList<long>? ReadIds(InputField field, JsonElement value, string key, FieldErrors errors)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(key, $"must be an array of at most {field.Items!.Max} ids");
            return null;
        }

        var ids = new List<long>();
        var index = 0;
        foreach (var element in value.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var id))
            {
                ids.Add(id);
            }
            else
            {
                errors.Add($"{key}[{index}]", "must be the positive whole-number id of an existing record");
            }

            index++;
        }

        return ids;
    }

    private static object? ReadObjects(InputField field, JsonElement value, string key, FieldErrors errors)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(key, "must be an array");
            return null;
        }

        var shape = InputShape.Of(field.ItemType!);
        var items = new List<object?>();
        var index = 0;
        foreach (var element in value.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{key}[{index}]", "must be an object");
                items.Add(null);
            }
            else if (value.GetArrayLength() <= field.Items!.Max)
            {
                items.Add(ReadObject(shape, element, $"{key}[{index}].", errors, [], []));
            }
            else
            {
                items.Add(null);
            }

            index++;
        }

        var array = Array.CreateInstance(field.ItemType!, items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            array.SetValue(items[i], i);
        }

        return array;
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
}
