using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Periods;

namespace Portfolio.Api.Features.ReportRuns;

/// <summary>
/// Funder reports by state: drafts to approve, drafts that need a variance note, sent, failed, and overdue (ended
/// periods past their due date without a sent report, whether or not a run exists: the dashboard's count).
/// </summary>
[Authorize(Policy = Policies.People)]
public sealed class RunsPageModel(Database database, TimeProvider clock, RagThresholds thresholds) : PageModel
{
    public const int PageSize = 50;

    public static readonly IReadOnlyList<(string Show, string Text)> Views =
        [("drafts", "To approve"), ("needs-note", "Needs a note"), ("sent", "Sent"), ("failed", "Failed"), ("overdue", "Overdue"), ("all", "All")];

    [FromQuery(Name = "show")]
    public string Show { get; set; } = "drafts";

    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Page<ReportRun> Runs { get; private set; } = null!;

    /// <summary>For the overdue view: each overdue period with its grant and its run, if one was made.</summary>
    public IReadOnlyList<(GrantLine Grant, ReportDue Due, ReportRun? Run)> Overdue { get; private set; } = [];

    public IReadOnlyDictionary<long, Grant> Grants { get; private set; } = new Dictionary<long, Grant>();

    public DateOnly Today { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (Views.All(v => v.Show != Show))
        {
            return NotFound();
        }

        var cancellationToken = HttpContext.RequestAborted;
        Today = UkDate.Today(clock);
        PageNumber = Math.Max(1, PageNumber);
        await using var session = await database.OpenAsync(cancellationToken);
        if (Show == "overdue")
        {
            var dashboard = await Dashboards.LoadAsync(session, new BurnFilter(), Today, thresholds, null, cancellationToken);
            var list = new List<(GrantLine, ReportDue, ReportRun?)>();
            foreach (var g in dashboard.Grants.Where(g => g.Overdue.Count > 0))
            {
                var runs = (await ReportRunStore.ListAsync(session, new ReportRunFilter(g.Grant.Id), new PageRequest(1, PageRequest.MaxPageSize), cancellationToken)).Items;
                list.AddRange(g.Overdue.Select(due => (g.Grant, due, runs.FirstOrDefault(r => r.PeriodStart == due.PeriodStart && r.Status is not ("superseded" or "cancelled")))));
            }

            Overdue = list.OrderBy(o => o.Item2.DueDate).ToList();
            Runs = new Page<ReportRun>([], 1, PageSize, 0);
            return Page();
        }

        var filter = Show switch
        {
            "drafts" => new ReportRunFilter(Status: "draft", Today: Today, NeedsNote: false),
            "needs-note" => new ReportRunFilter(Status: "draft", Today: Today, NeedsNote: true),
            "sent" => new ReportRunFilter(Status: "sent", Today: Today),
            "failed" => new ReportRunFilter(Status: "failed", Today: Today),
            _ => new ReportRunFilter(Today: Today),
        };
        Runs = await ReportRunStore.ListAsync(session, filter, new PageRequest(PageNumber, PageSize), cancellationToken);
        var grants = new Dictionary<long, Grant>();
        foreach (var id in Runs.Items.Select(r => r.GrantId).Distinct())
        {
            if (await GrantStore.GetAsync(session, id, cancellationToken) is { } grant)
            {
                grants[id] = grant;
            }
        }

        Grants = grants;
        return Page();
    }

    public static string StatusTag(string status) => status switch
    {
        "draft" => "govuk-tag govuk-tag--blue",
        "approved" => "govuk-tag govuk-tag--turquoise",
        "sent" => "govuk-tag govuk-tag--green",
        "failed" => "govuk-tag govuk-tag--red",
        _ => "govuk-tag govuk-tag--grey",
    };
}
