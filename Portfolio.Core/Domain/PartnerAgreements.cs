using Portfolio.Core.Periods;
using Portfolio.Core.Data;
using Portfolio.Core.Operations;

namespace Portfolio.Core.Domain;

public sealed class PartnerAgreement : IVersioned
{
    public long Id { get; set; }
    public long GrantId { get; set; }
    public long PartnerId { get; set; }
    public long AmountPence { get; set; }
    public DateOnly StartDate { get; set; }
    public DateOnly EndDate { get; set; }
    public string? Purpose { get; set; }
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>The delivery areas the partner works in under this agreement (<c>partner_agreement_area</c>).</summary>
    public IReadOnlyList<string> AreaCodes { get; set; } = [];

    /// <summary>Which reporting periods the partner reports on: <c>each-period</c>, <c>final-period</c> or <c>none</c>.</summary>
    public string ReturnsDue { get; set; } = "each-period";

    /// <summary>Days after a period ends that its return is due.</summary>
    public int ReturnLagDays { get; set; } = 30;

    /// <summary>The payment schedule, by due date (<c>partner_instalment</c>).</summary>
    public IReadOnlyList<PartnerInstalment> Instalments { get; set; } = [];
}

/// <summary>One scheduled payment to a partner, and the live transaction that paid it (if any).</summary>
public sealed class PartnerInstalment
{
    public long Id { get; set; }
    public long AgreementId { get; set; }
    public DateOnly DueDate { get; set; }
    public long AmountPence { get; set; }
    public long? PaidByTransactionId { get; set; }
}

public sealed record PartnerAgreementFilter(long? GrantId = null, long? PartnerId = null);

public static class PartnerAgreementStore
{
    private const string Columns = "id, grant_id, partner_id, amount_pence, start_date, end_date, purpose, returns_due, return_lag_days, version, created_at, updated_at";

    private const string Filter = """
        WHERE (@GrantId IS NULL OR grant_id = @GrantId)
          AND (@PartnerId IS NULL OR partner_id = @PartnerId)
        """;

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM partner_agreement WHERE id = @Id");
    internal static readonly Sql SelectPage = Sql.Paged($"SELECT {Columns} FROM partner_agreement {Filter} ORDER BY id");
    internal static readonly Sql CountFiltered = Sql.Common($"SELECT COUNT(*) FROM partner_agreement {Filter}");

    internal static readonly Sql SumForGrant = Sql.Common("""
        SELECT COALESCE(SUM(amount_pence), 0) FROM partner_agreement
        WHERE grant_id = @GrantId AND (@ExcludeId IS NULL OR id <> @ExcludeId)
        """);

    internal static readonly Sql CountForGrantAndPartner = Sql.Common(
        "SELECT COUNT(*) FROM partner_agreement WHERE grant_id = @GrantId AND partner_id = @PartnerId");

    internal static readonly Sql Insert = Sql.InsertReturningId("""
        INSERT INTO partner_agreement (grant_id, partner_id, amount_pence, start_date, end_date, purpose, returns_due, return_lag_days, version, created_at, updated_at)
        VALUES (@GrantId, @PartnerId, @AmountPence, @StartDate, @EndDate, @Purpose, @ReturnsDue, @ReturnLagDays, 1, @At, @At)
        """);

    internal static readonly Sql Update = Sql.Common("""
        UPDATE partner_agreement
        SET grant_id = @GrantId, partner_id = @PartnerId, amount_pence = @AmountPence, start_date = @StartDate,
            end_date = @EndDate, purpose = @Purpose, returns_due = @ReturnsDue, return_lag_days = @ReturnLagDays, version = version + 1, updated_at = @At
        WHERE id = @Id AND version = @ExpectedVersion
        """);

    internal static readonly Sql Delete = Sql.Common("DELETE FROM partner_agreement WHERE id = @Id AND version = @ExpectedVersion");

    internal static readonly Sql DependentCount = Sql.Common("""
        SELECT (SELECT COUNT(*) FROM spend_transaction t JOIN partner_instalment i ON i.id = t.instalment_id WHERE i.agreement_id = @Id)
             + (SELECT COUNT(*) FROM partner_return WHERE agreement_id = @Id)
             + (SELECT COUNT(*) FROM partner_return_link WHERE agreement_id = @Id)
        """);

