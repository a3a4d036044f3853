using ClosedXML.Excel;
using Portfolio.Reports.Quarterly;

namespace Portfolio.Reports.OpenData;

/// <summary>
/// The 360Giving package as the standard's spreadsheet: a <c>grants</c> sheet, one grant per row, under the
/// standard's column titles (the schema's titles joined with colons). A grant with one beneficiary location has it on
/// its own row; one with more has them on the <c>beneficiaryLocation</c> sheet, one per row, linked by the grant's
/// Identifier (the standard's one-to-many form).
/// </summary>
public static class ThreeSixtyGivingWorkbook
{
    private static readonly (string Title, Func<GivingGrant, object?> Value)[] GrantColumns =
    [
        ("Identifier", g => g.Id),
        ("Title", g => g.Title),
        ("Description", g => g.Description),
        ("Currency", g => g.Currency),
        ("Amount Awarded", g => g.AmountAwarded),
        ("Amount Disbursed", g => g.AmountDisbursed),
        ("Award Date", g => g.AwardDate),
        ("Planned Dates:Start Date", g => g.PlannedDates[0].StartDate),
        ("Planned Dates:End Date", g => g.PlannedDates[0].EndDate),
        ("Planned Dates:Duration (months)", g => g.PlannedDates[0].Duration),
        ("Recipient Org:Identifier", g => g.RecipientOrganization[0].Id),
        ("Recipient Org:Name", g => g.RecipientOrganization[0].Name),
        ("Recipient Org:Charity Number", g => g.RecipientOrganization[0].CharityNumber),
        ("Recipient Org:Company Number", g => g.RecipientOrganization[0].CompanyNumber),
        ("Funding Org:Identifier", g => g.FundingOrganization[0].Id),
        ("Funding Org:Name", g => g.FundingOrganization[0].Name),
        ("Beneficiary Location:Name", g => OnlyLocation(g)?.Name),
        ("Beneficiary Location:Geographic Code", g => OnlyLocation(g)?.GeoCode),
        ("Beneficiary Location:Geographic Code Type", g => OnlyLocation(g)?.GeoCodeType),
        ("Beneficiary Location:Country Code", g => OnlyLocation(g)?.CountryCode),
        ("Grant Programme:Title", g => g.GrantProgramme?[0].Title),
        ("For Regrant Type", g => g.RegrantType),
        ("Location Scope", g => g.LocationScope),
        ("Related Activity", g => g.RelatedActivity is { } related ? string.Join(";", related) : null),
        ("Last Modified", g => g.DateModified),
    ];

    private static readonly (string Title, Func<GivingLocation, object?> Value)[] LocationColumns =
    [
        ("Beneficiary Location:Name", l => l.Name),
        ("Beneficiary Location:Geographic Code", l => l.GeoCode),
        ("Beneficiary Location:Geographic Code Type", l => l.GeoCodeType),
        ("Beneficiary Location:Country Code", l => l.CountryCode),
    ];

    /// <summary>The grants sheet's column titles, in order.</summary>
    public static IReadOnlyList<string> GrantTitles => [.. GrantColumns.Select(c => c.Title)];

    public static byte[] Render(GivingPackage package)
    {
        using var workbook = new XLWorkbook();
        workbook.Properties.Title = package.Title;
        workbook.Properties.Author = package.Publisher.Name;
        workbook.Properties.Comments = $"360Giving Data Standard {package.Version}; licence {package.License}.";
        var grants = workbook.Worksheets.Add("grants");
        Row(grants, 1, GrantColumns.Select(c => (object?)c.Title));
        var row = 2;
        foreach (var grant in package.Grants)
        {
            Row(grants, row++, GrantColumns.Select(c => c.Value(grant)));
        }

        grants.SheetView.FreezeRows(1);
        grants.Row(1).Style.Font.SetBold();
        var many = package.Grants.Where(g => g.BeneficiaryLocation is { Count: > 1 }).ToList();
        if (many.Count > 0)
        {
            var locations = workbook.Worksheets.Add("beneficiaryLocation");
            Row(locations, 1, LocationColumns.Select(c => (object?)c.Title).Prepend("Identifier"));
            row = 2;
            foreach (var grant in many)
            {
                foreach (var location in grant.BeneficiaryLocation!)
                {
                    Row(locations, row++, LocationColumns.Select(c => c.Value(location)).Prepend(grant.Id));
                }
            }

            locations.Row(1).Style.Font.SetBold();
        }

        foreach (var sheet in workbook.Worksheets)
        {
            for (var column = 1; column <= sheet.LastColumnUsed()!.ColumnNumber(); column++)
            {
                sheet.Column(column).Width = 22;
            }
        }

        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }

    private static GivingLocation? OnlyLocation(GivingGrant grant) => grant.BeneficiaryLocation is { Count: 1 } one ? one[0] : null;

    private static void Row(IXLWorksheet sheet, int row, IEnumerable<object?> values)
    {
        var column = 1;
        foreach (var value in values)
        {
            var cell = sheet.Cell(row, column++);
            switch (value)
            {
                case null:
                    break;
                case decimal amount:
                    cell.SetValue(amount);
                    cell.Style.NumberFormat.Format = "0.00";
                    break;
                case int whole:
                    cell.SetValue(whole);
                    break;
                default:
                    QuarterlyWorkbook.Text(cell, value.ToString());
                    break;
            }
        }
    }
}
