using Portfolio.Core.Data;
using Portfolio.Core.Operations;
using Portfolio.Core.Periods;

namespace Portfolio.Core.Domain;

/// <summary>
/// What spend and income on one grant are judged against: the grant's dates, award, calendar and delivery areas,
/// which of its periods are closed, and the live income already recorded on it. A single write loads it once, with
/// the grant's row locked (<see cref="LoadForUpdateAsync"/>); an import builds it for every grant from set-based reads.
/// </summary>
public sealed class GrantBooks
{
    private const string FactColumns = "g.id, g.reference, g.programme_area_id, g.amount_awarded_pence, g.start_date, g.end_date, f.reporting_calendar";

    /// <summary>Every grant's facts, for an import (set-based).</summary>
    internal static readonly Sql AllFacts = Sql.Common($"SELECT {FactColumns} FROM grant_award g JOIN funder f ON f.id = g.funder_id");

    /// <summary>One grant's facts, its row locked until the transaction ends (as <see cref="GrantStore.GetForUpdateAsync"/> locks it).</summary>
    internal static readonly Sql FactsForUpdate = new(
        Sqlite: $"SELECT {FactColumns} FROM grant_award g JOIN funder f ON f.id = g.funder_id WHERE g.id = @Id",
        Postgres: $"SELECT {FactColumns} FROM grant_award g JOIN funder f ON f.id = g.funder_id WHERE g.id = @Id FOR UPDATE OF g",
        SqlServer: $"SELECT {FactColumns} FROM grant_award g WITH (UPDLOCK, HOLDLOCK) JOIN funder f ON f.id = g.funder_id WHERE g.id = @Id");

    /// <summary>The grant's context for one write, in one round trip: its facts with the row locked, its areas, the runs that closed its periods and their last reopenings.</summary>
    internal static readonly Sql BooksForUpdate = Sql.Batch(FactsForUpdate, DeliveryAreaStore.GrantAreas, ClosedPeriods.ClosingRuns, ClosedPeriods.LastReopenings);

    internal static readonly Sql LiveIncome = Sql.Common("SELECT COALESCE(SUM(amount_pence), 0) FROM payment WHERE grant_id = @Id AND voided_at IS NULL");

    private IReadOnlyList<ReportingPeriod>? _periods;

    public required long Id { get; init; }

    public required string Reference { get; init; }

    public long? ProgrammeAreaId { get; init; }

    public required long AwardedPence { get; init; }

    public required DateOnly StartDate { get; init; }

    public required DateOnly EndDate { get; init; }

    public required string ReportingCalendar { get; init; }

    /// <summary>The grant's delivery areas; none means the grant names none (any area is in it).</summary>
    public required IReadOnlyList<string> Areas { get; init; }

    public required ClosedPeriodSet Closed { get; init; }

    /// <summary>Live income recorded on the grant (0 unless loaded with it).</summary>
    public required long IncomePence { get; set; }

    /// <summary>
    /// The grant's facts with its row locked until the transaction ends (so an approval cannot close a period, nor
    /// another write pass the award, between these checks and the commit), or null when there is no such grant.
    /// </summary>
    /// <param name="withIncome">Read the live income too (income's rule needs it; spend's does not).</param>
    public static async Task<GrantBooks?> LoadForUpdateAsync(DbSession session, long grantId, bool withIncome = false, CancellationToken cancellationToken = default)
    {
        var (row, areas, runs, reopenings) = await session.QueryBatchAsync<FactsRow, string, ClosedPeriods.ClosingRun, ClosedPeriods.Reopening>(
            BooksForUpdate, new { Id = grantId, GrantId = grantId }, cancellationToken);
        if (row is null)
        {
            return null;
        }

        session.NoteGrantLocked(grantId);

        return row.ToBooks(
            areas,
            new ClosedPeriodSet(runs, reopenings.ToDictionary(r => r.PeriodStart, r => r.ReopenedAt)),
            withIncome ? await session.ExecuteScalarAsync<long>(LiveIncome, new { Id = grantId }, cancellationToken) : 0);
    }