    /// <summary>Payments linked to its instalments, returns and links: an agreement with any cannot be deleted.</summary>
    public static Task<long> DependentCountAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(DependentCount, new { Id = id }, cancellationToken);

    /// <summary>The agreement with its delivery areas.</summary>
    public static async Task<PartnerAgreement?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default)
    {
        var agreement = await session.QuerySingleOrDefaultAsync<PartnerAgreement>(SelectOne, new { Id = id }, cancellationToken);
        if (agreement is not null)
        {
            agreement.AreaCodes = await DeliveryAreaStore.ForAgreementAsync(session, id, cancellationToken);
            agreement.Instalments = await InstalmentStore.ForAgreementAsync(session, id, cancellationToken);
        }

        return agreement;
    }

    public static async Task<Page<PartnerAgreement>> ListAsync(DbSession session, PartnerAgreementFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new { filter.GrantId, filter.PartnerId, page.Offset, page.Limit };
        var items = (await session.QueryAsync<PartnerAgreement>(SelectPage, parameters, cancellationToken)).ToList();
        var areas = await DeliveryAreaStore.ForAgreementsAsync(session, cancellationToken);
        var instalments = (await session.QueryAsync<PartnerInstalment>(InstalmentStore.ForFilteredAgreements, parameters, cancellationToken)).ToLookup(i => i.AgreementId);
        foreach (var agreement in items)
        {
            agreement.AreaCodes = [.. areas[agreement.Id]];
            agreement.Instalments = [.. instalments[agreement.Id]];
        }

        var total = await session.ExecuteScalarAsync<long>(CountFiltered, parameters, cancellationToken);
        return new Page<PartnerAgreement>(items, page.Page, page.PageSize, total);
    }

    /// <summary>The sum of a grant's agreements, leaving out <paramref name="excludeId"/> (the one being replaced).</summary>
    public static Task<long> SumForGrantAsync(DbSession session, long grantId, long? excludeId, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(SumForGrant, new { GrantId = grantId, ExcludeId = excludeId }, cancellationToken);

    /// <summary>True when the partner has an agreement on the grant.</summary>
    public static async Task<bool> ExistsAsync(DbSession session, long grantId, long partnerId, CancellationToken cancellationToken = default) =>
        await session.ExecuteScalarAsync<long>(CountForGrantAndPartner, new { GrantId = grantId, PartnerId = partnerId }, cancellationToken) > 0;

    /// <summary>Inserts the agreement and its delivery areas.</summary>
    public static async Task<long> InsertAsync(DbSession session, PartnerAgreement agreement, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var id = await session.ExecuteScalarAsync<long>(Insert, Parameters(agreement, change, 0), cancellationToken);
        await DeliveryAreaStore.ReplaceForAgreementAsync(session, id, agreement.AreaCodes, cancellationToken);
        await InstalmentStore.ReplaceAsync(session, id, agreement.Instalments, cancellationToken);
        return id;
    }

    /// <summary>Replaces the agreement and its delivery areas; false when missing or at another version.</summary>
    public static async Task<bool> UpdateAsync(DbSession session, long id, int expectedVersion, PartnerAgreement agreement, ChangeContext change, CancellationToken cancellationToken = default)
    {
        agreement.Id = id;
        if (await session.ExecuteAsync(Update, Parameters(agreement, change, expectedVersion), cancellationToken) != 1)
        {
            return false;
        }

        await DeliveryAreaStore.ReplaceForAgreementAsync(session, id, agreement.AreaCodes, cancellationToken);
        await InstalmentStore.ReplaceAsync(session, id, agreement.Instalments, cancellationToken);
        return true;
    }

    public static async Task<bool> DeleteAsync(DbSession session, long id, int expectedVersion, CancellationToken cancellationToken = default) =>
        await session.ExecuteAsync(Delete, new { Id = id, ExpectedVersion = expectedVersion }, cancellationToken) == 1;

    private static object Parameters(PartnerAgreement agreement, ChangeContext change, int expectedVersion) => new
    {
        agreement.Id,
        agreement.GrantId,
        agreement.PartnerId,
        agreement.AmountPence,
        agreement.StartDate,
        agreement.EndDate,
        agreement.Purpose,
        agreement.ReturnsDue,
        agreement.ReturnLagDays,
        change.At,
        ExpectedVersion = expectedVersion,
    };
}

