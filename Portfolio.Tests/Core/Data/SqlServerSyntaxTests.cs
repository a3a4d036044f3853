using Microsoft.SqlServer.TransactSql.ScriptDom;
using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Core.Data;

/// <summary>
/// No SQL Server runs here, so every SQL Server migration and every statement of the SQL Server dialect
/// is parsed by Microsoft's own T-SQL parser. Syntax-checked, not executed.
/// </summary>
public class SqlServerSyntaxTests
{
    public static IEnumerable<TestCaseData> Statements() =>
        SqlCatalogue.AllStatements().Select(s => new TestCaseData(s.Statement.SqlServer).SetName($"SqlServerStatement_Parses({s.Name})"));

    public static IEnumerable<TestCaseData> Migrations() =>
        Migrator.ScriptsFor(DatabaseEngine.SqlServer).Select(m => new TestCaseData(m.Text).SetName($"SqlServerMigration_Parses({m.Id})"));

    [TestCaseSource(nameof(Statements))]
    public void SqlServerStatement_Parses(string sql)
    {
        SqlCatalogue.TSqlErrors(sql).Should().BeEmpty("this is sent to SQL Server as written:\n{0}", sql);
    }

    [TestCaseSource(nameof(Migrations))]
    public void SqlServerMigration_Parses(string script)
    {
        foreach (var batch in Migrator.Batches(script))
        {
            SqlCatalogue.TSqlErrors(batch).Should().BeEmpty();
        }
    }

    [Test]
    public void TheCatalogue_FindsTheStatementsOfEveryStore()
    {
        var names = SqlCatalogue.AllStatements().Select(s => s.Name).ToList();

        names.Should().HaveCountGreaterThan(60);
        names.Should().Contain(n => n.EndsWith("FunderStore.Insert", StringComparison.Ordinal));
        names.Should().Contain(n => n.EndsWith("Migrator.CreateJournal", StringComparison.Ordinal));
        names.Should().Contain(n => n.EndsWith("TransactionStore.SelectPage", StringComparison.Ordinal));
    }

    [Test]
    public void TheChecker_RejectsABrokenStatement()
    {
        // The same shape as a real statement with one mistake: SQL Server has no LIMIT.
        SqlCatalogue.TSqlErrors("SELECT id FROM funder ORDER BY id LIMIT 10").Should().NotBeEmpty();
        SqlCatalogue.TSqlErrors("INSERT INTO funder (name) VALUES (@Name) RETURNING id").Should().NotBeEmpty();
    }

    [Test]
    public void DialectHelpers_GiveSqlServerItsOwnForms()
    {
        var insert = Sql.InsertReturningId("INSERT INTO funder (name) VALUES (@Name)");
        insert.SqlServer.Should().Be("INSERT INTO funder (name) OUTPUT INSERTED.id VALUES (@Name)");
        insert.Postgres.Should().EndWith("RETURNING id");

        var paged = Sql.Paged("SELECT id FROM funder ORDER BY id");
        paged.SqlServer.Should().EndWith("OFFSET @Offset ROWS FETCH NEXT @Limit ROWS ONLY");
        paged.Sqlite.Should().EndWith("LIMIT @Limit OFFSET @Offset");
        SqlCatalogue.TSqlErrors(insert.SqlServer).Should().BeEmpty();
        SqlCatalogue.TSqlErrors(paged.SqlServer).Should().BeEmpty();
    }

    [Test]
    public void OnlyTheSessionCallsDapper()
    {
        // DbSession takes Sql, never strings; any other use of Dapper could run SQL the checks above never see.
        var root = RepositoryRoot();
        var offenders = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains("Portfolio.Tests", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("using Dapper;", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f))
            .ToList();

        offenders.Should().BeEquivalentTo(
            [Path.Combine("Portfolio.Core", "Data", "DbSession.cs"), Path.Combine("Portfolio.Core", "Data", "TypeHandlers.cs")]);
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Portfolio.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Portfolio.sln not found above the test binaries.");
    }

    /// <summary>Table name to its column names, from the CREATE TABLE statements of the SQL Server migrations.</summary>
    internal static Dictionary<string, List<string>> SqlServerSchema()
    {
        var tables = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var migration in Migrator.ScriptsFor(DatabaseEngine.SqlServer))
        {
            foreach (var batch in Migrator.Batches(migration.Text))
            {
                var visitor = new CreateTableVisitor(tables);
                SqlCatalogue.ParseTSql(batch).Accept(visitor);
            }
        }

        var journal = new CreateTableVisitor(tables);
        SqlCatalogue.ParseTSql(Sql.Common("").For(DatabaseEngine.SqlServer) + GetJournalSql()).Accept(journal);
        return tables;
    }

    private static string GetJournalSql() =>
        (typeof(Migrator).GetField("CreateJournal", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!.GetValue(null) as Sql)!.SqlServer;

    private sealed class CreateTableVisitor(Dictionary<string, List<string>> tables) : TSqlFragmentVisitor
    {
        public override void Visit(CreateTableStatement node)
        {
            tables[node.SchemaObjectName.BaseIdentifier.Value] =
                node.Definition.ColumnDefinitions.Select(c => c.ColumnIdentifier.Value).ToList();
        }

        public override void Visit(AlterTableAddTableElementStatement node)
        {
            var name = node.SchemaObjectName.BaseIdentifier.Value;
            if (tables.TryGetValue(name, out var columns))
            {
                columns.AddRange(node.Definition.ColumnDefinitions.Select(c => c.ColumnIdentifier.Value));
            }
        }
    }
}
