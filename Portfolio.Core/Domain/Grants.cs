using Portfolio.Core.Periods;
using Portfolio.Core.Data;
using Portfolio.Core.Operations;

namespace Portfolio.Core.Domain;

public sealed class Grant : IVersioned
{
    public long Id { get; set; }
    public long FunderId { get; set; }
    public long? ProgrammeAreaId { get; set; }
    public string Reference { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public long AmountAwardedPence { get; set; }
    public string Currency { get; set; } = Codes.Currency;
    public DateOnly? AwardDate { get; set; }
    public DateOnly StartDate { get; set; }
    public DateOnly EndDate { get; set; }
    public bool Restricted { get; set; } = true;
    public string Status { get; set; } = "active";
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>The delivery areas the grant works in (<c>grant_area</c>), codes in order.</summary>
    public IReadOnlyList<string> AreaCodes { get; set; } = [];
}

public sealed record GrantFilter(long? FunderId = null, long? ProgrammeAreaId = null, string? Status = null);

public static class GrantStore
{
    private const string Columns = """
        id, funder_id, programme_area_id, reference, title, description, amount_awarded_pence, currency,
        award_date, start_date, end_date, restricted, status, version, created_at, updated_at
        """;

    private const string Filter = """
        WHERE (@FunderId IS NULL OR funder_id = @FunderId)
          AND (@ProgrammeAreaId IS NULL OR programme_area_id = @ProgrammeAreaId)
          AND (@Status IS NULL OR status = @Status)
        """;

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM grant_award WHERE id = @Id");
    internal static readonly Sql SelectByReference = Sql.Common($"SELECT {Columns} FROM grant_award WHERE funder_id = @FunderId AND reference = @Reference");
    internal static readonly Sql SelectPage = Sql.Paged($"SELECT {Columns} FROM grant_award {Filter} ORDER BY id");
    internal static readonly Sql CountFiltered = Sql.Common($"SELECT COUNT(*) FROM grant_award {Filter}");

    internal static readonly Sql Insert = Sql.InsertReturningId("""
        INSERT INTO grant_award (funder_id, programme_area_id, reference, title, description, amount_awarded_pence, currency,
                                 award_date, start_date, end_date, restricted, status, version, created_at, updated_at)
        VALUES (@FunderId, @ProgrammeAreaId, @Reference, @Title, @Description, @AmountAwardedPence, @Currency,
                @AwardDate, @StartDate, @EndDate, @Restricted, @Status, 1, @At, @At)
        """);

    internal static readonly Sql Update = Sql.Common("""
        UPDATE grant_award
        SET funder_id = @FunderId, programme_area_id = @ProgrammeAreaId, reference = @Reference, title = @Title,
            description = @Description, amount_awarded_pence = @AmountAwardedPence, currency = @Currency,
            award_date = @AwardDate, start_date = @StartDate, end_date = @EndDate, restricted = @Restricted,
            status = @Status, version = version + 1, updated_at = @At
        WHERE id = @Id AND version = @ExpectedVersion
        """);

    internal static readonly Sql Delete = Sql.Common("DELETE FROM grant_award WHERE id = @Id AND version = @ExpectedVersion");

    internal static readonly Sql DependentCount = Sql.Common("""
        SELECT (SELECT COUNT(*) FROM spend_transaction WHERE grant_id = @Id)
             + (SELECT COUNT(*) FROM payment WHERE grant_id = @Id)
             + (SELECT COUNT(*) FROM partner_agreement WHERE grant_id = @Id)
             + (SELECT COUNT(*) FROM budget_version WHERE grant_id = @Id)
             + (SELECT COUNT(*) FROM variance_note WHERE grant_id = @Id)
             + (SELECT COUNT(*) FROM report_run WHERE grant_id = @Id)
        """);

