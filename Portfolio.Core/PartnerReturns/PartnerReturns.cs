using Portfolio.Core.Periods;
using System.Text.Json;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Core.PartnerReturns;

/// <summary>What a partner reports for one agreement and period.</summary>
public sealed class PartnerReturn : IVersioned
{
    public long Id { get; set; }
    public long AgreementId { get; set; }
    public DateOnly PeriodStart { get; set; }
    public string Status { get; set; } = ReturnStatus.Draft;
    public string SpendJson { get; set; } = "[]";
    public string ReachJson { get; set; } = "[]";
    public string ResultsJson { get; set; } = "[]";
    public string? WentWell { get; set; }
    public string? GotInTheWay { get; set; }
    public DateTime? SubmittedAt { get; set; }
    public DateTime? ReviewedAt { get; set; }
    public string? ReviewedBy { get; set; }
    public string? ReviewComment { get; set; }
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public IReadOnlyList<ReturnSpend> Spend
    {
        get => JsonSerializer.Deserialize<List<ReturnSpend>>(SpendJson) ?? [];
        set => SpendJson = JsonSerializer.Serialize(value);
    }

    public IReadOnlyList<ReturnReach> Reach
    {
        get => JsonSerializer.Deserialize<List<ReturnReach>>(ReachJson) ?? [];
        set => ReachJson = JsonSerializer.Serialize(value);
    }

    /// <summary>The partner's figures for the grant's indicators it delivers (hundredths).</summary>
    public IReadOnlyList<ReturnResult> Results
    {
        get => JsonSerializer.Deserialize<List<ReturnResult>>(ResultsJson) ?? [];
        set => ResultsJson = JsonSerializer.Serialize(value);
    }

    public long SpendPence => Spend.Sum(s => s.Pence);

    public int PeopleReached => Reach.Sum(r => r.People);
}

/// <summary>The partner's spend of the sub-grant in one cost category, in pence.</summary>
public sealed record ReturnSpend(string Category, long Pence);

/// <summary>The partner's figure for one of the grant's indicators it delivers, in hundredths, with its breakdown by community.</summary>
public sealed record ReturnResult(long IndicatorId, long Value, IReadOnlyList<Results.CommunityFigure> Breakdown);

/// <summary>People reached in one community the partner serves.</summary>
public sealed record ReturnReach(string Community, int People);

public static class ReturnStatus
{
    public const string Draft = "draft";
    public const string Submitted = "submitted";
    public const string Accepted = "accepted";
    public const string SentBack = "sent-back";

    /// <summary>Whether the partner may still change the return through its link.</summary>
    public static bool OpenToPartner(string? status) => status is null or Draft or SentBack;
}

/// <summary>What a partner sends from the form (a draft, or the return to submit).</summary>
public sealed record PartnerReturnInput(
    [Items(20)] IReadOnlyList<ReturnSpendInput>? Spend = null,
    [Items(20)] IReadOnlyList<ReturnReachInput>? Reach = null,
    [Text(4000, Multiline = true)] string? WentWell = null,
    [Text(4000, Multiline = true)] string? GotInTheWay = null,
    [Items(40)] IReadOnlyList<ReturnResultInput>? Results = null);

/// <summary>A figure for one of the grant's indicators the partner delivers; a breakdown by community where the indicator has one.</summary>
public sealed record ReturnResultInput(long IndicatorId, Results.Quantity Value, [Items(20)] IReadOnlyList<Results.CommunityFigureInput>? Breakdown = null);

public sealed record ReturnSpendInput([Text(40)] string Category, Money.Money Amount);

public sealed record ReturnReachInput([Text(100)] string Community, [WholeNumber(0, 10_000_000)] int People);

/// <summary>Finance's or a lead's decision on a submitted return: sending it back needs a comment saying what to change.</summary>
public sealed record ReturnReviewInput([Text(2000, Multiline = true)] string? Comment = null);

public sealed record ReturnSpendView(string Category, decimal Amount);

