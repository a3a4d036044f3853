using Portfolio.Core.Periods;
using System.Globalization;
using Portfolio.Core.Data;

namespace Portfolio.Api.Infrastructure;

/// <summary>
/// Reads filters and paging from the query string, naming each parameter that is wrong, and each that the
/// endpoint does not read (a typo such as <c>?grant=5</c> must not silently return everything).
/// Endpoints that read the query are marked <see cref="QueryParameters.ReadsQuery{TBuilder}"/>; the others refuse any.
/// </summary>
public sealed class QueryInput(HttpRequest request)
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private readonly IReadOnlyList<QueryParameter> _declared =
        request.HttpContext.GetEndpoint()?.Metadata.GetMetadata<QueryParameters.ReadsQueryMetadata>()?.Parameters
        ?? throw new InvalidOperationException($"{request.Path} reads its query string but its route does not declare the parameters (.ReadsQuery(...)).");

    /// <summary>True when every parameter read was right and none was sent that was not read; call after reading them all.</summary>
    public bool IsValid
    {
        get
        {
            foreach (var name in request.Query.Keys.Where(k => !_read.Contains(k)))
            {
                _errors[name] = [QueryParameters.UnknownMessage];
            }

            return _errors.Count == 0;
        }
    }

    /// <summary>The problem naming every wrong or unknown parameter, or null; call after reading them all.</summary>
    public IResult? Problem() => IsValid ? null : Problems.Validation(_errors);

    public PageRequest Page()
    {
        var page = Int("page", QueryKind.WholeNumber, 1, 1_000_000, 1);
        var size = Int("pageSize", QueryKind.WholeNumber, 1, PageRequest.MaxPageSize, PageRequest.DefaultPageSize);
        return new PageRequest(page, size);
    }

    public long? Id(string name)
    {
        var raw = Raw(name, QueryKind.Id);
        if (raw is null)
        {
            return null;
        }

        if (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
        {
            _errors[name] = ["must be a positive whole-number id"];
            return null;
        }

        return id;
    }

    public DateOnly? Date(string name)
    {
        var raw = Raw(name, QueryKind.Date);
        if (raw is null)
        {
            return null;
        }

        if (!DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            _errors[name] = ["must be a date written YYYY-MM-DD"];
            return null;
        }

        if (!RecordDates.Contains(date))
        {
            _errors[name] = [RecordDates.OutOfRangeMessage];
            return null;
        }

        return date;
    }

    public string? Code(string name, IReadOnlyList<string> allowed)
    {
        var raw = Raw(name, QueryKind.Code);
        if (raw is null)
        {
            return null;
        }

        if (!allowed.Contains(raw))
        {
            _errors[name] = ["must be one of: " + string.Join(", ", allowed)];
            return null;
        }

        return raw;
    }

    /// <summary>Records an error for a parameter the caller checked itself.</summary>
    public void Refuse(string name, string message) => _errors[name] = [message];

    public string? Text(string name, int maxLength)
    {
        var raw = Raw(name, QueryKind.Text);
        if (raw is not null && (raw.Length > maxLength || raw.Any(char.IsControl)))
        {
            _errors[name] = [$"must be at most {maxLength} printable characters"];
            return null;
        }

        return raw;
    }

    private int Int(string name, QueryKind kind, int min, int max, int defaultValue)
    {
        var raw = Raw(name, kind);
        if (raw is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            _errors[name] = [$"must be a whole number from {min} to {max}"];
            return defaultValue;
        }

        return value;
    }

    private string? Raw(string name, QueryKind kind)
    {
        if (!_declared.Any(p => p.Name == name && p.Kind == kind))
        {
            throw new InvalidOperationException($"{request.Path} reads the {kind} query parameter '{name}', which its route does not declare (.ReadsQuery(...)).");
        }

        _read.Add(name);
        if (!request.Query.TryGetValue(name, out var values))
        {
            return null;
        }

        if (values.Count > 1)
        {
            _errors[name] = ["must be given once"];
            return null;
        }

        var value = values.ToString();
        return string.IsNullOrEmpty(value) ? null : value;
    }
}

/// <summary>Marks the endpoints that read their query string with <see cref="QueryInput"/>; every other API endpoint refuses one.</summary>
public static class QueryParameters
{
    public const string UnknownMessage = "is not a query parameter of this endpoint";

    /// <summary>
    /// Declares the query parameters the endpoint reads, for OpenAPI and for <see cref="QueryInput"/>, which refuses
    /// to read one not declared here (so the two cannot drift apart).
    /// </summary>
    public static TBuilder ReadsQuery<TBuilder>(this TBuilder builder, params QueryParameter[] parameters)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ReadsQueryMetadata(parameters));

    /// <summary>Declares <c>page</c> and <c>pageSize</c> with the other parameters of a list.</summary>
    public static TBuilder ReadsPagedQuery<TBuilder>(this TBuilder builder, params QueryParameter[] parameters)
        where TBuilder : IEndpointConventionBuilder =>
        builder.ReadsQuery([.. parameters, QueryParameter.WholeNumber("page", "The page, from 1.", 1, 1_000_000),
            QueryParameter.WholeNumber("pageSize", $"Items per page (default {PageRequest.DefaultPageSize}).", 1, PageRequest.MaxPageSize)]);

    /// <summary>400 for a query string sent to an API endpoint that reads none.</summary>
    public static IApplicationBuilder UseQueryParameterCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.Query.Count > 0 && context.Request.Path.StartsWithSegments("/api")
            && context.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<ReadsQueryMetadata>() is null)
        {
            await Problems.Validation(context.Request.Query.Keys.ToDictionary(k => k, _ => new[] { UnknownMessage })).ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    public sealed record ReadsQueryMetadata(IReadOnlyList<QueryParameter> Parameters);
}

public enum QueryKind
{
    Id,
    Date,
    Code,
    Text,
    WholeNumber,
}

/// <summary>One query parameter an endpoint reads: its name, kind and what it means.</summary>
public sealed record QueryParameter(string Name, QueryKind Kind, string Description, IReadOnlyList<string>? Allowed = null, int? MaxLength = null, int? Minimum = null, int? Maximum = null)
{
    public static QueryParameter Id(string name, string description) => new(name, QueryKind.Id, description);

    public static QueryParameter Date(string name, string description) => new(name, QueryKind.Date, description);

    public static QueryParameter Code(string name, string description, IReadOnlyList<string> allowed) => new(name, QueryKind.Code, description, allowed);

    public static QueryParameter Text(string name, string description, int maxLength) => new(name, QueryKind.Text, description, MaxLength: maxLength);

    public static QueryParameter WholeNumber(string name, string description, int minimum, int maximum) => new(name, QueryKind.WholeNumber, description, Minimum: minimum, Maximum: maximum);
}
