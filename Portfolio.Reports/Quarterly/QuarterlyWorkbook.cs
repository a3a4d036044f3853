using ClosedXML.Excel;
using DocumentFormat.OpenXml.Packaging;
using Portfolio.Core.Results;

namespace Portfolio.Reports.Quarterly;

/// <summary>
/// The quarterly report as an Excel workbook (ClosedXML 0.95.4). Totals and variances are live formulas whose
/// values equal the model, so a funder can check the arithmetic; each formula also carries its value, so a reader
/// that does not recalculate shows the figures too. Text is always written as text, never a formula. Every sheet
/// prints on A4, fitted to the page width, with its header rows repeated.
/// </summary>
public static class QuarterlyWorkbook
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public const string MoneyFormat = "£#,##0.00;[Red]-£#,##0.00";
    public const string DateFormat = "dd/mm/yyyy";
    public const string PercentFormat = "0.0%";

    public const string Application = "Portfolio";

    public static byte[] Render(QuarterlyReport report, ReportStamp stamp)
    {
        using var workbook = new XLWorkbook();
        workbook.Properties.Title = $"{report.Header.GrantReference} report for {report.Header.PeriodLabel}";
        workbook.Properties.Author = report.Header.Organisation.Name;
        workbook.Properties.Subject = report.Header.GrantTitle;
        workbook.Properties.Company = report.Header.Organisation.Name;
        workbook.Properties.LastModifiedBy = Application;
        workbook.Properties.Status = stamp.Text;
        workbook.Properties.Comments = $"Written by {Application}. {stamp.Text}.";

        Summary(workbook.Worksheets.Add("Summary"), report, stamp);
        BudgetVsActual(workbook.Worksheets.Add("Budget vs Actual"), report);
        Trend(workbook.Worksheets.Add("Trend"), report);
        Transactions(workbook.Worksheets.Add("Transactions"), report);
        Partners(workbook.Worksheets.Add("Partners"), report);
        if (report.AreaRows.Count > 0)
        {
            Areas(workbook.Worksheets.Add("Areas"), report);
        }

        if (report.Results is not null)
        {
            Outcomes(workbook.Worksheets.Add("Outcomes"), report);
        }

        Income(workbook.Worksheets.Add("Income"), report);
        Notes(workbook.Worksheets.Add("Notes"), report);
        foreach (var sheet in workbook.Worksheets)
        {
            FitRowHeights(sheet);
            sheet.PageSetup.PaperSize = XLPaperSize.A4Paper;
            sheet.PageSetup.PageOrientation = XLPageOrientation.Landscape;
            // One page wide; the summary one page tall too, so its RAG legend prints with the figures it explains.
            sheet.PageSetup.FitToPages(1, sheet.Name == "Summary" ? 1 : 0);
            sheet.PageSetup.SetRowsToRepeatAtTop(1, sheet.SheetView.SplitRow > 0 ? sheet.SheetView.SplitRow : 1);
            sheet.PageSetup.Footer.Center.AddText($"{report.Header.GrantReference} {report.Header.PeriodLabel} - page &P of &N");
        }

        using var stream = new MemoryStream();
        // Evaluated on saving, so every formula carries its value (the tests read them without recalculating).
        workbook.SaveAs(stream, new SaveOptions { EvaluateFormulasBeforeSaving = true });
        return NameTheApplication(stream);
    }

    /// <summary>ClosedXML writes "Microsoft Excel" as the application that made the file; the file says Portfolio made it.</summary>
    private static byte[] NameTheApplication(MemoryStream saved)
    {
        using (var package = SpreadsheetDocument.Open(saved, isEditable: true))
        {
            var part = package.ExtendedFilePropertiesPart ?? package.AddExtendedFilePropertiesPart();
            part.Properties ??= new DocumentFormat.OpenXml.ExtendedProperties.Properties();
            part.Properties.Application = new DocumentFormat.OpenXml.ExtendedProperties.Application(Application);
            part.Properties.Save();
        }

        return saved.ToArray();
    }

    /// <summary>
    /// Writes text as text. A value that starts with a character a spreadsheet would read as the start of a
    /// formula (=, +, -, @, tab, carriage return) also gets the quote prefix, so editing the cell keeps it text.
    /// </summary>
    public static IXLCell Text(IXLCell cell, string? text)
    {
        cell.SetValue(text ?? "");
        cell.DataType = XLDataType.Text;
        if (!string.IsNullOrEmpty(text) && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            cell.Style.IncludeQuotePrefix = true;
        }

        return cell;
    }

    private static void Summary(IXLWorksheet sheet, QuarterlyReport report, ReportStamp stamp)
    {
        var h = report.Header;
        var s = report.Summary;
        var o = h.Organisation;
        Text(sheet.Cell(1, 1), $"{o.Name}: quarterly report").Style.Font.SetBold().Font.SetFontSize(14);
        Text(sheet.Cell(2, 1), stamp.Text).Style.Font.SetBold().Font.SetFontColor(stamp.Stage switch
        {
            ReportStage.Final => XLColor.FromHtml("#2E7D32"),
            ReportStage.Provisional => XLColor.FromHtml("#C62828"),
            _ => XLColor.FromHtml("#9C6500"),
        });
        var row = 4;
        foreach (var (label, value) in new[]
                 {
                     ("Funder", h.FunderName), ("Funder's organisation identifier", h.FunderOrgIdentifier ?? "not recorded"),
                     ("Grant reference", h.GrantReference), ("Grant title", h.GrantTitle), ("Funds", h.Restricted ? "Restricted" : "Unrestricted"), ("Period", h.PeriodLabel),
                 })
        {
            Text(sheet.Cell(row, 1), label).Style.Font.SetBold();
            Text(sheet.Cell(row, 2), value);
            row++;
        }

        foreach (var (label, value) in new[] { ("Award date", h.AwardDate), ("Grant starts", h.GrantStart), ("Grant ends", h.GrantEnd), ("Period start", h.PeriodStart), ("Period end", h.PeriodEnd), ("Prepared", h.Prepared) })
        {
            Text(sheet.Cell(row, 1), label).Style.Font.SetBold();
            if (value is { } date)
            {
                Date(sheet.Cell(row, 2), date);
            }
            else
            {
                Text(sheet.Cell(row, 2), "not recorded");
            }

            row++;
        }

        foreach (var (label, value) in new[]
                 {
                     ("From", o.Name), ("Registered charity number", o.CharityNumber), ("Company number", o.CompanyNumber), ("Address", o.Address),
                     ("Queries to", o.QueriesName), ("Queries email", o.QueriesEmail), ("Queries telephone", o.QueriesPhone),
                 })
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                Text(sheet.Cell(row, 1), label).Style.Font.SetBold();
                Text(sheet.Cell(row, 2), value);
                row++;
            }
        }

        row++;
        Text(sheet.Cell(row, 1), "Figure").Style.Font.SetBold();
        Text(sheet.Cell(row, 2), "Amount").Style.Font.SetBold();
        row++;
        var award = Money(sheet.Cell(row++, 2), s.Award, "Award", sheet);
        var budget = Money(sheet.Cell(row++, 2), s.Budget, "Budget", sheet);
        Money(sheet.Cell(row++, 2), s.PeriodBudget, "Budget this period", sheet);
        Money(sheet.Cell(row++, 2), s.PeriodActual, "Actual this period", sheet);
        var budgetToDate = Money(sheet.Cell(row++, 2), s.BudgetToDate, "Budget to date", sheet);
        var actualToDate = Money(sheet.Cell(row++, 2), s.ActualToDate, "Actual to date", sheet);
        Formula(sheet.Cell(row, 2), $"{actualToDate}-{budgetToDate}", MoneyFormat);
        Text(sheet.Cell(row++, 1), "Variance (actual - budget to date)");
        Percent(sheet.Cell(row, 2), s.VariancePercent);
        Text(sheet.Cell(row++, 1), "Variance %");
        Percent(sheet.Cell(row, 2), s.BurnPercent);
        Text(sheet.Cell(row++, 1), "Burn % (actual to date / budget)");
        Percent(sheet.Cell(row, 2), s.TimeElapsedPercent);
        Text(sheet.Cell(row++, 1), "Time elapsed %");
        Formula(sheet.Cell(row, 2), $"{actualToDate}+({budget}-{budgetToDate})", MoneyFormat);
        Text(sheet.Cell(row++, 1), "Forecast at completion");
        Text(sheet.Cell(row, 2), s.Rag.ToUpperInvariant()).Style.Font.SetBold().Fill.SetBackgroundColor(RagColour(s.Rag));
        Text(sheet.Cell(row++, 1), "RAG");
        Formula(sheet.Cell(row, 2), $"{award}-{budget}", MoneyFormat);
        Text(sheet.Cell(row++, 1), "Unallocated (award - budget)");
        row++;
        Text(sheet.Cell(row, 1), QuarterlyPdf.RagLegend(s)).Style.Alignment.SetWrapText();
        sheet.Range(row, 1, row, 2).Merge();

        Widths(sheet, 34, 40);
    }

    private static void BudgetVsActual(IXLWorksheet sheet, QuarterlyReport report)
    {
        var headers = new[] { "Category", "Actual previous period", "Budget this period", "Actual this period", "Variance this period", "Budget to date", "Actual to date", "Variance to date" };
        Headers(sheet, headers);
        var row = 2;
        foreach (var c in report.Categories)
        {
            Text(sheet.Cell(row, 1), c.Name);
            if (c.PreviousPeriodActual is { } previous)
            {
                MoneyValue(sheet.Cell(row, 2), previous);
            }
            else
            {
                Text(sheet.Cell(row, 2), "-").Style.Alignment.SetHorizontal(XLAlignmentHorizontalValues.Right); // the grant's first period
            }

            MoneyValue(sheet.Cell(row, 3), c.PeriodBudget);
            MoneyValue(sheet.Cell(row, 4), c.PeriodActual);
            Formula(sheet.Cell(row, 5), $"D{row}-C{row}", MoneyFormat);
            MoneyValue(sheet.Cell(row, 6), c.BudgetToDate);
            MoneyValue(sheet.Cell(row, 7), c.ActualToDate);
            Formula(sheet.Cell(row, 8), $"G{row}-F{row}", MoneyFormat);
            row++;
        }

        Table(sheet, "BudgetVsActual", headers.Length, row - 1);
        TotalsRow(sheet, row, 2, headers.Length, 2);
        Widths(sheet, 24, 20, 18, 18, 20, 18, 18, 18);
    }

    private static void Trend(IXLWorksheet sheet, QuarterlyReport report)
    {
        var headers = new[] { "Period", "Start", "End", "Budget", "Actual", "Cumulative budget", "Cumulative actual" };
        Headers(sheet, headers);
        var row = 2;
        foreach (var t in report.Trend)
        {
            Text(sheet.Cell(row, 1), t.Label);
            Date(sheet.Cell(row, 2), t.Start);
            Date(sheet.Cell(row, 3), t.End);
            MoneyValue(sheet.Cell(row, 4), t.Budget);
            MoneyValue(sheet.Cell(row, 5), t.Actual);
            Formula(sheet.Cell(row, 6), row == 2 ? "D2" : $"F{row - 1}+D{row}", MoneyFormat);
            Formula(sheet.Cell(row, 7), row == 2 ? "E2" : $"G{row - 1}+E{row}", MoneyFormat);
            row++;
        }

        Table(sheet, "Trend", headers.Length, row - 1);
        Widths(sheet, 16, 12, 12, 18, 18, 20, 20);
    }

    private static void Transactions(IXLWorksheet sheet, QuarterlyReport report)
    {
        var headers = new[] { "Date", "Category", "Description", "Partner", "Source reference", "Amount" };
        Headers(sheet, headers);
        var row = 2;
        foreach (var t in report.Transactions)
        {
            Date(sheet.Cell(row, 1), t.Date);
            Text(sheet.Cell(row, 2), t.Category);
            Text(sheet.Cell(row, 3), t.Description).Style.Alignment.SetWrapText();
            Text(sheet.Cell(row, 4), t.Partner).Style.Alignment.SetWrapText();
            Text(sheet.Cell(row, 5), t.SourceReference);
            MoneyValue(sheet.Cell(row, 6), t.Amount);
            row++;
        }

        if (report.Transactions.Count == 0)
        {
            Text(sheet.Cell(row++, 1), "No spend was recorded in this period.");
        }
        else
        {
            Table(sheet, "Transactions", headers.Length, row - 1);
        }

        Text(sheet.Cell(row, 5), "Total").Style.Font.SetBold();
        Formula(sheet.Cell(row, 6), report.Transactions.Count == 0 ? "0" : $"SUM(F2:F{row - 1})", MoneyFormat).Style.Font.SetBold();
        Widths(sheet, 12, 18, Math.Clamp(report.Transactions.Select(t => t.Description.Length).DefaultIfEmpty(20).Max() + 2, 20, 60), 28, 18, 16);
    }

    private static void Partners(IXLWorksheet sheet, QuarterlyReport report)
    {
        var headers = new[] { "Partner", "Agreed", "Paid this period", "Paid to date", "Remaining", "Reported spent by partner", "Unspent by partner", "People reached this period" };
        Headers(sheet, headers);
        var row = 2;
        foreach (var p in report.Partners)
        {
            Text(sheet.Cell(row, 1), p.Partner).Style.Alignment.SetWrapText();
            MoneyValue(sheet.Cell(row, 2), p.Agreed);
            MoneyValue(sheet.Cell(row, 3), p.PaidInPeriod);
            MoneyValue(sheet.Cell(row, 4), p.PaidToDate);
            Formula(sheet.Cell(row, 5), $"B{row}-D{row}", MoneyFormat);
            if (p.ReportedSpend is { } reported)
            {
                MoneyValue(sheet.Cell(row, 6), reported);
                Formula(sheet.Cell(row, 7), $"D{row}-F{row}", MoneyFormat);
            }
            else
            {
                Text(sheet.Cell(row, 6), "no accepted return");
            }

            if (p.PeopleReached is { } people)
            {
                sheet.Cell(row, 8).Value = people;
            }

            row++;
        }

        if (report.Partners.Count == 0)
        {
            Text(sheet.Cell(row++, 1), "No partner agreements on this grant.");
        }
        else
        {
            Table(sheet, "Partners", headers.Length, row - 1);
            TotalsRow(sheet, row, 2, 5, 2);
            Text(sheet.Cell(row + 2, 1), "Reported spent: the partner's own figures from its accepted returns, to the end of this period. Unspent: paid to the partner and not yet reported spent.");
        }

        Widths(sheet, 36, 18, 18, 18, 18, 22, 20, 18);
    }

    /// <summary>One row per delivery area, with the variance as a live formula.</summary>
    private static void Areas(IXLWorksheet sheet, QuarterlyReport report)
    {
        var headers = new[] { "Delivery area", "ONS code", "Agreed with partners", "Budget to date", "Spent this period", "Spent to date", "Variance" };
        Headers(sheet, headers);
        var row = 2;
        foreach (var a in report.AreaRows)
        {
            Text(sheet.Cell(row, 1), a.Name);
            Text(sheet.Cell(row, 2), a.Code);
            MoneyValue(sheet.Cell(row, 3), a.Agreed);
            MoneyValue(sheet.Cell(row, 4), a.BudgetToDate);
            MoneyValue(sheet.Cell(row, 5), a.SpentInPeriod);
            MoneyValue(sheet.Cell(row, 6), a.SpentToDate);
            Formula(sheet.Cell(row, 7), $"F{row}-D{row}", MoneyFormat);
            row++;
        }

        Table(sheet, "Areas", headers.Length, row - 1);
        TotalsRow(sheet, row, 3, headers.Length, 2);
        Text(sheet.Cell(row + 2, 1), "Agreed: the partner agreements in the area (an agreement in several areas is shared equally between them). Spent: spend recorded in the area.");
        Widths(sheet, 30, 12, 20, 18, 18, 18, 18);
    }

    /// <summary>Each indicator's target and actual for the period and to date with its RAG and note; the breakdowns; the narrative.</summary>
    private static void Outcomes(IXLWorksheet sheet, QuarterlyReport report)
    {
        var headers = new[]
        {
            "Indicator", "Unit", "Reported by", "Baseline", "Target this period", "Actual this period", "Target to date", "Actual to date", "Total target", "RAG", "Note",
        };
        Headers(sheet, headers);
        var row = 2;
        foreach (var o in report.OutcomeRows)
        {
            Text(sheet.Cell(row, 1), o.Name).Style.Alignment.SetWrapText();
            Text(sheet.Cell(row, 2), o.Unit + (o.HigherIsBetter ? "" : " (lower is better)")).Style.Alignment.SetWrapText();
            Text(sheet.Cell(row, 3), o.Source == IndicatorSource.Partners ? "Partners' accepted returns" : "Programme lead");
            Figure(sheet.Cell(row, 4), o.Baseline);
            Figure(sheet.Cell(row, 5), o.PeriodTarget);
            Figure(sheet.Cell(row, 6), o.PeriodActual, "not recorded");
            Figure(sheet.Cell(row, 7), o.TargetToDate);
            Figure(sheet.Cell(row, 8), o.ActualToDate, "not recorded");
            Figure(sheet.Cell(row, 9), o.TotalTarget);
            if (o.Rag is { } rag)
            {
                Text(sheet.Cell(row, 10), rag.ToUpperInvariant()).Style.Fill.SetBackgroundColor(RagColour(rag));
            }
            else
            {
                Text(sheet.Cell(row, 10), "no target");
            }

            Text(sheet.Cell(row, 11), o.Note).Style.Alignment.SetWrapText();
            row++;
        }

        if (report.OutcomeRows.Count == 0)
        {
            Text(sheet.Cell(row++, 1), "No indicators are set for this grant.");
        }
        else
        {
            Table(sheet, "Outcomes", headers.Length, row - 1);
        }

        row++;
        Text(sheet.Cell(row++, 1), "To date: the periods' figures added up, or for a rate the latest period's. RAG compares actual to date with target to date, with the funder's thresholds for money.");
        var broken = report.OutcomeRows.Where(o => o.Breakdown.Count > 0).ToList();
        if (broken.Count > 0)
        {
            row++;
            Text(sheet.Cell(row++, 1), "Breakdown by community served, this period").Style.Font.SetBold();
            foreach (var o in broken)
            {
                foreach (var line in o.Breakdown)
                {
                    Text(sheet.Cell(row, 1), o.Name);
                    Text(sheet.Cell(row, 2), line.Community);
                    Figure(sheet.Cell(row, 3), line.Value);
                    row++;
                }
            }
        }

        if (report.Results?.Narrative is { } narrative)
        {
            row++;
            Text(sheet.Cell(row++, 1), $"Narrative for {report.Header.PeriodLabel}, by {narrative.Author}").Style.Font.SetBold();
            foreach (var (label, text) in new[] { ("What happened", narrative.WhatHappened), ("What changed", narrative.WhatChanged), ("What's next", narrative.WhatsNext) })
            {
                Text(sheet.Cell(row, 1), label).Style.Font.SetBold().Alignment.SetVertical(XLAlignmentVerticalValues.Top);
                sheet.Range(row, 2, row, headers.Length).Merge();
                Text(sheet.Cell(row, 2), text ?? "").Style.Alignment.SetWrapText().Alignment.SetVertical(XLAlignmentVerticalValues.Top);
                row++;
            }
        }

        Widths(sheet, 40, 22, 24, 12, 14, 14, 14, 14, 14, 10, 60);
    }

    /// <summary>An indicator's figure (hundredths) as a number, whole where it is whole; <paramref name="missing"/> as text where there is none.</summary>
    private static void Figure(IXLCell cell, long? hundredths, string? missing = null)
    {
        if (hundredths is not { } value)
        {
            if (missing is not null)
            {
                Text(cell, missing);
            }

            return;
        }

        cell.SetValue(value * 0.01m);
        cell.Style.NumberFormat.Format = value % 100 == 0 ? "#,##0" : "#,##0.00";
    }

    private static void Income(IXLWorksheet sheet, QuarterlyReport report)
    {
        var headers = new[] { "Date", "Reference", "Amount" };
        Headers(sheet, headers);
        var row = 2;
        foreach (var i in report.Income.InPeriod)
        {
            Date(sheet.Cell(row, 1), i.Date);
            Text(sheet.Cell(row, 2), i.Reference);
            MoneyValue(sheet.Cell(row, 3), i.Amount);
            row++;
        }

        if (report.Income.InPeriod.Count == 0)
        {
            Text(sheet.Cell(row++, 1), "No income was received in this period.");
        }
        else
        {
            Table(sheet, "Income", headers.Length, row - 1);
        }

        row++;
        var lastPayment = 1 + report.Income.InPeriod.Count;
        Text(sheet.Cell(row, 2), "Received this period").Style.Font.SetBold();
        Formula(sheet.Cell(row, 3), report.Income.InPeriod.Count == 0 ? "0" : $"SUM(C2:C{lastPayment})", MoneyFormat);
        var received = row + 1;
        Text(sheet.Cell(received, 2), "Received to date").Style.Font.SetBold();
        MoneyValue(sheet.Cell(received, 3), report.Income.ReceivedToDate);
        Text(sheet.Cell(received + 1, 2), "Award").Style.Font.SetBold();
        MoneyValue(sheet.Cell(received + 1, 3), report.Income.Award);
        Text(sheet.Cell(received + 2, 2), "Still to receive (award - received to date)").Style.Font.SetBold();
        Formula(sheet.Cell(received + 2, 3), $"C{received + 1}-C{received}", MoneyFormat);
        Widths(sheet, 12, 44, 18);
    }

    private static void Notes(IXLWorksheet sheet, QuarterlyReport report)
    {
        var headers = new[] { "Category", "Note", "Author", "Written" };
        Headers(sheet, headers);
        var row = 2;
        foreach (var n in report.Notes)
        {
            Text(sheet.Cell(row, 1), n.Category ?? "All categories");
            Text(sheet.Cell(row, 2), n.Text).Style.Alignment.SetWrapText();
            Text(sheet.Cell(row, 3), n.Author);
            sheet.Cell(row, 4).SetValue(n.CreatedAt);
            sheet.Cell(row, 4).Style.NumberFormat.Format = "dd/mm/yyyy hh:mm";
            row++;
        }

        if (report.Notes.Count == 0)
        {
            Text(sheet.Cell(row, 1), "No variance notes for this period.");
        }
        else
        {
            Table(sheet, "Notes", headers.Length, row - 1);
        }

        Widths(sheet, 20, 80, 28, 18);
    }

    private static void Headers(IXLWorksheet sheet, IReadOnlyList<string> headers)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            Text(sheet.Cell(1, i + 1), headers[i]).Style.Font.SetBold().Alignment.SetWrapText().Alignment.SetVertical(XLAlignmentVerticalValues.Top);
        }

        sheet.SheetView.FreezeRows(1);
    }

    private static void Table(IXLWorksheet sheet, string name, int columns, int lastRow)
    {
        if (lastRow < 2)
        {
            return;
        }

        var table = sheet.Range(1, 1, lastRow, columns).CreateTable(name);
        table.ShowAutoFilter = true;
        table.Theme = XLTableTheme.TableStyleLight9;
    }

    /// <summary>A bold "Total" row under a table, with SUM formulas over its money columns.</summary>
    private static void TotalsRow(IXLWorksheet sheet, int row, int firstMoneyColumn, int lastColumn, int firstDataRow)
    {
        Text(sheet.Cell(row, 1), "Total").Style.Font.SetBold();
        for (var column = firstMoneyColumn; column <= lastColumn; column++)
        {
            var letter = XLHelper.GetColumnLetterFromNumber(column);
            Formula(sheet.Cell(row, column), row == firstDataRow ? "0" : $"SUM({letter}{firstDataRow}:{letter}{row - 1})", MoneyFormat).Style.Font.SetBold();
        }
    }

    private static string Money(IXLCell cell, long pence, string label, IXLWorksheet sheet)
    {
        Text(sheet.Cell(cell.Address.RowNumber, 1), label);
        MoneyValue(cell, pence);
        return cell.Address.ToStringRelative();
    }

    private static void MoneyValue(IXLCell cell, long pence)
    {
        cell.SetValue(Portfolio.Core.Money.Money.ToPounds(pence));
        cell.Style.NumberFormat.Format = MoneyFormat;
    }

    private static IXLCell Formula(IXLCell cell, string formula, string format)
    {
        cell.FormulaA1 = formula;
        cell.Style.NumberFormat.Format = format;
        return cell;
    }

    private static void Percent(IXLCell cell, decimal? percent)
    {
        if (percent is null)
        {
            Text(cell, "n/a");
            return;
        }

        cell.SetValue(percent.Value / 100m);
        cell.Style.NumberFormat.Format = PercentFormat;
    }

    private static void Date(IXLCell cell, DateOnly date)
    {
        cell.SetValue(date.ToDateTime(TimeOnly.MinValue));
        cell.Style.NumberFormat.Format = DateFormat;
    }

    /// <summary>
    /// Each row with wrapped text made tall enough for it, so a note or a long header prints whole (rows are not grown
    /// by every reader: LibreOffice keeps a row's height as saved). The lines are counted at the cell's width (a
    /// merged cell's whole width) in characters a little wider than Calibri's average, so a row is never too short.
    /// </summary>
    private static void FitRowHeights(IXLWorksheet sheet)
    {
        const double LineHeight = 15;
        foreach (var row in sheet.RowsUsed())
        {
            var lines = 1;
            foreach (var cell in row.CellsUsed().Where(c => c.Style.Alignment.WrapText))
            {
                var width = cell.IsMerged() ? cell.MergedRange().Columns().Sum(c => c.WorksheetColumn().Width) : cell.WorksheetColumn().Width;
                var perLine = Math.Max(1, (int)(width * 0.85) - 1);
                lines = Math.Max(lines, cell.GetString().Split('\n').Sum(p => Math.Max(1, (p.Length + perLine - 1) / perLine)));
            }

            if (lines > 1)
            {
                row.Height = (lines * LineHeight) + 3;
            }
        }
    }

    private static void Widths(IXLWorksheet sheet, params double[] widths)
    {
        // Sized here rather than with AdjustToContents, which needs libgdiplus on Linux.
        for (var i = 0; i < widths.Length; i++)
        {
            sheet.Column(i + 1).Width = widths[i];
        }
    }

    private static XLColor RagColour(string rag) => rag switch
    {
        "green" => XLColor.FromHtml("#C6EFCE"),
        "amber" => XLColor.FromHtml("#FFEB9C"),
        _ => XLColor.FromHtml("#FFC7CE"),
    };
}