public sealed record ReturnResultView(long IndicatorId, decimal Value, IReadOnlyList<Results.CommunityFigureView> Breakdown);

public sealed record PartnerReturnView(
    long Id,
    long AgreementId,
    DateOnly PeriodStart,
    string Status,
    IReadOnlyList<ReturnSpendView> Spend,
    decimal TotalSpend,
    IReadOnlyList<ReturnReach> Reach,
    int PeopleReached,
    string? WentWell,
    string? GotInTheWay,
    IReadOnlyList<ReturnResultView> Results,
    DateTime? SubmittedAt,
    DateTime? ReviewedAt,
    string? ReviewedBy,
    string? ReviewComment,
    int Version,
    DateTime CreatedAt,
    DateTime UpdatedAt);

public sealed record PartnerReturnFilter(long? AgreementId = null, long? GrantId = null, string? Status = null);

/// <summary>
/// Partner returns: a partner saves a draft and submits through its link (<see cref="SaveAsync"/>); finance or the
/// grant's programme lead accepts it or sends it back with a comment (<see cref="ReviewAsync"/>), after which the
/// partner may change and submit it again through the same link. Every figure is checked as the API checks spend
/// (whole pence, no negative spend, categories that exist), people reached are counted in the partner's own
/// communities, and every change is audited.
/// </summary>
public static class PartnerReturns
{
    private const string Columns = """
        id, agreement_id, period_start, status, spend_json, reach_json, results_json, went_well, got_in_the_way, submitted_at,
        reviewed_at, reviewed_by, review_comment, version, created_at, updated_at
        """;

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM partner_return WHERE id = @Id");

    internal static readonly Sql SelectFor = Sql.Common($"SELECT {Columns} FROM partner_return WHERE agreement_id = @AgreementId AND period_start = @PeriodStart");

    private const string Filter = """
        WHERE (@AgreementId IS NULL OR r.agreement_id = @AgreementId)
          AND (@GrantId IS NULL OR a.grant_id = @GrantId)
          AND (@Status IS NULL OR r.status = @Status)
        """;

    internal static readonly Sql SelectPage = Sql.Paged($"""
        SELECT r.id, r.agreement_id, r.period_start, r.status, r.spend_json, r.reach_json, r.results_json, r.went_well, r.got_in_the_way, r.submitted_at,
               r.reviewed_at, r.reviewed_by, r.review_comment, r.version, r.created_at, r.updated_at
        FROM partner_return r JOIN partner_agreement a ON a.id = r.agreement_id
        {Filter}
        ORDER BY r.period_start, r.id
        """);

    internal static readonly Sql CountFiltered = Sql.Common($"SELECT COUNT(*) FROM partner_return r JOIN partner_agreement a ON a.id = r.agreement_id {Filter}");

    /// <summary>Accepted returns of a grant's agreements for periods starting on or before <c>@Through</c> (what its report sums).</summary>
    internal static readonly Sql AcceptedForGrant = Sql.Common($"""
        SELECT r.id, r.agreement_id, r.period_start, r.status, r.spend_json, r.reach_json, r.results_json, r.went_well, r.got_in_the_way, r.submitted_at,
               r.reviewed_at, r.reviewed_by, r.review_comment, r.version, r.created_at, r.updated_at
        FROM partner_return r JOIN partner_agreement a ON a.id = r.agreement_id
        WHERE a.grant_id = @GrantId AND r.status = 'accepted' AND r.period_start <= @Through
        """);

    internal static readonly Sql Insert = Sql.InsertReturningId("""
        INSERT INTO partner_return (agreement_id, period_start, status, spend_json, reach_json, results_json, went_well, got_in_the_way, submitted_at, version, created_at, updated_at)
        VALUES (@AgreementId, @PeriodStart, @Status, @SpendJson, @ReachJson, @ResultsJson, @WentWell, @GotInTheWay, @SubmittedAt, 1, @At, @At)
        """);