    /// <summary>Why money dated <paramref name="date"/> may not be recorded, changed or voided, or null when its period is open.</summary>
    public string? ClosedReason(DateOnly date)
    {
        if (Closed.IsEmpty)
        {
            return null; // nothing approved yet: every period is open, whatever the date
        }

        try
        {
            _periods ??= GrantPeriods.PeriodsOf(Id, GrantPeriods.CalendarOf(Id, ReportingCalendar), StartDate, EndDate);
        }
        catch (GrantDataException ex)
        {
            return ex.Message;
        }

        var period = _periods.FirstOrDefault(p => p.Contains(date));
        return period is null ? null : Closed.ReasonFor(period);
    }

    /// <summary>A grant's row as the books read it (one grant, or every grant for an import).</summary>
    internal sealed class FactsRow
    {
        public long Id { get; set; }
        public string Reference { get; set; } = "";
        public long? ProgrammeAreaId { get; set; }
        public long AmountAwardedPence { get; set; }
        public DateOnly StartDate { get; set; }
        public DateOnly EndDate { get; set; }
        public string ReportingCalendar { get; set; } = "";

        public GrantBooks ToBooks(IReadOnlyList<string> areas, ClosedPeriodSet closed, long income) => new()
        {
            Id = Id,
            Reference = Reference,
            ProgrammeAreaId = ProgrammeAreaId,
            AwardedPence = AmountAwardedPence,
            StartDate = StartDate,
            EndDate = EndDate,
            ReportingCalendar = ReportingCalendar,
            Areas = areas,
            Closed = closed,
            IncomePence = income,
        };
    }
}

/// <summary>How a rule's refusal is answered: a field wrong against the books (400), a finance control (422), a closed period (409).</summary>
public enum FindingKind
{
    Field,
    Control,
    Closed,
}

/// <summary>One refusal of a money rule: the field it is about and its words, the same for a form, the API and an import row.</summary>
public sealed record Finding(string Field, string Message, FindingKind Kind);

/// <summary>What of a money line differs from the line it replaces (all of it for a new line): a control applies only to what moved.</summary>
public readonly record struct Moved(bool Date, bool Partner, bool AmountUp)
{
    public static readonly Moved New = new(true, true, true);
}

/// <summary>
/// The rules of spend and income on a grant, as pure functions over preloaded facts (like the burn calculation):
/// the single write, the page forms (through it) and the import all call these, so a rule added here holds for all
/// of them, in the same words. Facts that need the database (does the partner have an agreement, what are its areas)
/// are loaded by the caller, once per write or set-based per import.
/// </summary>
public static class MoneyRules
{
    /// <summary>Spend and income are dated within their grant.</summary>
    public static string OutsideGrant(DateOnly start, DateOnly end) => $"must be within the grant's dates, {Written.Date(start)} to {Written.Date(end)}";

    /// <summary>Money is recorded once it has moved.</summary>
    public static string AfterToday(DateOnly today) => $"must not be after today ({Written.Date(today)}, UK): record money once it has been spent or received";

    /// <summary>Partner-grant spend names a partner with an agreement on the grant.</summary>
    public static string NoAgreement(long partnerId, long grantId) =>
        $"partner {partnerId} has no agreement on grant {grantId}: record the partner agreement first, or leave partnerId out if this is not partner-grant spend";

    /// <summary>Income on a grant never comes to more than its award.</summary>
    public static string OverAward(long total, long award) =>
        $"would bring income on the grant to {Money.Money.Format(total)}, more than its award of {Money.Money.Format(award)} (by {Money.Money.Format(total - award)}): check the amount, or change the award first if the funder has increased it";

    /// <summary>
    /// The area spend is in: the one named, else the partner's when its agreements on the grant name exactly one
    /// (<paramref name="partnerAreas"/>), else none.
    /// </summary>
    public static string? AreaOf(string? named, IReadOnlyList<string> partnerAreas) =>
        named?.ToUpperInvariant() ?? (partnerAreas is [var only] ? only : null);

