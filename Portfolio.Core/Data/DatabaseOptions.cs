namespace Portfolio.Core.Data;

/// <summary>
/// Which database Portfolio uses: <c>Portfolio:Database:Engine</c> and <c>ConnectionStrings:Portfolio</c>.
/// </summary>
public sealed record DatabaseOptions(DatabaseEngine Engine, string ConnectionString)
{
    public const string DefaultSqliteConnectionString = "Data Source=./data/portfolio.db";

    public static DatabaseOptions Create(string? engine, string? connectionString)
    {
        var parsed = DatabaseEngineNames.Parse(engine);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (parsed != DatabaseEngine.Sqlite)
            {
                throw new InvalidOperationException(
                    $"ConnectionStrings:Portfolio is required when Portfolio:Database:Engine is {parsed.ToCode()}.");
            }

            connectionString = DefaultSqliteConnectionString;
        }

        return new DatabaseOptions(parsed, connectionString);
    }
}
