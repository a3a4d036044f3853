namespace Portfolio.Core.Operations;

/// <summary>
/// Why an operation changed nothing. Each kind has one meaning for every caller: the API turns it into a
/// problem detail (400, 404, 409, 412, 422), a page into a form error, the import into a row error.
/// </summary>
public abstract record Refusal(string Detail);

/// <summary>Fields that are wrong in themselves or name records that do not exist (400), every one at once.</summary>
public sealed record InvalidFields(IReadOnlyDictionary<string, string[]> Errors)
    : Refusal("See errors: each names a field and what is wrong with it.")
{
    public static InvalidFields Of(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>The actor may not do this to this record (403), such as a programme lead on another area's grant.</summary>
public sealed record Forbidden(string Detail) : Refusal(Detail);

/// <summary>The record the operation is about does not exist (404).</summary>
public sealed record NotFound(string Entity, long Id) : Refusal($"There is no {Entity} with id {Id}.");

/// <summary>The record has moved on since the caller read it (412).</summary>
public sealed record StaleVersion(int CurrentVersion)
    : Refusal($"The record has changed since you read it: it is now at version {CurrentVersion}. Read it again and reapply your change.");

/// <summary>The records' present state forbids the change (409): a closed period, a record in use, a race with a delete.</summary>
public sealed record Conflict(string Detail, IReadOnlyDictionary<string, object?>? Extensions = null) : Refusal(Detail);

/// <summary>Well-formed, but cannot be applied now (422): a period not yet ended, a report that needs a note, no one to send to.</summary>
public sealed record CannotApply(string Detail, IReadOnlyDictionary<string, object?>? Extensions = null) : Refusal(Detail);

/// <summary>Well-formed, but breaks a finance control (422); <see cref="Errors"/> names the fields to look at.</summary>
public sealed record BrokenControl(string Detail, IReadOnlyDictionary<string, string[]> Errors) : Refusal(Detail)
{
    public BrokenControl(string detail, string field, string message)
        : this(detail, new Dictionary<string, string[]> { [field] = [message] })
    {
    }
}

/// <summary>Whether an operation succeeded, whatever its value: for callers that run several kinds (an import's rows).</summary>
public interface IOutcome
{
    Refusal? Refused { get; }

    bool Succeeded { get; }
}

/// <summary>The result of an operation: its value, or the refusal when it changed nothing.</summary>
public sealed class Outcome<T> : IOutcome
{
    private Outcome(T? value, Refusal? refused)
    {
        Value = value;
        Refused = refused;
    }

    public T? Value { get; }

    public Refusal? Refused { get; }

    public bool Succeeded => Refused is null;

    public static Outcome<T> Done(T value) => new(value, null);

    public static implicit operator Outcome<T>(Refusal refusal) => new(default, refusal);
}

/// <summary>Field errors collected while checking a command, keyed by the field's JSON name (<c>lines[2].amount</c>).</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    /// <summary>How many fields have errors.</summary>
    public int Count => _errors.Count;

    public bool Has(string field) => _errors.ContainsKey(field);

    public void Add(string field, string message)
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

    /// <summary>Adds <paramref name="other"/>'s errors for fields that have none here yet.</summary>
    public void AddMissing(FieldErrors other)
    {
        foreach (var (field, messages) in other._errors)
        {
            if (!_errors.ContainsKey(field))
            {
                _errors[field] = [.. messages];
            }
        }
    }

    public static FieldErrors Of(IReadOnlyDictionary<string, string[]> errors)
    {
        var result = new FieldErrors();
        foreach (var (field, messages) in errors)
        {
            Array.ForEach(messages, m => result.Add(field, m));
        }

        return result;
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public InvalidFields ToRefusal() => new(ToDictionary());
}
