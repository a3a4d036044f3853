using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Imports;
using Portfolio.Jobs.Imports;

namespace Portfolio.Api.Features.Imports;

/// <summary>
/// Finance uploads an accounting export and sees the imports so far. The upload is kept and previewed by
/// <see cref="ImportService"/> (in the request when small, by a job when large); nothing is written to the books
/// until the import's page commits it.
/// </summary>
[Authorize(Policy = Policies.Write)]
[DisableRequestSizeLimit]
[RequestFormLimits(MultipartBodyLengthLimit = long.MaxValue)]
public sealed class ImportsPageModel(Database database, ImportService imports, ImportProgress progress) : FormPageModel
{
    public IReadOnlyList<ImportView> Imports { get; private set; } = [];

    public long MaxBytes => imports.Options.MaxBytes;

    protected override IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string> { ["file"] = "Export file" };

    protected override string FirstField => "file";

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        var file = Request.Form.Files.GetFile("file");
        if (file is null || file.Length == 0 && string.IsNullOrEmpty(file.FileName))
        {
            AddError("file", "Select the export to upload");
            await LoadAsync();
            return Page();
        }

        if (file.Length > imports.Options.MaxBytes)
        {
            AddError("file", $"The file is larger than {imports.Options.MaxBytes / 1024 / 1024} MB: export a shorter date range");
            await LoadAsync();
            return Page();
        }

        await using var content = file.OpenReadStream();
        var upload = await imports.UploadAsync(file.FileName, content, HttpContext.Change(), HttpContext.RequestAborted);
        if (upload.TooLarge || upload.Refusal is not null)
        {
            AddError("file", upload.TooLarge ? "The file is too large: export a shorter date range" : upload.Refusal!.Detail);
            await LoadAsync();
            return Page();
        }

        TempData[Notice.Key] = upload.How == ImportService.Started.Queued
            ? $"{upload.Import!.FileName} uploaded: it is being read now."
            : $"{upload.Import!.FileName} read: nothing is recorded until you commit it.";
        return Redirect($"/imports/{upload.Import.Id}");
    }

    private async Task LoadAsync()
    {
        await using var session = await database.OpenAsync(HttpContext.RequestAborted);
        Imports = (await AccountImports.ListAsync(session, new PageRequest(1, 50), HttpContext.RequestAborted)).Items.Select(progress.Overlay).ToList();
    }
}
