using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Shared;

/// <summary>
/// What every form page shares: the values typed (kept when the form comes back with errors), reading them into
/// typed values with an error beside the field when one cannot be read, Core's refusals shown beside their fields
/// under the GOV.UK error summary, and the fields themselves (<see cref="Field"/>, drawn by <c>_Field.cshtml</c>).
/// The rules are Core's: a page reads text into the input Core's operation takes and shows what Core says.
/// </summary>
public abstract class FormPageModel : PageModel
{
    private readonly Dictionary<string, List<string>> _errors = [];

    /// <summary>The values as typed, by field id (a date's parts as <c>{id}-day</c>, <c>-month</c>, <c>-year</c>).</summary>
    public Dictionary<string, string?> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>Ticked checkbox values, by field id.</summary>
    public Dictionary<string, HashSet<string>> Ticked { get; } = new(StringComparer.Ordinal);

    /// <summary>The errors by field id in the order the fields appear (what the error summary lists).</summary>
    public IReadOnlyDictionary<string, string[]> Errors => Order().ToDictionary(f => f, f => _errors[f].ToArray());

    /// <summary>Each field's label, by id: on the form, and before Core's messages ("Amount must not be zero").</summary>
    protected abstract IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>The field a refusal that names no field is shown on (such as a conflict with another record).</summary>
    protected abstract string FirstField { get; }

    public bool HasErrors => _errors.Count > 0;

    /// <summary>Whether the field has an error already.</summary>
    protected bool HasErrorOn(string id) => _errors.ContainsKey(id);

    public string Label(string id) => Labels.TryGetValue(id, out var label) ? label : id;

    public Field Text(string id, string? hint = null, string width = "govuk-!-width-two-thirds", string type = "text", string? autoComplete = "off") =>
        new(id, Label(id), "text", Values.GetValueOrDefault(id), Messages(id)) { Hint = hint, Width = width, InputType = type, AutoComplete = autoComplete };

    public Field TextArea(string id, string? hint = null) => new(id, Label(id), "textarea", Values.GetValueOrDefault(id), Messages(id)) { Hint = hint };

    public Field Money(string id, string? hint = null) => new(id, Label(id), "money", Values.GetValueOrDefault(id), Messages(id)) { Hint = hint, Width = "govuk-input--width-10" };

    public Field Number(string id, string? hint = null, string? suffix = null) =>
        new(id, Label(id), "number", Values.GetValueOrDefault(id), Messages(id)) { Hint = hint, Width = "govuk-input--width-4", Suffix = suffix };

    public Field Date(string id, string? hint = "For example, 27 3 2026") => new(id, Label(id), "date", null, Messages(id))
    {
        Hint = hint,
        Parts = (Values.GetValueOrDefault(id + "-day"), Values.GetValueOrDefault(id + "-month"), Values.GetValueOrDefault(id + "-year")),
    };

    public Field Select(string id, IEnumerable<(string Value, string Text)> options, string? blank = null, string? hint = null) =>
        new(id, Label(id), "select", Values.GetValueOrDefault(id), Messages(id)) { Hint = hint, Options = options.ToList(), Blank = blank };

    public Field Checkbox(string id, string text, string? hint = null) =>
        new(id, Label(id), "checkbox", Values.GetValueOrDefault(id), Messages(id)) { Hint = hint, Options = [("true", text)] };

    public Field Checkboxes(string id, IEnumerable<(string Value, string Text)> options, string? hint = null) =>
        new(id, Label(id), "checkboxes", null, Messages(id)) { Hint = hint, Options = options.ToList(), TickedValues = Ticked.GetValueOrDefault(id) ?? [] };

    public Field Radios(string id, IEnumerable<(string Value, string Text)> options, string? hint = null) =>
        new(id, Label(id), "radios", Values.GetValueOrDefault(id), Messages(id)) { Hint = hint, Options = options.ToList() };

    /// <summary>Keeps everything posted, so the form comes back as it was sent.</summary>
    protected void ReadPostedForm()
    {
        foreach (var (key, value) in Request.Form)
        {
            if (key == "__RequestVerificationToken")
            {
                continue;
            }

            Values[key] = value.Count > 0 ? value[^1] : null;
            Ticked[key] = value.Where(v => v is not null).Select(v => v!).ToHashSet(StringComparer.Ordinal);
        }
    }

    protected void AddError(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        if (!list.Contains(message))
        {
            list.Add(message);
        }
    }

    /// <summary>The trimmed text, or null when blank.</summary>
    protected string? ReadText(string id) => Values.GetValueOrDefault(id)?.Trim() is { Length: > 0 } text ? text : null;