    /// <summary>The partner's change: only while the return is open to them (a draft, or sent back), at the version read.</summary>
    internal static readonly Sql UpdateByPartner = Sql.Common("""
        UPDATE partner_return
        SET status = @Status, spend_json = @SpendJson, reach_json = @ReachJson, results_json = @ResultsJson, went_well = @WentWell, got_in_the_way = @GotInTheWay,
            submitted_at = @SubmittedAt, version = version + 1, updated_at = @At
        WHERE id = @Id AND version = @ExpectedVersion AND status IN ('draft', 'sent-back')
        """);

    internal static readonly Sql Review = Sql.Common("""
        UPDATE partner_return
        SET status = @Status, reviewed_at = @At, reviewed_by = @Actor, review_comment = @Comment, version = version + 1, updated_at = @At
        WHERE id = @Id AND version = @ExpectedVersion AND status = 'submitted'
        """);

    public static PartnerReturnView View(PartnerReturn r) => new(
        r.Id, r.AgreementId, r.PeriodStart, r.Status, r.Spend.Select(s => new ReturnSpendView(s.Category, Money.Money.ToPounds(s.Pence))).ToList(),
        Money.Money.ToPounds(r.SpendPence), r.Reach, r.PeopleReached, r.WentWell, r.GotInTheWay,
        [.. r.Results.Select(x => new ReturnResultView(x.IndicatorId, x.Value * 0.01m, [.. x.Breakdown.Select(b => new Results.CommunityFigureView(b.Community, b.Value * 0.01m))]))],
        r.SubmittedAt, r.ReviewedAt,
        r.ReviewedBy is null ? null : Actors.DisplayName(r.ReviewedBy), r.ReviewComment, r.Version, r.CreatedAt, r.UpdatedAt);

    public static Task<PartnerReturn?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<PartnerReturn>(SelectOne, new { Id = id }, cancellationToken);

    public static Task<PartnerReturn?> ForPeriodAsync(DbSession session, long agreementId, DateOnly periodStart, CancellationToken cancellationToken = default) =>
        session.QuerySingleOrDefaultAsync<PartnerReturn>(SelectFor, new { AgreementId = agreementId, PeriodStart = periodStart }, cancellationToken);

    public static async Task<Page<PartnerReturn>> ListAsync(DbSession session, PartnerReturnFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new { filter.AgreementId, filter.GrantId, filter.Status, page.Offset, page.Limit };
        var items = (await session.QueryAsync<PartnerReturn>(SelectPage, parameters, cancellationToken)).ToList();
        var total = await session.ExecuteScalarAsync<long>(CountFiltered, parameters, cancellationToken);
        return new Page<PartnerReturn>(items, page.Page, page.PageSize, total);
    }

    /// <summary>A grant's accepted returns for periods up to the one starting <paramref name="through"/>.</summary>
    public static async Task<IReadOnlyList<PartnerReturn>> AcceptedForGrantAsync(DbSession session, long grantId, DateOnly through, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<PartnerReturn>(AcceptedForGrant, new { GrantId = grantId, Through = through }, cancellationToken)).ToList();

