using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Periods;

namespace Portfolio.Core.PartnerReturns;

/// <summary>A return a partner owes: for one agreement and reporting period, due some days after the period ends.</summary>
public sealed record ReturnDue(long AgreementId, DateOnly PeriodStart, DateOnly PeriodEnd, string PeriodLabel, DateOnly DueDate);

/// <summary>A return an agreement owes, with what a list of them shows, and where it stands.</summary>
public sealed record OwedReturn(ReturnDue Due, long GrantId, string GrantReference, string PartnerName, string? PartnerEmail, string Status)
{
    /// <summary>Neither submitted nor accepted: the partner still owes it.</summary>
    public bool Outstanding => Status is not (ReturnStatus.Submitted or ReturnStatus.Accepted);
}

/// <summary>The returns owed across the portfolio, and the grants left out because their stored data cannot be computed.</summary>
public sealed record OwedReturns(IReadOnlyList<OwedReturn> Returns, IReadOnlyList<FailedGrant> Failed);

/// <summary>Which returns an agreement's return cycle asks for: the grant's reporting periods the agreement runs in.</summary>
public static class ReturnSchedule
{
    /// <summary>
    /// Each period of <paramref name="grantPeriods"/> the agreement's dates touch (<c>each-period</c>), only the last of
    /// them (<c>final-period</c>), or none; each due <see cref="PartnerAgreement.ReturnLagDays"/> after the period ends.
    /// </summary>
    public static IReadOnlyList<ReturnDue> For(PartnerAgreement agreement, IReadOnlyList<ReportingPeriod> grantPeriods)
    {
        var periods = grantPeriods.Where(p => p.Start <= agreement.EndDate && p.End >= agreement.StartDate).ToList();
        var due = agreement.ReturnsDue switch
        {
            "none" => [],
            "final-period" => periods.TakeLast(1).ToList(),
            _ => periods,
        };
        return [.. due.Select(p => new ReturnDue(agreement.Id, p.Start, p.End, p.Label, p.End.AddDays(agreement.ReturnLagDays)))];
    }

    internal static readonly Sql AgreementsWithReturns = Sql.Common("""
        SELECT a.id, a.grant_id, a.partner_id, a.start_date, a.end_date, a.returns_due, a.return_lag_days,
               g.reference AS grant_reference, g.start_date AS grant_start, g.end_date AS grant_end, f.reporting_calendar,
               p.name AS partner_name, p.contact_email AS partner_email
        FROM partner_agreement a
        JOIN grant_award g ON g.id = a.grant_id
        JOIN funder f ON f.id = g.funder_id
        JOIN partner p ON p.id = a.partner_id
        WHERE a.returns_due <> 'none'
        ORDER BY a.id
        """);

    internal static readonly Sql ReturnStatuses = Sql.Common("SELECT agreement_id, period_start, status FROM partner_return");

    /// <summary>
    /// Every return every agreement owes, with where it stands (<c>not started</c> when the partner has saved
    /// nothing), in three queries whatever the number of agreements. An agreement whose grant's stored dates cannot be
    /// divided into periods is left out (and named in <see cref="OwedReturns.Failed"/>): one bad grant stops no list.
    /// </summary>
    public static async Task<OwedReturns> OwedAsync(DbSession session, CancellationToken cancellationToken = default)
    {
        var statuses = (await session.QueryAsync<StatusRow>(ReturnStatuses, cancellationToken: cancellationToken))
            .ToDictionary(r => (r.AgreementId, r.PeriodStart), r => r.Status);
        var owed = new List<OwedReturn>();
        var failed = new List<FailedGrant>();
        foreach (var a in await session.QueryAsync<AgreementRow>(AgreementsWithReturns, cancellationToken: cancellationToken))
        {
            IReadOnlyList<ReportingPeriod> periods;
            try
            {
                periods = GrantPeriods.PeriodsOf(a.GrantId, GrantPeriods.CalendarOf(a.GrantId, a.ReportingCalendar), a.GrantStart, a.GrantEnd);
            }
            catch (GrantDataException ex)
            {
                failed.Add(new FailedGrant(a.GrantId, a.GrantReference, ex.Message));
                continue;
            }

            var agreement = new PartnerAgreement { Id = a.Id, StartDate = a.StartDate, EndDate = a.EndDate, ReturnsDue = a.ReturnsDue, ReturnLagDays = a.ReturnLagDays };
            owed.AddRange(For(agreement, periods).Select(due => new OwedReturn(
                due, a.GrantId, a.GrantReference, a.PartnerName, a.PartnerEmail, statuses.GetValueOrDefault((a.Id, due.PeriodStart), "not started"))));
        }

        return new OwedReturns(owed, failed.DistinctBy(f => f.GrantId).ToList());
    }

    /// <summary>Every return past its due date at <paramref name="today"/> not yet submitted or accepted, oldest first.</summary>
    public static async Task<IReadOnlyList<OwedReturn>> OverdueAsync(DbSession session, DateOnly today, CancellationToken cancellationToken = default) =>
        [.. (await OwedAsync(session, cancellationToken)).Returns
            .Where(r => r.Due.DueDate < today && r.Outstanding)
            .OrderBy(r => r.Due.DueDate).ThenBy(r => r.PartnerName, StringComparer.Ordinal)];

    private sealed class AgreementRow
    {
        public long Id { get; set; }
        public long GrantId { get; set; }
        public long PartnerId { get; set; }
        public DateOnly StartDate { get; set; }
        public DateOnly EndDate { get; set; }
        public string ReturnsDue { get; set; } = "";
        public int ReturnLagDays { get; set; }
        public string GrantReference { get; set; } = "";
        public DateOnly GrantStart { get; set; }
        public DateOnly GrantEnd { get; set; }
        public string ReportingCalendar { get; set; } = "";
        public string PartnerName { get; set; } = "";
        public string? PartnerEmail { get; set; }
    }

    private sealed class StatusRow
    {
        public long AgreementId { get; set; }
        public DateOnly PeriodStart { get; set; }
        public string Status { get; set; } = "";
    }

    /// <summary>The agreement, its grant's periods and the returns it owes; null when there is no such agreement.</summary>
    public static async Task<(PartnerAgreement Agreement, IReadOnlyList<ReturnDue> Due)?> LoadAsync(DbSession session, long agreementId, CancellationToken cancellationToken = default)
    {
        if (await PartnerAgreementStore.GetAsync(session, agreementId, cancellationToken) is not { } agreement
            || await GrantPeriods.LoadAsync(session, agreement.GrantId, cancellationToken) is not { } grant)
        {
            return null;
        }

        return (agreement, For(agreement, grant.Periods));
    }
}
