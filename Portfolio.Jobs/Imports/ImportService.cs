using System.Collections.Concurrent;
using System.ComponentModel;
using Hangfire;
using Microsoft.Extensions.Configuration;
using Portfolio.Core.Data;
using Portfolio.Core.Imports;
using Portfolio.Core.Operations;
using Portfolio.Jobs.Hosting;

namespace Portfolio.Jobs.Imports;

/// <summary>
/// <c>Portfolio:Imports</c>: where uploaded files are kept (shared storage when several instances run jobs), the
/// largest file accepted, and the size above which preview and commit run as Hangfire jobs rather than in the request.
/// </summary>
public sealed record ImportOptions(string Folder, long MaxBytes, long InlineBytes, int InlineRows)
{
    public static ImportOptions FromConfiguration(IConfiguration configuration)
    {
        var settings = new Settings(configuration, "Portfolio:Imports");
        var options = new ImportOptions(
            settings.Text("Folder", Path.Combine("data", "imports")),
            settings.Long("MaxBytes", 50L * 1024 * 1024, 1024, 2L * 1024 * 1024 * 1024),
            settings.Long("InlineBytes", 512L * 1024, 0, 2L * 1024 * 1024 * 1024),
            settings.Int("InlineRows", AccountImports.BatchSize, 0, 1_000_000));
        settings.ThrowIfInvalid();
        return options;
    }
}

/// <summary>How far a running preview or commit has got, for the page's progress bar and the API's <c>progress</c>.</summary>
public sealed class ImportProgress
{
    private readonly ConcurrentDictionary<long, ImportProgressView> _running = new();

    public Func<int, int, Task> For(long importId) => (done, total) =>
    {
        _running[importId] = new ImportProgressView(done, total);
        return Task.CompletedTask;
    };

    public void Finished(long importId) => _running.TryRemove(importId, out _);

    /// <summary>
    /// The import with the progress this process knows of: a commit's progress is inside its transaction, so only
    /// the process running it sees it; a preview's is also written to the database batch by batch.
    /// </summary>
    public ImportView Overlay(ImportView view) =>
        _running.TryGetValue(view.Id, out var progress) && view.Status is ImportStatuses.Previewing or ImportStatuses.Committing
            ? view with { Progress = progress }
            : view;
}

/// <summary>What the upload page and <c>/api/imports</c> both do: keep the file, preview, commit (in the request when small, as a job when large).</summary>
public sealed class ImportService(Database database, ImportOptions options, ImportProgress progress, IBackgroundJobClient jobs, TimeProvider clock)
{
    public enum Started
    {
        Previewed,
        Queued,
    }

    public sealed record Upload(ImportView? Import, Refusal? Refusal, bool TooLarge, Started How);

    public ImportOptions Options => options;

