using Portfolio.Core.Data;
using Portfolio.Core.Periods;

namespace Portfolio.Core.Operations;

/// <summary>
/// The finance controls a write breaks, collected so that the caller hears of every one at once (422), each
/// naming its field and saying what to do.
/// </summary>
public sealed class FinanceControls
{
    private readonly FieldErrors _errors = new();

    public void Add(string field, string message) => _errors.Add(field, message);

    /// <summary>
    /// Every refusal at once: the fields wrong in themselves or naming nothing (400) with the controls on the other
    /// fields beside them, or the controls alone (422).
    /// </summary>
    public Refusal? Refusal(FieldErrors errors)
    {
        if (!errors.Any)
        {
            return Refusal();
        }

        errors.AddMissing(_errors);
        return errors.ToRefusal();
    }

    public BrokenControl? Refusal()
    {
        if (!_errors.Any)
        {
            return null;
        }

        var errors = _errors.ToDictionary();
        var detail = string.Join(" ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key} {m}.")));
        return new BrokenControl(detail, errors);
    }
}
