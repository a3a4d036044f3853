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

    /// <summary>True when a write named a row that another transaction deleted (or deleted a row still referred to).</summary>
    public static bool IsForeignKeyViolation(DbException exception) => exception switch
    {
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.Message.Contains("FOREIGN KEY", StringComparison.Ordinal),
        Npgsql.PostgresException postgres => postgres.SqlState == Npgsql.PostgresErrorCodes.ForeignKeyViolation,
        Microsoft.Data.SqlClient.SqlException sqlServer => sqlServer.Number == 547,
        _ => false,
    };

    /// <summary>True when the engine chose this transaction as a deadlock victim or could not serialise it.</summary>
    public static bool IsDeadlock(DbException exception) => exception switch
    {
        Npgsql.PostgresException postgres => postgres.SqlState is Npgsql.PostgresErrorCodes.DeadlockDetected or Npgsql.PostgresErrorCodes.SerializationFailure,
        Microsoft.Data.SqlClient.SqlException sqlServer => sqlServer.Number == 1205,
        _ => false,
    };
}
