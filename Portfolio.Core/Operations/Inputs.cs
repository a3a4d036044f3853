using System.Collections.Concurrent;
using System.Reflection;
using System.Text.RegularExpressions;
using Portfolio.Core.Domain;
using Portfolio.Core.Periods;

namespace Portfolio.Core.Operations;

/// <summary>Free text of at most <see cref="MaxLength"/> characters, trimmed; line breaks only when <see cref="Multiline"/>.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class TextAttribute(int maxLength) : Attribute
{
    public int MaxLength { get; } = maxLength;

    public bool Multiline { get; init; }
}

/// <summary>An email address (one mailbox, no display name, no line or paragraph separators).</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class EmailAttribute : Attribute;

/// <summary>An org identifier in 360Giving / org-id form, such as <c>GB-CHC-200051</c>.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class OrgIdAttribute : Attribute;

/// <summary>One of a fixed vocabulary named in <see cref="Vocabularies"/>.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class CodeAttribute(string vocabulary) : Attribute
{
    public string Vocabulary { get; } = vocabulary;

    public IReadOnlyList<string> Values => Vocabularies.Of(Vocabulary);
}

/// <summary>A whole number in a range.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class WholeNumberAttribute(int min, int max) : Attribute
{
    public int Min { get; } = min;

    public int Max { get; } = max;
}

/// <summary>How an amount of money may be signed.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class AmountAttribute : Attribute
{
    public bool AllowNegative { get; init; }

    public bool NonZero { get; init; }
}

/// <summary>A list of at most <see cref="Max"/> items; strings in it at most <see cref="ItemMaxLength"/> characters.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class ItemsAttribute(int max) : Attribute
{
    public int Max { get; } = max;

    public int ItemMaxLength { get; init; } = 200;
}

/// <summary>Implemented by inputs with rules that span fields (an end not before a start); run once every field is well formed.</summary>
public interface ICrossFieldRules
{
    void Check(FieldErrors errors);
}

/// <summary>The fixed vocabularies inputs draw on, by name (the OpenAPI document lists them as enums).</summary>
public static class Vocabularies
{
    private static readonly Dictionary<string, IReadOnlyList<string>> All = new(StringComparer.Ordinal)
    {
        ["funder-kind"] = Codes.FunderKinds,
        ["delivery-mode"] = Codes.DeliveryModes,
        ["partner-kind"] = Codes.PartnerKinds,
        ["grant-status"] = Codes.GrantStatuses,
        ["role"] = Codes.Roles,
        ["currency"] = [Codes.Currency],
        ["reporting-calendar"] = Enum.GetValues<ReportingCalendar>().Select(c => c.ToCode()).ToArray(),
        ["returns-due"] = Codes.ReturnsDue,
        ["indicator-source"] = Codes.IndicatorSources,
        ["indicator-to-date"] = Codes.IndicatorToDate,
    };

    public static IReadOnlyList<string> Of(string name) =>
        All.TryGetValue(name, out var values) ? values : throw new ArgumentException($"No vocabulary called '{name}'.", nameof(name));
}

public enum InputKind
{
    Text,
    Id,
    WholeNumber,
    Flag,
    Date,
    Money,
    Quantity,
    Strings,
    Ids,
    Objects,
}