    /// <summary>
    /// The partner saves the return opened by <paramref name="link"/> as a draft, or submits it. Refused, changing
    /// nothing, once it is submitted (until it is sent back), with field errors for any figure that is wrong, and on
    /// submitting without a narrative. <paramref name="expectedVersion"/> is the version the form showed (0: none yet).
    /// </summary>
    public static async Task<Outcome<PartnerReturnView>> SaveAsync(DbSession session, ReturnLink link, PartnerReturnInput input, bool submit, int expectedVersion, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var agreement = await PartnerAgreementStore.GetAsync(session, link.AgreementId, cancellationToken);
        if (agreement is null)
        {
            return new NotFound("partner agreement", link.AgreementId);
        }

        await GrantStore.LockAsync(session, agreement.GrantId, cancellationToken);
        var current = await ForPeriodAsync(session, link.AgreementId, link.PeriodStart, cancellationToken);
        if (!ReturnStatus.OpenToPartner(current?.Status))
        {
            return new Conflict($"This return was submitted on {Written.Date(current!.SubmittedAt!.Value)} and can no longer be changed through the link. If something is wrong, contact the partnership's finance team.");
        }

        if ((current?.Version ?? 0) != expectedVersion)
        {
            return new StaleVersion(current?.Version ?? 0);
        }

        var errors = new FieldErrors();
        input = InputShape.Check(input, errors);
        var partner = (await PartnerStore.GetAsync(session, agreement.PartnerId, cancellationToken))!;
        var categories = await CostCategoryStore.ListAsync(session, cancellationToken);
        var spend = new List<ReturnSpend>();
        for (var i = 0; i < (input.Spend?.Count ?? 0); i++)
        {
            var line = input.Spend![i];
            CostCategoryStore.Check(categories, line.Category, $"spend[{i}].category", errors);
            if (line.Amount.Pence < 0)
            {
                errors.Add($"spend[{i}].amount", "must not be negative");
            }
            else if (spend.Any(s => s.Category == line.Category))
            {
                errors.Add($"spend[{i}].category", "appears twice: give one amount per cost category");
            }
            else if (line.Amount.Pence > 0)
            {
                spend.Add(new ReturnSpend(line.Category, line.Amount.Pence));
            }
        }

        var reach = new List<ReturnReach>();
        for (var i = 0; i < (input.Reach?.Count ?? 0); i++)
        {
            var line = input.Reach![i];
            if (!partner.Communities.Contains(line.Community, StringComparer.Ordinal))
            {
                errors.Add($"reach[{i}].community", partner.Communities.Count == 0
                    ? "the partner lists no communities it serves: ask finance to add them"
                    : $"must be one of the communities the partner serves: {string.Join(", ", partner.Communities)}");
            }
            else if (reach.Any(r => r.Community == line.Community))
            {
                errors.Add($"reach[{i}].community", "appears twice: give one number per community");
            }
            else if (line.People > 0)
            {
                reach.Add(new ReturnReach(line.Community, line.People));
            }
        }

        var delivered = (await Results.IndicatorStore.ListForGrantAsync(session, agreement.GrantId, cancellationToken))
            .Where(i => i.Source == Results.IndicatorSource.Partners)
            .ToList();
        var results = new List<ReturnResult>();
        for (var i = 0; i < (input.Results?.Count ?? 0); i++)
        {
            var line = input.Results![i];
            var indicator = delivered.FirstOrDefault(d => d.Id == line.IndicatorId);
            if (indicator is null)
            {
                errors.Add($"results[{i}].indicatorId", delivered.Count == 0
                    ? "the grant has no results its partners report on: leave results out"
                    : $"must be one of the grant's results its partners report on: {string.Join(", ", delivered.Select(d => $"{d.Id} ({d.Name})"))}");
                continue;
            }

            if (results.Any(r => r.IndicatorId == line.IndicatorId))
            {
                errors.Add($"results[{i}].indicatorId", "appears twice: give one figure per result");
                continue;
            }

            if (line.Value.Hundredths < 0)
            {
                errors.Add($"results[{i}].value", "must not be negative");
                continue;
            }

            var breakdown = new List<Results.CommunityFigure>();
            Results.Indicators.CheckBreakdown(indicator, line.Breakdown, line.Value, errors, breakdown, $"results[{i}].", partner.Communities);
            results.Add(new ReturnResult(line.IndicatorId, line.Value.Hundredths, breakdown));
        }

        if (submit)
        {
            foreach (var missing in delivered.Where(d => results.All(r => r.IndicatorId != d.Id)))
            {
                errors.Add("results", $"must give a figure for {missing.Name} ({missing.Unit}) before the return is submitted: 0 if none");
            }

            if (string.IsNullOrWhiteSpace(input.WentWell))
            {
                errors.Add("wentWell", "must say what went well before the return is submitted");
            }

            if (string.IsNullOrWhiteSpace(input.GotInTheWay))
            {
                errors.Add("gotInTheWay", "must say what got in the way (or that nothing did) before the return is submitted");
            }
        }

        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        var proposed = new PartnerReturn
        {
            Id = current?.Id ?? 0,
            AgreementId = link.AgreementId,
            PeriodStart = link.PeriodStart,
            Status = submit ? ReturnStatus.Submitted : current?.Status ?? ReturnStatus.Draft,
            Spend = spend,
            Reach = reach,
            Results = results,
            WentWell = input.WentWell,
            GotInTheWay = input.GotInTheWay,
            SubmittedAt = submit ? change.At : current?.SubmittedAt,
        };
        var parameters = new
        {
            proposed.Id, proposed.AgreementId, proposed.PeriodStart, proposed.Status, proposed.SpendJson, proposed.ReachJson, proposed.ResultsJson, proposed.WentWell,
            proposed.GotInTheWay, proposed.SubmittedAt, change.At, ExpectedVersion = expectedVersion,
        };
        long id;
        if (current is null)
        {
            id = await session.ExecuteScalarAsync<long>(Insert, parameters, cancellationToken);
        }
        else if (await session.ExecuteAsync(UpdateByPartner, parameters, cancellationToken) == 1)
        {
            id = current.Id;
        }
        else
        {
            return new StaleVersion((await GetAsync(session, current.Id, cancellationToken))?.Version ?? current.Version);
        }

        var saved = View((await GetAsync(session, id, cancellationToken))!);
        await AuditLog.WriteAsync(session, change, submit ? "submit" : current is null ? "create" : "update", "partner-return", id, current is null ? null : View(current), saved, cancellationToken);
        return Outcome<PartnerReturnView>.Done(saved);
    }

