using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Core.Operations;
using Portfolio.Core.Periods;

namespace Portfolio.Core.Domain;

/// <summary>Actual spend against a grant. Never deleted: corrected by a reversing entry or voided with a reason.</summary>
public sealed class SpendTransaction : IVersioned
{
    public long Id { get; set; }
    public long GrantId { get; set; }
    public DateOnly TransactionDate { get; set; }
    public long AmountPence { get; set; }
    public string CategoryCode { get; set; } = "";
    public string Description { get; set; } = "";
    public long? PartnerId { get; set; }
    public string? SourceReference { get; set; }

    /// <summary>The delivery area the spend was in, if known.</summary>
    public string? AreaCode { get; set; }

    /// <summary>The partner agreement instalment this payment paid, if any.</summary>
    public long? InstalmentId { get; set; }
    public DateTime? VoidedAt { get; set; }
    public string? VoidedBy { get; set; }
    public string? VoidReason { get; set; }
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTime UpdatedAt { get; set; }
}

public sealed record TransactionFilter(
    long? GrantId = null,
    DateOnly? From = null,
    DateOnly? To = null,
    string? Category = null,
    long? PartnerId = null);

/// <summary>The live spend of a filtered list, and how many of its lines are void.</summary>
public sealed class SpendListTotal
{
    public long LivePence { get; set; }

    public long LiveLines { get; set; }

    public long VoidLines { get; set; }
}

public static class TransactionStore
{
    private const string Columns = """
        id, grant_id, transaction_date, amount_pence, category_code, description, partner_id, source_reference, area_code, instalment_id,
        voided_at, voided_by, void_reason, version, created_at, created_by, updated_at
        """;

    private const string Filter = """
        WHERE (@GrantId IS NULL OR grant_id = @GrantId)
          AND transaction_date >= COALESCE(@From, transaction_date)
          AND transaction_date <= COALESCE(@To, transaction_date)
          AND (@Category IS NULL OR category_code = @Category)
          AND (@PartnerId IS NULL OR partner_id = @PartnerId)
        """;

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM spend_transaction WHERE id = @Id");
    internal static readonly Sql SelectPage = Sql.Paged($"SELECT {Columns} FROM spend_transaction {Filter} ORDER BY transaction_date, id");
    internal static readonly Sql CountFiltered = Sql.Common($"SELECT COUNT(*) FROM spend_transaction {Filter}");

    internal static readonly Sql SumFiltered = Sql.Common($"""
        SELECT CAST(COALESCE(SUM(CASE WHEN voided_at IS NULL THEN amount_pence ELSE 0 END), 0) AS bigint) AS live_pence,
               CAST(COALESCE(SUM(CASE WHEN voided_at IS NULL THEN 1 ELSE 0 END), 0) AS bigint) AS live_lines,
               CAST(COALESCE(SUM(CASE WHEN voided_at IS NULL THEN 0 ELSE 1 END), 0) AS bigint) AS void_lines
        FROM spend_transaction {Filter}
        """);

    /// <summary>
    /// The columns a line of spend is recorded with, each beside the parameter a single write binds and the
    /// <c>import_row</c> column an import's set-based insert reads: one list, so the two inserts cannot drift apart.
    /// </summary>
    internal static readonly IReadOnlyList<(string Column, string Parameter, string ImportRow)> Recorded =
    [
        ("grant_id", "@GrantId", "grant_id"),
        ("transaction_date", "@TransactionDate", "txn_date"),
        ("amount_pence", "@AmountPence", "amount_pence"),
        ("category_code", "@CategoryCode", "category_code"),
        ("description", "@Description", "description"),
        ("partner_id", "@PartnerId", "partner_id"),
        ("source_reference", "@SourceReference", "source_reference"),
        ("area_code", "@AreaCode", "area_code"),
    ];

    /// <summary>The recorded columns, then what every insert adds: its version and who wrote it when.</summary>
    internal static string RecordedColumns => string.Join(", ", Recorded.Select(c => c.Column)) + ", version, created_at, created_by, updated_at";

    internal static readonly Sql Insert = Sql.InsertReturning($"""
        INSERT INTO spend_transaction ({RecordedColumns}, instalment_id)
        VALUES ({string.Join(", ", Recorded.Select(c => c.Parameter))}, 1, @At, @Actor, @At, @InstalmentId)
        """, Columns);

