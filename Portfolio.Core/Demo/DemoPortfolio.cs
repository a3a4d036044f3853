using Portfolio.Core.Data;
using Portfolio.Core.Operations;
using Portfolio.Core.Domain;
using System.Globalization;
using Portfolio.Core.Periods;
using Portfolio.Core.PartnerReturns;

namespace Portfolio.Core.Demo;

/// <summary>
/// A realistic demo portfolio for a newcomer: the funders, programme areas and partners of the design, three grants
/// with budgets, a year of spend, income and partner agreements. Laid out relative to the day it is seeded, so it
/// is as true on any day as on another: the grants began 12, 15 and 18 months before the quarter in progress, spend
/// runs to yesterday, every instalment due is paid but one, and the returns of the last quarter that ended are in
/// each state. Deterministic for a given day. Partner names are invented.
/// </summary>
public static class DemoPortfolio
{
    internal static readonly Sql FunderCount = Sql.Common("SELECT COUNT(*) FROM funder");

    /// <summary>The demo's password for every demo user (documented in the README; the demo runs in Development only).</summary>
    public const string UserPassword = "Portfolio-demo-2026";

    /// <summary>One demo user per role (email, name, role, the programme areas a lead leads).</summary>
    public static readonly IReadOnlyList<(string Email, string Name, string Role, string[] AreaCodes)> Users =
    [
        ("admin@partnership.example", "Alex Morgan", "admin", []),
        ("finance@partnership.example", "Farah Shah", "finance", []),
        ("amira@partnership.example", "Amira Khan", "programme-lead", ["DRIVE", "BYANDFOR"]),
        ("viewer@partnership.example", "Chris Evans", "viewer", []),
    ];

    /// <summary>Seeds the demo into an empty database; returns false (and changes nothing) when any funder exists.</summary>
    public static Task<bool> SeedIfEmptyAsync(Database database, DateTime now, CancellationToken cancellationToken = default) =>
        UnitOfWork.CommitAsync(database, session => SeedInAsync(session, now, cancellationToken), cancellationToken);

