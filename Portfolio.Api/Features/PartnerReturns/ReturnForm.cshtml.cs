using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;
using Portfolio.Core.PartnerReturns;

namespace Portfolio.Api.Features.PartnerReturns;

/// <summary>
/// The form a partner opens from its emailed link, with no account: its spend of the sub-grant in the period by cost
/// category, people reached by community, and a short narrative; saved as a draft between visits, then submitted
/// (Core's <see cref="Core.PartnerReturns.PartnerReturns.SaveAsync"/>). A changed, expired or revoked link is 404;
/// a submitted return is shown, not changed.
/// </summary>
[AllowAnonymous]
public sealed class ReturnFormModel(Database database, TimeProvider clock) : FormPageModel
{
    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal);

    public Partner Partner { get; private set; } = null!;

    public Grant Grant { get; private set; } = null!;

    public ReturnDue Due { get; private set; } = null!;

    public PartnerReturn? Return { get; private set; }

    public IReadOnlyList<CostCategory> Categories { get; private set; } = [];

    /// <summary>What the partner was paid on the grant in the period.</summary>
    public long PaidInPeriod { get; private set; }

    public bool OpenToPartner => ReturnStatus.OpenToPartner(Return?.Status);

    protected override IReadOnlyDictionary<string, string> Labels => _labels;

    protected override string FirstField => Categories.Count > 0 ? SpendField(Categories[0].Code) : "wentWell";

    public static string SpendField(string category) => $"spend-{category}";

    public static string ReachField(int index) => $"reach-{index}";

    /// <summary>The grant's indicators this partner reports on (delivered by partners).</summary>
    public IReadOnlyList<Core.Results.Indicator> Indicators { get; private set; } = [];

    /// <summary>The figure for an indicator; with a breakdown, one per community the partner serves.</summary>
    public static string ResultField(long indicatorId, int? community = null) => community is { } c ? $"result-{indicatorId}-{c}" : $"result-{indicatorId}";

    /// <summary>The indicators in the order the input lists them (to show Core's <c>results[i]</c> errors beside them).</summary>
    private readonly List<Core.Results.Indicator> _sent = [];

    /// <summary>For each indicator sent with a breakdown, the communities (by index) its lines are for, in order.</summary>
    private readonly Dictionary<long, List<int>> _sentCommunities = [];

    public async Task<IActionResult> OnGetAsync(long agreementId, string periodStart, string token)
    {
        if (await LoadAsync(agreementId, periodStart, token) is null)
        {
            return NotFound();
        }

        foreach (var line in Return?.Spend ?? [])
        {
            Values[SpendField(line.Category)] = ShowAmount(Core.Money.Money.ToPounds(line.Pence));
        }

        for (var i = 0; i < Partner.Communities.Count; i++)
        {
            Values[ReachField(i)] = Return?.Reach.FirstOrDefault(r => r.Community == Partner.Communities[i])?.People.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var indicator in Indicators)
        {
            var saved = Return?.Results.FirstOrDefault(r => r.IndicatorId == indicator.Id);
            if (!indicator.ByCommunity)
            {
                Values[ResultField(indicator.Id)] = saved is null ? null : Core.Results.Quantity.Format(saved.Value);
            }

            for (var c = 0; c < Partner.Communities.Count && indicator.ByCommunity; c++)
            {
                Values[ResultField(indicator.Id, c)] = saved?.Breakdown.FirstOrDefault(b => b.Community == Partner.Communities[c]) is { } figure ? Core.Results.Quantity.Format(figure.Value) : null;
            }
        }

        Values["wentWell"] = Return?.WentWell;
        Values["gotInTheWay"] = Return?.GotInTheWay;
        Values["version"] = (Return?.Version ?? 0).ToString(CultureInfo.InvariantCulture);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long agreementId, string periodStart, string token)
    {
        if (await LoadAsync(agreementId, periodStart, token) is not { } link)
        {
            return NotFound();
        }

        ReadPostedForm();
        var submit = ReadText("action") == "submit";
        var spend = Categories.Select(c => new ReturnSpendInput(c.Code, ReadText(SpendField(c.Code)) is null ? Core.Money.Money.Zero : ReadMoney(SpendField(c.Code)) ?? Core.Money.Money.Zero)).ToList();
        var reach = Partner.Communities.Select((community, i) => new ReturnReachInput(community, ReadText(ReachField(i)) is null ? 0 : ReadWholeNumber(ReachField(i)) ?? 0)).ToList();
        var results = new List<ReturnResultInput>();
        foreach (var indicator in Indicators)
        {
            if (!indicator.ByCommunity)
            {
                if (ReadText(ResultField(indicator.Id)) is not null && ReadQuantity(ResultField(indicator.Id)) is { } value)
                {
                    results.Add(new ReturnResultInput(indicator.Id, value));
                    _sent.Add(indicator);
                }

                continue;
            }

            var lines = new List<Core.Results.CommunityFigureInput>();
            _sentCommunities[indicator.Id] = [];
            for (var c = 0; c < Partner.Communities.Count; c++)
            {
                if (ReadText(ResultField(indicator.Id, c)) is not null && ReadQuantity(ResultField(indicator.Id, c)) is { } figure)
                {
                    lines.Add(new Core.Results.CommunityFigureInput(Partner.Communities[c], figure));
                    _sentCommunities[indicator.Id].Add(c);
                }
            }

            if (lines.Count > 0)
            {
                results.Add(new ReturnResultInput(indicator.Id, new Core.Results.Quantity(lines.Sum(l => l.Value.Hundredths)), lines));
                _sent.Add(indicator);
            }
        }

        var input = new PartnerReturnInput(spend, reach, ReadText("wentWell"), ReadText("gotInTheWay"), results);
        var change = new ChangeContext(Core.PartnerReturns.PartnerReturns.PartnerActor(Partner, link), clock.GetUtcNow().UtcDateTime);
        var outcome = await RunAsync(
            database, session => Core.PartnerReturns.PartnerReturns.SaveAsync(session, link, input, submit, ReadVersion() ?? 0, change, HttpContext.RequestAborted));
        if (outcome is null)
        {
            return Page();
        }

        if (outcome.Refused is { } refusal)
        {
            if (refusal is Conflict)
            {
                // Submitted meanwhile (another tab, another person with the link): show it as it now stands.
                Return = await ReadReturnAsync(link);
            }

            return Refused(refusal);
        }

        TempData[Notice.Key] = submit
            ? $"Your return for {Due.PeriodLabel} has been submitted. Thank you: the partnership will review it and tell you if anything needs changing."
            : "Your draft has been saved. You can come back to this link to finish it.";
        return Redirect(Request.Path);
    }

    protected override string FieldFor(string coreField)
    {
        if (TryIndex(coreField, "spend[", out var i) && i < Categories.Count)
        {
            return SpendField(Categories[i].Code);
        }

        if (TryIndex(coreField, "results[", out var k) && k < _sent.Count)
        {
            var indicator = _sent[k];
            var sent = _sentCommunities.GetValueOrDefault(indicator.Id) ?? [];
            var community = coreField.IndexOf("breakdown[", StringComparison.Ordinal) is var at and >= 0 && TryIndex(coreField[at..], "breakdown[", out var b) && b < sent.Count
                ? sent[b] : sent.FirstOrDefault();
            return indicator.ByCommunity ? ResultField(indicator.Id, community) : ResultField(indicator.Id);
        }

        if (coreField == "results" && Indicators.Count > 0)
        {
            return Indicators[0].ByCommunity && Partner.Communities.Count > 0 ? ResultField(Indicators[0].Id, 0) : ResultField(Indicators[0].Id);
        }

        return TryIndex(coreField, "reach[", out var r) ? ReachField(r) : coreField;
    }

    private static bool TryIndex(string field, string prefix, out int index)
    {
        index = -1;
        var close = field.IndexOf(']', StringComparison.Ordinal);
        return field.StartsWith(prefix, StringComparison.Ordinal) && close > prefix.Length
            && int.TryParse(field.AsSpan(prefix.Length, close - prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }

    private async Task<ReturnLink?> LoadAsync(long agreementId, string periodStart, string token)
    {
        var cancellationToken = HttpContext.RequestAborted;
        if (!DateOnly.TryParseExact(periodStart, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
        {
            return null;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        var link = await ReturnLinks.OpenAsync(session, agreementId, start, token, clock.GetUtcNow().UtcDateTime, cancellationToken);
        if (link is null || await ReturnSchedule.LoadAsync(session, agreementId, cancellationToken) is not { } loaded
            || loaded.Due.FirstOrDefault(d => d.PeriodStart == start) is not { } due)
        {
            return null;
        }

        Due = due;
        Partner = (await PartnerStore.GetAsync(session, loaded.Agreement.PartnerId, cancellationToken))!;
        Grant = (await GrantStore.GetAsync(session, loaded.Agreement.GrantId, cancellationToken))!;
        Categories = await CostCategoryStore.ListAsync(session, cancellationToken);
        Return = await Core.PartnerReturns.PartnerReturns.ForPeriodAsync(session, agreementId, start, cancellationToken);
        PaidInPeriod = await TransactionStore.PaidToPartnerAsync(session, Grant.Id, Partner.Id, due.PeriodStart, due.PeriodEnd, cancellationToken);
        foreach (var category in Categories)
        {
            _labels[SpendField(category.Code)] = category.Name;
        }

        for (var i = 0; i < Partner.Communities.Count; i++)
        {
            _labels[ReachField(i)] = Partner.Communities[i];
        }

        Indicators = (await Core.Results.IndicatorStore.ListForGrantAsync(session, Grant.Id, cancellationToken)).Where(i => i.Source == Core.Results.IndicatorSource.Partners).ToList();
        foreach (var indicator in Indicators)
        {
            if (!indicator.ByCommunity)
            {
                _labels[ResultField(indicator.Id)] = $"{indicator.Name} ({indicator.Unit})";
            }

            for (var c = 0; c < Partner.Communities.Count && indicator.ByCommunity; c++)
            {
                _labels[ResultField(indicator.Id, c)] = $"{indicator.Name}: {Partner.Communities[c]}";
            }
        }

        _labels["wentWell"] = "What went well";
        _labels["gotInTheWay"] = "What got in the way";
        return link;
    }

    private async Task<PartnerReturn?> ReadReturnAsync(ReturnLink link)
    {
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        return await Core.PartnerReturns.PartnerReturns.ForPeriodAsync(session, link.AgreementId, link.PeriodStart, HttpContext.RequestAborted);
    }
}