    internal static readonly Sql DatedRecordsOutside = Sql.Common("""
        SELECT (SELECT COUNT(*) FROM spend_transaction WHERE grant_id = @Id AND voided_at IS NULL AND (transaction_date < @StartDate OR transaction_date > @EndDate))
             + (SELECT COUNT(*) FROM payment WHERE grant_id = @Id AND voided_at IS NULL AND (payment_date < @StartDate OR payment_date > @EndDate))
             + (SELECT COUNT(*) FROM budget_line bl JOIN budget_version bv ON bv.id = bl.budget_version_id
                WHERE bv.grant_id = @Id AND (bl.period_start < @StartDate OR bl.period_start > @EndDate))
             + (SELECT COUNT(*) FROM partner_agreement WHERE grant_id = @Id AND (start_date < @StartDate OR end_date > @EndDate))
             + (SELECT COUNT(*) FROM variance_note WHERE grant_id = @Id AND (period_start < @StartDate OR period_start > @EndDate))
        """);

    /// <summary>The grant, its row locked until the transaction ends, so checks against its dates and award cannot race.</summary>
    internal static readonly Sql SelectForUpdate = new(
        Sqlite: $"SELECT {Columns} FROM grant_award WHERE id = @Id",
        Postgres: $"SELECT {Columns} FROM grant_award WHERE id = @Id FOR UPDATE",
        SqlServer: $"SELECT {Columns} FROM grant_award WITH (UPDLOCK, HOLDLOCK) WHERE id = @Id");

    /// <summary>
    /// Reads the grant and takes its row lock in the caller's transaction (SQLite's write transaction already
    /// serialises writers). Every write whose rules depend on the grant (dates, award, closed periods) takes it
    /// first, so two writers cannot each pass a check the other breaks.
    /// </summary>
    public static async Task<Grant?> GetForUpdateAsync(DbSession session, long id, CancellationToken cancellationToken = default)
    {
        var grant = await session.QuerySingleOrDefaultAsync<Grant>(SelectForUpdate, new { Id = id }, cancellationToken);
        if (grant is not null)
        {
            session.NoteGrantLocked(id);
        }

        return grant;
    }

    /// <summary>Locks the grant's row until the transaction ends (nothing to do when this transaction already holds it).</summary>
    public static Task LockAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.HoldsGrantLock(id) ? Task.CompletedTask : GetForUpdateAsync(session, id, cancellationToken);

    internal static readonly Sql IdsForFunder = Sql.Common("SELECT id FROM grant_award WHERE funder_id = @FunderId ORDER BY id");

    public static async Task<IReadOnlyList<long>> IdsForFunderAsync(DbSession session, long funderId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<long>(IdsForFunder, new { FunderId = funderId }, cancellationToken)).ToList();

    /// <summary>The grant with its delivery areas.</summary>
    public static async Task<Grant?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default)
    {
        var grant = await session.QuerySingleOrDefaultAsync<Grant>(SelectOne, new { Id = id }, cancellationToken);
        if (grant is not null)
        {
            grant.AreaCodes = await DeliveryAreaStore.ForGrantAsync(session, id, cancellationToken);
        }

        return grant;
    }