    private static async Task<bool> SeedInAsync(DbSession session, DateTime now, CancellationToken cancellationToken)
    {
        if (await session.ExecuteScalarAsync<long>(FunderCount, cancellationToken: cancellationToken) > 0)
        {
            return false;
        }

        var change = new ChangeContext("system:demo", now);
        var lottery = await FunderStore.InsertAsync(session, new Funder
        {
            Name = "The National Lottery Community Fund",
            Kind = "lottery",
            ReportingCalendar = "uk-financial-year",
            DeliveryMode = "approval",
            Contacts = [new FunderContact { Name = "Funding Officer (demo)", Email = "funding.officer@tnlcommunityfund.example" }],
        }, change, cancellationToken);
        var homeOffice = await FunderStore.InsertAsync(session, new Funder
        {
            Name = "Home Office",
            Kind = "government",
            ReportingCalendar = "uk-financial-year",
            DeliveryMode = "approval",
            ReportLagDays = 20,
            Contacts =
            [
                new FunderContact { Name = "VAWG Programme Team (demo)", Email = "vawg.programme@homeoffice.example" },
                new FunderContact { Name = "Grants Finance (demo)", Email = "grants.finance@homeoffice.example" },
            ],
        }, change, cancellationToken);
        var esmee = await FunderStore.InsertAsync(session, new Funder
        {
            Name = "Esmée Fairbairn Foundation",
            Kind = "trust",
            OrgIdentifier = "GB-CHC-200051",
            ReportingCalendar = "grant-anniversary",
            DeliveryMode = "auto",
            Contacts = [new FunderContact { Name = "Grants Manager (demo)", Email = "grants.manager@esmeefairbairn.example" }],
        }, change, cancellationToken);

        var areas = new Dictionary<string, long>();
        foreach (var (code, name, lead) in new[]
                 {
                     ("DRIVE", "Drive Project", "Amira Khan"),
                     ("RESTART", "Restart pilot", "Joe Bennett"),
                     ("SYSTEMS", "Systems change", "Priya Patel"),
                     ("POLICY", "Policy and influencing", "Sam Okafor"),
                     ("TRAINING", "Training", "Grace Lewis"),
                     ("BYANDFOR", "By-and-for partnerships", "Nia Roberts"),
                 })
        {
            areas[code] = await ProgrammeAreaStore.InsertAsync(session, new ProgrammeArea
            {
                Name = name,
                Code = code,
                LeadName = lead,
                LeadEmail = $"{lead.Split(' ')[0].ToLowerInvariant()}@partnership.example",
            }, change, cancellationToken);
        }

        var sahara = await PartnerStore.InsertAsync(session, new Partner
        {
            Name = "Sahara Women's Network (demo)",
            Kind = "by-and-for",
            Communities = ["Black and minoritised women"],
            ContactEmail = "hello@sahara-network.example",
        }, change, cancellationToken);
        var rainbow = await PartnerStore.InsertAsync(session, new Partner
        {
            Name = "Rainbow Safe Space (demo)",
            Kind = "by-and-for",
            Communities = ["LGBT+"],
            ContactEmail = "contact@rainbow-safe-space.example",
        }, change, cancellationToken);
        await PartnerStore.InsertAsync(session, new Partner
        {
            Name = "Access Advocacy Collective (demo)",
            Kind = "specialist",
            Communities = ["Deaf and disabled survivors"],
            ContactEmail = "team@access-advocacy.example",
        }, change, cancellationToken);

        // Local perpetrator-intervention and victim-survivor services the Home Office programme funds, one police force area each.
        var local = new List<(long PartnerId, string Area)>();
        foreach (var (name, area, email) in new[]
                 {
                     ("Thames Valley Safer Families (demo)", ThamesValley, "referrals@tv-safer-families.example"),
                     ("Greater Manchester Change Project (demo)", GreaterManchester, "info@gm-change.example"),
                     ("South Wales Respect Service (demo)", SouthWales, "office@sw-respect.example"),
                 })
        {
            local.Add((await PartnerStore.InsertAsync(session, new Partner
            {
                Name = name,
                Kind = "specialist",
                Communities = ["Victim-survivors", "People who cause harm"],
                ContactEmail = email,
            }, change, cancellationToken), area));
        }

        var random = new Random(20261123);
        var today = UkDate.Of(now);
        var quarter = QuarterStart(today);
        var grants = new[]
        {
            new DemoGrant(lottery, areas["DRIVE"], "NLCF-20250142", "Drive Project: three-year expansion", 230_000_000L,
                quarter.AddMonths(-12), quarter.AddMonths(-12).AddYears(3).AddDays(-1), ReportingCalendar.UkFinancialYear,
                [("staff", 55), ("delivery", 20), ("partner-grants", 13), ("training", 5), ("evaluation", 4), ("overheads", 3)],
                [(sahara, 30_000_000L, [National])], [National]),
            new DemoGrant(homeOffice, areas["BYANDFOR"], "HO-VAWG-2025-017", "Domestic abuse services expansion programme", 5_300_000_000L,
                quarter.AddMonths(-18), quarter.AddMonths(-18).AddYears(4).AddDays(-1), ReportingCalendar.UkFinancialYear,
                [("partner-grants", 70), ("staff", 15), ("delivery", 8), ("training", 3), ("evaluation", 2), ("overheads", 2)],
                [(sahara, 200_000_000L, [National]), (rainbow, 150_000_000L, [National]),
                 (local[0].PartnerId, 600_000_000L, [local[0].Area]), (local[1].PartnerId, 500_000_000L, [local[1].Area]), (local[2].PartnerId, 400_000_000L, [local[2].Area])],
                [National, ThamesValley, GreaterManchester, SouthWales], MobilisedMonthsLate: 6),
            new DemoGrant(esmee, areas["POLICY"], "EFF-24-1187", "Policy and influencing for survivors' voices", 45_000_000L,
                quarter.AddMonths(-15), quarter.AddMonths(-15).AddYears(3).AddDays(-1), ReportingCalendar.GrantAnniversary,
                [("staff", 70), ("delivery", 15), ("evaluation", 10), ("overheads", 5)],
                [], [National]),
        };

        foreach (var demo in grants)
        {
            var grantId = await GrantStore.InsertAsync(session, new Grant
            {
                FunderId = demo.FunderId,
                ProgrammeAreaId = demo.AreaId,
                Reference = demo.Reference,
                Title = demo.Title,
                AmountAwardedPence = demo.AwardPence,
                AwardDate = demo.Start.AddMonths(-2),
                StartDate = demo.Start,
                EndDate = demo.End,
                Restricted = true,
                Status = "active",
                AreaCodes = demo.AreaCodes,
            }, change, cancellationToken);
            var periods = ReportingPeriods.For(demo.Calendar, demo.Start, demo.End);
            await BudgetStore.InsertVersionAsync(session, grantId, Profile(demo, periods), change, cancellationToken);

            // Each agreement is paid in quarterly instalments over its (the grant's) dates, due on the first day of each
            // quarter; the year of spend below pays the ones that fell due, linked to them.
            var scheduled = new Dictionary<long, (long AgreementId, IReadOnlyList<PartnerInstalment> Instalments, IReadOnlyList<string> Areas)>();
            foreach (var (partnerId, amount, agreementAreas) in demo.Agreements)
            {
                var shares = Burn.AreaShares.Split(amount, periods.Count);
                var agreementId = await PartnerAgreementStore.InsertAsync(session, new PartnerAgreement
                {
                    GrantId = grantId,
                    PartnerId = partnerId,
                    AmountPence = amount,
                    StartDate = demo.Start,
                    EndDate = demo.End,
                    Purpose = agreementAreas.Contains(National) ? "By-and-for specialist support and outreach" : "Local perpetrator intervention and victim-survivor support",
                    AreaCodes = agreementAreas,
                    Instalments = [.. periods.Select((p, i) => new PartnerInstalment { DueDate = p.Start, AmountPence = shares[i] })],
                }, change, cancellationToken);
                scheduled[partnerId] = (agreementId, await InstalmentStore.ForAgreementAsync(session, agreementId, cancellationToken), agreementAreas);
            }

            // Every instalment that fell due before today is paid on its due date, linked to it, except the Home Office
            // programme's latest to Rainbow Safe Space, left unpaid so the dashboard has one overdue instalment to show.
            var unpaid = scheduled.TryGetValue(rainbow, out var owed) ? owed.Instalments.Where(i => i.DueDate < today).MaxBy(i => i.DueDate)?.Id : null;
            var paidByQuarter = new Dictionary<DateOnly, long>();
            foreach (var (partnerId, (_, instalments, agreementAreas)) in scheduled)
            {
                foreach (var due in instalments.Where(i => i.DueDate < today && i.Id != unpaid))
                {
                    await TransactionStore.InsertAsync(session, new SpendTransaction
                    {
                        GrantId = grantId,
                        TransactionDate = due.DueDate,
                        AmountPence = due.AmountPence,
                        CategoryCode = "partner-grants",
                        Description = $"Partner grant instalment due {Month(due.DueDate)}",
                        PartnerId = partnerId,
                        AreaCode = agreementAreas.Count == 1 ? agreementAreas[0] : null,
                        InstalmentId = due.Id,
                        SourceReference = $"JNL-{due.DueDate:yyMM}-{random.Next(1000, 9999)}",
                    }, change, cancellationToken);
                    paidByQuarter[QuarterStart(due.DueDate)] = paidByQuarter.GetValueOrDefault(QuarterStart(due.DueDate)) + due.AmountPence;
                }
            }

            // Spend from the grant's start to yesterday, varying around the profile (the Home Office programme's only
            // from a year before the quarter in progress: it mobilised late, so its reports are red and explained);
            // partner grants beyond the instalments go to other local services.
            var spendFrom = demo.Start.AddMonths(demo.MobilisedMonthsLate);
            var months = Math.Max(1, (demo.End.DayNumber - demo.Start.DayNumber) / 30);
            var monthlyBudget = demo.AwardPence / months;
            for (var monthStart = new DateOnly(spendFrom.Year, spendFrom.Month, 1); monthStart < today; monthStart = monthStart.AddMonths(1))
            {
                foreach (var (category, weight) in demo.Weights)
                {
                    var actual = monthlyBudget * weight / 100 * random.Next(70, 125) / 100;
                    var spends = new List<(long Amount, string Description)>();
                    if (category == "partner-grants")
                    {
                        actual -= paidByQuarter.GetValueOrDefault(QuarterStart(monthStart)) / 3; // a quarter's instalments, a third a month
                        if (actual > 0)
                        {
                            spends.Add((actual, $"Grants to local services {Month(monthStart)}"));
                        }
                    }
                    else
                    {
                        var pieces = category == "staff" ? 1 : random.Next(1, 4);
                        for (var piece = 0; piece < pieces; piece++)
                        {
                            spends.Add((piece == pieces - 1 ? actual - actual / pieces * (pieces - 1) : actual / pieces, Describe(category, monthStart)));
                        }
                    }

                    for (var i = 0; i < spends.Count; i++)
                    {
                        var date = monthStart.AddDays(Math.Min(27, 3 + (i * 9) + random.Next(0, 4)));
                        var reference = $"JNL-{monthStart:yyMM}-{random.Next(1000, 9999)}";
                        if (date >= today)
                        {
                            continue; // not spent yet
                        }

                        await TransactionStore.InsertAsync(session, new SpendTransaction
                        {
                            GrantId = grantId,
                            TransactionDate = date,
                            AmountPence = spends[i].Amount,
                            CategoryCode = category,
                            Description = spends[i].Description,
                            SourceReference = reference,
                        }, change, cancellationToken);
                    }
                }
            }

            // Income: quarterly in advance, ten days into each period begun.
            foreach (var period in periods.Where(p => p.Start.AddDays(10) < today))
            {
                await PaymentStore.InsertAsync(session, new Payment
                {
                    GrantId = grantId,
                    PaymentDate = period.Start.AddDays(10),
                    AmountPence = demo.AwardPence / periods.Count,
                    Reference = $"{demo.Reference}/{period.Label}",
                }, change, cancellationToken);
            }
        }

        await SeedUsersAsync(session, areas, change, cancellationToken);
        // The lead of the by-and-for partnerships and the Drive Project writes the grants' results, as she would.
        var amira = (await UserStore.FindByEmailAsync(session, "amira@partnership.example", cancellationToken))!;
        await SeedResultsAsync(session, lottery, homeOffice, change with { Actor = $"user:{amira.Id}:{amira.Name}" }, cancellationToken);
        await SeedReturnsAsync(session, change, cancellationToken);
        await AuditLog.WriteAsync(session, change, "seed", "portfolio", "demo", null, new { funders = 3, grants = grants.Length }, cancellationToken);
        return true;
    }