    /// <summary>An amount in pounds and pence (Core's <see cref="Core.Money.Money.TryParse"/>); null with an error beside the field otherwise.</summary>
    protected Core.Money.Money? ReadMoney(string id)
    {
        if (Core.Money.Money.TryParse(Values.GetValueOrDefault(id), out var money, out var error))
        {
            return money;
        }

        AddError(id, Labelled(id, error!));
        return null;
    }

    /// <summary>An indicator's figure (Core's <see cref="Core.Results.Quantity.TryParse"/>: at most two decimal places); null with an error beside the field otherwise.</summary>
    protected Core.Results.Quantity? ReadQuantity(string id)
    {
        if (Core.Results.Quantity.TryParse(Values.GetValueOrDefault(id), out var quantity, out var error))
        {
            return quantity;
        }

        AddError(id, Labelled(id, error!));
        return null;
    }

    /// <summary>A whole number; null with an error beside the field when it is not one.</summary>
    protected int? ReadWholeNumber(string id)
    {
        if (int.TryParse(ReadText(id), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        AddError(id, Labelled(id, ReadText(id) is null ? "must not be empty" : "must be a whole number"));
        return null;
    }

    /// <summary>The id of a chosen option; null when none is chosen (<paramref name="required"/> adds an error).</summary>
    protected long? ReadId(string id, bool required)
    {
        if (long.TryParse(ReadText(id), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return value;
        }

        if (required || ReadText(id) is not null)
        {
            AddError(id, $"Select {Article(Label(id))}");
        }

        return null;
    }

    protected IReadOnlyList<long> ReadIds(string id) =>
        (Ticked.GetValueOrDefault(id) ?? []).Select(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).Where(n => n > 0).Distinct().ToList();

    protected bool ReadFlag(string id) => ReadText(id) is "true" or "on";

    /// <summary>
    /// A GOV.UK date input's three parts as a date; null with an error beside the field when a part is missing or
    /// the parts are not a real date. <paramref name="required"/>: whether all three blank is an error.
    /// </summary>
    protected DateOnly? ReadDate(string id, bool required = true)
    {
        var parts = new[] { "day", "month", "year" }.Select(p => ReadText($"{id}-{p}")).ToArray();
        if (parts.All(p => p is null))
        {
            if (required)
            {
                AddError(id, $"Enter the {Label(id).ToLowerInvariant()}");
            }

            return null;
        }

        var missing = new[] { "day", "month", "year" }.Where((_, i) => parts[i] is null).ToList();
        if (missing.Count > 0)
        {
            AddError(id, $"{Label(id)} must include a {string.Join(" and a ", missing)}");
            return null;
        }

        if (int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            && year is >= 1900 and <= 9999 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month))
        {
            return new DateOnly(year, month, day);
        }

        AddError(id, $"{Label(id)} must be a real date, with a four-digit year");
        return null;
    }

    protected void ShowDate(string id, DateOnly? date)
    {
        Values[id + "-day"] = date?.Day.ToString(CultureInfo.InvariantCulture);
        Values[id + "-month"] = date?.Month.ToString(CultureInfo.InvariantCulture);
        Values[id + "-year"] = date?.Year.ToString(CultureInfo.InvariantCulture);
    }

    protected static string ShowAmount(decimal pounds) => pounds.ToString("#,##0.00", CultureInfo.InvariantCulture);

    /// <summary>
    /// Runs Core's operation for the form. When every field could be read it runs for real (committed, or refused
    /// with every refusal). When some could not, it runs in a transaction that is always rolled back, so the form
    /// lists what Core says of the other fields beside the reading errors and nothing is written; the answer is then
    /// null and the caller shows the form again. Core's errors on a field that already has one (a stand-in value)
    /// are left out.
    /// </summary>
    protected async Task<Outcome<T>?> RunAsync<T>(Core.Data.Database database, Func<Core.Data.DbSession, Task<Outcome<T>>> work)
    {
        if (!HasErrors)
        {
            return await UnitOfWork.RunAsync(database, work, HttpContext.RequestAborted);
        }

        if (await UnitOfWork.RefusalOfAsync(database, work, HttpContext.RequestAborted) is { } refusal)
        {
            var read = _errors.Keys.ToHashSet(StringComparer.Ordinal);
            AddRefusal(refusal, field => !read.Contains(field));
        }

        return null;
    }

    /// <summary>The record's version the form was shown at (its hidden <c>version</c> field), or null for "whatever is current".</summary>
    protected int? ReadVersion() =>
        int.TryParse(ReadText("version"), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;

    /// <summary>
    /// Saves a record form through the record's Core operations (<typeparamref name="TKind"/>): records it, or (with
    /// <paramref name="id"/>) changes it at the version the form showed; then says <paramref name="done"/> on the
    /// page <paramref name="next"/> names, or shows the form again with Core's refusal beside its fields.
    /// </summary>
    protected async Task<IActionResult> SaveAsync<TKind, TInput, TView>(Core.Data.Database database, long? id, TInput input, string done, Func<long, string> next)
        where TKind : IRecordable<TInput, TView>, IChangeable<TInput, TView>
        where TInput : notnull
        where TView : notnull
    {
        var change = HttpContext.Change();
        var version = ReadVersion();
        var outcome = await RunAsync(
            database,
            session => id is { } existing
                ? TKind.ChangeAsync(session, existing, version, input, change, HttpContext.RequestAborted)
                : TKind.RecordAsync(session, input, change, HttpContext.RequestAborted));
        if (outcome is null)
        {
            return Page();
        }

        if (outcome.Refused is { } refusal)
        {
            return Refused(refusal);
        }

        TempData[Notice.Key] = done;
        return Redirect(next(outcome.Value!.Id));
    }

    /// <summary>The page for a refusal: 404, 403, or the form again with Core's errors beside their fields.</summary>
    protected IActionResult Refused(Refusal refusal)
    {
        switch (refusal)
        {
            case Core.Operations.NotFound:
                return NotFound();
            case Core.Operations.Forbidden:
                return Forbid();
        }

        AddRefusal(refusal, _ => true);
        return Page();
    }

    /// <summary>Core's refusal beside the form's fields (one naming a field not on the form goes on the first), where <paramref name="shown"/> says so.</summary>
    protected void AddRefusal(Refusal refusal, Func<string, bool> shown)
    {
        if (refusal is StaleVersion)
        {
            AddError(FirstField, "Someone else changed this while you were editing it. Open it again to see their change, then make yours.");
            return;
        }

        foreach (var (field, messages) in FormErrors.From(OnThisForm(refusal), FirstField, Labels))
        {
            var onForm = Labels.ContainsKey(field) ? field : FirstField;
            if (shown(onForm))
            {
                Array.ForEach(messages, m => AddError(onForm, m));
            }
        }
    }

    private Refusal OnThisForm(Refusal refusal) => refusal switch
    {
        InvalidFields invalid => new InvalidFields(OnThisForm(invalid.Errors)),
        BrokenControl broken => new BrokenControl(broken.Detail, OnThisForm(broken.Errors)),
        _ => refusal,
    };

    private Dictionary<string, string[]> OnThisForm(IReadOnlyDictionary<string, string[]> errors) =>
        errors.GroupBy(e => FieldFor(e.Key)).ToDictionary(g => g.Key, g => g.SelectMany(e => e.Value).ToArray());

    /// <summary>The form field for a field Core names (such as <c>contacts[0].email</c>); the same name by default.</summary>
    protected virtual string FieldFor(string coreField) => coreField;

    private string Labelled(string id, string message) => $"{Label(id)} {message}";

    private string[] Messages(string id) => _errors.TryGetValue(id, out var list) ? list.ToArray() : [];

    private IEnumerable<string> Order() =>
        Labels.Keys.Where(_errors.ContainsKey).Concat(_errors.Keys.Where(k => !Labels.ContainsKey(k)));

    private static string Article(string label)
    {
        var lower = label.ToLowerInvariant();
        return "aeiou".Contains(lower[0]) ? $"an {lower}" : $"a {lower}";
    }
}

/// <summary>One GOV.UK form field as <c>_Field.cshtml</c> draws it.</summary>
public sealed record Field(string Id, string Label, string Kind, string? Value, string[] Messages)
{
    public string? Hint { get; init; }

    public string Width { get; init; } = "";

    public string InputType { get; init; } = "text";

    public string? AutoComplete { get; init; }

    public string? Suffix { get; init; }

    public string? Blank { get; init; }

    public IReadOnlyList<(string Value, string Text)> Options { get; init; } = [];

    public IReadOnlySet<string> TickedValues { get; init; } = new HashSet<string>();

    public (string? Day, string? Month, string? Year) Parts { get; init; }

    public bool HasError => Messages.Length > 0;

    /// <summary>The ids the control is described by: its hint and its error.</summary>
    public string? DescribedBy => string.Join(' ', new[] { Hint is null ? null : Id + "-hint", HasError ? Id + "-error" : null }.Where(x => x is not null)) is { Length: > 0 } ids ? ids : null;
}
