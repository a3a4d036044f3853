using System.Text.Json;
using System.Text.Json.Serialization;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Core.Imports;

/// <summary>An account (nominal) code's meaning: spend in a cost category, income, or nothing (bank, VAT control).</summary>
public sealed record AccountRule([Text(100)] string Code, [Text(20)] string Kind, [Text(40)] string? Category = null);

/// <summary>A tracking category, class or department value's grant, and optionally the partner its spend is for.</summary>
public sealed record TrackingRule([Text(200)] string Value, long GrantId, long? PartnerId = null, [Text(20)] string? AreaCode = null);

/// <summary>
/// The import rules as finance keeps them (<c>PUT /api/import-mappings</c>). <c>generic</c> is a list of at most one
/// mapping of a generic CSV's columns (empty: none), as inputs hold lists of objects, not single nested objects.
/// </summary>
public sealed record ImportRulesInput([Items(5000)] IReadOnlyList<AccountRule> Accounts, [Items(5000)] IReadOnlyList<TrackingRule> Tracking, [Items(1)] IReadOnlyList<GenericColumns>? Generic = null);

internal sealed record StoredRules(IReadOnlyList<AccountRule> Accounts, IReadOnlyList<TrackingRule> Tracking, GenericColumns? Generic);

/// <summary>The rules in force, at their version (0 before any are saved).</summary>
public sealed record ImportRulesView(int Version, IReadOnlyList<AccountRule> Accounts, IReadOnlyList<TrackingRule> Tracking, GenericColumns? Generic, DateTime? SavedAt, string? SavedBy)
{
    public static readonly ImportRulesView None = new(0, [], [], null, null, null);
}

public static class AccountKinds
{
    public const string Spend = "spend";
    public const string Income = "income";
    public const string Ignore = "ignore";
    public static readonly IReadOnlyList<string> All = [Spend, Income, Ignore];
}

/// <summary>
/// The rules that turn an export's rows into spend and income: versioned (each save adds a version; the newest is in
/// force) and audited. A tracking value with no rule maps to the grant whose reference it equals.
/// </summary>
public static class ImportRules
{
    internal static readonly Sql SelectCurrent = Sql.Paged("SELECT version_number, rules_json, created_at, created_by FROM import_mapping ORDER BY version_number DESC");

    internal static readonly Sql Insert = Sql.Common("""
        INSERT INTO import_mapping (version_number, rules_json, created_at, created_by) VALUES (@Version, @Json, @At, @Actor)
        """);

    internal static readonly Sql GrantIds = Sql.Common("SELECT id FROM grant_award");

    internal static readonly Sql PartnerIds = Sql.Common("SELECT id FROM partner");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public static async Task<ImportRulesView> GetAsync(DbSession session, CancellationToken cancellationToken = default)
    {
        var row = (await session.QueryAsync<Row>(SelectCurrent, new { Offset = 0, Limit = 1 }, cancellationToken)).FirstOrDefault();
        if (row is null)
        {
            return ImportRulesView.None;
        }

        var input = JsonSerializer.Deserialize<StoredRules>(row.RulesJson, Json)!;
        return new ImportRulesView(row.VersionNumber, input.Accounts, input.Tracking, input.Generic, row.CreatedAt, row.CreatedBy);
    }

    /// <summary>Saves the rules as a new version, at <paramref name="expectedVersion"/> (0: none saved yet; null: whatever is current).</summary>
    public static async Task<Outcome<ImportRulesView>> SetAsync(DbSession session, int? expectedVersion, ImportRulesInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        if (change.Areas is not null)
        {
            return new Forbidden("Import rules are kept by finance: a programme lead cannot change them.");
        }

        var current = await GetAsync(session, cancellationToken);
        if (expectedVersion is { } expected && expected != current.Version)
        {
            return new StaleVersion(current.Version);
        }

        var errors = await CheckAsync(session, input, cancellationToken);
        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        var saved = new StoredRules(
            [.. input.Accounts.Select(a => a with { Code = a.Code.Trim(), Kind = a.Kind.Trim().ToLowerInvariant(), Category = a.Kind.Trim().ToLowerInvariant() == AccountKinds.Spend ? a.Category?.Trim() : null })],
            [.. input.Tracking.Select(t => t with { Value = t.Value.Trim(), AreaCode = t.AreaCode?.Trim().ToUpperInvariant() })],
            input.Generic?.FirstOrDefault());
        var version = current.Version + 1;
        await session.ExecuteAsync(Insert, new { Version = version, Json = JsonSerializer.Serialize(saved, Json), change.At, change.Actor }, cancellationToken);
        var view = new ImportRulesView(version, saved.Accounts, saved.Tracking, saved.Generic, change.At, change.Actor);
        await AuditLog.WriteAsync(session, change, "update", "import-mapping", version, current.Version == 0 ? null : current, view, cancellationToken);
        return Outcome<ImportRulesView>.Done(view);
    }