/// <summary>One field of an input record: its JSON name, kind, whether it is required, its default and its rules.</summary>
public sealed class InputField
{
    internal InputField(ParameterInfo parameter, NullabilityInfoContext nullability)
    {
        Parameter = parameter;
        Name = JsonName(parameter.Name!);
        Type = parameter.ParameterType;
        var underlying = Nullable.GetUnderlyingType(Type);
        IsNullable = underlying is not null || (!Type.IsValueType && nullability.Create(parameter).WriteState == NullabilityState.Nullable);
        HasDefault = parameter.HasDefaultValue;
        Default = parameter.HasDefaultValue ? parameter.DefaultValue : null;
        Required = !IsNullable && !HasDefault;
        Text = parameter.GetCustomAttribute<TextAttribute>();
        IsEmail = parameter.GetCustomAttribute<EmailAttribute>() is not null;
        IsOrgId = parameter.GetCustomAttribute<OrgIdAttribute>() is not null;
        Code = parameter.GetCustomAttribute<CodeAttribute>();
        Range = parameter.GetCustomAttribute<WholeNumberAttribute>();
        Amount = parameter.GetCustomAttribute<AmountAttribute>() ?? new AmountAttribute();
        Items = parameter.GetCustomAttribute<ItemsAttribute>();
        var type = underlying ?? Type;
        Kind = type switch
        {
            _ when type == typeof(string) => InputKind.Text,
            _ when type == typeof(long) => InputKind.Id,
            _ when type == typeof(int) => InputKind.WholeNumber,
            _ when type == typeof(bool) => InputKind.Flag,
            _ when type == typeof(DateOnly) => InputKind.Date,
            _ when type == typeof(Money.Money) => InputKind.Money,
            _ when type == typeof(Results.Quantity) => InputKind.Quantity,
            _ when type == typeof(IReadOnlyList<string>) => InputKind.Strings,
            _ when type == typeof(IReadOnlyList<long>) => InputKind.Ids,
            _ when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) => InputKind.Objects,
            _ => throw new InvalidOperationException($"{parameter.Member.DeclaringType!.Name}.{parameter.Name}: inputs hold text, ids, whole numbers, flags, dates, money, quantities and lists of them, not {type.Name}."),
        };
        ItemType = Kind == InputKind.Objects ? type.GetGenericArguments()[0] : null;
        if (Kind is InputKind.Text && Text is null && !IsEmail && !IsOrgId && Code is null)
        {
            throw new InvalidOperationException($"{parameter.Member.DeclaringType!.Name}.{parameter.Name}: text needs [Text], [Email], [OrgId] or [Code].");
        }

        if (Kind is InputKind.WholeNumber && Range is null)
        {
            throw new InvalidOperationException($"{parameter.Member.DeclaringType!.Name}.{parameter.Name}: a whole number needs [WholeNumber].");
        }

        if (Kind is InputKind.Strings or InputKind.Ids or InputKind.Objects && Items is null)
        {
            throw new InvalidOperationException($"{parameter.Member.DeclaringType!.Name}.{parameter.Name}: a list needs [Items].");
        }
    }

    public ParameterInfo Parameter { get; }

    public string Name { get; }

    public Type Type { get; }

    public InputKind Kind { get; }

    public bool IsNullable { get; }

    public bool HasDefault { get; }

    public object? Default { get; }

    /// <summary>Must be sent: not nullable and without a default.</summary>
    public bool Required { get; }

    public TextAttribute? Text { get; }

    public bool IsEmail { get; }

    public bool IsOrgId { get; }

    public CodeAttribute? Code { get; }

    public WholeNumberAttribute? Range { get; }

    public AmountAttribute Amount { get; }

    public ItemsAttribute? Items { get; }

    public Type? ItemType { get; }

    /// <summary>The longest text the field takes.</summary>
    public int MaxLength => Text?.MaxLength ?? (IsEmail ? 320 : IsOrgId ? 100 : 40);

    /// <summary>The value when the field is not sent.</summary>
    public object? Missing => HasDefault ? Default : Type.IsValueType ? Activator.CreateInstance(Type) : Kind is InputKind.Text && !IsNullable ? "" : EmptyList();

    private object? EmptyList() => Kind switch
    {
        InputKind.Strings => Array.Empty<string>(),
        InputKind.Ids => Array.Empty<long>(),
        InputKind.Objects => Array.CreateInstance(ItemType!, 0),
        _ => null,
    };

    public static string JsonName(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}

/// <summary>
/// The shape of an input record, read from its primary constructor: the one declaration of a request that the
/// API reads, Core checks and the OpenAPI document shows. <see cref="Check"/> applies every field's rules and
/// the record's cross-field rules, collecting all errors, and returns the record with its text normalised.
/// </summary>
public sealed partial class InputShape
{
    private static readonly ConcurrentDictionary<Type, InputShape> Shapes = new();

    private readonly ConstructorInfo _constructor;

