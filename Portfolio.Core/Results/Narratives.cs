using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Core.Results;

/// <summary>The programme lead's account of a grant's period, printed in the funder's report.</summary>
public sealed class GrantNarrative
{
    public long GrantId { get; set; }
    public DateOnly PeriodStart { get; set; }
    public string WhatHappened { get; set; } = "";
    public string? WhatChanged { get; set; }
    public string? WhatsNext { get; set; }
    public string Author { get; set; } = "";
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}

public sealed record NarrativeInput(
    [Text(8000, Multiline = true)] string WhatHappened,
    [Text(8000, Multiline = true)] string? WhatChanged = null,
    [Text(8000, Multiline = true)] string? WhatsNext = null);

public sealed record NarrativeView(
    long GrantId, DateOnly PeriodStart, string WhatHappened, string? WhatChanged, string? WhatsNext, string Author, string? UpdatedBy, int Version, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static NarrativeView Of(GrantNarrative n) => new(
        n.GrantId, n.PeriodStart, n.WhatHappened, n.WhatChanged, n.WhatsNext, Actors.DisplayName(n.Author), n.UpdatedBy is null ? null : Actors.DisplayName(n.UpdatedBy),
        n.Version, n.CreatedAt, n.UpdatedAt);
}

/// <summary>Narratives: one per grant and period, written and corrected by the lead while the period is open, audited.</summary>
public static class Narratives
{
    private const string Columns = "grant_id, period_start, what_happened, what_changed, whats_next, author, version, created_at, updated_at, updated_by";

    internal static readonly Sql SelectForGrant = Sql.Common($"SELECT {Columns} FROM grant_narrative WHERE grant_id = @GrantId ORDER BY period_start");

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM grant_narrative WHERE grant_id = @GrantId AND period_start = @PeriodStart");

    internal static readonly Sql Insert = Sql.Common("""
        INSERT INTO grant_narrative (grant_id, period_start, what_happened, what_changed, whats_next, author, version, created_at, updated_at)
        VALUES (@GrantId, @PeriodStart, @WhatHappened, @WhatChanged, @WhatsNext, @Author, 1, @CreatedAt, @UpdatedAt)
        """);

    internal static readonly Sql Update = Sql.Common("""
        UPDATE grant_narrative SET what_happened = @WhatHappened, what_changed = @WhatChanged, whats_next = @WhatsNext, updated_at = @UpdatedAt, updated_by = @UpdatedBy,
            version = version + 1
        WHERE grant_id = @GrantId AND period_start = @PeriodStart AND version = @Version
        """);

    public static async Task<IReadOnlyList<GrantNarrative>> ListAsync(DbSession session, long grantId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<GrantNarrative>(SelectForGrant, new { GrantId = grantId }, cancellationToken)).ToList();

    public static Task<GrantNarrative?> GetAsync(DbSession session, long grantId, DateOnly periodStart, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<GrantNarrative>(SelectOne, new { GrantId = grantId, PeriodStart = periodStart }, cancellationToken);

    /// <summary>Writes or corrects the narrative for the period starting <paramref name="periodStart"/>, at <paramref name="expectedVersion"/> (0: none yet; null: whatever is there).</summary>
    public static async Task<Outcome<NarrativeView>> SaveAsync(
        DbSession session, long grantId, DateOnly periodStart, int? expectedVersion, NarrativeInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var loaded = await GrantPeriods.LoadForUpdateAsync(session, grantId, cancellationToken);
        if (loaded is null)
        {
            return new NotFound("grant", grantId);
        }

        if (!change.MayActInArea(loaded.Grant.ProgrammeAreaId))
        {
            return new Forbidden($"You act for other programme areas: you may not write the narrative of grant {grantId}.");
        }

        var period = loaded.PeriodStarting(periodStart);
        if (period is null)
        {
            return InvalidFields.Of("periodStart", loaded.NotAPeriodStart);
        }

        var current = await GetAsync(session, grantId, periodStart, cancellationToken);
        if (expectedVersion is { } expected && expected != (current?.Version ?? 0))
        {
            return new StaleVersion(current?.Version ?? 0);
        }

        var errors = new FieldErrors();
        input = InputShape.Check(input, errors);
        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        if ((await ClosedPeriods.LoadAsync(session, grantId, cancellationToken)).ReasonFor(period, "Its narrative was sent with it and cannot change") is { } reason)
        {
            return new Conflict(reason);
        }

        var narrative = new GrantNarrative
        {
            GrantId = grantId,
            PeriodStart = periodStart,
            WhatHappened = input.WhatHappened,
            WhatChanged = input.WhatChanged,
            WhatsNext = input.WhatsNext,
            Author = current?.Author ?? change.Actor,
            Version = current?.Version ?? 0,
            CreatedAt = current?.CreatedAt ?? change.At,
            UpdatedAt = change.At,
            UpdatedBy = current is null ? null : change.Actor,
        };
        if (current is null)
        {
            await session.ExecuteAsync(Insert, narrative, cancellationToken);
        }
        else if (await session.ExecuteAsync(Update, narrative, cancellationToken) != 1)
        {
            return new StaleVersion((await GetAsync(session, grantId, periodStart, cancellationToken))?.Version ?? current.Version + 1);
        }

        var saved = NarrativeView.Of((await GetAsync(session, grantId, periodStart, cancellationToken))!);
        await AuditLog.WriteAsync(session, change, current is null ? "create" : "update", "grant-narrative", grantId, current is null ? null : NarrativeView.Of(current), saved, cancellationToken);
        return Outcome<NarrativeView>.Done(saved);
    }
}
