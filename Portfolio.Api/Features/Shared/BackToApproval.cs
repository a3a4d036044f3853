using System.Globalization;

namespace Portfolio.Api.Features.Shared;

/// <summary>
/// A form opened from a report's approval page (<c>?run=N</c>, carried through the post because the form posts to
/// its own address) goes back there once saved, so whoever clears a hold is straight back at approval. Only a run's
/// number travels, never an address, so the link cannot send anyone elsewhere.
/// </summary>
public static class BackToApproval
{
    public static string? From(HttpRequest request) =>
        long.TryParse(request.Query["run"], NumberStyles.None, CultureInfo.InvariantCulture, out var run) && run > 0 ? $"/report-runs/{run}" : null;
}