    private InputShape(Type type)
    {
        var constructors = type.GetConstructors();
        _constructor = constructors.OrderByDescending(c => c.GetParameters().Length).First();
        var nullability = new NullabilityInfoContext();
        Fields = _constructor.GetParameters().Select(p => new InputField(p, nullability)).ToArray();
        Type = type;
    }

    public Type Type { get; }

    public IReadOnlyList<InputField> Fields { get; }

    public static InputShape Of(Type type) => Shapes.GetOrAdd(type, t => new InputShape(t));

    public static InputShape Of<T>() => Of(typeof(T));

    /// <summary>A new record from values in field order.</summary>
    public object Create(object?[] values) => _constructor.Invoke(values);

    public object?[] ValuesOf(object input) =>
        Fields.Select(f => Type.GetProperty(f.Parameter.Name!, BindingFlags.Public | BindingFlags.Instance)!.GetValue(input)).ToArray();

    /// <summary>Checks <paramref name="input"/> and returns it normalised (text trimmed, blank optional text as null, ids de-duplicated).</summary>
    public static T Check<T>(T input, FieldErrors errors) where T : notnull => (T)Of(input.GetType()).CheckObject(input, errors, "");

    private object CheckObject(object input, FieldErrors errors, string prefix)
    {
        var values = ValuesOf(input);
        var before = errors.Count;
        for (var i = 0; i < Fields.Count; i++)
        {
            values[i] = CheckField(Fields[i], values[i], errors, prefix);
        }

        var normalised = Create(values);
        if (normalised is ICrossFieldRules rules && errors.Count == before)
        {
            var crossField = new FieldErrors();
            rules.Check(crossField);
            foreach (var (field, messages) in crossField.ToDictionary())
            {
                foreach (var message in messages)
                {
                    errors.Add(prefix + field, message);
                }
            }
        }

        return normalised;
    }

    private static object? CheckField(InputField field, object? value, FieldErrors errors, string prefix)
    {
        var key = prefix + field.Name;
        switch (field.Kind)
        {
            case InputKind.Text:
                return CheckText(field, value as string, errors, key);
            case InputKind.Id:
                if (value is long id)
                {
                    if (id == 0 && field.Required)
                    {
                        errors.Add(key, "is required");
                    }
                    else if (id <= 0)
                    {
                        errors.Add(key, "must be the positive whole-number id of an existing record");
                    }
                }

                return value;
            case InputKind.WholeNumber:
                if (value is int number && (number < field.Range!.Min || number > field.Range.Max))
                {
                    errors.Add(key, $"must be a whole number from {field.Range.Min} to {field.Range.Max}");
                }

                return value;
            case InputKind.Date:
                if (value is DateOnly date)
                {
                    if (date == default && field.Required)
                    {
                        errors.Add(key, "is required");
                    }
                    else if (!RecordDates.Contains(date))
                    {
                        errors.Add(key, RecordDates.OutOfRangeMessage);
                    }
                }

                return value;
            case InputKind.Money:
                if (value is Money.Money money)
                {
                    if (Math.Abs(money.Pence) > Money.Money.MaxAbsPence)
                    {
                        errors.Add(key, "must be between -1000000000000.00 and 1000000000000.00");
                    }
                    else if (!field.Amount.AllowNegative && money.Pence < 0)
                    {
                        errors.Add(key, "must not be negative");
                    }
                    else if (field.Amount.NonZero && money.Pence == 0)
                    {
                        errors.Add(key, "must not be zero");
                    }
                }

                return value;
            case InputKind.Strings:
                // A list that may be left out stays null, so an operation can tell "leave as it is" from "none".
                return value is null && field.IsNullable ? null : CheckStrings(field, value as IReadOnlyList<string>, errors, key);
            case InputKind.Ids:
                return CheckIds(field, value as IReadOnlyList<long>, errors, key);
            case InputKind.Objects:
                return value is null && field.IsNullable ? null! : CheckObjects(field, value, errors, key);
            default:
                return value;
        }
    }