    /// <summary>Accepts a submitted return, or sends it back to the partner with a comment. Finance, admins, or the grant's programme lead.</summary>
    public static async Task<Outcome<PartnerReturnView>> ReviewAsync(DbSession session, long id, int? expectedVersion, bool accept, ReturnReviewInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        if (await GetAsync(session, id, cancellationToken) is not { } current)
        {
            return new NotFound("partner return", id);
        }

        var agreement = (await PartnerAgreementStore.GetAsync(session, current.AgreementId, cancellationToken))!;
        var grant = (await GrantStore.GetForUpdateAsync(session, agreement.GrantId, cancellationToken))!;
        if (!change.MayActInArea(grant.ProgrammeAreaId))
        {
            return new Forbidden($"Grant {grant.Reference} is not in your programme areas.");
        }

        if (expectedVersion is { } expected && expected != current.Version)
        {
            return new StaleVersion(current.Version);
        }

        var errors = new FieldErrors();
        input = InputShape.Check(input, errors);
        if (!accept && string.IsNullOrWhiteSpace(input.Comment))
        {
            errors.Add("comment", "must say what the partner should change before the return is sent back");
        }

        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        if (current.Status != ReturnStatus.Submitted)
        {
            return new Conflict($"Only a submitted return can be {(accept ? "accepted" : "sent back")}; this one is {current.Status}.");
        }

        var parameters = new { Id = id, Status = accept ? ReturnStatus.Accepted : ReturnStatus.SentBack, change.At, change.Actor, input.Comment, ExpectedVersion = current.Version };
        if (await session.ExecuteAsync(Review, parameters, cancellationToken) != 1)
        {
            return new StaleVersion((await GetAsync(session, id, cancellationToken))!.Version);
        }

        var reviewed = View((await GetAsync(session, id, cancellationToken))!);
        await AuditLog.WriteAsync(session, change, accept ? "accept" : "send-back", "partner-return", id, View(current), reviewed, cancellationToken);
        return Outcome<PartnerReturnView>.Done(reviewed);
    }

    /// <summary>Who a partner is in the audit trail when it writes through its link.</summary>
    public static string PartnerActor(Partner partner, ReturnLink link) => $"partner:{partner.Id}:{partner.Name} (link {link.Id})";
}
