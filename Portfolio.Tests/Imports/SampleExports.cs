using System.Text;
using ClosedXML.Excel;

namespace Portfolio.Tests.Imports;

/// <summary>
/// Sample exports, written from the vendors' documented layouts as summarised in ../shared/accounting-exports.md
/// (gathered 2026-11-23 from Xero's, Sage's and Intuit's help pages and real exports in public repositories):
/// report titles above the header, section headings, subtotal and total rows, blank rows, the vendors' date and
/// amount styles. {G} is replaced by a grant's reference (its tracking value), {G2} by a second grant's.
/// </summary>
internal static class SampleExports
{
    /// <summary>
    /// Xero's Account Transactions report (Reports → Account Transactions; exported to Excel and saved as CSV): title,
    /// organisation and period on rows 1–3, a blank row, the column titles on row 5, then per account a heading
    /// "7000 - Staff salaries", its lines, "Total 7000 - Staff salaries", and a grand "Total". The tracking category
    /// ("Grant") is a column titled with its own name. Spend is Debit − Credit; a supplier credit note is a Credit.
    /// </summary>
    public const string XeroCsv = """
        Account Transactions
        Partnership Against Abuse
        For the period 1 April 2026 to 30 September 2026

        Date,Source,Description,Reference,Debit,Credit,Running Balance,Gross,VAT,Grant
        7000 - Staff salaries
        30 Apr 2026,Manual Journal,April payroll - Outreach worker,#2041,"6,240.00",0.00,"6,240.00","6,240.00",0.00,{G}
        30 Apr 2026,Manual Journal,April payroll - Outreach worker,#2041,"6,240.00",0.00,"12,480.00","6,240.00",0.00,{G}
        15 May 2026,Payable Credit Note,Acme Training - course cancelled,CN-7,0.00,180.00,"12,300.00",-180.00,0.00,{G}
        Total 7000 - Staff salaries,,,,"12,480.00",180.00,,,,
        7450 - Room hire
        02 Jun 2026,Spend Money,Community Hall - =HYPERLINK("http://x.example"),RH-1,50.00,0.00,50.00,50.00,0.00,{G}
        Total 7450 - Room hire,,,,50.00,0.00,,,,
        1200 - Bank current account
        30 Apr 2026,Manual Journal,April payroll,#2041,0.00,"12,480.00","-12,480.00",,,{G}
        Total 1200 - Bank current account,,,,0.00,"12,480.00",,,,
        4100 - Grant income
        20 Apr 2026,Receive Money,Funder - first instalment,REM-1,0.00,"5,000.00","-5,000.00","5,000.00",0.00,{G}
        Total 4100 - Grant income,,,,0.00,"5,000.00",,,,
        Total,,,,"12,530.00","17,660.00",,,,
        """;

    /// <summary>
    /// Sage 50 Accounts' Nominal Activity report sent to Excel and saved as CSV (Windows-1252, £ is byte 0xA3): a page
    /// header, the criteria, then per nominal code a block line "N/C: 7000 Name: …", its own column titles, the lines,
    /// "Totals:" and "History Balance:". Value is unsigned; Debit and Credit carry the sign. Grants are departments.
    /// </summary>
    public const string Sage50Csv = """
        Date: 23/11/2026,Partnership Against Abuse,,,,,,,Page: 1
        Time: 10:15:02,Nominal Activity,,,,,,,
        Date From: 01/04/2026,,,,,,,,
        Date To: 30/09/2026,,,,,,,,

        N/C: 7000,Name: Staff salaries,,,Account Balance:,"6,060.00",DR,,,,
        No,Type,Date,Account,Ref,Details,Dept,T/C,Value,Debit,Credit
        35,JD,30/04/2026,,PAY04,April payroll £ outreach,{D},T9,"6,240.00","6,240.00",
        41,PC,14/05/2026,ACME01,CN7,Acme Training credit,{D},T1,180.00,,180.00
        ,,,,,,,Totals:,"6,420.00","6,240.00",180.00
        ,,,,,,,History Balance:,"6,060.00",,
        """;