    internal static readonly Sql Update = Sql.Common("""
        UPDATE spend_transaction
        SET grant_id = @GrantId, transaction_date = @TransactionDate, amount_pence = @AmountPence,
            category_code = @CategoryCode, description = @Description, partner_id = @PartnerId,
            source_reference = @SourceReference, area_code = @AreaCode, instalment_id = @InstalmentId, version = version + 1, updated_at = @At
        WHERE id = @Id AND version = @ExpectedVersion AND voided_at IS NULL
        """);

    /// <summary>The first live line on the grant with the same accounts reference, date, amount and category, other than <c>@ExcludeId</c>.</summary>
    internal static readonly Sql SelectDuplicate = Sql.Common("""
        SELECT MIN(id) FROM spend_transaction
        WHERE grant_id = @GrantId AND source_reference = @SourceReference AND transaction_date = @TransactionDate
          AND amount_pence = @AmountPence AND category_code = @CategoryCode AND voided_at IS NULL
          AND (@ExcludeId IS NULL OR id <> @ExcludeId)
        """);

    internal static readonly Sql SumToPartner = Sql.Common("""
        SELECT COALESCE(SUM(amount_pence), 0) FROM spend_transaction
        WHERE grant_id = @GrantId AND partner_id = @PartnerId AND voided_at IS NULL AND transaction_date >= @From AND transaction_date <= @To
        """);

    internal static readonly Sql Void = Sql.Common("""
        UPDATE spend_transaction
        SET voided_at = @At, voided_by = @Actor, void_reason = @Reason, version = version + 1, updated_at = @At
        WHERE id = @Id AND version = @ExpectedVersion AND voided_at IS NULL
        """);

    public static Task<SpendTransaction?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<SpendTransaction>(SelectOne, new { Id = id }, cancellationToken);

    public static async Task<Page<SpendTransaction>> ListAsync(DbSession session, TransactionFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new { filter.GrantId, filter.From, filter.To, filter.Category, filter.PartnerId, page.Offset, page.Limit };
        var items = (await session.QueryAsync<SpendTransaction>(SelectPage, parameters, cancellationToken)).ToList();
        var total = await session.ExecuteScalarAsync<long>(CountFiltered, parameters, cancellationToken);
        return new Page<SpendTransaction>(items, page.Page, page.PageSize, total);
    }

    /// <summary>What a list of spend adds up to: live lines only (a void line counts in no total), and how many are void.</summary>
    public static async Task<SpendListTotal> TotalAsync(DbSession session, TransactionFilter filter, CancellationToken cancellationToken = default) =>
        await session.QuerySingleAsync<SpendListTotal>(SumFiltered, new { filter.GrantId, filter.From, filter.To, filter.Category, filter.PartnerId }, cancellationToken);

    /// <summary>Inserts a transaction and adds it to its month's spend total, in the caller's transaction.</summary>
    /// <summary>Inserts the line and adds it to its month's kept total; answers the row as stored (no read after the insert).</summary>
    public static async Task<SpendTransaction> InsertAsync(DbSession session, SpendTransaction transaction, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var stored = await session.QuerySingleAsync<SpendTransaction>(Insert, Parameters(transaction, change, 0), cancellationToken);
        await SpendTotals.AddAsync(session, transaction, +1, cancellationToken);
        return stored;
    }

    /// <summary>
    /// Replaces a transaction that is not voided, moving its amount between spend totals; false when missing, voided
    /// or at another version.
    /// </summary>
    public static async Task<bool> UpdateAsync(DbSession session, long id, int expectedVersion, SpendTransaction transaction, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var before = await GetAsync(session, id, cancellationToken);
        transaction.Id = id;
        if (before is null || await session.ExecuteAsync(Update, Parameters(transaction, change, expectedVersion), cancellationToken) != 1)
        {
            return false;
        }

        await SpendTotals.AddAsync(session, before, -1, cancellationToken);
        await SpendTotals.AddAsync(session, transaction, +1, cancellationToken);
        return true;
    }

