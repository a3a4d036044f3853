using System.Text.Json;
using System.Text.Json.Serialization;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Reports.Quarterly;

namespace Portfolio.Reports.OpenData;

/// <summary><c>Portfolio:OpenData</c>: the organisation's 360Giving publisher prefix (<c>360G-…</c>) and the licence it publishes under.</summary>
public sealed record OpenDataOptions(string? Prefix, string License = OpenDataOptions.DefaultLicense)
{
    public const string DefaultLicense = "https://creativecommons.org/licenses/by/4.0/";
}

public sealed record GivingPackage(
    IReadOnlyList<GivingGrant> Grants,
    string Version,
    string Title,
    string Description,
    string Issued,
    string Identifier,
    GivingPublisher Publisher,
    string License);

public sealed record GivingPublisher(string Name, string? Identifier);

public sealed record GivingGrant(
    string Id,
    string Title,
    string Description,
    string Currency,
    decimal AmountAwarded,
    decimal? AmountDisbursed,
    string AwardDate,
    IReadOnlyList<GivingDates> PlannedDates,
    IReadOnlyList<GivingOrganisation> RecipientOrganization,
    IReadOnlyList<GivingOrganisation> FundingOrganization,
    IReadOnlyList<GivingLocation>? BeneficiaryLocation,
    IReadOnlyList<GivingProgramme>? GrantProgramme,
    string? RegrantType,
    string? LocationScope,
    IReadOnlyList<string>? RelatedActivity,
    string DateModified);

public sealed record GivingDates(string StartDate, string EndDate, int Duration);

public sealed record GivingOrganisation(string Id, string Name, string? CharityNumber = null, string? CompanyNumber = null);

public sealed record GivingLocation(string Name, string? GeoCode, string? GeoCodeType, string CountryCode);

public sealed record GivingProgramme(string Title);

public enum GivingExportOutcome
{
    Ready,
    NoPrefix,
    NoGrants,
}

/// <summary>
/// The grants the organisation received and the sub-grants it made (partner agreements) in the 360Giving Data
/// Standard 1.4.3: one package, rendered as JSON here and as the standard's spreadsheet by
/// <see cref="ThreeSixtyGivingWorkbook"/>. Pipeline grants are not published (they are not yet awarded).
/// </summary>
public static class ThreeSixtyGiving
{
    public const string SchemaVersion = "1.4";

    /// <summary>
    /// The issue asks for <c>regrantType</c> on the sub-grants: each is a regrant of a funder's money to an end
    /// recipient, so they carry Common Regrant.
    /// </summary>
    public const string SubGrantRegrantType = "FRG010";

    /// <summary>The delivery area meaning all of England and Wales: no police force area code, the country instead.</summary>
    public const string EnglandAndWales = "K04000001";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    internal static readonly Sql Grants = Sql.Common("""
        SELECT g.id, g.reference, g.title, g.description, g.amount_awarded_pence, g.award_date, g.start_date, g.end_date, g.updated_at,
               f.name AS funder_name, f.org_identifier AS funder_org_id, f.id AS funder_id, pa.name AS programme_name
        FROM grant_award g
        JOIN funder f ON f.id = g.funder_id
        LEFT JOIN programme_area pa ON pa.id = g.programme_area_id
        WHERE g.status <> 'pipeline'
        ORDER BY g.id
        """);

    internal static readonly Sql SubGrants = Sql.Common("""
        SELECT a.id, a.grant_id, a.amount_pence, a.start_date, a.end_date, a.purpose, a.updated_at,
               p.id AS partner_id, p.name AS partner_name, p.org_identifier AS partner_org_id,
               (SELECT COALESCE(SUM(t.amount_pence), 0) FROM spend_transaction t
                WHERE t.grant_id = a.grant_id AND t.partner_id = a.partner_id AND t.voided_at IS NULL) AS paid_pence,
               (SELECT COUNT(*) FROM partner_agreement o WHERE o.grant_id = a.grant_id AND o.partner_id = a.partner_id) AS agreements_with_partner
        FROM partner_agreement a
        JOIN partner p ON p.id = a.partner_id
        JOIN grant_award g ON g.id = a.grant_id
        WHERE g.status <> 'pipeline'
        ORDER BY a.id
        """);

