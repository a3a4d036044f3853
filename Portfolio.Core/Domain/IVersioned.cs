namespace Portfolio.Core.Domain;

/// <summary>A record changed only at the version it was read at (optimistic concurrency; the API's ETag).</summary>
public interface IVersioned
{
    long Id { get; set; }

    int Version { get; }
}
