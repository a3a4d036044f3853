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

/// <summary>
/// The same for a page: a grant that cannot be computed answers 409 with the status page saying so and what to
/// correct (<see cref="GrantDataException.ForPeople"/>), never the problem's JSON. The exception is left on the
/// request for the status page, which the status-code pages re-execute for the empty 409.
/// </summary>
public sealed class GrantDataPageFilter(ILogger<GrantDataPageFilter> logger) : Microsoft.AspNetCore.Mvc.Filters.IExceptionFilter
{
    public const string ItemKey = "portfolio:grant-data";

    private static readonly Action<ILogger, long, string, Exception?> LogFailed =
        LoggerMessage.Define<long, string>(LogLevel.Error, new EventId(4091, "GrantPageCannotBeComputed"), "Grant {GrantId} cannot be computed for a page: {Reason}");

    public void OnException(Microsoft.AspNetCore.Mvc.Filters.ExceptionContext context)
    {
        if (context.Exception is not GrantDataException grantData || AuthExtensions.IsForPrograms(context.HttpContext.Request.Path))
        {
            return;
        }

        LogFailed(logger, grantData.GrantId, grantData.Message, null);
        context.HttpContext.Items[ItemKey] = grantData;
        context.Result = new Microsoft.AspNetCore.Mvc.StatusCodeResult(StatusCodes.Status409Conflict);
        context.ExceptionHandled = true;
    }
}