    private static string? CheckText(InputField field, string? text, FieldErrors errors, string key)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (field.Required && field.Code is { } required)
            {
                errors.Add(key, "must be one of: " + string.Join(", ", required.Values));
            }
            else if (field.Required)
            {
                errors.Add(key, text is null ? "is required" : "must not be empty");
            }

            return field.IsNullable ? null : "";
        }

        if (field.Code is { } code)
        {
            if (!code.Values.Contains(text, StringComparer.Ordinal))
            {
                errors.Add(key, "must be one of: " + string.Join(", ", code.Values));
            }

            return text;
        }

        if (text.Length > field.MaxLength)
        {
            errors.Add(key, $"must be at most {field.MaxLength} characters");
            return text;
        }

        var multiline = field.Text?.Multiline == true;
        if (text.Any(c => IsForbidden(c, multiline)))
        {
            errors.Add(key, "must not contain control characters");
            return text;
        }

        var trimmed = text.Trim();
        if (field.IsEmail && !IsEmailAddress(trimmed))
        {
            errors.Add(key, "must be an email address such as name@example.org");
        }
        else if (field.IsOrgId && !OrgIdPattern().IsMatch(trimmed))
        {
            errors.Add(key, "must be an org-id such as GB-CHC-200051 (country, register, identifier)");
        }

        return trimmed;
    }

    /// <summary>Control characters, and the Unicode line and paragraph separators, outside multi-line text.</summary>
    private static bool IsForbidden(char c, bool multiline) =>
        (char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t')) || (!multiline && c is '\u2028' or '\u2029');

    /// <summary>One mailbox as <c>local@domain</c>: no display name, spaces, separators or comments.</summary>
    public static bool IsEmailAddress(string text) =>
        text.Length <= 320
        && !text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '\u2028' or '\u2029' or '<' or '>' or '(' or ')' or ',' or ';' or '"')
        && System.Net.Mail.MailAddress.TryCreate(text, out var address)
        && address.Address == text
        && string.IsNullOrEmpty(address.DisplayName)
        && text.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < text.Length - 1;

    private static IReadOnlyList<string> CheckStrings(InputField field, IReadOnlyList<string>? items, FieldErrors errors, string key)
    {
        items ??= [];
        if (items.Count > field.Items!.Max)
        {
            errors.Add(key, $"must have at most {field.Items.Max} items");
            return items;
        }

        var result = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            var text = items[i]?.Trim();
            if (string.IsNullOrEmpty(text) || text.Length > field.Items.ItemMaxLength || text.Any(c => IsForbidden(c, false)))
            {
                errors.Add($"{key}[{i}]", $"must be a non-empty string of at most {field.Items.ItemMaxLength} characters");
            }
            else
            {
                result.Add(text);
            }
        }

        return result;
    }

    private static IReadOnlyList<long> CheckIds(InputField field, IReadOnlyList<long>? ids, FieldErrors errors, string key)
    {
        ids ??= [];
        if (ids.Count > field.Items!.Max)
        {
            errors.Add(key, $"must be an array of at most {field.Items.Max} ids");
            return ids;
        }

        for (var i = 0; i < ids.Count; i++)
        {
            if (ids[i] <= 0)
            {
                errors.Add($"{key}[{i}]", "must be the positive whole-number id of an existing record");
            }
        }

        return ids.Distinct().ToList();
    }

    private static object CheckObjects(InputField field, object? value, FieldErrors errors, string key)
    {
        var items = ((System.Collections.IEnumerable?)value ?? Array.Empty<object>()).Cast<object?>().ToList();
        var result = Array.CreateInstance(field.ItemType!, items.Count);
        if (items.Count > field.Items!.Max)
        {
            errors.Add(key, $"must have at most {field.Items.Max} items");
            return result;
        }

        var shape = Of(field.ItemType!);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
            {
                errors.Add($"{key}[{i}]", "must be an object");
                continue;
            }

            result.SetValue(shape.CheckObject(items[i]!, errors, $"{key}[{i}]."), i);
        }

        return result;
    }

    [GeneratedRegex(@"^[A-Z]{2}-[A-Z0-9]{2,10}-[A-Za-z0-9][A-Za-z0-9._-]{0,60}$")]
    private static partial Regex OrgIdPattern();
}
