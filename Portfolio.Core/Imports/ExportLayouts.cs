using System.Globalization;
using System.Text.RegularExpressions;
using Portfolio.Core.Operations;

namespace Portfolio.Core.Imports;

/// <summary>What a row of an export is, once its layout is known.</summary>
public enum RowRole
{
    /// <summary>A journal line: a date and an amount.</summary>
    Line,

    /// <summary>A subtotal, total, opening or closing balance: ignored, never summed into anything.</summary>
    Total,

    /// <summary>Preamble, a section heading, a repeated header, a footer or a blank row: not a row of the import.</summary>
    Skip,
}

/// <summary>
/// One journal line as the export states it, before any rule is applied. <see cref="Debit"/> and
/// <see cref="Credit"/> come from exports with two columns, <see cref="Signed"/> from those with one signed amount
/// (QuickBooks, or a generic file), in the account's natural sign. <see cref="Problems"/> lists what could not be read.
/// </summary>
public sealed record ExportLine(
    int Line,
    RowRole Role,
    DateOnly? Date,
    string? AccountCode,
    string Description,
    string? Reference,
    long? Debit,
    long? Credit,
    long? Signed,
    IReadOnlyList<string> Tracking,
    IReadOnlyList<string> Problems);

/// <summary>The columns of a generic CSV, by their titles in the header row, as finance maps them once in the import rules.</summary>
public sealed record GenericColumns(
    [Text(100)] string Date,
    [Text(100)] string Account,
    [Text(100)] string? Amount,
    [Text(100)] string? Debit,
    [Text(100)] string? Credit,
    [Text(100)] string? Description,
    [Text(100)] string? Reference,
    [Items(10, ItemMaxLength = 100)] IReadOnlyList<string> Tracking);

/// <summary>
/// A recognised export layout: where each field is, and how to read the rows after the header. Built by
/// <see cref="ExportLayouts.Detect"/> from the header row it found.
/// </summary>
public sealed partial class ExportLayout
{
    public required string Source { get; init; }

    public required int HeaderLine { get; init; }

    internal string[] Header { get; init; } = [];

    internal int Date { get; init; } = -1;

    internal int Account { get; init; } = -1;

    internal int Description { get; init; } = -1;

    internal int[] DescriptionParts { get; init; } = [];

    internal int Reference { get; init; } = -1;

    internal int Debit { get; init; } = -1;

    internal int Credit { get; init; } = -1;

    internal int Amount { get; init; } = -1;

    internal int[] Tracking { get; init; } = [];

    private string? _headingAccount;

    /// <summary>Reads the rows after the header, keeping the account of the section each line is in.</summary>
    public IEnumerable<ExportLine> Read(IEnumerable<ExportRow> rows)
    {
        foreach (var row in rows)
        {
            if (row.Line > HeaderLine)
            {
                yield return Interpret(row);
            }
            else if (SageBlock().Match(string.Join(" ", row.Cells)) is { Success: true } block)
            {
                _headingAccount = block.Groups["code"].Value; // Sage's first "N/C:" block line comes before the first header
            }
        }
    }

    internal ExportLine Interpret(ExportRow row)
    {
        var skip = new ExportLine(row.Line, RowRole.Skip, null, null, "", null, null, null, null, [], []);
        if (row.IsBlank || IsHeader(row))
        {
            return skip;
        }

        var first = row.Cells.Select(c => c.Trim()).FirstOrDefault(c => c.Length > 0) ?? "";
        var sageBlock = SageBlock().Match(string.Join(" ", row.Cells));
        if (sageBlock.Success)
        {
            _headingAccount = sageBlock.Groups["code"].Value;
            return skip;
        }

        if (IsTotal(first))
        {
            // The file's own total, read for comparing with its lines (never summed into anything).
            static long? Stated(string text) => text.Length > 0 && Core.Money.Money.TryParse(text, out var money, out _) ? money.Pence : null;
            return skip with { Role = RowRole.Total, Description = first, Debit = Stated(row.Cell(Debit)), Credit = Stated(row.Cell(Credit)), Signed = Stated(row.Cell(Amount)) };
        }

        var dateText = row.Cell(Date);
        var amountCells = new[] { row.Cell(Debit), row.Cell(Credit), row.Cell(Amount) };
        if (dateText.Length == 0 || amountCells.All(c => c.Length == 0))
        {

            // A section heading: one cell, "7000 - Staff salaries" (Xero) or "7000 Staff salaries" (QuickBooks).
            if (row.Cells.Count(c => c.Trim().Length > 0) == 1)
            {
                var heading = HeadingCode().Match(first);
                _headingAccount = heading.Success ? heading.Groups["code"].Value : null;
            }

            return skip;
        }

        var problems = new List<string>();
        DateOnly? date = ExportValues.TryDate(dateText, out var parsed) ? parsed : null;
        if (date is null)
        {
            problems.Add($"'{dateText}' is not a date this import reads: UK dates only, day first (14/05/2026, 14 May 2026 or 2026-05-14)");
        }

        long? Money(int column, string name)
        {
            var text = row.Cell(column);
            if (column < 0 || text.Length == 0)
            {
                return null;
            }

            if (Core.Money.Money.TryParse(text, out var money, out var error))
            {
                return money.Pence;
            }

            problems.Add($"{name} '{text}' {error}");
            return null;
        }

        var account = Account >= 0 ? row.Cell(Account) : _headingAccount;
        var description = DescriptionParts.Length > 0
            ? string.Join(" - ", DescriptionParts.Select(row.Cell).Where(p => p.Length > 0))
            : row.Cell(Description);
        var reference = row.Cell(Reference);
        return new ExportLine(
            row.Line,
            RowRole.Line,
            date,
            string.IsNullOrWhiteSpace(account) ? null : account.Trim(),
            description,
            reference.Length == 0 ? null : reference,
            Money(Debit, "debit"),
            Money(Credit, "credit"),
            Money(Amount, "amount"),
            Tracking.Select(row.Cell).Where(v => v.Length > 0).ToList(),
            problems);
    }