    private static async Task<FieldErrors> CheckAsync(DbSession session, ImportRulesInput input, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var categories = await CostCategoryStore.ListAsync(session, cancellationToken);
        var grants = (await session.QueryAsync<long>(GrantIds, cancellationToken: cancellationToken)).ToHashSet();
        var partners = (await session.QueryAsync<long>(PartnerIds, cancellationToken: cancellationToken)).ToHashSet();
        var areas = (await DeliveryAreaStore.ListAsync(session, cancellationToken)).Select(a => a.Code).ToHashSet(StringComparer.Ordinal);
        var codes = new HashSet<string>();
        for (var i = 0; i < (input.Accounts.Count); i++)
        {
            var rule = input.Accounts[i];
            var field = $"accounts[{i}]";
            if (rule is null)
            {
                errors.Add(field, "must be an object with code and kind");
                continue;
            }

            if (string.IsNullOrWhiteSpace(rule.Code) || rule.Code.Trim().Length > 100)
            {
                errors.Add($"{field}.code", "must be an account code of 1 to 100 characters");
            }
            else if (!codes.Add(ExportValues.Key(rule.Code)))
            {
                errors.Add($"{field}.code", $"account {rule.Code.Trim()} has a rule already: one rule per account");
            }

            var kind = rule.Kind?.Trim().ToLowerInvariant();
            if (kind is null || !AccountKinds.All.Contains(kind))
            {
                errors.Add($"{field}.kind", $"must be one of {string.Join(", ", AccountKinds.All)}");
            }
            else if (kind == AccountKinds.Spend)
            {
                if (string.IsNullOrWhiteSpace(rule.Category))
                {
                    errors.Add($"{field}.category", "must name the cost category of this account's spend");
                }
                else
                {
                    CostCategoryStore.Check(categories, rule.Category.Trim(), $"{field}.category", errors);
                }
            }
            else if (rule.Category is not null)
            {
                errors.Add($"{field}.category", $"must be left out: only spend accounts have a cost category, and this account's kind is {kind}");
            }
        }

        var values = new HashSet<string>();
        for (var i = 0; i < (input.Tracking.Count); i++)
        {
            var rule = input.Tracking[i];
            var field = $"tracking[{i}]";
            if (rule is null)
            {
                errors.Add(field, "must be an object with value and grantId");
                continue;
            }

            if (string.IsNullOrWhiteSpace(rule.Value) || rule.Value.Trim().Length > 200)
            {
                errors.Add($"{field}.value", "must be a tracking value of 1 to 200 characters");
            }
            else if (!values.Add(ExportValues.Key(rule.Value)))
            {
                errors.Add($"{field}.value", $"'{rule.Value.Trim()}' has a rule already: one rule per tracking value");
            }

            if (!grants.Contains(rule.GrantId))
            {
                errors.Add($"{field}.grantId", $"there is no grant with id {rule.GrantId}");
            }

            if (rule.PartnerId is { } partner && !partners.Contains(partner))
            {
                errors.Add($"{field}.partnerId", $"there is no partner with id {partner}");
            }

            if (rule.AreaCode is { } area)
            {
                DeliveryAreaStore.Check(areas, [area.Trim().ToUpperInvariant()], $"{field}.areaCode", errors);
            }
        }

        if (input.Generic?.FirstOrDefault() is { } generic)
        {
            if (string.IsNullOrWhiteSpace(generic.Date))
            {
                errors.Add("generic[0].date", "must name the column that holds each line's date");
            }

            if (string.IsNullOrWhiteSpace(generic.Account))
            {
                errors.Add("generic[0].account", "must name the column that holds each line's account code");
            }

            var signed = !string.IsNullOrWhiteSpace(generic.Amount);
            var split = !string.IsNullOrWhiteSpace(generic.Debit) && !string.IsNullOrWhiteSpace(generic.Credit);
            if (signed == split)
            {
                errors.Add("generic[0].amount", "name either one signed amount column (amount) or both debit and credit columns, not both ways");
            }

            if (generic.Tracking is null || generic.Tracking.Count == 0 || generic.Tracking.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add("generic[0].tracking", "must name at least one column that holds the grant's tracking value");
            }
        }

        return errors;
    }

    private sealed class Row
    {
        public int VersionNumber { get; set; }
        public string RulesJson { get; set; } = "";
        public DateTime CreatedAt { get; set; }
        public string CreatedBy { get; set; } = "";
    }
}
