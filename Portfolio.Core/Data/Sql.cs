using System.Text.RegularExpressions;

namespace Portfolio.Core.Data;

/// <summary>
/// One SQL statement, with its text for each engine. Statements are declared as <c>static readonly</c>
/// fields so the tests can find every one of them by reflection and parse the SQL Server text with
/// Microsoft's T-SQL parser: a statement that is not declared this way cannot be run (see <see cref="DbSession"/>).
/// </summary>
/// <remarks>
/// An optional filter on a date or timestamp is written <c>col &gt;= COALESCE(@From, col)</c>, not
/// <c>@From IS NULL OR ...</c>: PostgreSQL cannot infer the type of a lone null parameter.
/// </remarks>
public sealed partial record Sql(string Sqlite, string Postgres, string SqlServer)
{
    /// <summary>A statement in the subset all three engines share.</summary>
    public static Sql Common(string text) => new(text, text, text);

    public string For(DatabaseEngine engine) => engine switch
    {
        DatabaseEngine.Sqlite => Sqlite,
        DatabaseEngine.Postgres => Postgres,
        DatabaseEngine.SqlServer => SqlServer,
        _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, null),
    };

    /// <summary>
    /// An <c>INSERT ... VALUES (...)</c> that returns the new row's <c>id</c>:
    /// <c>RETURNING id</c> on SQLite and PostgreSQL, <c>OUTPUT INSERTED.id</c> on SQL Server.
    /// </summary>
    public static Sql InsertReturningId(string insert)
    {
        var match = ValuesKeyword().Match(insert);
        if (!match.Success)
        {
            throw new ArgumentException("An insert returning its id needs a VALUES clause.", nameof(insert));
        }

        var trimmed = insert.TrimEnd().TrimEnd(';');
        return new Sql(
            trimmed + " RETURNING id",
            trimmed + " RETURNING id",
            trimmed[..match.Index] + " OUTPUT INSERTED.id" + trimmed[match.Index..]);
    }

    /// <summary>A page of a query that ends in <c>ORDER BY</c>; takes <c>@Offset</c> and <c>@Limit</c>.</summary>
    public static Sql Paged(string orderedSelect)
    {
        var trimmed = orderedSelect.TrimEnd().TrimEnd(';');
        return new Sql(
            trimmed + " LIMIT @Limit OFFSET @Offset",
            trimmed + " LIMIT @Limit OFFSET @Offset",
            trimmed + " OFFSET @Offset ROWS FETCH NEXT @Limit ROWS ONLY");
    }

    [GeneratedRegex(@"\s+VALUES\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex ValuesKeyword();
}
