using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;
using Portfolio.Core.Periods;

namespace Portfolio.Core.Imports;

/// <summary>
/// Judges export lines by the rules in force and the books as they are: which account and grant a line is for,
/// and whether spend or income recorded one at a time with those values would be accepted — the grant exists and
/// is the lead's, the date is within the grant, not after today and in an open period, the partner has an agreement
/// on the grant, income stays within the award (counting the file's earlier rows). Rule texts are
/// <see cref="Spend"/>'s and <see cref="Income"/>'s own. Reference data is read once per import, not per row.
/// </summary>
internal sealed class ImportJudge
{
    internal static readonly Sql Agreements = Sql.Common("SELECT DISTINCT grant_id, partner_id FROM partner_agreement");

    internal static readonly Sql GrantAreas = Sql.Common("SELECT grant_id, area_code FROM grant_area");

    internal static readonly Sql AgreementAreas = Sql.Common("""
        SELECT DISTINCT a.grant_id, a.partner_id, aa.area_code
        FROM partner_agreement_area aa JOIN partner_agreement a ON a.id = aa.agreement_id
        """);

    internal static readonly Sql IncomeByGrant = Sql.Common("SELECT grant_id, SUM(amount_pence) AS amount FROM payment WHERE voided_at IS NULL GROUP BY grant_id");

    private const string NoReference = "(no reference)";

    private const int MaxDescription = 500;
    private const int MaxReference = 200;

    private readonly DbSession _session;
    private readonly ChangeContext _change;
    private readonly Dictionary<string, AccountRule> _accounts;
    private readonly Dictionary<string, TrackingRule> _tracking;
    private readonly Dictionary<long, GrantBooks.FactsRow> _grants;
    private readonly Dictionary<string, GrantBooks.FactsRow> _byReference;
    private readonly HashSet<string> _categories;
    private readonly HashSet<(long Grant, long Partner)> _agreements;
    private readonly Dictionary<long, long> _income;
    private readonly ILookup<long, string> _grantAreas;
    private readonly ILookup<(long Grant, long Partner), string> _partnerAreas;
    private readonly Dictionary<long, GrantBooks> _books = [];
    private readonly HashSet<long> _locked = [];