/// <summary>What a person sends to record or change a partner agreement.</summary>
/// <param name="AreaCodes">The delivery areas of the work (among the grant's, when it names any); left out of a change, the agreement keeps its areas.</param>
public sealed record PartnerAgreementInput(
    long GrantId,
    long PartnerId,
    Money.Money Amount,
    DateOnly StartDate,
    DateOnly EndDate,
    [Text(2000, Multiline = true)] string? Purpose = null,
    [Items(44, ItemMaxLength = 20)] IReadOnlyList<string>? AreaCodes = null,
    [Items(PartnerAgreementInput.MaxInstalments)] IReadOnlyList<InstalmentInput>? Instalments = null,
    [Code("returns-due")] string ReturnsDue = "each-period",
    [WholeNumber(0, 366)] int ReturnLagDays = 30) : ICrossFieldRules
{
    public const int MaxInstalments = 120;

    public void Check(FieldErrors errors)
    {
        if (EndDate < StartDate)
        {
            errors.Add("endDate", "must not be before startDate");
        }

        for (var i = 0; i < (Instalments?.Count ?? 0); i++)
        {
            if (Instalments![i] is { } instalment && (instalment.DueDate < StartDate || instalment.DueDate > EndDate))
            {
                errors.Add($"instalments[{i}].dueDate", $"must be within the agreement's dates, {StartDate:yyyy-MM-dd} to {EndDate:yyyy-MM-dd}");
            }
        }
    }
}

/// <summary>One instalment of a payment schedule; <c>id</c> names one already scheduled (left out: a new one).</summary>
public sealed record InstalmentInput(DateOnly DueDate, [Amount(NonZero = true)] Money.Money Amount, long? Id = null);

public sealed record InstalmentView(long Id, DateOnly DueDate, decimal Amount, long? PaidByTransactionId);

