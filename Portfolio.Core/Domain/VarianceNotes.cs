using Portfolio.Core.Data;
using Portfolio.Core.Operations;

namespace Portfolio.Core.Domain;

/// <summary>A programme lead's explanation of a variance, for a grant, a period and optionally a category.</summary>
public sealed class VarianceNote
{
    public long Id { get; set; }
    public long GrantId { get; set; }
    public DateOnly PeriodStart { get; set; }
    public string? CategoryCode { get; set; }
    public string NoteText { get; set; } = "";
    public string Author { get; set; } = "";
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}

public static class VarianceNoteStore
{
    private const string Columns = "id, grant_id, period_start, category_code, note_text, author, version, created_at, updated_at, updated_by";

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM variance_note WHERE id = @Id AND grant_id = @GrantId");

    internal static readonly Sql Update = Sql.Common("""
        UPDATE variance_note SET category_code = @CategoryCode, note_text = @NoteText, updated_at = @At, updated_by = @Actor, version = version + 1
        WHERE id = @Id AND version = @Version
        """);

    internal static readonly Sql SelectForGrant = Sql.Common($"""
        SELECT {Columns} FROM variance_note
        WHERE grant_id = @GrantId AND period_start = COALESCE(@PeriodStart, period_start)
        ORDER BY period_start, id
        """);

    internal static readonly Sql Insert = Sql.InsertReturningId("""
        INSERT INTO variance_note (grant_id, period_start, category_code, note_text, author, version, created_at)
        VALUES (@GrantId, @PeriodStart, @CategoryCode, @NoteText, @Author, 1, @CreatedAt)
        """);

    public static async Task<IReadOnlyList<VarianceNote>> ListForGrantAsync(DbSession session, long grantId, DateOnly? periodStart = null, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<VarianceNote>(SelectForGrant, new { GrantId = grantId, PeriodStart = periodStart }, cancellationToken)).ToList();

    public static Task<VarianceNote?> GetAsync(DbSession session, long grantId, long id, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<VarianceNote>(SelectOne, new { Id = id, GrantId = grantId }, cancellationToken);

    /// <summary>Changes the note's category and text if it is still at <paramref name="version"/>.</summary>
    public static async Task<bool> UpdateAsync(DbSession session, long id, int version, string? categoryCode, string text, ChangeContext change, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(Update, new { Id = id, Version = version, CategoryCode = categoryCode, NoteText = text, change.At, change.Actor }, cancellationToken) == 1;

    public static async Task<long> InsertAsync(DbSession session, VarianceNote note, CancellationToken cancellationToken = default)
    {
        note.Id = await session.ExecuteScalarAsync<long>(Insert, note, cancellationToken);
        return note.Id;
    }
}

/// <summary>A lead's explanation of a period's variance, for the whole grant or one cost category.</summary>
public sealed record VarianceNoteInput(DateOnly PeriodStart, [Text(4000, Multiline = true)] string Text, [Text(40)] string? Category = null);

/// <summary>A change to a variance note's text or category (its period stays).</summary>
public sealed record VarianceNoteChangeInput([Text(4000, Multiline = true)] string Text, [Text(40)] string? Category = null);
