namespace Portfolio.Api.Features.Shared;

/// <summary>A GOV.UK text input with its label and, when it has one, its error message.</summary>
public sealed record FormInput(string Id, string Label, string Type, string? Value, string AutoComplete, IReadOnlyDictionary<string, string[]> Errors)
{
    public string[] Messages => Errors.TryGetValue(Id, out var messages) ? messages : [];
}

/// <summary>A GOV.UK select with its label; the first option (<see cref="Blank"/>) has no value.</summary>
public sealed record FormSelect(string Id, string Label, string Blank, string? Value, IReadOnlyList<(string Value, string Text)> Options);