public sealed record PartnerAgreementView(
    long Id, long GrantId, long PartnerId, decimal Amount, DateOnly StartDate, DateOnly EndDate, string? Purpose, IReadOnlyList<string> AreaCodes,
    IReadOnlyList<InstalmentView> Instalments, string ReturnsDue, int ReturnLagDays, int Version, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>Money a grant passes to a partner: within the grant's dates, and all of a grant's agreements within its award.</summary>
public sealed class PartnerAgreements :
    IRecordKind<PartnerAgreement, PartnerAgreementView>, IRecordable<PartnerAgreementInput, PartnerAgreementView>, IChangeable<PartnerAgreementInput, PartnerAgreementView>, IDeletable<PartnerAgreementView>
{
    private const string AuditName = "partner-agreement";

    private PartnerAgreements()
    {
    }

    public static string Entity => "partner agreement";

    public static Task<PartnerAgreement?> LoadAsync(DbSession session, long id, CancellationToken cancellationToken) => PartnerAgreementStore.GetAsync(session, id, cancellationToken);

    public static PartnerAgreementView View(PartnerAgreement a) => new(a.Id, a.GrantId, a.PartnerId, Money.Money.ToPounds(a.AmountPence), a.StartDate, a.EndDate, a.Purpose, a.AreaCodes,
        a.Instalments.Select(i => new InstalmentView(i.Id, i.DueDate, Money.Money.ToPounds(i.AmountPence), i.PaidByTransactionId)).ToList(),
        a.ReturnsDue, a.ReturnLagDays, a.Version, a.CreatedAt, a.UpdatedAt);

    public static async Task<Outcome<Versioned<PartnerAgreementView>>> RecordAsync(DbSession session, PartnerAgreementInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var (checkedInput, shape) = RecordSteps.Shape(input);
        var proposed = Build(checkedInput, null);
        if (await RecordSteps.AllAtOnceAsync(shape, CheckAsync(session, proposed, null, cancellationToken)) is { } refused)
        {
            return refused;
        }

        var id = await PartnerAgreementStore.InsertAsync(session, proposed, change, cancellationToken);
        var created = (await PartnerAgreementStore.GetAsync(session, id, cancellationToken))!;
        return await RecordSteps.AuditedAsync(session, change, "create", AuditName, id, created.Version, null, View(created), cancellationToken);
    }

    public static async Task<Outcome<Versioned<PartnerAgreementView>>> ChangeAsync(DbSession session, long id, int? expectedVersion, PartnerAgreementInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await PartnerAgreementStore.GetAsync(session, id, cancellationToken);
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

        if (!await PartnerAgreementStore.UpdateAsync(session, id, current!.Version, proposed, change, cancellationToken))
        {
            return RecordSteps.NotWritten(await PartnerAgreementStore.GetAsync(session, id, cancellationToken), Entity, current.Version);
        }

        var updated = (await PartnerAgreementStore.GetAsync(session, id, cancellationToken))!;
        return await RecordSteps.AuditedAsync(session, change, "update", AuditName, id, updated.Version, View(current), View(updated), cancellationToken);
    }

    public static async Task<Outcome<PartnerAgreementView>> DeleteAsync(DbSession session, long id, int? expectedVersion, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await PartnerAgreementStore.GetAsync(session, id, cancellationToken);
        if (RecordSteps.AtVersion(current, Entity, id, expectedVersion) is { } missing)
        {
            return missing;
        }

        if (await PartnerAgreementStore.DependentCountAsync(session, id, cancellationToken) > 0)
        {
            return new Conflict("The agreement has payments against its instalments, partner returns or return links and cannot be deleted.");
        }

        if (!await PartnerAgreementStore.DeleteAsync(session, id, current!.Version, cancellationToken))
        {
            return RecordSteps.NotWritten(await PartnerAgreementStore.GetAsync(session, id, cancellationToken), Entity, current.Version);
        }

        var view = View(current);
        await AuditLog.WriteAsync(session, change, "delete", AuditName, id, view, null, cancellationToken);
        return Outcome<PartnerAgreementView>.Done(view);
    }

    private static PartnerAgreement Build(PartnerAgreementInput input, PartnerAgreement? current) => new()
    {
        GrantId = input.GrantId,
        PartnerId = input.PartnerId,
        AmountPence = input.Amount.Pence,
        StartDate = input.StartDate,
        EndDate = input.EndDate,
        Purpose = input.Purpose,
        AreaCodes = input.AreaCodes is { } codes ? DeliveryAreaStore.Normalise(codes) : current?.AreaCodes ?? [],
        Instalments = input.Instalments is { } schedule
            ? [.. schedule.Select(i => new PartnerInstalment { Id = i.Id ?? 0, DueDate = i.DueDate, AmountPence = i.Amount.Pence })
                .OrderBy(i => i.DueDate).ThenBy(i => i.Id)]
            : current?.Instalments ?? [],
        ReturnsDue = input.ReturnsDue,
        ReturnLagDays = input.ReturnLagDays,
    };

    /// <summary>
    /// Why <paramref name="codes"/> do not fit a grant working in <paramref name="grantAreas"/>, or null: a grant that
    /// names its areas holds its agreements and spend to them (a grant that names none holds them to nothing).
    /// </summary>
    public static string? OutsideGrantAreas(IEnumerable<string> codes, IReadOnlyList<string> grantAreas)
    {
        if (grantAreas.Count == 0)
        {
            return null;
        }

        var outside = codes.Where(c => !grantAreas.Contains(c)).ToList();
        return outside.Count == 0 ? null : $"{string.Join(", ", outside)} {(outside.Count == 1 ? "is" : "are")} not among the grant's delivery areas ({string.Join(", ", grantAreas)}): add {(outside.Count == 1 ? "it" : "them")} to the grant first";
    }

    /// <summary>
    /// A schedule adds up to the agreement to the penny, names only this agreement's instalments, and keeps every
    /// paid instalment as it was (its transaction paid that amount on that schedule).
    /// </summary>
    private static void CheckSchedule(PartnerAgreement proposed, PartnerAgreement? current, FieldErrors errors)
    {
        var existing = current?.Instalments.ToDictionary(i => i.Id) ?? [];
        foreach (var named in proposed.Instalments.Where(i => i.Id != 0 && !existing.ContainsKey(i.Id)))
        {
            errors.Add("instalments", $"instalment {named.Id} is not one of this agreement's: leave id out for a new instalment");
        }

        foreach (var paid in existing.Values.Where(i => i.PaidByTransactionId is not null))
        {
            var kept = proposed.Instalments.FirstOrDefault(i => i.Id == paid.Id);
            if (kept is null || kept.AmountPence != paid.AmountPence)
            {
                errors.Add("instalments", $"instalment {paid.Id} ({Money.Money.Format(paid.AmountPence)} due {paid.DueDate:yyyy-MM-dd}) was paid by transaction {paid.PaidByTransactionId}: keep it with its amount, or void that transaction first");
            }
            else
            {
                kept.PaidByTransactionId = paid.PaidByTransactionId;
            }
        }

        var scheduled = proposed.Instalments.Sum(i => i.AmountPence);
        if (proposed.Instalments.Count > 0 && scheduled != proposed.AmountPence)
        {
            errors.Add("instalments", $"must add up to the agreement's {Money.Money.Format(proposed.AmountPence)}; they add up to {Money.Money.Format(scheduled)} ({Money.Money.Format(Math.Abs(proposed.AmountPence - scheduled))} {(scheduled < proposed.AmountPence ? "short" : "over")})");
        }
    }

    private static async Task<Refusal?> CheckAsync(DbSession session, PartnerAgreement proposed, PartnerAgreement? current, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var grant = await GrantStore.GetForUpdateAsync(session, proposed.GrantId, cancellationToken);
        if (grant is null)
        {
            errors.Add("grantId", $"there is no grant with id {proposed.GrantId}");
        }
        else if (proposed.StartDate < grant.StartDate || proposed.EndDate > grant.EndDate)
        {
            errors.Add("startDate", $"the agreement must lie within the grant's dates, {Written.Date(grant.StartDate)} to {Written.Date(grant.EndDate)}");
        }

        if (await PartnerStore.GetAsync(session, proposed.PartnerId, cancellationToken) is null)
        {
            errors.Add("partnerId", $"there is no partner with id {proposed.PartnerId}");
        }

        await DeliveryAreaStore.CheckAsync(session, proposed.AreaCodes, "areaCodes", errors, cancellationToken);
        if (grant is not null && !errors.Has("areaCodes") && OutsideGrantAreas(proposed.AreaCodes, await DeliveryAreaStore.ForGrantAsync(session, grant.Id, cancellationToken)) is { } outside)
        {
            errors.Add("areaCodes", outside);
        }

        CheckSchedule(proposed, current, errors);
        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        // Only the other agreements of the grant count: when this one moves to another grant, none of the old grant's do.
        var excludeId = current is not null && current.GrantId == proposed.GrantId ? current.Id : (long?)null;
        var others = await PartnerAgreementStore.SumForGrantAsync(session, proposed.GrantId, excludeId, cancellationToken);
        var total = others + proposed.AmountPence;
        return total > grant!.AmountAwardedPence
            ? new BrokenControl(
                $"The grant's partner agreements would total {Money.Money.Format(total)}, more than its award of {Money.Money.Format(grant.AmountAwardedPence)} (by {Money.Money.Format(total - grant.AmountAwardedPence)}).",
                "amount",
                $"must be at most {Money.Money.Format(grant.AmountAwardedPence - others)}")
            : null;
    }
}

/// <summary>Partner agreements' payment schedules, and which live transaction paid each instalment.</summary>
public static class InstalmentStore
{
    private const string Select = """
        SELECT i.id, i.agreement_id, i.due_date, i.amount_pence,
               (SELECT MIN(t.id) FROM spend_transaction t WHERE t.instalment_id = i.id AND t.voided_at IS NULL) AS paid_by_transaction_id
        FROM partner_instalment i
        """;

    internal static readonly Sql ForAgreement = Sql.Common($"{Select} WHERE i.agreement_id = @Id ORDER BY i.due_date, i.id");

    /// <summary>The instalments of the agreements a list's filter selects (one query for a page of agreements).</summary>
    internal static readonly Sql ForFilteredAgreements = Sql.Common($"""
        {Select}
        WHERE i.agreement_id IN (SELECT id FROM partner_agreement WHERE (@GrantId IS NULL OR grant_id = @GrantId) AND (@PartnerId IS NULL OR partner_id = @PartnerId))
        ORDER BY i.due_date, i.id
        """);
    internal static readonly Sql One = Sql.Common($"{Select} WHERE i.id = @Id");
    internal static readonly Sql Insert = Sql.Common("INSERT INTO partner_instalment (agreement_id, due_date, amount_pence) VALUES (@AgreementId, @DueDate, @AmountPence)");
    internal static readonly Sql Update = Sql.Common("UPDATE partner_instalment SET due_date = @DueDate, amount_pence = @AmountPence WHERE id = @Id AND agreement_id = @AgreementId");
    internal static readonly Sql ForgetVoidedPayments = Sql.Common("UPDATE spend_transaction SET instalment_id = NULL WHERE instalment_id = @Id AND voided_at IS NOT NULL");
    internal static readonly Sql Delete = Sql.Common("DELETE FROM partner_instalment WHERE id = @Id AND agreement_id = @AgreementId");

    /// <summary>Unpaid instalments due before <c>@Today</c>, oldest first, with what a list of them shows.</summary>
    internal static readonly Sql Overdue = Sql.Common("""
        SELECT i.id, i.agreement_id, i.due_date, i.amount_pence, a.grant_id, g.reference AS grant_reference, a.partner_id, p.name AS partner_name
        FROM partner_instalment i
        JOIN partner_agreement a ON a.id = i.agreement_id
        JOIN grant_award g ON g.id = a.grant_id
        JOIN partner p ON p.id = a.partner_id
        WHERE i.due_date < @Today
          AND NOT EXISTS (SELECT 1 FROM spend_transaction t WHERE t.instalment_id = i.id AND t.voided_at IS NULL)
        ORDER BY i.due_date, i.id
        """);

    public static async Task<IReadOnlyList<PartnerInstalment>> ForAgreementAsync(DbSession session, long agreementId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<PartnerInstalment>(ForAgreement, new { Id = agreementId }, cancellationToken)).ToList();

    public static Task<PartnerInstalment?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<PartnerInstalment>(One, new { Id = id }, cancellationToken);

    /// <summary>Every unpaid instalment past its due date, across the portfolio.</summary>
    public static async Task<IReadOnlyList<OverdueInstalment>> OverdueAsync(DbSession session, DateOnly today, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<OverdueInstalment>(Overdue, new { Today = today }, cancellationToken)).ToList();

    /// <summary>Writes the schedule: named instalments changed in place, new ones added, the rest removed (only unpaid ones can be, as checked).</summary>
    public static async Task ReplaceAsync(DbSession session, long agreementId, IReadOnlyList<PartnerInstalment> schedule, CancellationToken cancellationToken = default)
    {
        var keep = schedule.Where(i => i.Id != 0).Select(i => i.Id).ToHashSet();
        foreach (var gone in (await ForAgreementAsync(session, agreementId, cancellationToken)).Where(i => !keep.Contains(i.Id)))
        {
            await session.ExecuteAsync(ForgetVoidedPayments, new { gone.Id }, cancellationToken);
            await session.ExecuteAsync(Delete, new { gone.Id, AgreementId = agreementId }, cancellationToken);
        }

        foreach (var instalment in schedule)
        {
            var parameters = new { instalment.Id, AgreementId = agreementId, instalment.DueDate, instalment.AmountPence };
            await session.ExecuteAsync(instalment.Id == 0 ? Insert : Update, parameters, cancellationToken);
        }
    }
}

/// <summary>An unpaid instalment past its due date.</summary>
public sealed class OverdueInstalment
{
    public long Id { get; set; }
    public long AgreementId { get; set; }
    public DateOnly DueDate { get; set; }
    public long AmountPence { get; set; }
    public long GrantId { get; set; }
    public string GrantReference { get; set; } = "";
    public long PartnerId { get; set; }
    public string PartnerName { get; set; } = "";
}
