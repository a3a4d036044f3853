using System.Data.Common;
using Portfolio.Core.Data;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Infrastructure;

/// <summary>RFC 9457 problem details for every refusal, each saying what is wrong and how to put it right.</summary>
public static class Problems
{
    public static IResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request has invalid fields", detail: "See errors: each names a field and what is wrong with it.");

    /// <summary>The problem detail for a Core operation's refusal.</summary>
    public static IResult From(Refusal refusal) => refusal switch
    {
        InvalidFields invalid => Validation(invalid.Errors.ToDictionary(e => e.Key, e => e.Value)),
        NotFound missing => NotFound(missing.Entity, missing.Id),
        Forbidden forbidden => TypedResults.Problem(detail: forbidden.Detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden"),
        StaleVersion stale => PreconditionFailed(stale.CurrentVersion),
        Conflict conflict => Conflict(conflict.Detail, conflict.Extensions?.ToDictionary(e => e.Key, e => e.Value)),
        CannotApply cannot => Unprocessable(cannot.Detail, cannot.Extensions?.ToDictionary(e => e.Key, e => e.Value)),
        BrokenControl control => TypedResults.Problem(
            detail: control.Detail,
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "The request breaks a finance control",
            extensions: new Dictionary<string, object?> { ["errors"] = control.Errors }),
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, "No problem detail for this refusal."),
    };

    public static IResult Field(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult BadRequest(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    public static IResult NotFound(string entity, object id) =>
        TypedResults.Problem(detail: $"There is no {entity} with id {id}.", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static IResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict", extensions: extensions);

    public static IResult Unprocessable(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The request cannot be applied", extensions: extensions);

    public static IResult PreconditionRequired() =>
        TypedResults.Problem(
            detail: "This change needs an If-Match header carrying the ETag of the version you are changing (from a GET).",
            statusCode: StatusCodes.Status428PreconditionRequired,
            title: "If-Match required");

    public static IResult PreconditionFailed(int currentVersion) =>
        TypedResults.Problem(
            detail: $"The record has changed since you read it: it is now at version {currentVersion}. Read it again and reapply your change.",
            statusCode: StatusCodes.Status412PreconditionFailed,
            title: "Stale version");

    public static IResult PayloadTooLarge() =>
        TypedResults.Problem(detail: $"The request body is larger than {JsonBody.MaxBodyBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large");

    public static IResult UnsupportedMediaType() =>
        TypedResults.Problem(detail: "Send the body as JSON with Content-Type: application/json (UTF-8).", statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");

    public static IResult ServiceUnavailable() =>
        TypedResults.Problem(detail: "The database did not answer; nothing was changed. Try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable");

    public static bool IsUniqueViolation(DbException exception) => DbErrors.IsUniqueViolation(exception);
}
