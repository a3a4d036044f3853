using System.Data.Common;

namespace Portfolio.Core.Data;

public static class DbErrors
{
    /// <summary>True when the database refused a write because a unique constraint already holds the value.</summary>
    public static bool IsUniqueViolation(DbException exception) => exception switch
    {
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.Message.Contains("UNIQUE", StringComparison.Ordinal),
        Npgsql.PostgresException postgres => postgres.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        Microsoft.Data.SqlClient.SqlException sqlServer => sqlServer.Number is 2601 or 2627,
        _ => false,
    };
}
