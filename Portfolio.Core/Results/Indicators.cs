using Portfolio.Core.Periods;
using System.Text.Json;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Core.Results;

/// <summary>
/// One result a grant is measured by: what is counted (<see cref="Name"/>, in <see cref="Unit"/>), which way is
/// better, where it started (<see cref="BaselineX100"/>) and the target for each reporting period. Figures are
/// hundredths (<see cref="Quantity"/>).
/// </summary>
public sealed class Indicator : IVersioned
{
    public long Id { get; set; }
    public long GrantId { get; set; }
    public string Name { get; set; } = "";
    public string Unit { get; set; } = "";
    public bool HigherIsBetter { get; set; } = true;
    public long? BaselineX100 { get; set; }
    public long? TotalTargetX100 { get; set; }

    /// <summary><c>lead</c>: the programme lead records the actual; <c>partners</c>: it is summed from accepted partner returns.</summary>
    public string Source { get; set; } = IndicatorSource.Lead;

    /// <summary><c>sum</c>: to date is the sum of the periods (people supported); <c>latest</c>: the latest period's figure (a percentage).</summary>
    public string ToDate { get; set; } = IndicatorToDate.Sum;

    public bool ByCommunity { get; set; }
    public string TargetsJson { get; set; } = "[]";
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public IReadOnlyList<PeriodTarget> Targets
    {
        get => JsonSerializer.Deserialize<List<PeriodTarget>>(TargetsJson) ?? [];
        set => TargetsJson = JsonSerializer.Serialize(value.OrderBy(t => t.PeriodStart));
    }

    /// <summary>The target for the whole grant: as set, or else the periods' targets summed (<c>sum</c>) or the last one (<c>latest</c>).</summary>
    public long? TotalTarget => TotalTargetX100 ?? (Targets.Count == 0 ? null : ToDate == IndicatorToDate.Sum ? Targets.Sum(t => t.Value) : Targets[^1].Value);
}

/// <summary>A target for the period starting <see cref="PeriodStart"/>, in hundredths.</summary>
public sealed record PeriodTarget(DateOnly PeriodStart, long Value);

/// <summary>A figure for one community served, in hundredths.</summary>
public sealed record CommunityFigure(string Community, long Value);

/// <summary>What was achieved against an indicator in one period: the lead's figure (null where partners deliver it) and note.</summary>
public sealed class IndicatorActual
{
    public long IndicatorId { get; set; }
    public DateOnly PeriodStart { get; set; }
    public long? ValueX100 { get; set; }
    public string BreakdownJson { get; set; } = "[]";
    public string? Note { get; set; }
    public string RecordedBy { get; set; } = "";
    public DateTime RecordedAt { get; set; }
    public int Version { get; set; } = 1;

    public IReadOnlyList<CommunityFigure> Breakdown
    {
        get => JsonSerializer.Deserialize<List<CommunityFigure>>(BreakdownJson) ?? [];
        set => BreakdownJson = JsonSerializer.Serialize(value);
    }
}

public static class IndicatorSource
{
    public const string Lead = "lead";
    public const string Partners = "partners";
}

public static class IndicatorToDate
{
    public const string Sum = "sum";
    public const string Latest = "latest";
}

