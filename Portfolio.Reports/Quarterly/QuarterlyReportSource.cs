using Portfolio.Core.Burn;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Results;

namespace Portfolio.Reports.Quarterly;

public enum ReportSourceOutcome
{
    Ready,
    GrantNotFound,
    NotAPeriodStart,
}

/// <summary>
/// Builds a <see cref="QuarterlyReport"/>: the figures from the burn calculation as of the period's end (never a
/// second calculation), the listings from the database.
/// </summary>
public static class QuarterlyReportSource
{
    internal static readonly Sql PeriodTransactions = Sql.Common("""
        SELECT t.transaction_date, t.category_code, t.description, p.name AS partner_name, t.source_reference, t.amount_pence
        FROM spend_transaction t
        LEFT JOIN partner p ON p.id = t.partner_id
        WHERE t.grant_id = @GrantId AND t.voided_at IS NULL AND t.transaction_date >= @Start AND t.transaction_date <= @End
        ORDER BY t.transaction_date, t.id
        """);

    internal static readonly Sql PartnerPayments = Sql.Common("""
        SELECT p.id AS partner_id, p.name AS partner_name,
               (SELECT COALESCE(SUM(a.amount_pence), 0) FROM partner_agreement a WHERE a.grant_id = @GrantId AND a.partner_id = p.id) AS agreed,
               (SELECT COALESCE(SUM(t.amount_pence), 0) FROM spend_transaction t
                WHERE t.grant_id = @GrantId AND t.partner_id = p.id AND t.voided_at IS NULL AND t.transaction_date >= @Start AND t.transaction_date <= @End) AS paid_in_period,
               (SELECT COALESCE(SUM(t.amount_pence), 0) FROM spend_transaction t
                WHERE t.grant_id = @GrantId AND t.partner_id = p.id AND t.voided_at IS NULL AND t.transaction_date <= @End) AS paid_to_date
        FROM partner p
        WHERE p.id IN (SELECT a.partner_id FROM partner_agreement a WHERE a.grant_id = @GrantId)
        ORDER BY p.name, p.id
        """);

    internal static readonly Sql Income = Sql.Common("""
        SELECT payment_date, reference, amount_pence
        FROM payment
        WHERE grant_id = @GrantId AND voided_at IS NULL AND payment_date <= @End
        ORDER BY payment_date, id
        """);

