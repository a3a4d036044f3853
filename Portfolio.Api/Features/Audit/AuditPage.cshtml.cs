using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.Audit;

/// <summary>
/// Admin: the audit log, newest first, filtered by record, with who did what and what changed; and a check of the
/// whole hash chain and its anchors (Core's <c>AuditLog.VerifyAsync</c>), as <c>GET /api/audit/verify</c> does;
/// and a recount of the kept totals: spend from the transactions (Core's <c>SpendTotals.CheckAsync</c>), budget from
/// each grant's current lines (<c>BudgetTotals.CheckAsync</c>).
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class AuditPageModel(Database database) : PageModel
{
    public const int PageSize = 50;

    [FromQuery(Name = "entity")]
    public string? Entity { get; set; }

    [FromQuery(Name = "entityId")]
    public string? EntityId { get; set; }

    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    [FromQuery(Name = "verify")]
    public bool Verify { get; set; }

    /// <summary>Recount the kept spend and budget totals and compare.</summary>
    [FromQuery(Name = "checkTotals")]
    public bool CheckTotals { get; set; }

    /// <summary>The buckets whose kept spend total differs from the recount (empty: all equal); null when not checked.</summary>
    public IReadOnlyList<Core.Burn.SpendTotalDifference>? TotalDifferences { get; private set; }

    /// <summary>The grants and periods whose kept budget differs from the recount (empty: all equal); null when not checked.</summary>
    public IReadOnlyList<Core.Burn.BudgetTotalDifference>? BudgetDifferences { get; private set; }

    /// <summary>The grants, partners and cost categories the totals check names, by reference and name rather than id.</summary>
    public Dictionary<long, string> GrantNames { get; } = [];

    public Dictionary<long, string> PartnerNames { get; } = [];

    public IReadOnlyDictionary<string, string> CategoryNames { get; private set; } = new Dictionary<string, string>();

    public Page<AuditEntry> Entries { get; private set; } = null!;

    public AuditVerification? Verification { get; private set; }

    public async Task OnGetAsync()
    {
        var cancellationToken = HttpContext.RequestAborted;
        PageNumber = Math.Max(1, PageNumber);
        var entity = Core.Operations.AuditEntities.All.Contains(Entity ?? "") ? Entity : null;
        Entity = entity;
        EntityId = string.IsNullOrWhiteSpace(EntityId) ? null : EntityId.Trim();
        await using var session = await database.OpenAsync(cancellationToken);
        Entries = await AuditLog.ListAsync(session, new AuditFilter(entity, EntityId, NewestFirst: true), new PageRequest(PageNumber, PageSize), cancellationToken);
        if (CheckTotals)
        {
            TotalDifferences = await Core.Burn.SpendTotals.CheckAsync(session, cancellationToken);
            BudgetDifferences = await Core.Burn.BudgetTotals.CheckAsync(session, cancellationToken);
            foreach (var grantId in TotalDifferences.Select(d => d.GrantId).Concat(BudgetDifferences.Select(d => d.GrantId)).Distinct())
            {
                GrantNames[grantId] = await GrantStore.GetAsync(session, grantId, cancellationToken) is { } grant ? $"{grant.Reference} {grant.Title}" : "a deleted grant";
            }

            foreach (var partnerId in TotalDifferences.Select(d => d.PartnerId).OfType<long>().Distinct())
            {
                PartnerNames[partnerId] = (await PartnerStore.GetAsync(session, partnerId, cancellationToken))?.Name ?? "a deleted partner";
            }

            if (TotalDifferences.Count > 0)
            {
                CategoryNames = (await CostCategoryStore.ListAsync(session, cancellationToken)).ToDictionary(c => c.Code, c => c.Name, StringComparer.Ordinal);
            }
        }

        if (Verify)
        {
            Verification = await AuditLog.VerifyAsync(session, null, cancellationToken);
        }
    }

    public string Query(int page) =>
        $"/admin/audit?entity={Uri.EscapeDataString(Entity ?? "")}&entityId={Uri.EscapeDataString(EntityId ?? "")}&page={page}";

    /// <summary>
    /// The record an entry is about, as people name it: a grant by reference and title, a funder, partner or area by
    /// name, a person by email, money by its amount and date; only a record with none of these by its kind and number.
    /// </summary>
    public static string Describe(AuditEntry entry)
    {
        var kind = char.ToUpperInvariant(entry.Entity[0]) + entry.Entity[1..].Replace('-', ' ');
        try
        {
            if ((entry.AfterJson ?? entry.BeforeJson) is not { } json)
            {
                return $"{kind} {entry.EntityId}";
            }

            using var document = System.Text.Json.JsonDocument.Parse(json);
            if (document.RootElement is not { ValueKind: System.Text.Json.JsonValueKind.Object } record)
            {
                return $"{kind} {entry.EntityId}";
            }

            string? Text(string name) => record.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString() : null;
            if (Text("reference") is { } reference && Text("title") is { } title)
            {
                return $"{kind}: {reference} {title}";
            }

            if (Text("name") is { } name)
            {
                return $"{kind}: {name}";
            }

            if (Text("email") is { } email)
            {
                return $"{kind}: {email}";
            }

            if (record.TryGetProperty("amount", out var amount) && amount.ValueKind == System.Text.Json.JsonValueKind.Number
                && Text("date") is { } date && DateOnly.TryParse(date, System.Globalization.CultureInfo.InvariantCulture, out var on))
            {
                return $"{kind}: {Shared.Show.Money(Core.Money.Money.FromPounds(amount.GetDecimal()).Pence)} on {Shared.Show.Date(on)}";
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // an entry written before its record had a JSON view: named by kind and number
        }

        return $"{kind} {entry.EntityId}";
    }
}