    private bool IsHeader(ExportRow row) =>
        Header.Length > 0 && Header.Where((title, i) => title.Length > 0 && string.Equals(row.Cell(i), title, StringComparison.OrdinalIgnoreCase)).Count() >= Math.Min(3, Header.Count(t => t.Length > 0));

    private static bool IsTotal(string first) =>
        first.StartsWith("Total", StringComparison.OrdinalIgnoreCase)
        || first.StartsWith("Opening Balance", StringComparison.OrdinalIgnoreCase)
        || first.StartsWith("Closing Balance", StringComparison.OrdinalIgnoreCase)
        || first.StartsWith("History Balance", StringComparison.OrdinalIgnoreCase)
        || first.StartsWith("Beginning Balance", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"N/C:\s*(?<code>[^\s,]+)", RegexOptions.IgnoreCase)]
    private static partial Regex SageBlock();

    [GeneratedRegex(@"^(?<code>[0-9][0-9A-Za-z./-]*)(\s+-\s+|\s+)\S")]
    private static partial Regex HeadingCode();
}

/// <summary>
/// The export layouts Portfolio recognises, found from the header row (searched for in the first 60 rows: report
/// titles, the organisation, the date range and blank rows come first). Sources, summarised in
/// ../shared/accounting-exports.md: Xero's Account Transactions report, Sage 50's Nominal Activity report saved
/// as CSV, QuickBooks Online's Transaction Detail by Account / General Ledger, and a generic CSV mapped in the rules.
/// </summary>
public static class ExportLayouts
{
    public const int HeaderSearchRows = 60;

    private static readonly HashSet<string> XeroKnown = new(StringComparer.OrdinalIgnoreCase)
    {
        "Date", "Source", "Description", "Reference", "Debit", "Credit", "Running Balance", "Gross", "Net", "Tax", "VAT",
        "Account Code", "Account", "Account Type", "Contact", "Related account", "Currency", "Debit (Source)",
        "Credit (Source)", "Debit (GBP)", "Credit (GBP)", "Tax Rate", "Tax Rate Name", "Invoice Number", "Transaction Type",
    };

    /// <summary>What the detector tries, in the words of the refusal when none matches.</summary>
    public static string Tried(GenericColumns? generic) =>
        "Xero Account Transactions (Date, Source, Description, Reference, Debit, Credit), "
        + "Sage 50 Nominal Activity (No, Type, Date, Ref, Details, Dept, Debit, Credit), "
        + "QuickBooks Transaction Detail by Account or General Ledger (Date, Transaction Type, Memo/Description, Amount)"
        + (generic is null
            ? ", and a generic CSV, whose columns are not mapped yet (set them in the import rules)"
            : $", and the generic CSV mapped in the import rules ({string.Join(", ", GenericTitles(generic))})");

    /// <summary>The layout whose header is among the first rows, or an <see cref="ImportFileException"/> naming what was tried.</summary>
    public static ExportLayout Detect(IEnumerable<ExportRow> firstRows, GenericColumns? generic)
    {
        foreach (var row in firstRows.Take(HeaderSearchRows))
        {
            var header = row.Cells.Select(c => c.Trim()).ToArray();
            var layout = Sage50(row.Line, header) ?? QuickBooks(row.Line, header) ?? Xero(row.Line, header) ?? Generic(row.Line, header, generic);
            if (layout is not null)
            {
                return layout;
            }
        }

        throw new ImportFileException($"No header row this import knows was found in the first {HeaderSearchRows} rows. Tried: {Tried(generic)}.");
    }