/// <summary>A new indicator, or its replacement: the targets are the whole list, one per period at most.</summary>
public sealed record IndicatorInput(
    [Text(200)] string Name,
    [Text(100)] string Unit,
    bool HigherIsBetter,
    Quantity? Baseline,
    [Items(120)] IReadOnlyList<TargetInput> Targets,
    Quantity? TotalTarget = null,
    [Code("indicator-source")] string Source = IndicatorSource.Lead,
    [Code("indicator-to-date")] string ToDate = IndicatorToDate.Sum,
    bool ByCommunity = false) : ICrossFieldRules
{
    public void Check(FieldErrors errors)
    {
        if (ToDate == IndicatorToDate.Latest && Source == IndicatorSource.Partners)
        {
            errors.Add("toDate", "must be sum for an indicator the partners deliver: their figures are added up");
        }

        if (ToDate == IndicatorToDate.Latest && ByCommunity)
        {
            errors.Add("byCommunity", "a breakdown by community adds up to the total, so it is only for indicators whose figures are summed (toDate sum)");
        }

        if (TotalTarget is { Hundredths: < 0 })
        {
            errors.Add("totalTarget", "must not be negative");
        }

        for (var i = 0; i < Targets.Count; i++)
        {
            if (Targets[i].Value.Hundredths < 0)
            {
                errors.Add($"targets[{i}].value", "must not be negative");
            }
            else if (Targets.Take(i).Any(t => t.PeriodStart == Targets[i].PeriodStart))
            {
                errors.Add($"targets[{i}].periodStart", "appears twice: give one target per period");
            }
        }
    }
}

public sealed record TargetInput(DateOnly PeriodStart, Quantity Value);

/// <summary>
/// The actual for one period: <c>value</c> for an indicator the lead records (left out for one the partners deliver,
/// whose figure is summed from their returns), a breakdown by community where the indicator has one, and a note
/// (needed when the indicator is below target).
/// </summary>
public sealed record IndicatorActualInput(
    Quantity? Value = null,
    [Text(4000, Multiline = true)] string? Note = null,
    [Items(40)] IReadOnlyList<CommunityFigureInput>? Breakdown = null);

public sealed record CommunityFigureInput([Text(100)] string Community, Quantity Value);

public sealed record TargetView(DateOnly PeriodStart, decimal Value);

public sealed record CommunityFigureView(string Community, decimal Value);

public sealed record IndicatorView(
    long Id,
    long GrantId,
    string Name,
    string Unit,
    bool HigherIsBetter,
    decimal? Baseline,
    IReadOnlyList<TargetView> Targets,
    decimal? TotalTarget,
    string Source,
    string ToDate,
    bool ByCommunity,
    int Version,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public static IndicatorView Of(Indicator i) => new(
        i.Id, i.GrantId, i.Name, i.Unit, i.HigherIsBetter, i.BaselineX100 is { } b ? b * 0.01m : null,
        [.. i.Targets.Select(t => new TargetView(t.PeriodStart, t.Value * 0.01m))], i.TotalTarget is { } total ? total * 0.01m : null,
        i.Source, i.ToDate, i.ByCommunity, i.Version, i.CreatedAt, i.UpdatedAt);
}

public sealed record IndicatorActualView(
    long IndicatorId, DateOnly PeriodStart, decimal? Value, IReadOnlyList<CommunityFigureView> Breakdown, string? Note, string RecordedBy, DateTime RecordedAt, int Version)
{
    public static IndicatorActualView Of(IndicatorActual a) => new(
        a.IndicatorId, a.PeriodStart, a.ValueX100 is { } v ? v * 0.01m : null, [.. a.Breakdown.Select(b => new CommunityFigureView(b.Community, b.Value * 0.01m))],
        a.Note, Actors.DisplayName(a.RecordedBy), a.RecordedAt, a.Version);
}

public static class IndicatorStore
{
    private const string Columns = """
        id, grant_id, name, unit, higher_is_better, baseline_x100, total_target_x100, source, to_date, by_community, targets_json, version, created_at, updated_at
        """;

    private const string ActualColumns = "indicator_id, period_start, value_x100, breakdown_json, note, recorded_by, recorded_at, version";

    internal static readonly Sql SelectForGrant = Sql.Common($"SELECT {Columns} FROM indicator WHERE grant_id = @GrantId ORDER BY id");

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM indicator WHERE id = @Id AND grant_id = @GrantId");

    internal static readonly Sql SelectByName = Sql.Common("SELECT id FROM indicator WHERE grant_id = @GrantId AND name = @Name");