    public static Task<Grant?> GetByReferenceAsync(DbSession session, long funderId, string reference, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<Grant>(SelectByReference, new { FunderId = funderId, Reference = reference }, cancellationToken);

    public static async Task<Page<Grant>> ListAsync(DbSession session, GrantFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new { filter.FunderId, filter.ProgrammeAreaId, filter.Status, page.Offset, page.Limit };
        var items = (await session.QueryAsync<Grant>(SelectPage, parameters, cancellationToken)).ToList();
        var areas = await DeliveryAreaStore.ForGrantsAsync(session, cancellationToken);
        foreach (var grant in items)
        {
            grant.AreaCodes = [.. areas[grant.Id]];
        }

        var total = await session.ExecuteScalarAsync<long>(CountFiltered, parameters, cancellationToken);
        return new Page<Grant>(items, page.Page, page.PageSize, total);
    }

    /// <summary>Inserts the grant and its delivery areas.</summary>
    public static async Task<long> InsertAsync(DbSession session, Grant grant, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var id = await session.ExecuteScalarAsync<long>(Insert, Parameters(grant, change, 0), cancellationToken);
        await DeliveryAreaStore.ReplaceForGrantAsync(session, id, grant.AreaCodes, cancellationToken);
        return id;
    }

    /// <summary>Replaces the grant and its delivery areas; false when missing or at another version.</summary>
    public static async Task<bool> UpdateAsync(DbSession session, long id, int expectedVersion, Grant grant, ChangeContext change, CancellationToken cancellationToken = default)
    {
        grant.Id = id;
        if (await session.ExecuteAsync(Update, Parameters(grant, change, expectedVersion), cancellationToken) != 1)
        {
            return false;
        }

        await DeliveryAreaStore.ReplaceForGrantAsync(session, id, grant.AreaCodes, cancellationToken);
        return true;
    }

    public static async Task<bool> DeleteAsync(DbSession session, long id, int expectedVersion, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(Delete, new { Id = id, ExpectedVersion = expectedVersion }, cancellationToken) == 1;

    /// <summary>Money, budgets, notes or reports recorded against the grant; a grant with any cannot be deleted.</summary>
    public static Task<long> DependentCountAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(DependentCount, new { Id = id }, cancellationToken);

    /// <summary>Spend, income, budget lines, partner agreements and variance notes that would fall outside the grant if its dates became these.</summary>
    public static Task<long> DatedRecordsOutsideAsync(DbSession session, long id, DateOnly startDate, DateOnly endDate, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(DatedRecordsOutside, new { Id = id, StartDate = startDate, EndDate = endDate }, cancellationToken);

    private static object Parameters(Grant grant, ChangeContext change, int expectedVersion) => new
    {
        grant.Id,
        grant.FunderId,
        grant.ProgrammeAreaId,
        grant.Reference,
        grant.Title,
        grant.Description,
        grant.AmountAwardedPence,
        grant.Currency,
        grant.AwardDate,
        grant.StartDate,
        grant.EndDate,
        grant.Restricted,
        grant.Status,
        change.At,
        ExpectedVersion = expectedVersion,
    };
}

/// <summary>What a person sends to record or change a grant.</summary>
/// <param name="AreaCodes">The delivery areas the grant works in (codes from <c>GET /api/delivery-areas</c>); left out of a change, the grant keeps the areas it has.</param>
public sealed record GrantInput(
    long FunderId,
    [Text(200)] string Reference,
    [Text(500)] string Title,
    Money.Money AmountAwarded,
    DateOnly StartDate,
    DateOnly EndDate,
    long? ProgrammeAreaId = null,
    [Text(4000, Multiline = true)] string? Description = null,
    DateOnly? AwardDate = null,
    [Code("currency")] string Currency = Codes.Currency,
    bool Restricted = true,
    [Code("grant-status")] string Status = "active",
    [Items(44, ItemMaxLength = 20)] IReadOnlyList<string>? AreaCodes = null) : ICrossFieldRules
{
    public void Check(FieldErrors errors)
    {
        if (EndDate < StartDate)
        {
            errors.Add("endDate", "must not be before startDate");
        }
    }
}

public sealed record GrantView(
    long Id,
    long FunderId,
    long? ProgrammeAreaId,
    string Reference,
    string Title,
    string? Description,
    decimal AmountAwarded,
    string Currency,
    DateOnly? AwardDate,
    DateOnly StartDate,
    DateOnly EndDate,
    bool Restricted,
    string Status,
    IReadOnlyList<string> AreaCodes,
    int Version,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary>
/// Grants. A change takes the grant's row lock first, so it cannot race the spend, income and agreements checked
/// against its dates and award; it may not move a reported period, strand anything recorded against the grant
/// outside its dates, or bring the award below the partner agreements or income already recorded.
/// </summary>
public sealed class Grants :
    IRecordKind<Grant, GrantView>, IRecordable<GrantInput, GrantView>, IChangeable<GrantInput, GrantView>, IDeletable<GrantView>
{
    private const string AuditName = "grant";

    private Grants()
    {
    }

    public static string Entity => "grant";

    public static Task<Grant?> LoadAsync(DbSession session, long id, CancellationToken cancellationToken) => GrantStore.GetAsync(session, id, cancellationToken);

    public static GrantView View(Grant g) => new(
        g.Id, g.FunderId, g.ProgrammeAreaId, g.Reference, g.Title, g.Description, Money.Money.ToPounds(g.AmountAwardedPence), g.Currency,
        g.AwardDate, g.StartDate, g.EndDate, g.Restricted, g.Status, g.AreaCodes, g.Version, g.CreatedAt, g.UpdatedAt);

    public static async Task<Outcome<Versioned<GrantView>>> RecordAsync(DbSession session, GrantInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var (checkedInput, shape) = RecordSteps.Shape(input);
        var proposed = Build(checkedInput, null);
        if (await RecordSteps.AllAtOnceAsync(shape, CheckAsync(session, proposed, null, cancellationToken)) is { } refused)
        {
            return refused;
        }

        var id = await GrantStore.InsertAsync(session, proposed, change, cancellationToken);
        var created = (await GrantStore.GetAsync(session, id, cancellationToken))!;
        return await RecordSteps.AuditedAsync(session, change, "create", AuditName, id, created.Version, null, View(created), cancellationToken);
    }

    public static async Task<Outcome<Versioned<GrantView>>> ChangeAsync(DbSession session, long id, int? expectedVersion, GrantInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await GrantStore.GetAsync(session, id, cancellationToken);
        if (RecordSteps.AtVersion(current, Entity, id, expectedVersion) is { } missing)
        {
            return missing;
        }

        var (checkedInput, shape) = RecordSteps.Shape(input);
        var proposed = Build(checkedInput, current);
        if (await RecordSteps.AllAtOnceAsync(shape, CheckAsync(session, proposed, current, cancellationToken)) is { } refused)
        {
            return refused;
        }

        if (!await GrantStore.UpdateAsync(session, id, current!.Version, proposed, change, cancellationToken))
        {
            return RecordSteps.NotWritten(await GrantStore.GetAsync(session, id, cancellationToken), Entity, current.Version);
        }

        var updated = (await GrantStore.GetAsync(session, id, cancellationToken))!;
        return await RecordSteps.AuditedAsync(session, change, "update", AuditName, id, updated.Version, View(current), View(updated), cancellationToken);
    }

    public static async Task<Outcome<GrantView>> DeleteAsync(DbSession session, long id, int? expectedVersion, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await GrantStore.GetAsync(session, id, cancellationToken);
        if (RecordSteps.AtVersion(current, Entity, id, expectedVersion) is { } missing)
        {
            return missing;
        }

        if (await GrantStore.DependentCountAsync(session, id, cancellationToken) > 0)
        {
            return new Conflict("The grant has budgets, money, agreements, notes or reports recorded against it and cannot be deleted; set its status to closed instead.");
        }

        if (!await GrantStore.DeleteAsync(session, id, current!.Version, cancellationToken))
        {
            return RecordSteps.NotWritten(await GrantStore.GetAsync(session, id, cancellationToken), Entity, current.Version);
        }

        var view = View(current);
        await AuditLog.WriteAsync(session, change, "delete", AuditName, id, view, null, cancellationToken);
        return Outcome<GrantView>.Done(view);
    }

    private static Grant Build(GrantInput input, Grant? current) => new()
    {
        FunderId = input.FunderId,
        ProgrammeAreaId = input.ProgrammeAreaId,
        Reference = input.Reference,
        Title = input.Title,
        Description = input.Description,
        AmountAwardedPence = input.AmountAwarded.Pence,
        Currency = input.Currency,
        AwardDate = input.AwardDate,
        StartDate = input.StartDate,
        EndDate = input.EndDate,
        Restricted = input.Restricted,
        Status = input.Status,
        AreaCodes = input.AreaCodes is { } codes ? DeliveryAreaStore.Normalise(codes) : current?.AreaCodes ?? [],
    };

    private static async Task<Refusal?> CheckAsync(DbSession session, Grant proposed, Grant? current, CancellationToken cancellationToken)
    {
        if (current is not null)
        {
            await GrantStore.LockAsync(session, current.Id, cancellationToken);
        }

        var errors = new FieldErrors();
        var funder = await FunderStore.GetAsync(session, proposed.FunderId, cancellationToken);
        if (funder is null)
        {
            errors.Add("funderId", $"there is no funder with id {proposed.FunderId}");
        }

        if (proposed.ProgrammeAreaId is { } areaId && await ProgrammeAreaStore.GetAsync(session, areaId, cancellationToken) is null)
        {
            errors.Add("programmeAreaId", $"there is no programme area with id {areaId}");
        }

        await DeliveryAreaStore.CheckAsync(session, proposed.AreaCodes, "areaCodes", errors, cancellationToken);
        if (current is not null && !errors.Has("areaCodes"))
        {
            var dropped = (await DeliveryAreaStore.InUseOnGrantAsync(session, current.Id, cancellationToken))
                .Where(code => !proposed.AreaCodes.Contains(code)).Order(StringComparer.Ordinal).ToList();
            if (dropped.Count > 0)
            {
                errors.Add("areaCodes", $"must still include {string.Join(", ", dropped)}: the grant's partner agreements or spend name them; change those first");
            }
        }

        var controls = new FinanceControls();
        if (proposed.AwardDate is { } awarded && awarded > proposed.EndDate)
        {
            controls.Add("awardDate", $"must not be after the grant's end date, {Written.Date(proposed.EndDate)}: a grant is awarded before it ends");
        }

        if (errors.Any)
        {
            return controls.Refusal(errors);
        }

        if (await GrantStore.GetByReferenceAsync(session, proposed.FunderId, proposed.Reference, cancellationToken) is { } holder && holder.Id != current?.Id)
        {
            return new Conflict($"The funder already has a grant with reference '{proposed.Reference}' ('{holder.Title}').");
        }

        if (current is not null && (current.StartDate != proposed.StartDate || current.EndDate != proposed.EndDate || current.FunderId != proposed.FunderId))
        {
            var loaded = (await GrantPeriods.LoadAsync(session, current.Id, cancellationToken))!;
            var proposedPeriods = GrantPeriods.PeriodsOf(current.Id, GrantPeriods.CalendarOf(current.Id, funder!.ReportingCalendar), proposed.StartDate, proposed.EndDate);
            if (await ClosedPeriods.ChangeBlockedReasonAsync(session, loaded, proposed.FunderId, proposedPeriods, cancellationToken) is { } closed)
            {
                return new Conflict(closed);
            }
        }

        if (current is not null)
        {
            var outside = await GrantStore.DatedRecordsOutsideAsync(session, current.Id, proposed.StartDate, proposed.EndDate, cancellationToken);
            if (outside > 0)
            {
                var message = $"would leave {outside} record(s) (spend, income, budget lines, partner agreements or variance notes) outside {proposed.StartDate:yyyy-MM-dd} to {proposed.EndDate:yyyy-MM-dd}: move or void them first";
                controls.Add(proposed.StartDate > current.StartDate ? "startDate" : "endDate", message);
            }

            var agreed = await PartnerAgreementStore.SumForGrantAsync(session, current.Id, null, cancellationToken);
            if (agreed > proposed.AmountAwardedPence)
            {
                controls.Add("amountAwarded", $"must be at least {Money.Money.Format(agreed)}, the total of the grant's partner agreements");
            }

            var received = await PaymentStore.SumForGrantAsync(session, current.Id, null, cancellationToken);
            if (received > proposed.AmountAwardedPence)
            {
                controls.Add("amountAwarded", $"must be at least {Money.Money.Format(received)}, the income already received on the grant");
            }
        }

        return controls.Refusal();
    }
}
