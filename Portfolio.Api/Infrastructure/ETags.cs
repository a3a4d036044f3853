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
}