    /// <summary>Voids a live transaction and takes it out of its spend total; false when missing, voided or at another version.</summary>
    public static async Task<bool> VoidAsync(DbSession session, long id, int expectedVersion, string reason, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var before = await GetAsync(session, id, cancellationToken);
        if (before is null || await session.ExecuteAsync(Void, new { Id = id, ExpectedVersion = expectedVersion, Reason = reason, change.At, change.Actor }, cancellationToken) != 1)
        {
            return false;
        }

        await SpendTotals.AddAsync(session, before, -1, cancellationToken);
        return true;
    }

    /// <summary>Live spend on a grant with a partner between two dates (both counted): what the partner was paid.</summary>
    public static Task<long> PaidToPartnerAsync(DbSession session, long grantId, long partnerId, DateOnly from, DateOnly to, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long>(SumToPartner, new { GrantId = grantId, PartnerId = partnerId, From = from, To = to }, cancellationToken);

    /// <summary>The id of a live line that duplicates <paramref name="transaction"/> (same grant, source reference, date, amount and category), or null.</summary>
    public static Task<long?> FindDuplicateAsync(DbSession session, SpendTransaction transaction, long? excludeId, CancellationToken cancellationToken = default) =>
        session.ExecuteScalarAsync<long?>(SelectDuplicate, new
        {
            transaction.GrantId,
            transaction.SourceReference,
            transaction.TransactionDate,
            transaction.AmountPence,
            transaction.CategoryCode,
            ExcludeId = excludeId,
        }, cancellationToken);

    private static object Parameters(SpendTransaction transaction, ChangeContext change, int expectedVersion) => new
    {
        transaction.Id,
        transaction.GrantId,
        transaction.TransactionDate,
        transaction.AmountPence,
        transaction.CategoryCode,
        transaction.Description,
        transaction.PartnerId,
        transaction.SourceReference,
        transaction.AreaCode,
        transaction.InstalmentId,
        change.At,
        change.Actor,
        ExpectedVersion = expectedVersion,
    };
}

/// <summary>What a person or an import sends to record or change spend.</summary>
/// <param name="ConfirmDuplicate">True to record a line that matches one already on the grant (same source reference, date, amount and category).</param>
/// <param name="InstalmentId">The instalment of the partner's agreement this payment pays (the same amount); left out of a change, kept.</param>
/// <param name="AreaCode">The delivery area of the spend; left out, a partner's spend takes its agreements' area when they name exactly one.</param>
public sealed record TransactionInput(
    long GrantId,
    DateOnly Date,
    [Amount(AllowNegative = true, NonZero = true)] Money.Money Amount,
    [Text(40)] string Category,
    [Text(500)] string Description,
    long? PartnerId,
    [Text(200)] string? SourceReference,
    bool ConfirmDuplicate = false,
    [Text(20)] string? AreaCode = null,
    long? InstalmentId = null);

/// <summary>Spend as people see it (and as the audit trail records it).</summary>
public sealed record TransactionView(
    long Id,
    long GrantId,
    DateOnly Date,
    decimal Amount,
    string Category,
    string Description,
    long? PartnerId,
    string? SourceReference,
    string? AreaCode,
    long? InstalmentId,
    bool Voided,
    DateTime? VoidedAt,
    string? VoidedBy,
    string? VoidReason,
    int Version,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime UpdatedAt);

/// <summary>
/// Recording, changing and voiding spend: the rules every caller gets. A line must fall within its grant's dates
/// and an open period, name a cost category and (for partner-grant spend) a partner with an agreement on the grant,
/// be dated no later than today (UK), and not repeat a line already recorded unless the caller confirms it.
/// </summary>
public sealed class Spend :
    IRecordKind<SpendTransaction, TransactionView>, IRecordable<TransactionInput, TransactionView>, IChangeable<TransactionInput, TransactionView>, IVoidable<TransactionView>
{
    private const string AuditName = "transaction";

    private Spend()
    {
    }

    public static string Entity => "transaction";

    public static Task<SpendTransaction?> LoadAsync(DbSession session, long id, CancellationToken cancellationToken) => TransactionStore.GetAsync(session, id, cancellationToken);

    public static TransactionView View(SpendTransaction t) => new(
        t.Id, t.GrantId, t.TransactionDate, Money.Money.ToPounds(t.AmountPence), t.CategoryCode, t.Description, t.PartnerId, t.SourceReference, t.AreaCode, t.InstalmentId,
        t.VoidedAt is not null, t.VoidedAt, t.VoidedBy, t.VoidReason, t.Version, t.CreatedAt, t.CreatedBy, t.UpdatedAt);

    public static async Task<Outcome<Versioned<TransactionView>>> RecordAsync(DbSession session, TransactionInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var (checkedInput, shape) = RecordSteps.Shape(input);
        var proposed = Build(checkedInput, null);
        if (await RecordSteps.AllAtOnceAsync(shape, CheckAsync(session, proposed, null, checkedInput.ConfirmDuplicate, change, cancellationToken)) is { } refused)
        {
            return refused;
        }

        var created = await TransactionStore.InsertAsync(session, proposed, change, cancellationToken);
        return await RecordSteps.AuditedAsync(session, change, "create", AuditName, created.Id, created.Version, null, View(created), cancellationToken);
    }

    public static async Task<Outcome<Versioned<TransactionView>>> ChangeAsync(DbSession session, long id, int? expectedVersion, TransactionInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await TransactionStore.GetAsync(session, id, cancellationToken);
        if (RecordSteps.AtVersion(current, Entity, id, expectedVersion) is { } missing)
        {
            return missing;
        }

        var (checkedInput, shape) = RecordSteps.Shape(input);
        var proposed = Build(checkedInput, current);
        if (await RecordSteps.AllAtOnceAsync(shape, CheckAsync(session, proposed, current, checkedInput.ConfirmDuplicate, change, cancellationToken)) is { } refused)
        {
            return refused;
        }

        if (!await TransactionStore.UpdateAsync(session, id, current!.Version, proposed, change, cancellationToken))
        {
            return RecordSteps.NotWritten(await TransactionStore.GetAsync(session, id, cancellationToken), Entity, current.Version);
        }

        var updated = (await TransactionStore.GetAsync(session, id, cancellationToken))!;
        return await RecordSteps.AuditedAsync(session, change, "update", AuditName, id, updated.Version, View(current), View(updated), cancellationToken);
    }

    /// <summary>Voids the line with a reason, unless its period is closed (money dated in a period already reported).</summary>
    public static async Task<Outcome<Versioned<TransactionView>>> VoidAsync(DbSession session, long id, int? expectedVersion, ReasonInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var current = await TransactionStore.GetAsync(session, id, cancellationToken);
        if (RecordSteps.AtVersion(current, Entity, id, expectedVersion) is { } missing)
        {
            return missing;
        }

        var (why, shape) = RecordSteps.Shape(input);
        if (shape.Any)
        {
            return shape.ToRefusal();
        }

        if (await ClosedPeriods.ClosedReasonAsync(session, current!.GrantId, current.TransactionDate, cancellationToken) is { } closed)
        {
            return new Conflict(closed);
        }

        if (!await TransactionStore.VoidAsync(session, id, current.Version, why.Reason, change, cancellationToken))
        {
            return RecordSteps.NotWritten(await TransactionStore.GetAsync(session, id, cancellationToken), Entity, current.Version);
        }

        var voided = (await TransactionStore.GetAsync(session, id, cancellationToken))!;
        return await RecordSteps.AuditedAsync(session, change, "void", AuditName, id, voided.Version, View(current), View(voided), cancellationToken);
    }

    private static SpendTransaction Build(TransactionInput input, SpendTransaction? current) => new()
    {
        GrantId = input.GrantId,
        TransactionDate = input.Date,
        AmountPence = input.Amount.Pence,
        CategoryCode = input.Category,
        Description = input.Description,
        PartnerId = input.PartnerId,
        SourceReference = input.SourceReference,
        AreaCode = input.AreaCode?.ToUpperInvariant()
            ?? (current is not null && current.GrantId == input.GrantId && current.PartnerId == input.PartnerId ? current.AreaCode : null),
        InstalmentId = input.InstalmentId
            ?? (current is not null && current.GrantId == input.GrantId && current.PartnerId == input.PartnerId ? current.InstalmentId : null),
    };

    /// <summary>A payment pays one instalment of the partner's agreement on the grant, of the same amount, not paid already.</summary>
    private static async Task CheckInstalmentAsync(DbSession session, SpendTransaction proposed, SpendTransaction? current, FieldErrors errors, CancellationToken cancellationToken)
    {
        if (proposed.InstalmentId is not { } instalmentId)
        {
            return;
        }

        var instalment = await InstalmentStore.GetAsync(session, instalmentId, cancellationToken);
        var agreement = instalment is null ? null : await PartnerAgreementStore.GetAsync(session, instalment.AgreementId, cancellationToken);
        if (instalment is null || agreement is null)
        {
            errors.Add("instalmentId", $"there is no instalment with id {instalmentId}");
        }
        else if (agreement.GrantId != proposed.GrantId || agreement.PartnerId != proposed.PartnerId)
        {
            errors.Add("instalmentId", $"instalment {instalmentId} is of partner {agreement.PartnerId}'s agreement on grant {agreement.GrantId}: name that partner and grant, or leave instalmentId out");
        }
        else if (instalment.AmountPence != proposed.AmountPence)
        {
            errors.Add("instalmentId", $"instalment {instalmentId} is {Money.Money.Format(instalment.AmountPence)}: a payment of {Money.Money.Format(proposed.AmountPence)} does not pay it");
        }
        else if (instalment.PaidByTransactionId is { } paidBy && paidBy != current?.Id)
        {
            errors.Add("instalmentId", $"instalment {instalmentId} was paid already, by transaction {paidBy}");
        }
    }

    private static async Task<Refusal?> CheckAsync(DbSession session, SpendTransaction proposed, SpendTransaction? current, bool confirmDuplicate, ChangeContext change, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var controls = new FinanceControls();
        var closed = new List<string>();
        var grant = await GrantBooks.LoadForUpdateAsync(session, proposed.GrantId, cancellationToken: cancellationToken);
        if (grant is null)
        {
            errors.Add("grantId", $"there is no grant with id {proposed.GrantId}");
        }

        await CostCategoryStore.CheckAsync(session, proposed.CategoryCode, "category", errors, cancellationToken);
        if (proposed.PartnerId is { } partnerId && await PartnerStore.GetAsync(session, partnerId, cancellationToken) is null)
        {
            errors.Add("partnerId", $"there is no partner with id {partnerId}");
        }

        if (current is not null)
        {
            // A line already in a closed period cannot be moved out of it, nor changed in it.
            var was = current.GrantId == proposed.GrantId ? grant : await GrantBooks.LoadForUpdateAsync(session, current.GrantId, cancellationToken: cancellationToken);
            if (was?.ClosedReason(current.TransactionDate) is { } reason)
            {
                closed.Add(reason);
            }
        }

        if (grant is not null)
        {
            var partner = errors.Has("partnerId") ? null : proposed.PartnerId;
            if (proposed.AreaCode is null && partner is { } p)
            {
                proposed.AreaCode = MoneyRules.AreaOf(null, await DeliveryAreaStore.PartnerAreasOnGrantAsync(session, grant.Id, p, cancellationToken));
            }

            if (proposed.AreaCode is { } code)
            {
                await DeliveryAreaStore.CheckAsync(session, [code], "areaCode", errors, cancellationToken);
            }

            var moved = new Moved(
                Date: current is null || current.TransactionDate != proposed.TransactionDate,
                Partner: current is null || current.PartnerId != proposed.PartnerId || current.GrantId != proposed.GrantId,
                AmountUp: true);
            var hasAgreement = partner is not { } named || !moved.Partner || await PartnerAgreementStore.ExistsAsync(session, grant.Id, named, cancellationToken);
            MoneyRules.Into(
                MoneyRules.Spend(grant, proposed.TransactionDate, partner, hasAgreement, errors.Has("areaCode") ? null : proposed.AreaCode, change, moved),
                errors, controls, closed);
            await CheckInstalmentAsync(session, proposed, current, errors, cancellationToken);
        }

        if (grant is not null && !errors.Any && !confirmDuplicate && proposed.SourceReference is not null
            && await TransactionStore.FindDuplicateAsync(session, proposed, current?.Id, cancellationToken) is { } duplicate)
        {
            controls.Add("confirmDuplicate", $"A line already recorded on the grant has the same source reference, date, amount and category (transaction {duplicate}). If this is a second, separate line, confirm that and record it again.");
        }

        return controls.Refusal(errors) ?? (closed.Count > 0 ? new Conflict(closed[0]) : null);
    }
}
