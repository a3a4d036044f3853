using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Tests.Builders;

/// <summary>
/// A grant with everything a quarterly report shows, written straight through the stores (fast enough for
/// thousands of transactions): the worked example's £120,000 grant over 2026/27 and its budget, spend in Q1 and
/// Q2 (one voided, one credit, one with a formula-like description), a partner agreement, income and a note.
/// </summary>
public static class ReportScenario
{
    public const string HyperlinkDescription = "=HYPERLINK(\"http://x\",\"click\")";
    public const string ContactEmail = "officer@funder.example";

    public static async Task<Grant> CreateAsync(Database database, int extraTransactionsInQ2 = 0)
    {
        return await Portfolio.Core.Operations.UnitOfWork.CommitAsync(database, async session =>
        {
            var change = A.Change();
            var funder = A.Funder("lottery");
            funder.Name = "The National Lottery Community Fund";
            funder.Contacts = [new FunderContact { Name = "Grants Officer", Email = ContactEmail }];
            var funderId = await FunderStore.InsertAsync(session, funder, change);
            var grant = A.Grant(funderId, amountPence: 12_000_000);
            grant.Title = "Survivor support";
            grant.Id = await GrantStore.InsertAsync(session, grant, change);
            var partner = A.Partner();
            partner.Name = "Sahara Women's Network";
            var partnerId = await PartnerStore.InsertAsync(session, partner, change);

            var lines = new List<BudgetLine>();
            foreach (var (period, staff, delivery, training) in new[]
                     {
                         (new DateOnly(2026, 4, 1), 1_500_000L, 500_000L, 0L), (new DateOnly(2026, 7, 1), 1_500_000L, 1_000_000L, 500_000L),
                         (new DateOnly(2026, 10, 1), 1_500_000L, 1_500_000L, 500_000L), (new DateOnly(2027, 1, 1), 1_500_000L, 2_000_000L, 0L),
                     })
            {
                lines.Add(new BudgetLine { CategoryCode = "staff", PeriodStart = period, AmountPence = staff });
                lines.Add(new BudgetLine { CategoryCode = "delivery", PeriodStart = period, AmountPence = delivery });
                lines.Add(new BudgetLine { CategoryCode = "training", PeriodStart = period, AmountPence = training });
            }

            await BudgetStore.InsertVersionAsync(session, grant.Id, lines, change);
            await PartnerAgreementStore.InsertAsync(session, new PartnerAgreement { GrantId = grant.Id, PartnerId = partnerId, AmountPence = 2_000_000, StartDate = grant.StartDate, EndDate = grant.EndDate }, change);

            async Task<long> Spend(string date, string category, long pence, string description, long? partner = null) =>
                (await TransactionStore.InsertAsync(session, new SpendTransaction
                {
                    GrantId = grant.Id,
                    TransactionDate = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture),
                    AmountPence = pence,
                    CategoryCode = category,
                    Description = description,
                    PartnerId = partner,
                    SourceReference = "JNL-" + date,
                }, change)).Id;

            await Spend("2026-05-15", "staff", 1_400_000, "Salaries May");
            await Spend("2026-06-30", "delivery", 400_000, "Venue hire");
            await Spend("2026-08-10", "staff", 1_650_000, "Salaries Aug");
            await Spend("2026-08-20", "delivery", 700_000, HyperlinkDescription, partnerId);
            await Spend("2026-09-01", "training", 600_000, "Practitioner training");
            await Spend("2026-09-30", "delivery", -50_000, "Refund of deposit");
            var voided = await Spend("2026-09-15", "delivery", 999_999, "Posted twice");
            await TransactionStore.VoidAsync(session, voided, 1, "Duplicate", change);
            for (var i = 0; i < extraTransactionsInQ2; i++)
            {
                await Spend(new DateOnly(2026, 7, 1).AddDays(i % 92).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "delivery", 100 + i, $"Item {i + 1} of a long month");
            }

            await PaymentStore.InsertAsync(session, new Payment { GrantId = grant.Id, PaymentDate = new DateOnly(2026, 4, 10), AmountPence = 3_000_000, Reference = "Q1 advance" }, change);
            await PaymentStore.InsertAsync(session, new Payment { GrantId = grant.Id, PaymentDate = new DateOnly(2026, 7, 10), AmountPence = 3_000_000, Reference = "Q2 advance" }, change);
            await VarianceNoteStore.InsertAsync(session, new VarianceNote { GrantId = grant.Id, PeriodStart = new DateOnly(2026, 7, 1), CategoryCode = "training", NoteText = "Training brought forward from Q3.", Author = "lead", CreatedAt = change.At });
            return grant;
        });
    }
}
