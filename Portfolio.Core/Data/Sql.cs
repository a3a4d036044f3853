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

    /// <summary>
    /// Statements sent together, in one round trip, each engine's texts joined in order; read the results in the
    /// same order with <see cref="DbSession.QueryBatchAsync{T1,T2,T3,T4}"/>. Their parameters share one object.
    /// </summary>
    public static Sql Batch(params Sql[] statements) => new(
        string.Join(";\n", statements.Select(s => s.Sqlite.TrimEnd().TrimEnd(';'))),
        string.Join(";\n", statements.Select(s => s.Postgres.TrimEnd().TrimEnd(';'))),
        string.Join(";\n", statements.Select(s => s.SqlServer.TrimEnd().TrimEnd(';'))));

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
    public static Sql InsertReturningId(string insert) => InsertReturning(insert, "id");

    /// <summary>
    /// An <c>INSERT ... VALUES (...)</c> that returns the new row's <paramref name="columns"/> (comma-separated, as
    /// stored): the row as a read of it would give it, without the read.
    /// </summary>
    public static Sql InsertReturning(string insert, string columns)
    {
        var match = ValuesKeyword().Match(insert);
        if (!match.Success)
        {
            throw new ArgumentException("An insert returning its row needs a VALUES clause.", nameof(insert));
        }

        var trimmed = insert.TrimEnd().TrimEnd(';');
        var inserted = string.Join(", ", columns.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(c => "INSERTED." + c));
        return new Sql(
            trimmed + " RETURNING " + columns.Trim(),
            trimmed + " RETURNING " + columns.Trim(),
            trimmed[..match.Index] + " OUTPUT " + inserted + trimmed[match.Index..]);
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