    /// <summary>Every indicator of the grants that are not closed: the dashboard's results column.</summary>
    internal static readonly Sql SelectLive = Sql.Common($"""
        SELECT i.id, i.grant_id, i.name, i.unit, i.higher_is_better, i.baseline_x100, i.total_target_x100, i.source, i.to_date, i.by_community,
               i.targets_json, i.version, i.created_at, i.updated_at
        FROM indicator i JOIN grant_award g ON g.id = i.grant_id
        WHERE g.status <> 'closed'
        ORDER BY i.id
        """);

    internal static readonly Sql Insert = Sql.InsertReturningId("""
        INSERT INTO indicator (grant_id, name, unit, higher_is_better, baseline_x100, total_target_x100, source, to_date, by_community, targets_json, version, created_at, updated_at)
        VALUES (@GrantId, @Name, @Unit, @HigherIsBetter, @BaselineX100, @TotalTargetX100, @Source, @ToDate, @ByCommunity, @TargetsJson, 1, @CreatedAt, @UpdatedAt)
        """);

    internal static readonly Sql Update = Sql.Common("""
        UPDATE indicator SET name = @Name, unit = @Unit, higher_is_better = @HigherIsBetter, baseline_x100 = @BaselineX100, total_target_x100 = @TotalTargetX100,
            source = @Source, to_date = @ToDate, by_community = @ByCommunity, targets_json = @TargetsJson, version = version + 1, updated_at = @UpdatedAt
        WHERE id = @Id AND version = @Version
        """);

    internal static readonly Sql ActualsForGrant = Sql.Common($"""
        SELECT a.indicator_id, a.period_start, a.value_x100, a.breakdown_json, a.note, a.recorded_by, a.recorded_at, a.version
        FROM indicator_actual a JOIN indicator i ON i.id = a.indicator_id
        WHERE i.grant_id = @GrantId
        ORDER BY a.indicator_id, a.period_start
        """);

    internal static readonly Sql ActualsLive = Sql.Common($"""
        SELECT a.indicator_id, a.period_start, a.value_x100, a.breakdown_json, a.note, a.recorded_by, a.recorded_at, a.version
        FROM indicator_actual a JOIN indicator i ON i.id = a.indicator_id JOIN grant_award g ON g.id = i.grant_id
        WHERE g.status <> 'closed'
        """);

    internal static readonly Sql SelectActual = Sql.Common($"SELECT {ActualColumns} FROM indicator_actual WHERE indicator_id = @IndicatorId AND period_start = @PeriodStart");

    internal static readonly Sql ActualCount = Sql.Common("SELECT COUNT(*) FROM indicator_actual WHERE indicator_id = @IndicatorId");

    internal static readonly Sql InsertActual = Sql.Common("""
        INSERT INTO indicator_actual (indicator_id, period_start, value_x100, breakdown_json, note, recorded_by, recorded_at, version)
        VALUES (@IndicatorId, @PeriodStart, @ValueX100, @BreakdownJson, @Note, @RecordedBy, @RecordedAt, 1)
        """);

    internal static readonly Sql UpdateActual = Sql.Common("""
        UPDATE indicator_actual SET value_x100 = @ValueX100, breakdown_json = @BreakdownJson, note = @Note, recorded_by = @RecordedBy, recorded_at = @RecordedAt, version = version + 1
        WHERE indicator_id = @IndicatorId AND period_start = @PeriodStart AND version = @Version
        """);

    public static async Task<IReadOnlyList<Indicator>> ListForGrantAsync(DbSession session, long grantId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<Indicator>(SelectForGrant, new { GrantId = grantId }, cancellationToken)).ToList();

