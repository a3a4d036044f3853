using Portfolio.Core.Imports;

namespace Portfolio.Api.Features.Imports;

/// <summary>How the import pages name sources, statuses and row statuses.</summary>
public static class ImportText
{
    public static string Source(string source) => source switch
    {
        ImportSources.Xero => "Xero",
        ImportSources.Sage50 => "Sage 50",
        ImportSources.QuickBooks => "QuickBooks",
        ImportSources.Generic => "Generic CSV",
        _ => "Not known yet",
    };

    public static string Status(string status) => status switch
    {
        ImportStatuses.Previewing => "Reading",
        ImportStatuses.Previewed => "Previewed",
        ImportStatuses.Committing => "Committing",
        ImportStatuses.Committed => "Committed",
        ImportStatuses.Reversed => "Reversed",
        _ => "Could not be read",
    };

    public static string StatusClass(string status) => status switch
    {
        ImportStatuses.Committed => "govuk-tag--green",
        ImportStatuses.Reversed => "govuk-tag--grey",
        ImportStatuses.Failed => "govuk-tag--red",
        ImportStatuses.Previewed => "govuk-tag--blue",
        _ => "govuk-tag--yellow",
    };

    /// <summary>A row's status as shown: a ready row of a committed import was recorded, of a reversed one voided.</summary>
    public static string RowStatus(string row, string import) => (row, import) switch
    {
        (RowStatuses.Ready, ImportStatuses.Committed) => "recorded",
        (RowStatuses.Ready, ImportStatuses.Reversed) => "voided",
        (RowStatuses.Duplicate, _) => "already recorded",
        _ => row,
    };

    public static string RowStatusClass(string status) => status switch
    {
        RowStatuses.Ready => "govuk-tag--green",
        RowStatuses.Refused => "govuk-tag--red",
        RowStatuses.Duplicate => "govuk-tag--orange",
        _ => "govuk-tag--grey",
    };
}
