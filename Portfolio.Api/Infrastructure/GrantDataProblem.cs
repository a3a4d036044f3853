using Microsoft.AspNetCore.Diagnostics;
using Portfolio.Core.Periods;

namespace Portfolio.Api.Infrastructure;

/// <summary>
/// A grant whose stored data cannot be computed (it arrived by a route that skipped the checks) answers 409 with
/// what to correct, for that grant alone; the error is logged. Nothing else is affected.
/// </summary>
public sealed class GrantDataProblemHandler(IProblemDetailsService problems, ILogger<GrantDataProblemHandler> logger) : IExceptionHandler
{
    private static readonly Action<ILogger, long, string, Exception?> LogFailed =
        LoggerMessage.Define<long, string>(LogLevel.Error, new EventId(4090, "GrantCannotBeComputed"), "Grant {GrantId} cannot be computed: {Reason}");

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not GrantDataException grantData)
        {
            return false;
        }

        LogFailed(logger, grantData.GrantId, grantData.Message, null);
        httpContext.Response.StatusCode = StatusCodes.Status409Conflict;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails =
            {
                Status = StatusCodes.Status409Conflict,
                Title = "Grant cannot be computed",
                Detail = grantData.Message,
            },
        });
    }
}