    /// <summary>
    /// QuickBooks Online's Transaction Detail by Account, exported to CSV (UK): title, company and period, a blank
    /// row, a blank first column in the header, a section per account ("7000 Staff salaries"), "Total for …", a grand
    /// "TOTAL" and a footer with the accounting basis. One signed Amount in the account's natural sign; grants by Class.
    /// </summary>
    public const string QuickBooksCsv = """
        Transaction Detail by Account
        Partnership Against Abuse
        "April - September, 2026"

        ,Date,Transaction Type,No.,Name,Location,Class,Memo/Description,Split,Amount,Balance
        7000 Staff salaries
        ,30/04/2026,Journal Entry,JE-12,,,{G},April payroll,1200 Bank,"6,240.00","6,240.00"
        ,14/05/2026,Expense,EX-3,Acme Training,,{G},Course cancelled,1200 Bank,-180.00,"6,060.00"
        ,05/14/2026,Expense,EX-4,Acme Training,,{G},Month-first date,1200 Bank,10.00,"6,070.00"
        Total for 7000 Staff salaries,,,,,,,,,"£6,070.00",
        4100 Grant income
        ,21/04/2026,Deposit,DP-1,Funder,,{G},First instalment,1200 Bank,"2,500.00","2,500.00"
        Total for 4100 Grant income,,,,,,,,,"£2,500.00",
        TOTAL,,,,,,,,,"£8,570.00",

        "Accrual basis Monday, 23 November 2026 10:15 AM GMT+00:00"
        """;

    /// <summary>A generic CSV whose columns finance maps once in the rules.</summary>
    public const string GenericCsv = """
        Posted,Nominal,Fund,Narrative,Ref,Net
        03/06/2026,7000,{G},Sessional worker,GEN-1,£250.00
        04/06/2026,7000,{G},Sessional worker refund,GEN-2,(25.00)
        """;

    public static byte[] Csv(string text, string grant, Encoding encoding, bool byteOrderMark = false, string? department = null, string? secondGrant = null)
    {
        var body = text.Replace("{G2}", secondGrant ?? grant, StringComparison.Ordinal).Replace("{G}", grant, StringComparison.Ordinal)
            .Replace("{D}", department ?? "", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
        var bytes = encoding.GetBytes(body);
        return byteOrderMark ? [.. encoding.GetPreamble(), .. bytes] : bytes;
    }

    /// <summary>
    /// Xero's Account Transactions as the .xlsx Xero itself exports: real dates formatted dd mmm yyyy, amounts as numbers
    /// formatted #,##0.00;(#,##0.00), the unused one of Debit/Credit 0, and totals as formulas.
    /// </summary>
    public static byte[] XeroXlsx(string grant)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet("Account Transactions");
        sheet.Cell(1, 1).Value = "Account Transactions";
        sheet.Cell(2, 1).Value = "Partnership Against Abuse";
        sheet.Cell(3, 1).Value = "For the period 1 April 2026 to 30 September 2026";
        string[] titles = ["Date", "Source", "Description", "Reference", "Debit", "Credit", "Running Balance", "Gross", "VAT", "Grant"];
        for (var i = 0; i < titles.Length; i++)
        {
            sheet.Cell(5, i + 1).Value = titles[i];
        }

        sheet.Cell(6, 1).Value = "7000 - Staff salaries";
        void Line(int row, DateTime date, string description, string reference, decimal debit, decimal credit)
        {
            sheet.Cell(row, 1).Value = date;
            sheet.Cell(row, 1).Style.NumberFormat.Format = "dd mmm yyyy";
            sheet.Cell(row, 2).Value = "Manual Journal";
            sheet.Cell(row, 3).Value = description;
            sheet.Cell(row, 4).Value = reference;
            sheet.Cell(row, 5).Value = debit;
            sheet.Cell(row, 6).Value = credit;
            sheet.Range(row, 5, row, 6).Style.NumberFormat.Format = "#,##0.00;(#,##0.00)";
            sheet.Cell(row, 10).Value = grant;
        }

        Line(7, new DateTime(2026, 6, 30), "June payroll - Outreach worker", "#2077", 6240.10m, 0m);
        Line(8, new DateTime(2026, 7, 1), "Training refund", "CN-9", 0m, 99.99m);
        sheet.Cell(9, 1).Value = "Total 7000 - Staff salaries";
        sheet.Cell(9, 5).FormulaA1 = "SUM(E7:E8)";
        sheet.Cell(9, 6).FormulaA1 = "SUM(F7:F8)";
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }
}
