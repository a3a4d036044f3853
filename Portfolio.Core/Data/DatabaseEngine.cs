namespace Portfolio.Core.Data;

public enum DatabaseEngine
{
    Sqlite,
    Postgres,
    SqlServer,
}

public static class DatabaseEngineNames
{
    public static string ToCode(this DatabaseEngine engine) => engine switch
    {
        DatabaseEngine.Sqlite => "sqlite",
        DatabaseEngine.Postgres => "postgres",
        DatabaseEngine.SqlServer => "sqlserver",
        _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, null),
    };

    /// <summary>The folder under <c>db/</c> that holds this engine's migrations.</summary>
    public static string MigrationFolder(this DatabaseEngine engine) => engine.ToCode();

    public static DatabaseEngine Parse(string? code) => code?.Trim().ToLowerInvariant() switch
    {
        null or "" or "sqlite" => DatabaseEngine.Sqlite,
        "postgres" or "postgresql" => DatabaseEngine.Postgres,
        "sqlserver" => DatabaseEngine.SqlServer,
        _ => throw new ArgumentException($"Unknown database engine '{code}': use sqlite, postgres or sqlserver.", nameof(code)),
    };
}
