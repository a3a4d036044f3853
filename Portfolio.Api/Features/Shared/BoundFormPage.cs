using System.Linq.Expressions;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Shared;

/// <summary>
/// A form for one Core input record (issue 27, point 3): its fields are the record's parameters, read from the post
/// by <see cref="Bind"/> according to their kind (text, ids, money, GOV.UK three-part dates, checkboxes) and drawn by
/// <see cref="Field"/> from an expression (<c>Field(x =&gt; x.Amount)</c>), with each label declared once in
/// <see cref="FieldLabels"/>. A renamed field is a compile error, not a silent blank.
/// </summary>
public abstract class BoundFormPage<TInput> : FormPageModel
    where TInput : notnull
{
    private static readonly InputShape Shape = InputShape.Of<TInput>();

    private IReadOnlyDictionary<string, string>? _labels;

    /// <summary>Each field's label, declared once: <c>new() { [x =&gt; x.Amount] = "Amount" }</c>.</summary>
    protected abstract FieldLabels<TInput> FieldLabels { get; }

    protected sealed override IReadOnlyDictionary<string, string> Labels => _labels ??= FieldLabels.ById;

    /// <summary>The form's id for a field of the input: its API name (<c>amount</c>, <c>partnerId</c>).</summary>
    public static string Id(Expression<Func<TInput, object?>> field) => FieldLabels<TInput>.NameOf(field);

    /// <summary>
    /// The field drawn as its kind asks: a date as three parts, money with its pound sign, a multi-line text as a text
    /// area, a flag as one checkbox (<paramref name="text"/> beside it), anything with <paramref name="options"/> as a
    /// select (or checkboxes, for a list), the rest as a text input.
    /// </summary>
    public Field Field(
        Expression<Func<TInput, object?>> field, string? hint = null, IEnumerable<(string Value, string Text)>? options = null,
        string? blank = null, string? width = null, string? text = null)
    {
        var input = Shape.Fields.Single(f => f.Name == Id(field));
        return input.Kind switch
        {
            InputKind.Strings or InputKind.Ids when options is not null => Checkboxes(input.Name, options, hint),
            _ when options is not null => Select(input.Name, options, blank, hint),
            InputKind.Date => Date(input.Name, hint),
            InputKind.Money => Money(input.Name, hint),
            InputKind.Flag => Checkbox(input.Name, text ?? Label(input.Name), hint),
            InputKind.WholeNumber or InputKind.Quantity => Number(input.Name, hint),
            InputKind.Text when input.Text?.Multiline == true => TextArea(input.Name, hint),
            _ => Text(input.Name, hint, width ?? "govuk-!-width-two-thirds"),
        };
    }

    /// <summary>
    /// Reads the posted form into the input and runs <paramref name="operation"/> on it (committed, or refused with
    /// every refusal beside its field). Each field is read from the form by its kind, except those the page gives
    /// (<paramref name="given"/>, an object whose properties are named as the input's: the grant from the route).
    /// When a field cannot be read it has its error and the answer is null: the operation then runs twice, each time
    /// rolled back, with two different values in each unreadable field, and only the refusals both runs give are
    /// shown, beside the other fields. So every mistake is listed at once, and nothing the person did not type (no
    /// stand-in value) decides what they are told: a message that depends on the unread field differs between the
    /// two runs and is left out.
    /// </summary>
    protected async Task<Outcome<T>?> SubmitAsync<T>(Core.Data.Database database, object? given, Func<Core.Data.DbSession, TInput, Task<Outcome<T>>> operation)
    {
        var supplied = given?.GetType().GetProperties().ToDictionary(p => InputField.JsonName(p.Name), p => p.GetValue(given), StringComparer.Ordinal)
                       ?? [];
        var values = new object?[Shape.Fields.Count];
        var unread = new List<int>();
        for (var i = 0; i < Shape.Fields.Count; i++)
        {
            var field = Shape.Fields[i];
            if (supplied.TryGetValue(field.Name, out var value))
            {
                values[i] = value;
                continue;
            }

            var read = Read(field);
            if (HasErrorOn(field.Name))
            {
                unread.Add(i);
            }
            else
            {
                values[i] = read ?? field.Missing;
            }
        }

        if (unread.Count == 0)
        {
            var input = (TInput)Shape.Create(values);
            return await UnitOfWork.RunAsync(database, session => operation(session, input), HttpContext.RequestAborted);
        }

        var refusals = new List<Refusal?>();
        foreach (var probe in (int[])[0, 1])
        {
            foreach (var i in unread)
            {
                values[i] = Probe(Shape.Fields[i], probe);
            }

            var input = (TInput)Shape.Create(values);
            refusals.Add(await UnitOfWork.RefusalOfAsync(database, session => operation(session, input), HttpContext.RequestAborted));
        }

        if (Agreed(refusals[0], refusals[1]) is { } agreed)
        {
            var names = unread.Select(i => Shape.Fields[i].Name).ToHashSet(StringComparer.Ordinal);
            AddRefusal(agreed, field => !names.Contains(field));
        }

        return null;
    }

    /// <summary>Two values for a field that could not be read, different enough that a message depending on it differs.</summary>
    private static object? Probe(InputField field, int which) => field.Kind switch
    {
        InputKind.Money => new Core.Money.Money(which == 0 ? 1 : 3),
        InputKind.Quantity => new Core.Results.Quantity(which == 0 ? 1 : 3),
        InputKind.Date => which == 0 ? new DateOnly(2000, 1, 3) : new DateOnly(2098, 12, 29),
        InputKind.Id => which == 0 ? long.MaxValue : long.MaxValue - 1,
        InputKind.WholeNumber => which == 0 ? field.Range!.Min : field.Range!.Max,
        _ => field.Missing,
    };

    /// <summary>What two refusals both say: the field messages they share, or their detail when it is the same; null when they share nothing.</summary>
    private static Refusal? Agreed(Refusal? first, Refusal? second)
    {
        if (first is null || second is null)
        {
            return null;
        }

        var a = FieldsOf(first);
        var b = FieldsOf(second);
        if (a is null || b is null)
        {
            return a is null && b is null && first.GetType() == second.GetType() && first.Detail == second.Detail ? first : null;
        }

        var shared = a.Where(e => b.ContainsKey(e.Key))
            .Select(e => (e.Key, Messages: e.Value.Intersect(b[e.Key], StringComparer.Ordinal).ToArray()))
            .Where(e => e.Messages.Length > 0)
            .ToDictionary(e => e.Key, e => e.Messages, StringComparer.Ordinal);
        return shared.Count > 0 ? new InvalidFields(shared) : null;
    }

    private static IReadOnlyDictionary<string, string[]>? FieldsOf(Refusal refusal) => refusal switch
    {
        InvalidFields invalid => invalid.Errors,
        BrokenControl broken => broken.Errors,
        _ => null,
    };

    private object? Read(InputField field)
    {
        var blank = ReadText(field.Name) is null;
        return field.Kind switch
        {
            InputKind.Text => ReadText(field.Name) ?? (field.IsNullable ? null : ""),
            InputKind.Id => ReadId(field.Name, required: field.Required),
            InputKind.WholeNumber => blank && !field.Required ? field.Missing : ReadWholeNumber(field.Name),
            InputKind.Flag => ReadFlag(field.Name),
            InputKind.Date => ReadDate(field.Name, required: field.Required),
            InputKind.Money => blank && !field.Required ? field.Missing : ReadMoney(field.Name),
            InputKind.Quantity => blank && !field.Required ? field.Missing : ReadQuantity(field.Name),
            InputKind.Strings => (IReadOnlyList<string>)[.. Ticked.GetValueOrDefault(field.Name) ?? []],
            InputKind.Ids => ReadIds(field.Name),
            _ => throw new InvalidOperationException($"{typeof(TInput).Name}.{field.Name}: a list of records is not read from a form field; the page gives it to Bind."),
        };
    }
}

/// <summary>A form's labels by field of its input, declared with expressions so a rename is a compile error.</summary>
public sealed class FieldLabels<TInput> : Dictionary<string, string>
{
    public FieldLabels()
        : base(StringComparer.Ordinal)
    {
    }

    public IReadOnlyDictionary<string, string> ById => this;

    public string this[Expression<Func<TInput, object?>> field]
    {
        get => this[NameOf(field)];
        set => this[NameOf(field)] = value;
    }

    internal static string NameOf(Expression<Func<TInput, object?>> field)
    {
        var body = field.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : field.Body;
        return body is MemberExpression { Member: var member } && member.DeclaringType == typeof(TInput)
            ? InputField.JsonName(member.Name)
            : throw new ArgumentException($"A field of {typeof(TInput).Name}, such as x => x.Amount.", nameof(field));
    }
}
