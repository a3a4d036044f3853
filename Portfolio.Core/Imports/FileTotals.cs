using System.Text.Json.Serialization;

namespace Portfolio.Core.Imports;

/// <summary>
/// What a file says it adds up to, beside what its lines add up to as read, so finance can tick the preview against
/// the export before committing. The lines' total is every journal line's debit less credit, or its signed amount,
/// whatever the rules then make of it (refused and ignored lines included, as the export counts them). The file's
/// total is its grand total row (Xero's <c>Total</c>, QuickBooks' <c>TOTAL</c>), else the sum of its section totals
/// (Sage 50's <c>Totals:</c> under each nominal code, or <c>Total for …</c> rows); balances are not totals of lines.
/// </summary>
public sealed class FileTotals
{
    private long _lines;
    private bool _anyLine;
    private long _grand;
    private int _grandRows;
    private long _sections;
    private int _sectionRows;

    /// <summary>Adds a row read from the file.</summary>
    public void Add(ExportLine line)
    {
        if (line.Role == RowRole.Line)
        {
            _lines += Net(line);
            _anyLine = true;
            return;
        }

        var label = line.Description.Trim().TrimEnd(':').Trim();
        if (line.Role != RowRole.Total || !label.StartsWith("Total", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (line is { Debit: null, Credit: null, Signed: null })
        {
            Unstated++; // a total row with no value in it: a workbook's formula saved without its result
        }
        else if (label.Equals("Total", StringComparison.OrdinalIgnoreCase))
        {
            _grand += Net(line);
            _grandRows++;
        }
        else if (label.StartsWith("Total", StringComparison.OrdinalIgnoreCase))
        {
            _sections += Net(line);
            _sectionRows++;
        }
    }

    /// <summary>Total rows with no amount in them (a workbook's formulas saved without their values).</summary>
    public int Unstated { get; private set; }

    /// <summary>
    /// Whether the file's totals are not there to compare: total rows with no values, or a workbook's totals all 0
    /// beside lines that are not (Xero's .xlsx stores its total formulas as 0; Excel works them out on opening).
    /// </summary>
    public bool NotStored(bool workbook) =>
        (FilePence is null && Unstated > 0) || (workbook && FilePence == 0 && LinesPence is not (null or 0));

    /// <summary>What the lines add up to as read, or null when the file has none.</summary>
    public long? LinesPence => _anyLine ? _lines : null;

    /// <summary>The file's own total, or null when it states none.</summary>
    public long? FilePence => _grandRows > 0 ? _grand : _sectionRows > 0 ? _sections : null;

    /// <summary>How many of the file's total rows make up <see cref="FilePence"/>.</summary>
    public int FileRows => _grandRows > 0 ? _grandRows : _sectionRows;

    /// <summary>Which rows the file's total is: its grand total, or its section totals added up.</summary>
    public string? FileLabel => _grandRows > 0 ? "the file's grand total row" : _sectionRows > 0 ? "the file's section totals, added up" : null;

    private static long Net(ExportLine line) => (line.Debit ?? 0) - (line.Credit ?? 0) + (line.Signed ?? 0);
}

/// <summary>An import's file total beside its lines' total, as the preview shows them (the API in pounds).</summary>
/// <param name="LinesPence">What the file's journal lines add up to as read (debits less credits, or signed amounts).</param>
/// <param name="FilePence">What the file's own total rows say, or null when it has none.</param>
/// <param name="FileRows">How many total rows make up <paramref name="FilePence"/>.</param>
/// <param name="FileLabel">Which rows those are.</param>
/// <param name="NotStored">True when the file is a workbook whose totals are formulas saved as 0 (Xero's .xlsx): Excel works them out on opening, so there is nothing to compare.</param>
public sealed record FileTotalsView(
    [property: JsonIgnore] long? LinesPence,
    [property: JsonIgnore] long? FilePence,
    int FileRows,
    string? FileLabel,
    bool NotStored)
{
    /// <summary>The lines' total less the file's, when both are known and the file's is stored.</summary>
    [JsonIgnore]
    public long? DifferencePence => LinesPence is { } lines && FilePence is { } file && !NotStored ? lines - file : null;

    public decimal? LinesTotal => LinesPence is { } pence ? Money.Money.ToPounds(pence) : null;

    public decimal? FileTotal => FilePence is { } pence ? Money.Money.ToPounds(pence) : null;

    /// <summary>The lines' total less the file's: 0 when they agree, null when there is nothing to compare.</summary>
    public decimal? Difference => DifferencePence is { } pence ? Money.Money.ToPounds(pence) : null;
}
