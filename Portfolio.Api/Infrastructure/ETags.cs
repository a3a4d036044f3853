using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Portfolio.Api.Infrastructure;

/// <summary>Versions travel as strong ETags (<c>"3"</c>); changes must send the one they change in If-Match.</summary>
public static class ETags
{
    public static string For(int version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    public static void Set(HttpContext http, int version) => http.Response.Headers.ETag = For(version);

    /// <summary>
    /// The version named by If-Match, or the problem to send: 428 when absent or unreadable. <c>If-Match: *</c>
    /// (RFC 9110: whatever the current version is) gives a null version and no problem.
    /// </summary>
    public static (int? Version, IResult? Problem) RequireIfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return (null, Problems.PreconditionRequired());
        }

        if (header.Trim() == "*")
        {
            return (null, null);
        }

        if (!EntityTagHeaderValue.TryParseList(header.Split(','), out var tags) || tags.Count != 1 || tags[0].IsWeak
            || !int.TryParse(tags[0].Tag.ToString().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return (null, Problems.PreconditionRequired());
        }

        return (version, null);
    }

    /// <summary>The version named by If-Match when the header is sent (null when it is not, or is <c>*</c>); 428 when it is unreadable.</summary>
    public static (int? Version, IResult? Problem) OptionalIfMatch(HttpRequest request) =>
        string.IsNullOrWhiteSpace(request.Headers.IfMatch.ToString()) ? (null, null) : RequireIfMatch(request);

    /// <summary>
    /// Preconditions before content (RFC 9110 §13.2.1): when a change's body is refused (400) but If-Match names a
    /// version that is no longer current, the answer is 412, so the client learns first that it was changing a stale
    /// copy. <paramref name="currentVersion"/> reads the record's version (null when it does not exist); it is read
    /// only when the body is refused, so a good request costs nothing more.
    /// </summary>
    public static async Task<IResult> BeforeContentAsync(
        IResult contentProblem, int? expected, Core.Data.Database database, Func<Core.Data.DbSession, Task<int?>> currentVersion, CancellationToken cancellationToken)
    {
        if (expected is null)
        {
            return contentProblem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        return await currentVersion(session) is { } current && current != expected ? Problems.PreconditionFailed(current) : contentProblem;
    }
}
