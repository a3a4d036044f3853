using System.Reflection;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Portfolio.Core.Data;

namespace Portfolio.Tests.Infrastructure;

/// <summary>
/// Every <see cref="Sql"/> statement the service can run, found by reflection in the assemblies that run
/// them (DbSession only accepts <see cref="Sql"/>, so nothing escapes), and the T-SQL parser that checks them.
/// </summary>
public static class SqlCatalogue
{
    public static readonly Assembly[] ProductAssemblies =
    [
        typeof(Sql).Assembly,
        Assembly.Load("Portfolio.Reports"),
        Assembly.Load("Portfolio.Jobs"),
        typeof(Program).Assembly,
    ];

    public static IReadOnlyList<(string Name, Sql Statement)> AllStatements()
    {
        var found = new List<(string, Sql)>();
        foreach (var type in ProductAssemblies.SelectMany(a => a.GetTypes()))
        {
            foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType == typeof(Sql) && field.GetValue(null) is Sql sql)
                {
                    found.Add(($"{type.FullName}.{field.Name}", sql));
                }
            }
        }

        return found;
    }

    /// <summary>Parses with the SQL Server 2022 parser and returns its errors as "line:column message".</summary>
    public static IReadOnlyList<string> TSqlErrors(string script)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(script);
        parser.Parse(reader, out var errors);
        return errors.Select(e => $"{e.Line}:{e.Column} {e.Message}").ToList();
    }

    public static TSqlFragment ParseTSql(string script)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(script);
        var fragment = parser.Parse(reader, out var errors);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", errors.Select(e => $"{e.Line}:{e.Column} {e.Message}")));
        }

        return fragment;
    }
}