    private ImportJudge(DbSession session, ChangeContext change, ImportRulesView rules, IEnumerable<GrantBooks.FactsRow> grants, IEnumerable<string> categories,
        IEnumerable<(long, long)> agreements, Dictionary<long, long> income, ILookup<long, string> grantAreas, ILookup<(long, long), string> partnerAreas)
    {
        _grantAreas = grantAreas;
        _partnerAreas = partnerAreas;
        _session = session;
        _change = change;
        _accounts = rules.Accounts.GroupBy(a => ExportValues.Key(a.Code)).ToDictionary(g => g.Key, g => g.First());
        _tracking = rules.Tracking.GroupBy(t => ExportValues.Key(t.Value)).ToDictionary(g => g.Key, g => g.First());
        _grants = grants.ToDictionary(g => g.Id);
        _byReference = _grants.Values.GroupBy(g => ExportValues.Key(g.Reference)).Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.First());
        _categories = categories.ToHashSet(StringComparer.Ordinal);
        _agreements = agreements.ToHashSet();
        _income = income;
    }

    public static async Task<ImportJudge> LoadAsync(DbSession session, ImportRulesView rules, ChangeContext change, CancellationToken cancellationToken)
    {
        var grants = await session.QueryAsync<GrantBooks.FactsRow>(GrantBooks.AllFacts, cancellationToken: cancellationToken);
        var categories = (await CostCategoryStore.ListAsync(session, cancellationToken)).Select(c => c.Code);
        var agreements = (await session.QueryAsync<AgreementRow>(Agreements, cancellationToken: cancellationToken)).Select(a => (a.GrantId, a.PartnerId));
        var income = (await session.QueryAsync<IncomeRow>(IncomeByGrant, cancellationToken: cancellationToken)).ToDictionary(r => r.GrantId, r => r.Amount);
        var grantAreas = (await session.QueryAsync<AreaRow>(GrantAreas, cancellationToken: cancellationToken))
            .OrderBy(a => a.AreaCode, StringComparer.Ordinal).ToLookup(a => a.GrantId, a => a.AreaCode);
        var partnerAreas = (await session.QueryAsync<AreaRow>(AgreementAreas, cancellationToken: cancellationToken)).ToLookup(a => (a.GrantId, a.PartnerId), a => a.AreaCode);
        return new ImportJudge(session, change, rules, grants, categories, agreements, income, grantAreas, partnerAreas);
    }

    /// <summary>What the row would record, or why it is refused or ignored (duplicates are found afterwards, over the whole file).</summary>
    public async Task<RowRecord> JudgeAsync(ExportLine line, CancellationToken cancellationToken)
    {
        var row = new RowRecord
        {
            Line = line.Line,
            TxnDate = line.Date,
            AccountCode = Clip(line.AccountCode, 100),
            TrackingValue = Clip(line.Tracking.Count == 0 ? null : string.Join(" | ", line.Tracking), 200),
            Description = line.Description,
            // The export's reference, else its description, else a fixed mark: never null, because duplicates are found
            // by equality on it (the k-th equal line is a duplicate when k are recorded), and null equals nothing.
            SourceReference = line.Reference ?? (line.Description.Length > 0 ? line.Description : NoReference),
        };
        if (line.Role == RowRole.Total)
        {
            return Ignore(row, $"a total or balance row ('{Clip(line.Description, 80)}'), not a journal line");
        }

        var reasons = new List<string>(line.Problems);
        AccountRule? account = null;
        if (line.AccountCode is null)
        {
            reasons.Add("no account code: the line is under no account heading and has no account column");
        }
        else if (!_accounts.TryGetValue(ExportValues.Key(line.AccountCode), out account))
        {
            reasons.Add($"no rule for account {line.AccountCode}: add one (spend in a cost category, income, or ignore)");
        }
        else if (account.Kind == AccountKinds.Ignore)
        {
            return Ignore(row, $"account {line.AccountCode} is mapped to nothing (ignore)");
        }

        row.Kind = account?.Kind;
        row.CategoryCode = account?.Category;
        long? amount = null;
        if (line.Signed is { } signed)
        {
            amount = signed;
        }
        else if (line.Debit is not null || line.Credit is not null)
        {
            var net = (line.Debit ?? 0) - (line.Credit ?? 0);
            amount = account?.Kind == AccountKinds.Income ? -net : net;
        }
        else if (line.Problems.Count == 0)
        {
            reasons.Add("no amount");
        }

        row.AmountPence = amount;
        if (amount == 0 && reasons.Count == 0)
        {
            return Ignore(row, "the amount is zero");
        }

        var grant = FindGrant(line, reasons, out var partnerId, out var areaCode);
        row.GrantId = grant?.Id;
        row.PartnerId = row.Kind == AccountKinds.Spend ? partnerId : null;
        // As spend recorded one at a time: the rule's area, else the partner's when its agreements on the grant name one.
        row.AreaCode = row.Kind != AccountKinds.Spend ? null
            : areaCode ?? (grant is not null && row.PartnerId is { } p && _partnerAreas[(grant.Id, p)].ToList() is [var only] ? only : null);
        if (line.Description.Length > MaxDescription)
        {
            reasons.Add($"the description is {line.Description.Length} characters long, more than the {MaxDescription} a transaction keeps");
        }

        if (row.SourceReference is { Length: > MaxReference })
        {
            reasons.Add($"the reference is {row.SourceReference.Length} characters long, more than the {MaxReference} a transaction keeps");
        }

        if (grant is not null && account is not null && line.Date is { } date && amount is { } pence)
        {
            await CheckAgainstBooksAsync(row, grant, date, pence, reasons, cancellationToken);
        }

        row.Status = reasons.Count == 0 ? RowStatuses.Ready : RowStatuses.Refused;
        row.Reasons = reasons.Count == 0 ? null : string.Join(RowRecord.ReasonSeparator, reasons.Distinct());
        return row;
    }

    /// <summary>
    /// A ready row judged again at commit, inside the commit's transaction: the grant is locked first (once), so a
    /// report cannot be approved over the rows between this check and the commit.
    /// </summary>
    public async Task<RowRecord> RecheckAsync(RowRecord ready, CancellationToken cancellationToken)
    {
        var reasons = new List<string>();
        if (ready.GrantId is not { } grantId || !_grants.TryGetValue(grantId, out var grant))
        {
            reasons.Add($"grant {ready.GrantId} no longer exists");
        }
        else
        {
            if (_locked.Add(grantId))
            {
                await GrantStore.LockAsync(_session, grantId, cancellationToken);
            }

            if (ready.Kind == AccountKinds.Spend && (ready.CategoryCode is null || !_categories.Contains(ready.CategoryCode)))
            {
                reasons.Add($"cost category {ready.CategoryCode} no longer exists");
            }

            await CheckAgainstBooksAsync(ready, grant, ready.TxnDate!.Value, ready.AmountPence!.Value, reasons, cancellationToken);
        }

        return new RowRecord { Line = ready.Line, Status = reasons.Count == 0 ? RowStatuses.Ready : RowStatuses.Refused, Reasons = string.Join(" ", reasons) };
    }

    /// <summary>
    /// The spend and income rules (<see cref="MoneyRules"/>, the single write's own) over the facts read for the
    /// whole import: a row is refused for what a line recorded one at a time would be refused for, in the same words.
    /// </summary>
    private async Task CheckAgainstBooksAsync(RowRecord row, GrantBooks.FactsRow facts, DateOnly date, long pence, List<string> reasons, CancellationToken cancellationToken)
    {
        if (!_change.MayActInArea(facts.ProgrammeAreaId))
        {
            reasons.Add($"grant {facts.Reference} is not in your programme areas");
        }

        var grant = await BooksAsync(facts, cancellationToken);
        var findings = row.Kind == AccountKinds.Income
            ? MoneyRules.Income(grant, date, pence, grant.IncomePence, _change, Moved.New)
            : MoneyRules.Spend(grant, date, row.PartnerId, row.PartnerId is not { } partner || _agreements.Contains((grant.Id, partner)), row.AreaCode, _change, Moved.New);
        reasons.AddRange(MoneyRules.AsReasons(findings));
        if (row.Kind == AccountKinds.Income && reasons.Count == 0)
        {
            grant.IncomePence += pence; // the file's later rows count this one
        }
    }

    /// <summary>A grant's books, built on its first row from the import's set-based reads (its closed periods read then, once).</summary>
    private async Task<GrantBooks> BooksAsync(GrantBooks.FactsRow facts, CancellationToken cancellationToken)
    {
        if (!_books.TryGetValue(facts.Id, out var books))
        {
            _books[facts.Id] = books = facts.ToBooks([.. _grantAreas[facts.Id]], await ClosedPeriods.LoadAsync(_session, facts.Id, cancellationToken), _income.GetValueOrDefault(facts.Id));
        }

        return books;
    }

    private GrantBooks.FactsRow? FindGrant(ExportLine line, List<string> reasons, out long? partnerId, out string? areaCode)
    {
        partnerId = null;
        areaCode = null;
        if (line.Tracking.Count == 0)
        {
            reasons.Add("no tracking value (the grant's tracking category, class or department is empty), so no grant");
            return null;
        }

        var found = new List<(GrantBooks.FactsRow Grant, long? Partner, string? Area, string Value)>();
        foreach (var value in line.Tracking)
        {
            var key = ExportValues.Key(value);
            if (_tracking.TryGetValue(key, out var rule))
            {
                if (_grants.TryGetValue(rule.GrantId, out var ruled))
                {
                    found.Add((ruled, rule.PartnerId, rule.AreaCode, value));
                }
                else
                {
                    reasons.Add($"the rule for tracking value '{value}' names grant {rule.GrantId}, which does not exist");
                }
            }
            else if (_byReference.TryGetValue(key, out var byReference))
            {
                found.Add((byReference, null, null, value));
            }
        }

        var grants = found.DistinctBy(f => f.Grant.Id).ToList();
        if (grants.Count > 1)
        {
            reasons.Add($"the tracking values name more than one grant ({string.Join(", ", grants.Select(g => $"'{g.Value}' is {g.Grant.Reference}"))})");
            return null;
        }

        if (grants.Count == 0)
        {
            if (!reasons.Any(r => r.StartsWith("the rule for tracking value", StringComparison.Ordinal)))
            {
                reasons.Add($"no grant for tracking value {string.Join(" or ", line.Tracking.Select(v => $"'{v}'"))}: add a rule, or use a grant's reference as the value");
            }

            return null;
        }

        partnerId = grants[0].Partner;
        areaCode = grants[0].Area;
        return grants[0].Grant;
    }

    private static RowRecord Ignore(RowRecord row, string reason)
    {
        row.Status = RowStatuses.Ignored;
        row.Reasons = reason;
        return row;
    }

    private static string? Clip(string? text, int length) => text is null || text.Length <= length ? text : text[..length];

    private sealed class AgreementRow
    {
        public long GrantId { get; set; }
        public long PartnerId { get; set; }
    }

    private sealed class AreaRow
    {
        public long GrantId { get; set; }
        public long PartnerId { get; set; }
        public string AreaCode { get; set; } = "";
    }

    private sealed class IncomeRow
    {
        public long GrantId { get; set; }
        public long Amount { get; set; }
    }
}