    /// <summary>Saves the upload (refusing it past <see cref="ImportOptions.MaxBytes"/>), records it and previews it.</summary>
    public async Task<Upload> UploadAsync(string fileName, Stream content, ChangeContext change, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Folder);
        var temporary = Path.Combine(options.Folder, $"upload-{Guid.NewGuid():N}.part");
        try
        {
            long bytes = 0;
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    bytes += read;
                    if (bytes > options.MaxBytes)
                    {
                        return new Upload(null, null, TooLarge: true, Started.Previewed);
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            await using (var session = await database.OpenAsync(cancellationToken))
            {
                if (AccountImports.CheckReadable(temporary, await ImportRules.GetAsync(session, cancellationToken)) is { } unreadable)
                {
                    return new Upload(null, unreadable, false, Started.Previewed);
                }
            }

            var started = await UnitOfWork.RunAsync(database, session => AccountImports.StartAsync(session, fileName, temporary, change, cancellationToken), cancellationToken);
            if (started.Refused is { } refused)
            {
                return new Upload(null, refused, false, Started.Previewed);
            }

            var import = started.Value!;
            File.Move(temporary, PathOf(import), overwrite: true);
            var (view, how) = await PreviewAsync(import.Id, change, cancellationToken);
            return new Upload(view, null, false, how);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Previews (again, after a rule is added): in the request for a small file, else queued.</summary>
    public async Task<(ImportView View, Started How)> PreviewAsync(long id, ChangeContext change, CancellationToken cancellationToken)
    {
        var path = await PathOfAsync(id, cancellationToken);
        if (new FileInfo(path).Length > options.InlineBytes)
        {
            await using var session = await database.OpenAsync(cancellationToken);
            await AccountImports.QueuePreviewAsync(session, id, cancellationToken);
            jobs.Enqueue<ImportJobs>(j => j.PreviewAsync(id, change.Actor, CancellationToken.None));
            return ((await AccountImports.GetAsync(session, id, cancellationToken))!, Started.Queued);
        }

        try
        {
            return (await AccountImports.PreviewAsync(database, id, path, change, progress.For(id), cancellationToken), Started.Previewed);
        }
        finally
        {
            progress.Finished(id);
        }
    }

    /// <summary>Commits: in the request when few rows are ready, else queued (the answer is then the import as it stands).</summary>
    public async Task<(Outcome<ImportView> Outcome, Started How)> CommitAsync(long id, ChangeContext change, CancellationToken cancellationToken)
    {
        ImportView? current;
        await using (var session = await database.OpenAsync(cancellationToken))
        {
            current = await AccountImports.GetAsync(session, id, cancellationToken);
        }

        if (current is not null && current.Status == ImportStatuses.Previewed && current.Rows.Ready > options.InlineRows && change.Areas is null)
        {
            var claimed = await AccountImports.ClaimAsync(database, id, change, cancellationToken);
            if (claimed.Refused is null)
            {
                jobs.Enqueue<ImportJobs>(j => j.CommitAsync(id, change.Actor, CancellationToken.None));
            }

            return (claimed, Started.Queued);
        }

        try
        {
            return (await AccountImports.CommitAsync(database, id, change, progress.For(id), cancellationToken), Started.Previewed);
        }
        finally
        {
            progress.Finished(id);
        }
    }

    public async Task<ImportView?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        return await AccountImports.GetAsync(session, id, cancellationToken) is { } view ? progress.Overlay(view) : null;
    }

    public ChangeContext SystemChange(string actor) => new(actor, clock.GetUtcNow().UtcDateTime);

    /// <summary>
    /// Where an import's file is kept: named by its id and the start of its SHA-256, so that two databases pointed at
    /// one folder (a restored copy, a test run) never read each other's files.
    /// </summary>
    internal string PathOf(ImportView import) => Path.Combine(options.Folder, $"import-{import.Id}-{import.Sha256[..16]}");

    internal async Task<string> PathOfAsync(long id, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var import = await AccountImports.GetAsync(session, id, cancellationToken) ?? throw new InvalidOperationException($"There is no import {id}.");
        return PathOf(import);
    }
}

/// <summary>The Hangfire jobs for large files: preview and commit, with progress. A retry runs the step again from the start (a commit is one transaction).</summary>
public sealed class ImportJobs(Database database, ImportService imports, ImportProgress progress)
{
    [DisplayName("Preview import {0}")]
    public async Task PreviewAsync(long importId, string actor, CancellationToken cancellationToken)
    {
        try
        {
            await AccountImports.PreviewAsync(database, importId, await imports.PathOfAsync(importId, cancellationToken), imports.SystemChange(actor), progress.For(importId), cancellationToken);
        }
        finally
        {
            progress.Finished(importId);
        }
    }

    [DisplayName("Commit import {0}")]
    public async Task CommitAsync(long importId, string actor, CancellationToken cancellationToken)
    {
        try
        {
            await AccountImports.CommitAsync(database, importId, imports.SystemChange(actor), progress.For(importId), cancellationToken);
        }
        finally
        {
            progress.Finished(importId);
        }
    }
}
