namespace Portfolio.Core.Data;

/// <summary>A page of a list: 1-based page number and a size of at most <see cref="MaxPageSize"/>.</summary>
public sealed record PageRequest(int Page = 1, int PageSize = PageRequest.DefaultPageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public int Offset => (Page - 1) * PageSize;

    public int Limit => PageSize;
}

public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, long Total);

/// <summary>Who makes a change and when; every write carries one, and the audit entry records it.</summary>
public sealed record ChangeContext(string Actor, DateTime At)
{
    /// <summary>
    /// The programme areas the actor may act in when it is limited to some (a programme lead); null when it may act
    /// on any grant (finance, admin, the system).
    /// </summary>
    public IReadOnlyCollection<long>? Areas { get; init; }

    /// <summary>Whether the actor may act on a grant in <paramref name="programmeAreaId"/>.</summary>
    public bool MayActInArea(long? programmeAreaId) => Areas is null || (programmeAreaId is { } area && Areas.Contains(area));
}
