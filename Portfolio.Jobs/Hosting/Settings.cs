using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Portfolio.Jobs.Hosting;

/// <summary>Settings that cannot be used: the start stops, naming every one of them and what it must be.</summary>
public sealed class InvalidSettingsException(IReadOnlyList<string> problems)
    : Exception("Portfolio cannot start: fix these settings.\n  " + string.Join("\n  ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Reads one concern's settings (a configuration section) into typed values, checking each: a value that is not
/// what the setting needs is recorded with the setting's full name, never silently replaced by the default; an
/// absent or empty setting takes its default. <see cref="ThrowIfInvalid"/> ends the reading, so a bad setting
/// stops the start rather than surfacing when it is first used (a bad cron at 06:00, a bad SMTP port at the
/// first send).
/// </summary>
/// <remarks>
/// Our own, rather than <c>Microsoft.Extensions.Options</c> binding: the binder stops at the first value it cannot
/// convert, reports it without the range or choices expected, and cron expressions and time zones would need
/// validators of our own anyway. Every options record here is immutable and built once at start.
/// </remarks>
public sealed class Settings(IConfiguration configuration, string section)
{
    private readonly IConfigurationSection _section = configuration.GetSection(section);
    private readonly List<string> _problems = [];

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> AskedNames = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Every setting any <see cref="Settings"/> has read in this process, by full name: what
    /// <c>docs/configuration.md</c> is checked against, so the table cannot drift from the code.
    /// </summary>
    public static IReadOnlyCollection<string> Asked => [.. AskedNames.Keys];

    private string Name(string key) => $"{_section.Path}:{key}";

    private string? Raw(string key) => Read(key) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private string? Read(string key)
    {
        AskedNames.TryAdd(Name(key), 0);
        return _section[key];
    }

    private void Problem(string key, string? value, string expected) => _problems.Add($"{Name(key)} is '{value}': {expected}.");

    public string? Text(string key) => Raw(key);

    public string Text(string key, string fallback) => Raw(key) ?? fallback;

    /// <summary>A password or key, exactly as written (spaces included); null when absent or empty.</summary>
    public string? Secret(string key) => Read(key) is { Length: > 0 } value ? value : null;

    public int Int(string key, int fallback, int min, int max)
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return fallback;
        }

        if (int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Problem(key, raw, $"it must be a whole number from {min} to {max}");
        return fallback;
    }

    public long Long(string key, long fallback, long min, long max)
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return fallback;
        }

        if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Problem(key, raw, $"it must be a whole number from {min} to {max}");
        return fallback;
    }

    public bool Bool(string key, bool fallback)
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return fallback;
        }

        if (bool.TryParse(raw, out var value))
        {
            return value;
        }

        Problem(key, raw, "it must be true or false");
        return fallback;
    }

    /// <summary>One of <paramref name="choices"/> (names compared without regard to case).</summary>
    public T Choice<T>(string key, T fallback, IReadOnlyDictionary<string, T> choices)
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return fallback;
        }

        var match = choices.FirstOrDefault(c => string.Equals(c.Key, raw, StringComparison.OrdinalIgnoreCase));
        if (match.Key is not null)
        {
            return match.Value;
        }

        Problem(key, raw, "it must be one of " + string.Join(", ", choices.Keys));
        return fallback;
    }

    /// <summary>A comma-separated list of whole numbers, each within the range.</summary>
    public IReadOnlyList<int> Ints(string key, IReadOnlyList<int> fallback, int min, int max)
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return fallback;
        }

        var parts = raw.Split(',', StringSplitOptions.TrimEntries);
        var values = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                Problem(key, raw, $"it must be a comma-separated list of whole numbers from {min} to {max}");
                return fallback;
            }

            values.Add(value);
        }

        return values;
    }

    /// <summary>A list: a JSON array in appsettings (<c>Key:0</c>, <c>Key:1</c>…) or one comma-separated value.</summary>
    public IReadOnlyList<string> List(string key)
    {
        AskedNames.TryAdd(Name(key), 0);
        var children = _section.GetSection(key).GetChildren().Select(c => c.Value?.Trim()).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList();
        return children.Count > 0 ? children : Raw(key)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
    }

    /// <summary>A time zone id known to this machine (IANA, such as Europe/London).</summary>
    public TimeZoneInfo Zone(string key, string fallback)
    {
        var raw = Raw(key) ?? fallback;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(raw);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            Problem(key, raw, "it must be a time zone this machine knows, such as Europe/London");
            return TimeZoneInfo.Utc;
        }
    }

    /// <summary>A five-field cron expression (minute hour day-of-month month day-of-week), as Hangfire reads it.</summary>
    public string Cron(string key, string fallback)
    {
        var raw = Raw(key) ?? fallback;
        try
        {
            Cronos.CronExpression.Parse(raw);
            return raw;
        }
        catch (Cronos.CronFormatException)
        {
            Problem(key, raw, "it must be a five-field cron expression such as '0 6 * * *' (06:00 every day)");
            return fallback;
        }
    }

    /// <summary>An absolute http or https URL.</summary>
    public Uri? Url(string key)
    {
        var raw = Raw(key);
        if (raw is null)
        {
            return null;
        }

        if (Uri.TryCreate(raw, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }

        Problem(key, raw, "it must be an absolute http:// or https:// URL");
        return null;
    }

    /// <summary>Records a problem found by a check across settings, naming <paramref name="key"/>.</summary>
    public void Require(bool condition, string key, string expected)
    {
        if (!condition)
        {
            Problem(key, Raw(key), expected);
        }
    }

    /// <summary>Ends the reading: throws <see cref="InvalidSettingsException"/> naming every bad setting.</summary>
    public void ThrowIfInvalid()
    {
        if (_problems.Count > 0)
        {
            throw new InvalidSettingsException(_problems);
        }
    }
}
