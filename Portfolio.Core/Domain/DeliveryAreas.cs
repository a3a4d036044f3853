using Portfolio.Core.Data;
using Portfolio.Core.Operations;

namespace Portfolio.Core.Domain;

/// <summary>Where the work happens: a police force area of England and Wales (ONS code), or England and Wales as a whole.</summary>
public sealed class DeliveryArea
{
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string Country { get; set; } = "";
    public int SortOrder { get; set; }
}

/// <summary>The 44 delivery areas (migration 0014, reference data), and the areas grants and partner agreements name.</summary>
public static class DeliveryAreaStore
{
    /// <summary>England and Wales as a whole (ONS K04000001), for national work.</summary>
    public const string EnglandAndWales = "K04000001";

    internal static readonly Sql SelectAll = Sql.Common("SELECT code, name, country, sort_order FROM delivery_area ORDER BY sort_order, code");

    internal static readonly Sql GrantAreas = Sql.Common("SELECT area_code FROM grant_area WHERE grant_id = @Id ORDER BY area_code");
    internal static readonly Sql AllGrantAreas = Sql.Common("SELECT grant_id AS owner_id, area_code FROM grant_area");
    internal static readonly Sql DeleteGrantAreas = Sql.Common("DELETE FROM grant_area WHERE grant_id = @Id");
    internal static readonly Sql InsertGrantArea = Sql.Common("INSERT INTO grant_area (grant_id, area_code) VALUES (@Id, @AreaCode)");

    internal static readonly Sql AgreementAreas = Sql.Common("SELECT area_code FROM partner_agreement_area WHERE agreement_id = @Id ORDER BY area_code");
    internal static readonly Sql AllAgreementAreas = Sql.Common("SELECT agreement_id AS owner_id, area_code FROM partner_agreement_area");
    internal static readonly Sql DeleteAgreementAreas = Sql.Common("DELETE FROM partner_agreement_area WHERE agreement_id = @Id");
    internal static readonly Sql InsertAgreementArea = Sql.Common("INSERT INTO partner_agreement_area (agreement_id, area_code) VALUES (@Id, @AreaCode)");

    /// <summary>The areas of a partner's agreements on a grant (spend to that partner defaults to the one area, when there is one).</summary>
    internal static readonly Sql PartnerAreasOnGrant = Sql.Common("""
        SELECT DISTINCT aa.area_code
        FROM partner_agreement_area aa JOIN partner_agreement a ON a.id = aa.agreement_id
        WHERE a.grant_id = @GrantId AND a.partner_id = @PartnerId
        ORDER BY aa.area_code
        """);

    /// <summary>The areas of a grant still named by its agreements or its live spend (which the grant cannot drop).</summary>
    internal static readonly Sql AreasInUseOnGrant = Sql.Common("""
        SELECT aa.area_code FROM partner_agreement_area aa JOIN partner_agreement a ON a.id = aa.agreement_id WHERE a.grant_id = @Id
        UNION
        SELECT area_code FROM spend_transaction WHERE grant_id = @Id AND area_code IS NOT NULL AND voided_at IS NULL
        """);

    public static async Task<IReadOnlyList<DeliveryArea>> ListAsync(DbSession session, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<DeliveryArea>(SelectAll, cancellationToken: cancellationToken)).ToList();

    /// <summary>Adds a field error for each code that is not a delivery area, naming where the list is.</summary>
    public static async Task CheckAsync(DbSession session, IEnumerable<string> codes, string field, FieldErrors errors, CancellationToken cancellationToken = default)
    {
        var known = (await ListAsync(session, cancellationToken)).Select(a => a.Code).ToHashSet(StringComparer.Ordinal);
        Check(known, codes, field, errors);
    }

    /// <summary>As <see cref="CheckAsync"/> against codes already read (for many lines at once).</summary>
    public static void Check(IReadOnlySet<string> known, IEnumerable<string> codes, string field, FieldErrors errors)
    {
        foreach (var code in codes.Where(c => !known.Contains(c)).Distinct(StringComparer.Ordinal))
        {
            errors.Add(field, $"'{code}' is not a delivery area: use a police force area's ONS code (E23…, W15…) or {EnglandAndWales} for England and Wales (the delivery areas list names them all)");
        }
    }

    public static async Task<IReadOnlyList<string>> ForGrantAsync(DbSession session, long grantId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<string>(GrantAreas, new { Id = grantId }, cancellationToken)).ToList();

    public static async Task<IReadOnlyList<string>> ForAgreementAsync(DbSession session, long agreementId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<string>(AgreementAreas, new { Id = agreementId }, cancellationToken)).ToList();

    /// <summary>
    /// Every grant's areas, for a page of grants, in one query: a few rows per grant (44 areas at most), fewer
    /// round trips than one query per grant and no list parameter, which T-SQL has no syntax for.
    /// </summary>
    public static Task<ILookup<long, string>> ForGrantsAsync(DbSession session, CancellationToken cancellationToken = default) =>
        OwnedAsync(session, AllGrantAreas, cancellationToken);

    /// <summary>Every agreement's areas, for a page of agreements, in one query.</summary>
    public static Task<ILookup<long, string>> ForAgreementsAsync(DbSession session, CancellationToken cancellationToken = default) =>
        OwnedAsync(session, AllAgreementAreas, cancellationToken);

    public static Task ReplaceForGrantAsync(DbSession session, long grantId, IReadOnlyList<string> codes, CancellationToken cancellationToken = default) =>
        ReplaceAsync(session, DeleteGrantAreas, InsertGrantArea, grantId, codes, cancellationToken);

    public static Task ReplaceForAgreementAsync(DbSession session, long agreementId, IReadOnlyList<string> codes, CancellationToken cancellationToken = default) =>
        ReplaceAsync(session, DeleteAgreementAreas, InsertAgreementArea, agreementId, codes, cancellationToken);

    public static async Task<IReadOnlyList<string>> PartnerAreasOnGrantAsync(DbSession session, long grantId, long partnerId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<string>(PartnerAreasOnGrant, new { GrantId = grantId, PartnerId = partnerId }, cancellationToken)).ToList();

    public static async Task<IReadOnlySet<string>> InUseOnGrantAsync(DbSession session, long grantId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<string>(AreasInUseOnGrant, new { Id = grantId }, cancellationToken)).ToHashSet(StringComparer.Ordinal);

    /// <summary>The codes once each, in order: what a grant or agreement stores.</summary>
    public static IReadOnlyList<string> Normalise(IEnumerable<string> codes) =>
        codes.Select(c => c.Trim().ToUpperInvariant()).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private static async Task<ILookup<long, string>> OwnedAsync(DbSession session, Sql sql, CancellationToken cancellationToken) =>
        (await session.QueryAsync<OwnedArea>(sql, cancellationToken: cancellationToken))
            .OrderBy(r => r.AreaCode, StringComparer.Ordinal)
            .ToLookup(r => r.OwnerId, r => r.AreaCode);

    private static async Task ReplaceAsync(DbSession session, Sql delete, Sql insert, long ownerId, IReadOnlyList<string> codes, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync(delete, new { Id = ownerId }, cancellationToken);
        foreach (var code in codes)
        {
            await session.ExecuteAsync(insert, new { Id = ownerId, AreaCode = code }, cancellationToken);
        }
    }

    private sealed class OwnedArea
    {
        public long OwnerId { get; set; }
        public string AreaCode { get; set; } = "";
    }
}