    /// <summary>
    /// Spend of <paramref name="date"/> on the grant, to <paramref name="partnerId"/> (with an agreement on the grant
    /// or not), in <paramref name="areaCode"/>: within the grant's dates, not after today, with an agreement, in one of
    /// the grant's areas, and in an open period.
    /// </summary>
    public static List<Finding> Spend(GrantBooks grant, DateOnly date, long? partnerId, bool partnerHasAgreement, string? areaCode, ChangeContext change, Moved moved)
    {
        var found = new List<Finding>();
        WithinGrant(grant, date, found);
        found.AddRange(NotAfterToday(date, change, moved.Date));
        if (partnerId is { } partner && moved.Partner && !partnerHasAgreement)
        {
            found.Add(new Finding("partnerId", NoAgreement(partner, grant.Id), FindingKind.Control));
        }

        if (areaCode is { } area && PartnerAgreements.OutsideGrantAreas([area], grant.Areas) is { } outside)
        {
            found.Add(new Finding("areaCode", outside, FindingKind.Field));
        }

        Open(grant, date, found);
        return found;
    }

    /// <summary>
    /// Income of <paramref name="pence"/> dated <paramref name="date"/> on the grant, beside <paramref name="otherIncome"/>
    /// already recorded: not after today, not taking income over the award (a refund, negative, never does), and in an open period. Income is not
    /// held to the grant's dates: a funder may pay in advance of the start or settle after the end.
    /// </summary>
    public static List<Finding> Income(GrantBooks grant, DateOnly date, long pence, long otherIncome, ChangeContext change, Moved moved)
    {
        var found = NotAfterToday(date, change, moved.Date);
        var total = otherIncome + pence;
        if (total > grant.AwardedPence && moved.AmountUp && pence > 0)
        {
            found.Add(new Finding("amount", OverAward(total, grant.AwardedPence), FindingKind.Control));
        }

        Open(grant, date, found);
        return found;
    }

    /// <summary>
    /// The findings as a write's answer: fields and controls together (400 when any field is wrong, else 422, as
    /// <see cref="FinanceControls"/> says), added to <paramref name="errors"/> and <paramref name="controls"/>; a
    /// closed period is the answer (409) only when nothing else is wrong.
    /// </summary>
    public static void Into(IEnumerable<Finding> findings, FieldErrors errors, FinanceControls controls, List<string> closed)
    {
        foreach (var finding in findings)
        {
            switch (finding.Kind)
            {
                case FindingKind.Field:
                    errors.Add(finding.Field, finding.Message);
                    break;
                case FindingKind.Control:
                    controls.Add(finding.Field, finding.Message);
                    break;
                default:
                    closed.Add(finding.Message);
                    break;
            }
        }
    }

    /// <summary>The findings as an import row's reasons: "field message", a closed period's reason as it stands.</summary>
    public static IEnumerable<string> AsReasons(IEnumerable<Finding> findings) =>
        findings.Select(f => f.Kind == FindingKind.Closed ? f.Message : $"{f.Field} {f.Message}");

    /// <summary>Money is recorded once it has moved: a date after today (UK) is refused when it <paramref name="moved"/>.</summary>
    public static List<Finding> NotAfterToday(DateOnly date, ChangeContext change, bool moved)
    {
        var today = UkDate.Of(change.At);
        return moved && date > today ? [new Finding("date", AfterToday(today), FindingKind.Control)] : [];
    }

    private static void WithinGrant(GrantBooks grant, DateOnly date, List<Finding> found)
    {
        if (date < grant.StartDate || date > grant.EndDate)
        {
            found.Add(new Finding("date", OutsideGrant(grant.StartDate, grant.EndDate), FindingKind.Field));
        }
    }

    private static void Open(GrantBooks grant, DateOnly date, List<Finding> found)
    {
        if (grant.ClosedReason(date) is { } reason)
        {
            found.Add(new Finding("date", reason, FindingKind.Closed));
        }
    }
}