    /// <summary>The award spread over periods (by days) and categories (by weight); the last line takes the remainder, so the budget equals the award to the penny.</summary>
    private static List<BudgetLine> Profile(DemoGrant demo, IReadOnlyList<ReportingPeriod> periods)
    {
        var totalDays = periods.Sum(p => p.Days);
        var lines = new List<BudgetLine>();
        long allocated = 0;
        foreach (var period in periods)
        {
            foreach (var (category, weight) in demo.Weights)
            {
                var amount = demo.AwardPence * period.Days / totalDays * weight / 100;
                lines.Add(new BudgetLine { CategoryCode = category, PeriodStart = period.Start, AmountPence = amount });
                allocated += amount;
            }
        }

        lines[^1].AmountPence += demo.AwardPence - allocated;
        return lines;
    }

    private static string Month(DateOnly month) => month.ToString("MMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>The first day of the UK financial-year quarter <paramref name="day"/> is in (1 January, April, July or October).</summary>
    public static DateOnly QuarterStart(DateOnly day) => new(day.Year, ((day.Month - 1) / 3 * 3) + 1, 1);

    private static string Describe(string category, DateOnly month) => category switch
    {
        "staff" => $"Salaries and on-costs {Month(month)}",
        "delivery" => $"Service delivery costs {Month(month)}",
        "training" => $"Practitioner training {Month(month)}",
        "evaluation" => $"Independent evaluation {Month(month)}",
        _ => $"Central costs {Month(month)}",
    };

    private sealed record DemoGrant(
        long FunderId,
        long AreaId,
        string Reference,
        string Title,
        long AwardPence,
        DateOnly Start,
        DateOnly End,
        ReportingCalendar Calendar,
        IReadOnlyList<(string Category, int Weight)> Weights,
        IReadOnlyList<(long PartnerId, long Amount, IReadOnlyList<string> Areas)> Agreements,
        IReadOnlyList<string> AreaCodes,
        int MobilisedMonthsLate = 0);

    private const string National = DeliveryAreaStore.EnglandAndWales;
    private const string ThamesValley = "E23000029";
    private const string GreaterManchester = "E23000005";
    private const string SouthWales = "W15000003";

    /// <summary>
    /// Indicators for the Home Office and Lottery grants, with the lead's actuals for the periods that have ended and a
    /// narrative for the latest: most on target, one amber with a note, and one amber without (so its report waits for
    /// a note), and one the partners deliver, summed from their returns.
    /// </summary>
    private static async Task SeedResultsAsync(DbSession session, long lotteryId, long homeOfficeId, ChangeContext change, CancellationToken cancellationToken)
    {
        var today = UkDate.Of(change.At);
        var quarter = QuarterStart(today);
        var lottery = (await GrantStore.GetByReferenceAsync(session, lotteryId, "NLCF-20250142", cancellationToken))!;
        var homeOffice = (await GrantStore.GetByReferenceAsync(session, homeOfficeId, "HO-VAWG-2025-017", cancellationToken))!;
        var plans = new (Grant Grant, Results.IndicatorInput Input, decimal[] Actuals, string? Note)[]
        {
            (homeOffice, Indicator("People supported by local services", "people", source: Results.IndicatorSource.Partners, byCommunity: true, target: 100m, from: quarter.AddMonths(-6), grant: homeOffice), [], null),
            (homeOffice, Indicator("People who cause harm completing the intervention", "people", target: 30m, grant: homeOffice), [24m, 28m, 31m, 33m, 29m, 22m],
                "Two groups started late after a facilitator left; both are running again from October."),
            (homeOffice, Indicator("Victim-survivors reporting feeling safer", "% of those asked", toDate: Results.IndicatorToDate.Latest, target: 70m, grant: homeOffice), [62m, 66m, 71m, 73m, 68m, 61.5m], null),
            (lottery, Indicator("Families supported by Drive caseworkers", "families", target: 45m, grant: lottery), [38m, 47m, 52m, 44m], null),
            (lottery, Indicator("Professionals trained in the Drive model", "people", target: 20m, grant: lottery), [12m, 18m, 25m, 15m],
                "Two training sessions moved to October at the venue's request."),
        };
        foreach (var (grant, input, actuals, note) in plans)
        {
            var created = await Results.Indicators.CreateAsync(session, grant.Id, input, change, cancellationToken);
            var ended = input.Targets.Select(t => t.PeriodStart).Where(start => start < today).ToList();
            for (var i = 0; i < actuals.Length && i < ended.Count; i++)
            {
                // The latest quarter's figure has the plan's note (or none, so its report waits for one); an earlier
                // quarter below target was explained when it was reported.
                var last = i == actuals.Length - 1;
                var explained = last ? note : Results.Quantity.From(actuals[i]).Hundredths < input.Targets[i].Value.Hundredths ? EarlierNote : null;
                await Results.Indicators.RecordActualAsync(session, grant.Id, created.Value!.Id, ended[i], null,
                    new Results.IndicatorActualInput(Results.Quantity.From(actuals[i]), explained), change, today, cancellationToken);
            }
        }

        foreach (var (grant, happened, changed, next) in new[]
                 {
                     (homeOffice, "Local services in Thames Valley, Greater Manchester and South Wales took referrals every week; the by-and-for partners ran outreach in four new community venues.",
                         "Referrals from health visitors rose after joint training in July.", "Recruit a replacement facilitator and restart the paused groups."),
                     (lottery, "Drive caseworkers supported 44 families, with multi-agency meetings held fortnightly.", "Training moved to the autumn at the venue's request.",
                         "Deliver the two postponed training sessions in October."),
                 })
        {
            var periods = (await GrantPeriods.LoadAsync(session, grant.Id, cancellationToken))!.Periods;
            if (periods.LastOrDefault(p => p.End < today) is { } last)
            {
                await Results.Narratives.SaveAsync(session, grant.Id, last.Start, null, new Results.NarrativeInput(happened, changed, next), change, cancellationToken);
            }
        }
    }

    private const string EarlierNote = "Below target while referral routes were being set up; the next quarter caught up.";

    /// <summary>An indicator with the same target in each of the grant's periods from <paramref name="from"/> (its start by default).</summary>
    private static Results.IndicatorInput Indicator(
        string name, string unit, decimal target, Grant grant, string source = Results.IndicatorSource.Lead, string toDate = Results.IndicatorToDate.Sum, bool byCommunity = false, DateOnly? from = null)
    {
        var calendar = ReportingCalendar.UkFinancialYear;
        var periods = ReportingPeriods.For(calendar, grant.StartDate, grant.EndDate).Where(p => p.Start >= (from ?? grant.StartDate));
        return new Results.IndicatorInput(name, unit, true, null, [.. periods.Select(p => new Results.TargetInput(p.Start, Results.Quantity.From(target)))], null, source, toDate, byCommunity);
    }

    /// <summary>
    /// Partner returns for the last quarter that ended in each state: accepted, submitted, sent back, a draft, and two
    /// not started (so overdue once they are due); every earlier quarter's return accepted.
    /// </summary>
    private static async Task SeedReturnsAsync(DbSession session, ChangeContext change, CancellationToken cancellationToken)
    {
        var agreements = (await PartnerAgreementStore.ListAsync(session, new PartnerAgreementFilter(), new PageRequest(1, PageRequest.MaxPageSize), cancellationToken)).Items;
        var partners = (await PartnerStore.ListAsync(session, new PageRequest(1, PageRequest.MaxPageSize), cancellationToken)).Items.ToDictionary(p => p.Id);
        var homeOffice = agreements.Where(a => a.AreaCodes.Count == 1 && a.AreaCodes[0] != National).ToList();
        var byAndFor = agreements.Where(a => a.AreaCodes.Contains(National)).ToList();
        var last = QuarterStart(UkDate.Of(change.At)).AddMonths(-3);
        var states = new List<(PartnerAgreement? Agreement, DateOnly Period, string State)>
        {
            (homeOffice.ElementAtOrDefault(0), last, ReturnStatus.Accepted),
            (homeOffice.ElementAtOrDefault(1), last, ReturnStatus.Submitted),
            (homeOffice.ElementAtOrDefault(2), last, ReturnStatus.SentBack),
            (byAndFor.ElementAtOrDefault(0), last, ReturnStatus.Draft),
        };
        foreach (var agreement in agreements)
        {
            var periods = (await GrantPeriods.LoadAsync(session, agreement.GrantId, cancellationToken))!.Periods;
            states.InsertRange(0, periods.Where(p => p.End < last && p.Start >= agreement.StartDate).Select(p => ((PartnerAgreement?)agreement, p.Start, ReturnStatus.Accepted)));
        }

        foreach (var (agreement, period, state) in states)
        {
            if (agreement is null)
            {
                continue;
            }

            var issued = await ReturnLinks.IssueAsync(session, agreement.Id, period, 60, change, cancellationToken);
            if (issued.Value is not { } link)
            {
                continue;
            }

            var partner = partners[agreement.PartnerId];
            var quarter = agreement.AmountPence / 12;
            var reach = partner.Communities.Select((c, i) => new ReturnReachInput(c, 40 + (i * 17))).ToList();
            // The grant's results its partners report on: the people reached, by community.
            var results = (await Results.IndicatorStore.ListForGrantAsync(session, agreement.GrantId, cancellationToken))
                .Where(i => i.Source == Results.IndicatorSource.Partners)
                .Select(i => new ReturnResultInput(i.Id, Results.Quantity.From(reach.Sum(r => r.People)),
                    i.ByCommunity ? [.. reach.Select(r => new Results.CommunityFigureInput(r.Community, Results.Quantity.From(r.People)))] : null))
                .ToList();
            var input = new PartnerReturnInput(
                [new ReturnSpendInput("staff", new Money.Money(quarter * 6 / 10)), new ReturnSpendInput("delivery", new Money.Money(quarter * 3 / 10))],
                reach,
                "Referrals came through the new community routes and group sessions ran every week.",
                state == ReturnStatus.Draft ? null : "Recruiting a second practitioner took longer than planned.",
                results);
            var partnerChange = new ChangeContext(Portfolio.Core.PartnerReturns.PartnerReturns.PartnerActor(partner, link.Link), change.At);
            var saved = await Portfolio.Core.PartnerReturns.PartnerReturns.SaveAsync(session, link.Link, input, submit: state != ReturnStatus.Draft, 0, partnerChange, cancellationToken);
            if (saved.Value is { } made && state is ReturnStatus.Accepted or ReturnStatus.SentBack)
            {
                await Portfolio.Core.PartnerReturns.PartnerReturns.ReviewAsync(session, made.Id, made.Version, state == ReturnStatus.Accepted,
                    new ReturnReviewInput(state == ReturnStatus.SentBack ? "Please split the venue hire out of staff costs." : null), change, cancellationToken);
            }
        }
    }

    private static async Task SeedUsersAsync(DbSession session, Dictionary<string, long> areas, ChangeContext change, CancellationToken cancellationToken)
    {
        foreach (var (email, name, role, areaCodes) in Users)
        {
            var invited = await Domain.Users.InviteAsync(session, new UserInput(email, name, role, [.. areaCodes.Select(c => areas[c])]), change, cancellationToken);
            var token = invited.Value?.SetPasswordToken ?? throw new InvalidOperationException($"demo user {email}: {invited.Refused}");
            var set = await Domain.Users.SetPasswordAsync(session, token, UserPassword, UserPassword, change, cancellationToken);
            if (set.Value is null)
            {
                throw new InvalidOperationException($"demo user {email}: {set.Refused}");
            }
        }
    }
}