    public static async Task<(ReportSourceOutcome Outcome, QuarterlyReport? Report)> BuildAsync(
        DbSession session, long grantId, DateOnly periodStart, ReportOrganisation organisation, DateOnly prepared, CancellationToken cancellationToken = default)
    {
        var loaded = await BurnQueries.LoadGrantAsync(session, grantId, cancellationToken);
        if (loaded is null)
        {
            return (ReportSourceOutcome.GrantNotFound, null);
        }

        var (grant, funder, input) = loaded.Value;
        var period = input.Periods.FirstOrDefault(p => p.Start == periodStart);
        if (period is null)
        {
            return (ReportSourceOutcome.NotAPeriodStart, null);
        }

        var burn = (await BurnQueries.ForGrantAsync(session, grantId, period.End, cancellationToken))!.Value.Burn;
        var thisPeriod = burn.ByPeriod.Single(p => p.Period.Start == period.Start);
        var previousPeriod = burn.ByPeriod.LastOrDefault(p => p.Period.Start < period.Start);
        var categoryNames = (await CostCategoryStore.ListAsync(session, cancellationToken)).ToDictionary(c => c.Code, c => c.Name);
        var parameters = new { GrantId = grantId, period.Start, period.End };

        var categories = burn.ByCategory.Select(c =>
        {
            var inPeriod = thisPeriod.ByCategory.Single(pc => pc.Category == c.Category);
            return new CategoryRow(
                c.Category,
                categoryNames.GetValueOrDefault(c.Category, c.Category),
                previousPeriod?.ByCategory.Single(pc => pc.Category == c.Category).Actual,
                inPeriod.Budget,
                inPeriod.Actual,
                inPeriod.Actual - inPeriod.Budget,
                c.Totals.BudgetToDate,
                c.Totals.ActualToDate,
                c.Totals.Variance);
        }).ToList();

        var trend = burn.ByPeriod.Where(p => p.Period.Start <= period.Start)
            .Select(p => new TrendRow(p.Period.Label, p.Period.Start, p.Period.End, p.Budget, p.Actual, p.CumulativeBudget, p.CumulativeActual))
            .ToList();

        var transactions = (await session.QueryAsync<TransactionListing>(PeriodTransactions, parameters, cancellationToken))
            .Select(t => new TransactionRow(t.TransactionDate, categoryNames.GetValueOrDefault(t.CategoryCode, t.CategoryCode), t.Description, t.PartnerName, t.SourceReference, t.AmountPence))
            .ToList();

        // What partners report back: accepted returns for this period and those before it.
        var partnerOf = (await PartnerAgreementStore.ListAsync(session, new PartnerAgreementFilter(grantId), new PageRequest(1, PageRequest.MaxPageSize), cancellationToken))
            .Items.ToDictionary(a => a.Id, a => a.PartnerId);
        var accepted = (await Core.PartnerReturns.PartnerReturns.AcceptedForGrantAsync(session, grantId, period.Start, cancellationToken))
            .Where(r => partnerOf.ContainsKey(r.AgreementId))
            .ToLookup(r => partnerOf[r.AgreementId]);
        var partners = (await session.QueryAsync<PartnerListing>(PartnerPayments, parameters, cancellationToken))
            .Select(p =>
            {
                var returns = accepted[p.PartnerId].ToList();
                var thisPeriod = returns.Where(r => r.PeriodStart == period.Start).ToList();
                return new PartnerRow(
                    p.PartnerName, p.Agreed, p.PaidInPeriod, p.PaidToDate, p.Agreed - p.PaidToDate,
                    returns.Count == 0 ? null : returns.Sum(r => r.SpendPence),
                    thisPeriod.Count == 0 ? null : thisPeriod.Sum(r => r.PeopleReached));
            })
            .ToList();

        var payments = (await session.QueryAsync<PaymentListing>(Income, parameters, cancellationToken)).ToList();
        var inPeriodPayments = payments.Where(p => p.PaymentDate >= period.Start).Select(p => new IncomeRow(p.PaymentDate, p.Reference, p.AmountPence)).ToList();
        var receivedToDate = payments.Sum(p => p.AmountPence);
        var income = new IncomeSection(inPeriodPayments, inPeriodPayments.Sum(p => p.Amount), receivedToDate, grant.AmountAwardedPence, grant.AmountAwardedPence - receivedToDate);

        var notes = (await VarianceNoteStore.ListForGrantAsync(session, grantId, period.Start, cancellationToken))
            .Select(n => new NoteRow(n.CategoryCode is null ? null : categoryNames.GetValueOrDefault(n.CategoryCode, n.CategoryCode), n.NoteText, Actors.DisplayName(n.Author), n.CreatedAt))
            .ToList();

        var areas = new List<AreaRow>();
        if (grant.AreaCodes.Count > 1)
        {
            var atEnd = await BurnQueries.AreasOfGrantAsync(session, grantId, period.End, input.Thresholds, cancellationToken);
            var beforeStart = (await BurnQueries.AreasOfGrantAsync(session, grantId, period.Start.AddDays(-1), input.Thresholds, cancellationToken))
                .ToDictionary(a => a.Code, a => a.Group.Totals.ActualToDate, StringComparer.Ordinal);
            areas.AddRange(atEnd.Select(a => new AreaRow(
                a.Code, a.Name, a.Group.Totals.Budget, a.Group.Totals.BudgetToDate,
                a.Group.Totals.ActualToDate - beforeStart.GetValueOrDefault(a.Code), a.Group.Totals.ActualToDate)));
        }

        var outcomes = await Outcomes.ForPeriodAsync(session, new GrantPeriods(grant, funder, input.Periods), period.Start, input.Thresholds, cancellationToken);
        var results = outcomes is null || (outcomes.Rows.Count == 0 && outcomes.Narrative is null)
            ? null
            : new OutcomeSection(outcomes.Rows, outcomes.Narrative is { } n ? new NarrativeRow(n.WhatHappened, n.WhatChanged, n.WhatsNext, Actors.DisplayName(n.Author)) : null);

        var totals = burn.Totals;
        var report = new QuarterlyReport(
            new ReportHeader(
                organisation, funder.Name, funder.OrgIdentifier, grant.Reference, grant.Title, grant.AwardDate, grant.Restricted, grant.StartDate, grant.EndDate,
                period.Label, period.Start, period.End, prepared),
            new ReportSummary(
                totals.Award, totals.Budget, thisPeriod.Budget, thisPeriod.Actual, totals.BudgetToDate, totals.ActualToDate, totals.Variance,
                totals.VariancePercent, totals.BurnPercent, burn.TimeElapsedPercent, totals.ForecastAtCompletion, burn.Rag.ToCode(),
                totals.Unallocated, input.Thresholds.AmberPercent, input.Thresholds.RedPercent),
            categories,
            trend,
            transactions,
            partners,
            income,
            notes,
            areas,
            results);
        return (ReportSourceOutcome.Ready, report);
    }

    private sealed class TransactionListing
    {
        public DateOnly TransactionDate { get; set; }
        public string CategoryCode { get; set; } = "";
        public string Description { get; set; } = "";
        public string? PartnerName { get; set; }
        public string? SourceReference { get; set; }
        public long AmountPence { get; set; }
    }

    private sealed class PartnerListing
    {
        public long PartnerId { get; set; }
        public string PartnerName { get; set; } = "";
        public long Agreed { get; set; }
        public long PaidInPeriod { get; set; }
        public long PaidToDate { get; set; }
    }

    private sealed class PaymentListing
    {
        public DateOnly PaymentDate { get; set; }
        public string? Reference { get; set; }
        public long AmountPence { get; set; }
    }
}