    /// <summary>The package for grants and sub-grants awarded from <paramref name="from"/> to <paramref name="to"/> (either open).</summary>
    public static async Task<(GivingExportOutcome Outcome, GivingPackage? Package)> BuildAsync(
        DbSession session, ReportOrganisation organisation, OpenDataOptions options, DateOnly? from, DateOnly? to, DateTime now, CancellationToken cancellationToken = default)
    {
        if (options.Prefix is not { Length: > 0 } prefix)
        {
            return (GivingExportOutcome.NoPrefix, null);
        }

        var areaNames = (await DeliveryAreaStore.ListAsync(session, cancellationToken)).ToDictionary(a => a.Code, a => a.Name, StringComparer.Ordinal);
        var grantAreas = await DeliveryAreaStore.ForGrantsAsync(session, cancellationToken);
        var agreementAreas = await DeliveryAreaStore.ForAgreementsAsync(session, cancellationToken);
        var us = new GivingOrganisation(OrgIdOf(organisation, prefix), organisation.Name, organisation.CharityNumber, organisation.CompanyNumber);
        bool InRange(DateOnly date) => (from is null || date >= from) && (to is null || date <= to);

        var grants = (await session.QueryAsync<GrantRow>(Grants, null, cancellationToken)).ToList();
        var published = new List<GivingGrant>();
        foreach (var g in grants.Where(g => InRange(g.AwardDate ?? g.StartDate)))
        {
            var areas = grantAreas[g.Id].ToList();
            published.Add(new GivingGrant(
                ReceivedId(prefix, g.Id),
                g.Title,
                g.Description ?? g.Title,
                Codes.Currency,
                Money(g.AmountAwardedPence),
                null,
                Date(g.AwardDate ?? g.StartDate),
                [Dates(g.StartDate, g.EndDate)],
                [us],
                [new GivingOrganisation(g.FunderOrgId ?? $"{prefix}-funder-{g.FunderId}", g.FunderName)],
                Locations(areas, areaNames),
                g.ProgrammeName is { } programme ? [new GivingProgramme(programme)] : null,
                null,
                Scope(areas),
                null,
                Stamp(g.UpdatedAt)));
        }

        var byId = grants.ToDictionary(g => g.Id);
        foreach (var a in (await session.QueryAsync<SubGrantRow>(SubGrants, null, cancellationToken)).Where(a => InRange(a.StartDate)))
        {
            var grant = byId[a.GrantId];
            var areas = agreementAreas[a.Id].ToList() is { Count: > 0 } own ? own : grantAreas[a.GrantId].ToList();
            published.Add(new GivingGrant(
                $"{prefix}-subgrant-{a.Id}",
                $"{a.PartnerName}: {grant.Title}",
                a.Purpose ?? $"Sub-grant to {a.PartnerName} from {grant.Title} ({grant.Reference}), funded by {grant.FunderName}.",
                Codes.Currency,
                Money(a.AmountPence),
                // What was paid is known per partner and grant; shown only where that is this agreement alone.
                a.AgreementsWithPartner == 1 ? Money(a.PaidPence) : null,
                Date(a.StartDate),
                [Dates(a.StartDate, a.EndDate)],
                [new GivingOrganisation(a.PartnerOrgId ?? $"{prefix}-partner-{a.PartnerId}", a.PartnerName)],
                [us],
                Locations(areas, areaNames),
                grant.ProgrammeName is { } programme ? [new GivingProgramme(programme)] : null,
                SubGrantRegrantType,
                Scope(areas),
                [ReceivedId(prefix, a.GrantId)],
                Stamp(a.UpdatedAt)));
        }

        if (published.Count == 0)
        {
            return (GivingExportOutcome.NoGrants, null);
        }

        var span = (from, to) switch
        {
            (null, null) => "all years",
            ({ } f, null) => $"awarded from {f:yyyy-MM-dd}",
            (null, { } t) => $"awarded to {t:yyyy-MM-dd}",
            ({ } f, { } t) => $"awarded {f:yyyy-MM-dd} to {t:yyyy-MM-dd}",
        };
        return (GivingExportOutcome.Ready, new GivingPackage(
            published,
            SchemaVersion,
            $"{organisation.Name}: grants received and made, {span}",
            $"Grants {organisation.Name} received from its funders and the sub-grants it made from them to partner organisations, {span}. Amounts in pounds sterling.",
            now.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            $"{prefix}-{now:yyyyMMddHHmmss}",
            new GivingPublisher(organisation.Name, us.Id),
            options.License));
    }

