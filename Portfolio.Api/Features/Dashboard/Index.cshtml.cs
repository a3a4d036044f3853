using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Periods;

namespace Portfolio.Api.Features.Dashboard;

/// <summary>
/// The dashboard: every live grant with its RAG, burn against time, figures to date and reports due; filtered by
/// programme area, funder, partner and delivery area; a programme lead's areas first; roll-ups by programme area,
/// funder, partner and delivery area.
/// </summary>
[Authorize(Policy = Policies.People)]
public sealed class IndexModel(Database database, TimeProvider clock, RagThresholds thresholds) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public long? ProgrammeAreaId { get; set; }

    [BindProperty(SupportsGet = true)]
    public long? FunderId { get; set; }

    [BindProperty(SupportsGet = true)]
    public long? PartnerId { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? AreaCode { get; set; }

    /// <summary>Grants per page of the table (a lead's areas first, then the largest variances); the figures above it cover all.</summary>
    public const int GrantsPerPage = 50;

    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Core.Burn.Dashboard View { get; private set; } = null!;

    public IReadOnlyList<DashboardGrant> GrantsOnPage { get; private set; } = [];

    public int Pages => Math.Max(1, (int)Math.Ceiling(View.Grants.Count / (double)GrantsPerPage));

    /// <summary>This dashboard's address at another page, keeping the filters.</summary>
    public string PageHref(int page) =>
        $"/?programmeAreaId={ProgrammeAreaId}&funderId={FunderId}&partnerId={PartnerId}&areaCode={Uri.EscapeDataString(AreaCode ?? "")}&page={page}";

    public DateOnly Today { get; private set; }

    public IReadOnlyList<ProgrammeArea> Areas { get; private set; } = [];

    public IReadOnlyList<Funder> Funders { get; private set; } = [];

    public IReadOnlyList<Partner> Partners { get; private set; } = [];

    public IReadOnlyList<DeliveryArea> DeliveryAreas { get; private set; } = [];

    /// <summary>Unpaid partner instalments past due, on the grants shown.</summary>
    public IReadOnlyList<OverdueInstalment> OverdueInstalments { get; private set; } = [];

    /// <summary>Partner returns past due and not submitted, on the grants shown.</summary>
    public IReadOnlyList<Core.PartnerReturns.OwedReturn> OverdueReturns { get; private set; } = [];

    public bool Filtered => ProgrammeAreaId is not null || FunderId is not null || PartnerId is not null || AreaCode is not null;

    public async Task OnGetAsync()
    {
        var cancellationToken = HttpContext.RequestAborted;
        Today = UkDate.Today(clock);
        await using var session = await database.OpenAsync(cancellationToken);
        var all = new PageRequest(1, PageRequest.MaxPageSize);
        Areas = (await ProgrammeAreaStore.ListAsync(session, all, cancellationToken)).Items;
        Funders = (await FunderStore.ListAsync(session, all, cancellationToken)).Items;
        Partners = (await PartnerStore.ListAsync(session, all, cancellationToken)).Items;
        DeliveryAreas = await DeliveryAreaStore.ListAsync(session, cancellationToken);
        AreaCode = DeliveryAreas.FirstOrDefault(a => string.Equals(a.Code, AreaCode?.Trim(), StringComparison.OrdinalIgnoreCase))?.Code;
        var yourAreas = User.IsInRole(Roles.ProgrammeLead) ? User.Areas()?.ToList() : null;
        View = await Dashboards.LoadAsync(session, new BurnFilter(FunderId, ProgrammeAreaId, null, PartnerId, AreaCode), Today, thresholds, yourAreas, cancellationToken);
        var shown = View.Grants.Select(g => g.Grant.Id).ToHashSet();
        OverdueInstalments = [.. (await InstalmentStore.OverdueAsync(session, Today, cancellationToken)).Where(i => shown.Contains(i.GrantId))];
        OverdueReturns = [.. (await Core.PartnerReturns.ReturnSchedule.OverdueAsync(session, Today, cancellationToken)).Where(r => shown.Contains(r.GrantId))];
        PageNumber = Math.Clamp(PageNumber, 1, Pages);
        GrantsOnPage = View.Grants.Skip((PageNumber - 1) * GrantsPerPage).Take(GrantsPerPage).ToList();
    }
}
