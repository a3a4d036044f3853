namespace Portfolio.Core.Domain;

/// <summary>
/// Who did something, as a person reads it. Actors are recorded as <c>key:{id}:{name}</c> (an API key),
/// <c>jwt:{subject}</c> (a token) or <c>system:{job}</c>; reports and pages print the name, never the label.
/// </summary>
public static class Actors
{
    public const string AutoDelivery = "system:auto-delivery";
    public const string Schedule = "system:schedule";

    public static string DisplayName(string actor)
    {
        if (actor.StartsWith("key:", StringComparison.Ordinal))
        {
            var name = actor.IndexOf(':', 4) is var colon and > 0 ? actor[(colon + 1)..] : "";
            return name.Length > 0 ? name : "an API key";
        }

        if (actor.StartsWith("jwt:", StringComparison.Ordinal) || actor.StartsWith("user:", StringComparison.Ordinal))
        {
            return actor[(actor.IndexOf(':', StringComparison.Ordinal) + 1)..];
        }

        return actor.StartsWith("system:", StringComparison.Ordinal) ? "Portfolio (automatic delivery)" : actor;
    }
}
