namespace Portfolio.Core.Domain;

/// <summary>
/// Who did something, as a person reads it. Actors are recorded as <c>key:{id}:{name}</c> (an API key),
/// <c>user:{id}:{name}</c> (a person signed in to the web app), <c>partner:{id}:{name}</c> (a partner through its return link), <c>jwt:{subject}</c> (a token) or <c>system:{job}</c>; reports and pages print the name, never the label.
/// </summary>
public static class Actors
{
    public const string AutoDelivery = "system:auto-delivery";
    public const string Schedule = "system:schedule";

    public static string DisplayName(string actor)
    {
        foreach (var (prefix, unnamed) in new[] { ("key:", "an API key"), ("user:", "a user"), ("partner:", "a partner") })
        {
            if (actor.StartsWith(prefix, StringComparison.Ordinal))
            {
                var name = actor.IndexOf(':', prefix.Length) is var colon and > 0 ? actor[(colon + 1)..] : "";
                return name.Length > 0 ? name : unnamed;
            }
        }

        if (actor.StartsWith("jwt:", StringComparison.Ordinal))
        {
            return actor[(actor.IndexOf(':', StringComparison.Ordinal) + 1)..];
        }

        return actor switch
        {
            AutoDelivery => "Portfolio (automatic delivery)",
            _ when actor.StartsWith("system:", StringComparison.Ordinal) => "Portfolio",
            _ => actor,
        };
    }
}