    public static byte[] ToJson(GivingPackage package) => JsonSerializer.SerializeToUtf8Bytes(package, Json);

    /// <summary>The org-id of the organisation: by charity number, else company number, else under its 360Giving prefix.</summary>
    public static string OrgIdOf(ReportOrganisation organisation, string prefix) =>
        organisation.CharityNumber is { Length: > 0 } charity ? $"GB-CHC-{charity}"
        : organisation.CompanyNumber is { Length: > 0 } company ? $"GB-COH-{company}"
        : $"{prefix}-organisation";

    public static string ReceivedId(string prefix, long grantId) => $"{prefix}-grant-{grantId}";

    private static IReadOnlyList<GivingLocation>? Locations(IReadOnlyList<string> codes, IReadOnlyDictionary<string, string> names) =>
        codes.Count == 0
            ? null
            : [.. codes.Select(code => code == EnglandAndWales
                ? new GivingLocation(names.GetValueOrDefault(code, "England and Wales"), null, null, "GB")
                : new GivingLocation(names.GetValueOrDefault(code, code), code, "PFA", "GB"))];

    /// <summary>National (GLS030) where the work covers England and Wales; otherwise left out (police force areas have no scope of their own in the codelist).</summary>
    private static string? Scope(IReadOnlyList<string> codes) => codes.Contains(EnglandAndWales) ? "GLS030" : null;

    private static GivingDates Dates(DateOnly start, DateOnly end) => new(Date(start), Date(end), Months(start, end));

    /// <summary>Whole months from the start to the day after the end (a year from 1 April to 31 March is 12), at least 1.</summary>
    public static int Months(DateOnly start, DateOnly end)
    {
        var after = end.AddDays(1);
        var months = ((after.Year - start.Year) * 12) + after.Month - start.Month - (after.Day < start.Day ? 1 : 0);
        return Math.Max(1, months);
    }

    private static decimal Money(long pence) => Core.Money.Money.ToPounds(pence);

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static string Stamp(DateTime at) => DateTime.SpecifyKind(at, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    private sealed class GrantRow
    {
        public long Id { get; set; }
        public string Reference { get; set; } = "";
        public string Title { get; set; } = "";
        public string? Description { get; set; }
        public long AmountAwardedPence { get; set; }
        public DateOnly? AwardDate { get; set; }
        public DateOnly StartDate { get; set; }
        public DateOnly EndDate { get; set; }
        public DateTime UpdatedAt { get; set; }
        public string FunderName { get; set; } = "";
        public string? FunderOrgId { get; set; }
        public long FunderId { get; set; }
        public string? ProgrammeName { get; set; }
    }

    private sealed class SubGrantRow
    {
        public long Id { get; set; }
        public long GrantId { get; set; }
        public long AmountPence { get; set; }
        public DateOnly StartDate { get; set; }
        public DateOnly EndDate { get; set; }
        public string? Purpose { get; set; }
        public DateTime UpdatedAt { get; set; }
        public long PartnerId { get; set; }
        public string PartnerName { get; set; } = "";
        public string? PartnerOrgId { get; set; }
        public long PaidPence { get; set; }
        public long AgreementsWithPartner { get; set; }
    }
}
