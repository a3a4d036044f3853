using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Imports;
using Portfolio.Core.Operations;
using Portfolio.Jobs.Imports;

namespace Portfolio.Api.Features.Imports;

/// <summary>
/// Imports of accounting-system exports: the rules (<c>/api/import-mappings</c>) and the imports themselves —
/// upload and preview, rows, commit, reverse. The work is Core's (<see cref="AccountImports"/>, <see cref="ImportRules"/>);
/// large files run as Hangfire jobs (<see cref="ImportService"/>).
/// </summary>
public static class ImportsApi
{
    public static IEndpointRouteBuilder MapImports(this IEndpointRouteBuilder app)
    {
        var mappings = app.MapGroup("/api/import-mappings").WithTags("Imports").RequireAuthorization(Policies.Read);
        mappings.MapGet("/", GetRulesAsync).WithName("GetImportMappings").Produces<ImportRulesView>();
        mappings.MapPut("/", PutRulesAsync).WithName("PutImportMappings").RequireAuthorization(Policies.Write)
            .Accepts<ImportRulesInput>("application/json").Produces<ImportRulesView>().ProducesValidationProblem().ProducesProblem(412).ProducesProblem(428);

        var imports = app.MapGroup("/api/imports").WithTags("Imports").RequireAuthorization(Policies.Read);
        imports.MapGet("/", ListAsync).ReadsPagedQuery().WithName("ListImports").Produces<ListResponse<ImportView>>();
        imports.MapGet("/{id:long}", GetAsync).WithName("GetImport").Produces<ImportView>().ProducesProblem(404);
        imports.MapGet("/{id:long}/rows", RowsAsync)
            .ReadsPagedQuery(QueryParameter.Text("status", "Only rows with this status: ready, duplicate, refused or ignored.", 20))
            .WithName("ListImportRows").Produces<ListResponse<ImportRowView>>().ProducesValidationProblem().ProducesProblem(404);
        imports.MapPost("/", UploadAsync).WithName("CreateImport").RequireAuthorization(Policies.Write).DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitMetadata(null))
            .Produces<ImportView>(201).Produces<ImportView>(202)
            .ProducesValidationProblem().ProducesProblem(413).ProducesProblem(415);
        imports.MapPost("/{id:long}/preview", PreviewAgainAsync).WithName("PreviewImport").RequireAuthorization(Policies.Write)
            .Produces<ImportView>().Produces<ImportView>(202).ProducesProblem(404);
        imports.MapPost("/{id:long}/commit", CommitAsync).WithName("CommitImport").RequireAuthorization(Policies.Write)
            .Produces<ImportView>().Produces<ImportView>(202).ProducesProblem(404).ProducesProblem(409);
        imports.MapPost("/{id:long}/reverse", ReverseAsync).WithName("ReverseImport").RequireAuthorization(Policies.Write)
            .Accepts<ReasonInput>("application/json").Produces<ImportView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);
        return app;
    }

    /// <summary>No size limit from the server for this endpoint: <see cref="ImportOptions.MaxBytes"/> is enforced while the file is saved, with a 413 problem.</summary>
    private sealed class RequestSizeLimitMetadata(long? size) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => size;
    }

    private static async Task<IResult> GetRulesAsync(HttpContext http, Database database, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var rules = await ImportRules.GetAsync(session, cancellationToken);
        ETags.Set(http, rules.Version);
        return TypedResults.Ok(rules);
    }

    private static async Task<IResult> PutRulesAsync(HttpContext http, Database database)
    {
        var (expected, preconditionProblem) = ETags.OptionalIfMatch(http.Request);
        if (preconditionProblem is not null)
        {
            return preconditionProblem;
        }

        if (string.IsNullOrWhiteSpace(http.Request.Headers.IfMatch.ToString()))
        {
            await using var session = await database.OpenAsync(http.RequestAborted);
            if ((await ImportRules.GetAsync(session, http.RequestAborted)).Version > 0)
            {
                return Problems.PreconditionRequired();
            }

            expected = 0;
        }

        var (input, problem) = await JsonBody.ReadCheckedAsync<ImportRulesInput>(http.Request);
        if (problem is not null)
        {
            return await ETags.BeforeContentAsync(problem, expected, database, async session => (await ImportRules.GetAsync(session, http.RequestAborted)).Version, http.RequestAborted);
        }

        var change = http.Change();
        return await Writes.RunAsync(database, session => ImportRules.SetAsync(session, expected, input!, change, http.RequestAborted), rules =>
        {
            ETags.Set(http, rules.Version);
            return TypedResults.Ok(rules);
        }, http.RequestAborted);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, Database database, ImportProgress progress, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var page = query.Page();
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(ListResponse<ImportView>.From(await AccountImports.ListAsync(session, page, cancellationToken), progress.Overlay));
    }

    private static async Task<IResult> GetAsync(long id, ImportService imports, CancellationToken cancellationToken) =>
        await imports.GetAsync(id, cancellationToken) is { } view ? TypedResults.Ok(view) : Problems.NotFound("import", id);

    private static async Task<IResult> RowsAsync(long id, HttpRequest request, Database database, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var status = query.Text("status", 20);
        var page = query.Page();
        if (status is not null && !RowStatuses.All.Contains(status))
        {
            return Problems.Field("status", $"must be one of {string.Join(", ", RowStatuses.All)}");
        }

        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        if (await AccountImports.GetAsync(session, id, cancellationToken) is null)
        {
            return Problems.NotFound("import", id);
        }

        return TypedResults.Ok(ListResponse<ImportRowView>.From(await AccountImports.RowsAsync(session, id, status, page, cancellationToken), r => r));
    }

    private static async Task<IResult> UploadAsync(HttpContext http, ImportService imports)
    {
        var request = http.Request;
        if (!request.HasFormContentType || !(request.ContentType ?? "").StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(detail: "Send the export as multipart/form-data with the file in the field named file.", statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
        }

        if (request.ContentLength > imports.Options.MaxBytes + 64 * 1024)
        {
            return TooLarge(imports.Options);
        }

        IFormFile? file;
        try
        {
            var form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = imports.Options.MaxBytes + 64 * 1024 }, http.RequestAborted);
            file = form.Files.GetFile("file");
        }
        catch (InvalidDataException)
        {
            return TooLarge(imports.Options);
        }

        if (file is null)
        {
            return Problems.Field("file", "must be the export, sent in the form field named file");
        }

        await using var content = file.OpenReadStream();
        var upload = await imports.UploadAsync(file.FileName, content, http.Change(), http.RequestAborted);
        if (upload.TooLarge)
        {
            return TooLarge(imports.Options);
        }

        if (upload.Refusal is { } refusal)
        {
            return Problems.From(refusal);
        }

        return Answer(upload.Import!, upload.How, created: true);
    }

    private static async Task<IResult> PreviewAgainAsync(long id, HttpContext http, ImportService imports)
    {
        var current = await imports.GetAsync(id, http.RequestAborted);
        if (current is null)
        {
            return Problems.NotFound("import", id);
        }

        if (current.Status is not (ImportStatuses.Previewed or ImportStatuses.Failed))
        {
            return Problems.Conflict($"Import {id} is {current.Status}: only an import not yet committed can be previewed again.");
        }

        var (view, how) = await imports.PreviewAsync(id, http.Change(), http.RequestAborted);
        return Answer(view, how, created: false);
    }

    private static async Task<IResult> CommitAsync(long id, HttpContext http, ImportService imports)
    {
        var (outcome, how) = await imports.CommitAsync(id, http.Change(), http.RequestAborted);
        return outcome.Refused is { } refusal ? Problems.From(refusal) : Answer(outcome.Value!, how, created: false);
    }

    private static async Task<IResult> ReverseAsync(long id, HttpContext http, Database database)
    {
        var (input, problem) = await JsonBody.ReadCheckedAsync<ReasonInput>(http.Request);
        if (problem is not null)
        {
            return problem;
        }

        var change = http.Change();
        return await Writes.RunAsync(database, session => AccountImports.ReverseAsync(session, id, input!, change, http.RequestAborted), view => TypedResults.Ok(view), http.RequestAborted);
    }

    private static IResult Answer(ImportView view, ImportService.Started how, bool created)
    {
        var location = $"/api/imports/{view.Id}";
        if (how == ImportService.Started.Queued)
        {
            return TypedResults.Accepted(location, view);
        }

        if (view.Status == ImportStatuses.Failed)
        {
            return TypedResults.UnprocessableEntity(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Title = "The file could not be imported",
                Detail = view.Error,
                Status = StatusCodes.Status422UnprocessableEntity,
                Extensions = { ["importId"] = view.Id },
            });
        }

        return created ? TypedResults.Created(location, view) : TypedResults.Ok(view);
    }

    private static IResult TooLarge(ImportOptions options) =>
        TypedResults.Problem(detail: $"The file is larger than the {options.MaxBytes:N0} bytes an import accepts (Portfolio:Imports:MaxBytes). Export a shorter date range.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "File too large");
}
