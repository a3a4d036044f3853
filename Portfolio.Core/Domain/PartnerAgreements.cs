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
}

public sealed record PartnerAgreementFilter(long? GrantId = null, long? PartnerId = null);

public static class PartnerAgreementStore
{
    private const string Columns = "id, grant_id, partner_id, amount_pence, start_date, end_date, purpose, version, created_at, updated_at";

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
        INSERT INTO partner_agreement (grant_id, partner_id, amount_pence, start_date, end_date, purpose, version, created_at, updated_at)
        VALUES (@GrantId, @PartnerId, @AmountPence, @StartDate, @EndDate, @Purpose, 1, @At, @At)
        """);

    internal static readonly Sql Update = Sql.Common("""
        UPDATE partner_agreement
        SET grant_id = @GrantId, partner_id = @PartnerId, amount_pence = @AmountPence, start_date = @StartDate,
            end_date = @EndDate, purpose = @Purpose, version = version + 1, updated_at = @At
        WHERE id = @Id AND version = @ExpectedVersion
        """);

    internal static readonly Sql Delete = Sql.Common("DELETE FROM partner_agreement WHERE id = @Id AND version = @ExpectedVersion");

    /// <summary>The agreement with its delivery areas.</summary>
    public static async Task<PartnerAgreement?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default)
    {
        var agreement = await session.QuerySingleOrDefaultAsync<PartnerAgreement>(SelectOne, new { Id = id }, cancellationToken);
        if (agreement is not null)
        {
            agreement.AreaCodes = await DeliveryAreaStore.ForAgreementAsync(session, id, cancellationToken);
        }

        return agreement;
    }

    public static async Task<Page<PartnerAgreement>> ListAsync(DbSession session, PartnerAgreementFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new { filter.GrantId, filter.PartnerId, page.Offset, page.Limit };
        var items = (await session.QueryAsync<PartnerAgreement>(SelectPage, parameters, cancellationToken)).ToList();
        var areas = await DeliveryAreaStore.ForAgreementsAsync(session, cancellationToken);
        foreach (var agreement in items)
        {
            agreement.AreaCodes = [.. areas[agreement.Id]];
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

public sealed record PartnerAgreementView(long Id, long GrantId, long PartnerId, decimal Amount, DateOnly StartDate, DateOnly EndDate, string? Purpose, IReadOnlyList<string> AreaCodes, int Version, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>Money a grant passes to a partner: within the grant's dates, and all of a grant's agreements within its award.</summary>
public static class PartnerAgreements
{
    public static readonly Resource<PartnerAgreement, PartnerAgreementInput, PartnerAgreementView> Resource = new()
    {
        Entity = "partner agreement",
        AuditName = "partner-agreement",
        Load = PartnerAgreementStore.GetAsync,
        Build = (input, current) => new PartnerAgreement
        {
            GrantId = input.GrantId,
            PartnerId = input.PartnerId,
            AmountPence = input.Amount.Pence,
            StartDate = input.StartDate,
            EndDate = input.EndDate,
            Purpose = input.Purpose,
            AreaCodes = input.AreaCodes is { } codes ? DeliveryAreaStore.Normalise(codes) : current?.AreaCodes ?? [],
        },
        Check = CheckAsync,
        Insert = PartnerAgreementStore.InsertAsync,
        Update = PartnerAgreementStore.UpdateAsync,
        Delete = PartnerAgreementStore.DeleteAsync,
        View = a => new PartnerAgreementView(a.Id, a.GrantId, a.PartnerId, Money.Money.ToPounds(a.AmountPence), a.StartDate, a.EndDate, a.Purpose, a.AreaCodes, a.Version, a.CreatedAt, a.UpdatedAt),
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

    private static async Task<Refusal?> CheckAsync(DbSession session, PartnerAgreement proposed, PartnerAgreement? current, PartnerAgreementInput input, ChangeContext change, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var grant = await GrantStore.GetForUpdateAsync(session, proposed.GrantId, cancellationToken);
        if (grant is null)
        {
            errors.Add("grantId", $"there is no grant with id {proposed.GrantId}");
        }
        else if (proposed.StartDate < grant.StartDate || proposed.EndDate > grant.EndDate)
        {
            errors.Add("startDate", $"the agreement must lie within the grant's dates, {grant.StartDate:yyyy-MM-dd} to {grant.EndDate:yyyy-MM-dd}");
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