    public static Task<Indicator?> GetAsync(DbSession session, long grantId, long id, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<Indicator>(SelectOne, new { Id = id, GrantId = grantId }, cancellationToken);

    public static async Task<IReadOnlyList<IndicatorActual>> ActualsForGrantAsync(DbSession session, long grantId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<IndicatorActual>(ActualsForGrant, new { GrantId = grantId }, cancellationToken)).ToList();

    public static Task<IndicatorActual?> GetActualAsync(DbSession session, long indicatorId, DateOnly periodStart, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<IndicatorActual>(SelectActual, new { IndicatorId = indicatorId, PeriodStart = periodStart }, cancellationToken);
}

/// <summary>
/// Indicators and their actuals: set up by finance or the grant's programme lead, actuals recorded by the lead for
/// each period (or summed from partners' accepted returns), both closed with the period once its report has gone.
/// Every change is audited.
/// </summary>
public static class Indicators
{
    public static async Task<Outcome<Versioned<IndicatorView>>> CreateAsync(DbSession session, long grantId, IndicatorInput input, ChangeContext change, CancellationToken cancellationToken = default) =>
        await SaveAsync(session, grantId, null, null, input, change, cancellationToken);

    /// <summary>Replaces the indicator at <paramref name="expectedVersion"/> (null: whatever is current). A closed period's target stays as it was sent.</summary>
    public static async Task<Outcome<Versioned<IndicatorView>>> EditAsync(
        DbSession session, long grantId, long indicatorId, int? expectedVersion, IndicatorInput input, ChangeContext change, CancellationToken cancellationToken = default) =>
        await SaveAsync(session, grantId, indicatorId, expectedVersion, input, change, cancellationToken);

    private static async Task<Outcome<Versioned<IndicatorView>>> SaveAsync(
        DbSession session, long grantId, long? indicatorId, int? expectedVersion, IndicatorInput input, ChangeContext change, CancellationToken cancellationToken)
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

        Indicator? current = null;
        if (indicatorId is { } id)
        {
            current = await IndicatorStore.GetAsync(session, grantId, id, cancellationToken);
            if (current is null)
            {
                return new NotFound("indicator", id);
            }

            if (expectedVersion is { } expected && expected != current.Version)
            {
                return new StaleVersion(current.Version);
            }
        }

        var errors = new FieldErrors();
        input = InputShape.Check(input, errors);
        for (var i = 0; i < input.Targets.Count; i++)
        {
            if (!errors.Has($"targets[{i}].periodStart") && loaded.PeriodStarting(input.Targets[i].PeriodStart) is null)
            {
                errors.Add($"targets[{i}].periodStart", loaded.NotAPeriodStart);
            }
        }

        if (!errors.Has("name") && await session.ExecuteScalarAsync<long?>(IndicatorStore.SelectByName, new { GrantId = grantId, input.Name }, cancellationToken) is { } same && same != indicatorId)
        {
            errors.Add("name", $"is already the name of indicator {same} on this grant");
        }

        if (current is not null && await session.ExecuteScalarAsync<long>(IndicatorStore.ActualCount, new { IndicatorId = current.Id }, cancellationToken) > 0)
        {
            foreach (var (field, was, now) in new[] { ("source", current.Source, input.Source), ("toDate", current.ToDate, input.ToDate), ("byCommunity", Flag(current.ByCommunity), Flag(input.ByCommunity)) })
            {
                if (was != now)
                {
                    errors.Add(field, $"cannot change from {was} once actuals are recorded: the figures already recorded were counted that way");
                }
            }
        }

        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        var targets = input.Targets.Select(t => new PeriodTarget(t.PeriodStart, t.Value.Hundredths)).ToList();
        if (current is not null)
        {
            var closed = await ClosedPeriods.LoadAsync(session, grantId, cancellationToken);
            foreach (var period in loaded.Periods.Where(closed.IsClosed))
            {
                var was = current.Targets.FirstOrDefault(t => t.PeriodStart == period.Start)?.Value;
                var now = targets.FirstOrDefault(t => t.PeriodStart == period.Start)?.Value;
                if (was != now)
                {
                    return new Conflict(closed.ReasonFor(period, "Its targets were sent with it and cannot change")!);
                }
            }
        }

        var indicator = new Indicator
        {
            Id = current?.Id ?? 0,
            GrantId = grantId,
            Name = input.Name,
            Unit = input.Unit,
            HigherIsBetter = input.HigherIsBetter,
            BaselineX100 = input.Baseline?.Hundredths,
            TotalTargetX100 = input.TotalTarget?.Hundredths,
            Source = input.Source,
            ToDate = input.ToDate,
            ByCommunity = input.ByCommunity,
            Targets = targets,
            Version = current?.Version ?? 1,
            CreatedAt = current?.CreatedAt ?? change.At,
            UpdatedAt = change.At,
        };

        if (current is null)
        {
            indicator.Id = await session.ExecuteScalarAsync<long>(IndicatorStore.Insert, indicator, cancellationToken);
        }
        else if (await session.ExecuteAsync(IndicatorStore.Update, indicator, cancellationToken) != 1)
        {
            return new StaleVersion((await IndicatorStore.GetAsync(session, grantId, current.Id, cancellationToken))?.Version ?? current.Version + 1);
        }

        var saved = (await IndicatorStore.GetAsync(session, grantId, indicator.Id, cancellationToken))!;
        var view = IndicatorView.Of(saved);
        await AuditLog.WriteAsync(session, change, current is null ? "create" : "update", "indicator", saved.Id, current is null ? null : IndicatorView.Of(current), view, cancellationToken);
        return Outcome<Versioned<IndicatorView>>.Done(new Versioned<IndicatorView>(saved.Id, saved.Version, view));
    }

    /// <summary>
    /// Records (or corrects) the actual for the period starting <paramref name="periodStart"/>: the lead's figure, its
    /// breakdown by community (adding up to it), and a note. For an indicator the partners deliver only the note is
    /// the lead's: the figure is the sum of their accepted returns. Refused for a period not yet started or closed.
    /// </summary>
    public static async Task<Outcome<IndicatorActualView>> RecordActualAsync(
        DbSession session, long grantId, long indicatorId, DateOnly periodStart, int? expectedVersion, IndicatorActualInput input, ChangeContext change, DateOnly today,
        CancellationToken cancellationToken = default)
    {
        var loaded = await GrantPeriods.LoadForUpdateAsync(session, grantId, cancellationToken);
        var indicator = loaded is null ? null : await IndicatorStore.GetAsync(session, grantId, indicatorId, cancellationToken);
        if (loaded is null || indicator is null)
        {
            return loaded is null ? new NotFound("grant", grantId) : new NotFound("indicator", indicatorId);
        }

        if (OtherArea(loaded, change) is { } forbidden)
        {
            return forbidden;
        }

        var period = loaded.PeriodStarting(periodStart);
        if (period is null)
        {
            return InvalidFields.Of("periodStart", loaded.NotAPeriodStart);
        }

        var current = await IndicatorStore.GetActualAsync(session, indicatorId, periodStart, cancellationToken);
        if (expectedVersion is { } expected && expected != (current?.Version ?? 0))
        {
            return new StaleVersion(current?.Version ?? 0);
        }

        var errors = new FieldErrors();
        input = InputShape.Check(input, errors);
        var breakdown = new List<CommunityFigure>();
        if (indicator.Source == IndicatorSource.Partners)
        {
            if (input.Value is not null)
            {
                errors.Add("value", "must be left out: this indicator's figure is the sum of the partners' accepted returns; record only a note");
            }

            if (input.Breakdown is { Count: > 0 })
            {
                errors.Add("breakdown", "must be left out: the partners' returns give the breakdown");
            }

            if (string.IsNullOrWhiteSpace(input.Note) && !errors.Any)
            {
                errors.Add("note", "is required: for an indicator the partners deliver, the lead records a note");
            }
        }
        else
        {
            if (input.Value is null)
            {
                errors.Add("value", "is required");
            }
            else if (input.Value.Value.Hundredths < 0)
            {
                errors.Add("value", "must not be negative");
            }

            CheckBreakdown(indicator, input.Breakdown, input.Value, errors, breakdown);
        }

        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        if (period.Start > today)
        {
            return new CannotApply($"The {period.Label} period starts on {Written.Date(period.Start)}: its actual can be recorded once it has begun.");
        }

        if ((await ClosedPeriods.LoadAsync(session, grantId, cancellationToken)).ReasonFor(period, "Its results were sent with it and cannot change") is { } reason)
        {
            return new Conflict(reason);
        }

        var actual = new IndicatorActual
        {
            IndicatorId = indicatorId,
            PeriodStart = periodStart,
            ValueX100 = input.Value?.Hundredths,
            Breakdown = breakdown,
            Note = input.Note,
            RecordedBy = change.Actor,
            RecordedAt = change.At,
            Version = current?.Version ?? 0,
        };
        if (current is null)
        {
            await session.ExecuteAsync(IndicatorStore.InsertActual, actual, cancellationToken);
        }
        else if (await session.ExecuteAsync(IndicatorStore.UpdateActual, actual, cancellationToken) != 1)
        {
            return new StaleVersion((await IndicatorStore.GetActualAsync(session, indicatorId, periodStart, cancellationToken))?.Version ?? current.Version + 1);
        }

        var saved = IndicatorActualView.Of((await IndicatorStore.GetActualAsync(session, indicatorId, periodStart, cancellationToken))!);
        await AuditLog.WriteAsync(session, change, current is null ? "create" : "update", "indicator-actual", indicatorId,
            current is null ? null : IndicatorActualView.Of(current), saved, cancellationToken);
        return Outcome<IndicatorActualView>.Done(saved);
    }

    /// <summary>A breakdown is by community, one figure each, adding up to the total; only where the indicator has one.</summary>
    internal static void CheckBreakdown(Indicator indicator, IReadOnlyList<CommunityFigureInput>? lines, Quantity? total, FieldErrors errors, List<CommunityFigure> into, string prefix = "", IReadOnlyList<string>? communities = null)
    {
        if (lines is not { Count: > 0 })
        {
            return;
        }

        if (!indicator.ByCommunity)
        {
            errors.Add(prefix + "breakdown", "must be left out: this indicator has no breakdown by community");
            return;
        }

        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Value.Hundredths < 0)
            {
                errors.Add($"{prefix}breakdown[{i}].value", "must not be negative");
            }
            else if (communities is not null && !communities.Contains(line.Community, StringComparer.Ordinal))
            {
                errors.Add($"{prefix}breakdown[{i}].community", communities.Count == 0
                    ? "the partner lists no communities it serves: ask finance to add them"
                    : $"must be one of the communities the partner serves: {string.Join(", ", communities)}");
            }
            else if (into.Any(c => c.Community == line.Community))
            {
                errors.Add($"{prefix}breakdown[{i}].community", "appears twice: give one figure per community");
            }
            else
            {
                into.Add(new CommunityFigure(line.Community, line.Value.Hundredths));
            }
        }

        if (total is { } value && into.Count == lines.Count && into.Sum(c => c.Value) != value.Hundredths)
        {
            errors.Add(prefix + "breakdown", $"adds up to {Quantity.Format(into.Sum(c => c.Value))}, not the total of {value}: the communities' figures must add up to it");
        }
    }

    private static string Flag(bool value) => value ? "true" : "false";

    private static Forbidden? OtherArea(GrantPeriods grant, ChangeContext change) =>
        change.MayActInArea(grant.Grant.ProgrammeAreaId)
            ? null
            : new Forbidden($"You act for other programme areas: you may not change the results of grant {grant.Grant.Id}.");
}
