using System.Data.Common;
using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;

namespace Portfolio.Api.Infrastructure;

/// <summary>
/// A database that cannot be reached (stopped, restarting, out of connections) answers 503 with a problem detail
/// and Retry-After, not 500. Each write runs in one transaction, so a request cut off this way left nothing behind;
/// the connection pool reconnects by itself once the database is back.
/// </summary>
public sealed class DatabaseUnavailableHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsUnavailable(exception))
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Service unavailable",
                Detail = "The database did not answer; nothing was changed. Try again shortly.",
            },
        });
    }

    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.PostgresException postgres:
                    // Class 08 is connection trouble; 57P0x the server shutting down or starting; 53300 too many connections.
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState.StartsWith("57P0", StringComparison.Ordinal) || postgres.SqlState == "53300";
                case Npgsql.NpgsqlException:
                case SocketException:
                case TimeoutException:
                    return true;
                case Microsoft.Data.Sqlite.SqliteException sqlite:
                    return sqlite.SqliteErrorCode is 5 or 6 or 10 or 14; // busy, locked, I/O error, cannot open
                case DbException db when db.IsTransient:
                    return true;
            }
        }

        return false;
    }
}
