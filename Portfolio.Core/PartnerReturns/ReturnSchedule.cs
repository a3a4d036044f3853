using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Periods;

namespace Portfolio.Core.PartnerReturns;

/// <summary>A return a partner owes: for one agreement and reporting period, due some days after the period ends.</summary>
public sealed record ReturnDue(long AgreementId, DateOnly PeriodStart, DateOnly PeriodEnd, string PeriodLabel, DateOnly DueDate);

/// <summary>A return past its due date that is neither submitted nor accepted, with what a list of them shows.</summary>
public sealed record OverdueReturn(ReturnDue Due, long GrantId, string GrantReference, string PartnerName, string Status);

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

    internal static readonly Sql AgreementIds = Sql.Common("SELECT id FROM partner_agreement WHERE returns_due <> 'none' ORDER BY id");

    /// <summary>Every return past its due date at <paramref name="today"/> not yet submitted or accepted, oldest first.</summary>
    public static async Task<IReadOnlyList<OverdueReturn>> OverdueAsync(DbSession session, DateOnly today, CancellationToken cancellationToken = default)
    {
        var overdue = new List<OverdueReturn>();
        foreach (var id in await session.QueryAsync<long>(AgreementIds, cancellationToken: cancellationToken))
        {
            if (await LoadAsync(session, id, cancellationToken) is not { } loaded)
            {
                continue;
            }

            foreach (var due in loaded.Due.Where(d => d.DueDate < today))
            {
                var made = await PartnerReturns.ForPeriodAsync(session, id, due.PeriodStart, cancellationToken);
                if (made?.Status is not (ReturnStatus.Submitted or ReturnStatus.Accepted))
                {
                    var partner = (await PartnerStore.GetAsync(session, loaded.Agreement.PartnerId, cancellationToken))!;
                    var grant = (await GrantStore.GetAsync(session, loaded.Agreement.GrantId, cancellationToken))!;
                    overdue.Add(new OverdueReturn(due, grant.Id, grant.Reference, partner.Name, made?.Status ?? "not started"));
                }
            }
        }

        return [.. overdue.OrderBy(o => o.Due.DueDate).ThenBy(o => o.PartnerName, StringComparer.Ordinal)];
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