    private static int Find(string[] header, params string[] titles)
    {
        foreach (var title in titles)
        {
            var i = Array.FindIndex(header, h => string.Equals(h, title, StringComparison.OrdinalIgnoreCase));
            if (i >= 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static ExportLayout? Xero(int line, string[] header)
    {
        int date = Find(header, "Date"), source = Find(header, "Source"), description = Find(header, "Description"), reference = Find(header, "Reference");
        int debit = Find(header, "Debit (GBP)", "Debit"), credit = Find(header, "Credit (GBP)", "Credit");
        if (date < 0 || source < 0 || description < 0 || reference < 0 || debit < 0 || credit < 0)
        {
            return null;
        }

        return new ExportLayout
        {
            Source = ImportSources.Xero, HeaderLine = line, Header = header, Date = date, Description = description, Reference = reference,
            Debit = debit, Credit = credit, Account = Find(header, "Account Code"),
            Tracking = [.. Enumerable.Range(0, header.Length).Where(i => header[i].Length > 0 && !XeroKnown.Contains(header[i]))],
        };
    }

    private static ExportLayout? Sage50(int line, string[] header)
    {
        int no = Find(header, "No"), type = Find(header, "Type"), date = Find(header, "Date"), reference = Find(header, "Ref");
        int details = Find(header, "Details"), debit = Find(header, "Debit"), credit = Find(header, "Credit");
        if (no < 0 || type < 0 || date < 0 || reference < 0 || details < 0 || debit < 0 || credit < 0)
        {
            return null;
        }

        return new ExportLayout
        {
            Source = ImportSources.Sage50, HeaderLine = line, Header = header, Date = date, Description = details, Reference = reference,
            Debit = debit, Credit = credit, Account = Find(header, "N/C"),
            Tracking = [.. new[] { Find(header, "Dept"), Find(header, "Fund"), Find(header, "Project Ref") }.Where(i => i >= 0)],
        };
    }

    private static ExportLayout? QuickBooks(int line, string[] header)
    {
        int date = Find(header, "Date", "Transaction date"), type = Find(header, "Transaction Type"), amount = Find(header, "Amount");
        if (date < 0 || type < 0 || amount < 0)
        {
            return null;
        }

        int name = Find(header, "Name"), memo = Find(header, "Memo/Description", "Memo/description", "Description");
        return new ExportLayout
        {
            Source = ImportSources.QuickBooks, HeaderLine = line, Header = header, Date = date,
            DescriptionParts = [.. new[] { name, memo }.Where(i => i >= 0)], Reference = Find(header, "No.", "Num", "Number"),
            Amount = amount, Account = Find(header, "Distribution account", "Account"),
            Tracking = [.. new[] { Find(header, "Class"), Find(header, "Location") }.Where(i => i >= 0)],
        };
    }

    private static ExportLayout? Generic(int line, string[] header, GenericColumns? columns)
    {
        if (columns is null)
        {
            return null;
        }

        var titles = GenericTitles(columns).ToList();
        if (titles.Any(t => Find(header, t) < 0))
        {
            return null;
        }

        int Optional(string? title) => title is null ? -1 : Find(header, title);
        return new ExportLayout
        {
            Source = ImportSources.Generic, HeaderLine = line, Header = header, Date = Find(header, columns.Date), Account = Find(header, columns.Account),
            Amount = Optional(columns.Amount), Debit = Optional(columns.Debit), Credit = Optional(columns.Credit),
            Description = Optional(columns.Description), Reference = Optional(columns.Reference),
            Tracking = [.. columns.Tracking.Select(t => Find(header, t))],
        };
    }

    private static IEnumerable<string> GenericTitles(GenericColumns columns) =>
        new[] { columns.Date, columns.Account, columns.Amount, columns.Debit, columns.Credit, columns.Description, columns.Reference }
            .Concat(columns.Tracking)
            .OfType<string>();
}

public static class ImportSources
{
    public const string Xero = "xero";
    public const string Sage50 = "sage50";
    public const string QuickBooks = "quickbooks";
    public const string Generic = "generic";
}

/// <summary>Dates and codes as exports write them.</summary>
public static class ExportValues
{
    private static readonly string[] DateFormats =
    [
        "d/M/yyyy", "dd/MM/yyyy", "d MMM yyyy", "dd MMM yyyy", "d MMMM yyyy", "dd MMMM yyyy", "yyyy-MM-dd", "d-MMM-yyyy", "dd-MMM-yyyy", "d.M.yyyy",
    ];

    /// <summary>A UK date: day first, four-digit year; never month first (05/14/2026 is refused, not read as 14 May).</summary>
    /// <remarks>
    /// Month names are read in English both ways: "Sep" as Xero writes it (the invariant culture's abbreviation) and
    /// "Sept" (British English's, as .NET's en-GB has it).
    /// </remarks>
    public static bool TryDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text.Trim(), DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out date)
        || DateOnly.TryParseExact(text.Trim(), DateFormats, CultureInfo.GetCultureInfo("en-GB"), DateTimeStyles.None, out date);

    /// <summary>
    /// Account codes and tracking values compared as finance means them: case and outer spaces ignored, and numbers
    /// by value, because Excel drops leading zeros (Sage department 005 arrives as 5).
    /// </summary>
    public static string Key(string value)
    {
        var trimmed = value.Trim();
        return trimmed.Length > 0 && trimmed.All(char.IsAsciiDigit) ? trimmed.TrimStart('0').PadLeft(1, '0') : trimmed.ToUpperInvariant();
    }
}
