using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Reports.OpenData;
using Portfolio.Reports.Quarterly;

namespace Portfolio.Api.Features.OpenData;

/// <summary>
/// Finance downloads the 360Giving data: the grants received and the sub-grants made, for a range of award dates,
/// as the JSON package or the standard's spreadsheet, with what it holds summed first so it can be checked.
/// </summary>
[Authorize(Policy = Policies.Write)]
public sealed class ExportsPageModel(Database database, ReportOptions reports, OpenDataOptions options, TimeProvider clock) : FormPageModel
{
    protected override IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string>
    {
        ["from"] = "Awarded from",
        ["to"] = "Awarded to",
    };

    protected override string FirstField => "from";

    public GivingPackage? Package { get; private set; }

    public string? Refusal { get; private set; }

    /// <summary>The query string the download links carry (the same range as the summary).</summary>
    public string Query { get; private set; } = "";

    public IReadOnlyList<GivingGrant> Received => Package?.Grants.Where(g => !g.Id.Contains("-subgrant-", StringComparison.Ordinal)).ToList() ?? [];

    public IReadOnlyList<GivingGrant> SubGrants => Package?.Grants.Where(g => g.Id.Contains("-subgrant-", StringComparison.Ordinal)).ToList() ?? [];

    /// <summary>
    /// The page, or at <c>/exports/360giving.xlsx</c> or <c>.json</c> (with the same range) the download itself: the
    /// same package as the API's, for a signed-in person; when there is nothing to download the page says why.
    /// </summary>
    public async Task<IActionResult> OnGetAsync(string? format)
    {
        await ReadAsync();
        if (format is null)
        {
            return Page();
        }

        if (Package is not { } package)
        {
            return Page(); // the page says why there is nothing to download, as it does before the button
        }

        return format == "json"
            ? FileAnswer.For(Response, ThreeSixtyGiving.ToJson(package), OpenDataApi.JsonContentType, OpenDataApi.FileName(package, "json"))
            : FileAnswer.For(Response, ThreeSixtyGivingWorkbook.Render(package), QuarterlyWorkbook.ContentType, OpenDataApi.FileName(package, "xlsx"));
    }

    private async Task ReadAsync()
    {
        foreach (var (key, value) in Request.Query)
        {
            Values[key] = value.Count > 0 ? value[^1] : null;
        }

        var from = ReadDate("from", required: false);
        var to = ReadDate("to", required: false);
        if (from is { } f && to is { } t && f > t)
        {
            AddError("to", "Awarded to must not be before awarded from");
        }

        if (HasErrors)
        {
            return;
        }

        Query = string.Join("&", new[] { from is { } a ? $"from={a:yyyy-MM-dd}" : null, to is { } b ? $"to={b:yyyy-MM-dd}" : null }.Where(x => x is not null));
        (Package, Refusal) = await OpenDataApi.ExportAsync(database, reports, options, from, to, clock, HttpContext.RequestAborted);
    }
}
