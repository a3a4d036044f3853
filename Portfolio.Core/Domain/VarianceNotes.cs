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

/// <summary>A variance note; <c>author</c> is the recorded actor, <c>authorName</c> the name printed in reports.</summary>
public sealed record VarianceNoteView(
    long Id, long GrantId, DateOnly PeriodStart, string? Category, string Text, string Author, string AuthorName, int Version, DateTime CreatedAt, DateTime? UpdatedAt, string? UpdatedBy)
{
    public static VarianceNoteView Of(VarianceNote n) => new(
        n.Id, n.GrantId, n.PeriodStart, n.CategoryCode, n.NoteText, n.Author, Actors.DisplayName(n.Author), n.Version, n.CreatedAt, n.UpdatedAt,
        n.UpdatedBy is null ? null : Actors.DisplayName(n.UpdatedBy));
}

/// <summary>
/// Programme leads' explanations of variances: added for one of the grant's periods while it is open, corrected
/// while it stays open, never deleted. A lead writes only on grants in its own areas. Audited like money.
/// </summary>
public static class VarianceNotes
{
    private const string AuditName = "variance-note";

    public static async Task<Outcome<Versioned<VarianceNoteView>>> AddAsync(DbSession session, long grantId, VarianceNoteInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var loaded = await GrantPeriods.LoadForUpdateAsync(session, grantId, cancellationToken);
        if (loaded is null)
        {
            return new NotFound("grant", grantId);
        }

        if (OtherArea(loaded, change) is { } forbidden)
        {
            return forbidden;
        }

        var errors = new FieldErrors();
        input = InputShape.Check(input, errors);
        if (!errors.Has("periodStart") && loaded.PeriodStarting(input.PeriodStart) is null)
        {
            errors.Add("periodStart", loaded.NotAPeriodStart);
        }

        if (input.Category is { } category && !errors.Has("category"))
        {
            await CostCategoryStore.CheckAsync(session, category, "category", errors, cancellationToken);
        }

        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        if (await ClosedPeriods.NoteBlockedReasonAsync(session, loaded, input.PeriodStart, cancellationToken) is { } closed)
        {
            return new Conflict(closed);
        }

        var note = new VarianceNote { GrantId = grantId, PeriodStart = input.PeriodStart, CategoryCode = input.Category, NoteText = input.Text, Author = change.Actor, CreatedAt = change.At };
        await VarianceNoteStore.InsertAsync(session, note, cancellationToken);
        var view = VarianceNoteView.Of(note);
        await AuditLog.WriteAsync(session, change, "create", AuditName, note.Id, null, view, cancellationToken);
        return Outcome<Versioned<VarianceNoteView>>.Done(new Versioned<VarianceNoteView>(note.Id, note.Version, view));
    }

    /// <summary>Corrects a note's category or text while its period is open, at <paramref name="expectedVersion"/> (null: whatever is current).</summary>
    public static async Task<Outcome<Versioned<VarianceNoteView>>> EditAsync(
        DbSession session, long grantId, long noteId, int? expectedVersion, VarianceNoteChangeInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var loaded = await GrantPeriods.LoadForUpdateAsync(session, grantId, cancellationToken);
        var before = loaded is null ? null : await VarianceNoteStore.GetAsync(session, grantId, noteId, cancellationToken);
        if (loaded is null || before is null)
        {
            return new NotFound("variance note", noteId);
        }

        if (OtherArea(loaded, change) is { } forbidden)
        {
            return forbidden;
        }

        if (expectedVersion is { } expected && expected != before.Version)
        {
            return new StaleVersion(before.Version);
        }

        var errors = new FieldErrors();
        input = InputShape.Check(input, errors);
        if (input.Category is { } category && !errors.Has("category"))
        {
            await CostCategoryStore.CheckAsync(session, category, "category", errors, cancellationToken);
        }

        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        if (await ClosedPeriods.NoteBlockedReasonAsync(session, loaded, before.PeriodStart, cancellationToken) is { } closed)
        {
            return new Conflict(closed);
        }

        if (!await VarianceNoteStore.UpdateAsync(session, noteId, before.Version, input.Category, input.Text, change, cancellationToken))
        {
            var now = await VarianceNoteStore.GetAsync(session, grantId, noteId, cancellationToken);
            return new StaleVersion(now?.Version ?? before.Version + 1);
        }

        var after = (await VarianceNoteStore.GetAsync(session, grantId, noteId, cancellationToken))!;
        var view = VarianceNoteView.Of(after);
        await AuditLog.WriteAsync(session, change, "update", AuditName, noteId, VarianceNoteView.Of(before), view, cancellationToken);
        return Outcome<Versioned<VarianceNoteView>>.Done(new Versioned<VarianceNoteView>(noteId, after.Version, view));
    }

    private static Forbidden? OtherArea(GrantPeriods grant, ChangeContext change) =>
        change.MayActInArea(grant.Grant.ProgrammeAreaId)
            ? null
            : new Forbidden($"You act for other programme areas: you may not write or change notes on {grant.Grant.Reference}.");
}
