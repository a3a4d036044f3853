using Portfolio.Core.Data;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Core.Data;

public class MigrationFolderTests
{
    [Test]
    public void TheThreeEngineFolders_ListTheSameFiles()
    {
        var root = Path.Combine(SqlServerSyntaxTests.RepositoryRoot(), "db");
        string[] Files(string engine) => Directory.GetFiles(Path.Combine(root, engine), "*.sql").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

        Files("sqlite").Should().NotBeEmpty();
        Files("postgres").Should().Equal(Files("sqlite"));
        Files("sqlserver").Should().Equal(Files("sqlite"));
    }

    [Test]
    public void MigrationFiles_AreNumberedAndEmbedded()
    {
        foreach (var engine in Enum.GetValues<DatabaseEngine>())
        {
            var scripts = Migrator.ScriptsFor(engine);
            scripts.Should().NotBeEmpty();
            scripts.Select(s => s.Id).Should().OnlyContain(id => System.Text.RegularExpressions.Regex.IsMatch(id, @"^\d{4}_[a-z0-9_]+$"));
            scripts.Select(s => s.Id).Should().BeInAscendingOrder(StringComparer.Ordinal);
        }
    }

    [Test]
    public void GoSeparatedScripts_SplitIntoBatches()
    {
        Migrator.Batches("CREATE TABLE a (x int)\nGO\nCREATE TABLE b (y int)\n  go  \n").Should().HaveCount(2);
    }
}

public class MigrationTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    [Test]
    public async Task RunningTheMigrationsAgain_ChangesNothing()
    {
        var migrator = new Migrator(Database);
        var before = await migrator.AppliedAsync();

        var appliedNow = await migrator.MigrateAsync();
        var after = await migrator.AppliedAsync();

        appliedNow.Should().BeEmpty();
        after.Should().Equal(before);
        before.Should().Equal(Migrator.ScriptsFor(Engine).Select(m => m.Id));
        await using var session = await OpenAsync();
        (await session.ExecuteScalarAsync<long>(SchemaProbe.CostCategoryCount)).Should().Be(6, "seed rows are not inserted twice");
    }

    [Test]
    public async Task TwoMigratorsAtOnce_ApplyEachScriptOnce()
    {
        var fresh = new Database(await TestEnvironment.CreateDatabaseAsync(Engine));
        var results = await Task.WhenAll(new Migrator(fresh).MigrateAsync(), new Migrator(fresh).MigrateAsync());

        results.SelectMany(r => r).Should().BeEmpty("the fixture's database was created migrated");
        (await new Migrator(fresh).AppliedAsync()).Should().OnlyHaveUniqueItems();
    }

    [Test]
    public async Task TheSchema_HasTheSameTablesAndColumnsOnEveryEngine()
    {
        await using var session = await OpenAsync();
        var columns = (await session.QueryAsync<TableColumn>(Engine == DatabaseEngine.Sqlite ? SchemaProbe.SqliteColumns : SchemaProbe.PostgresColumns)).ToList();
        var here = columns.GroupBy(c => c.TableName).ToDictionary(g => g.Key, g => g.Select(c => c.ColumnName).Order(StringComparer.Ordinal).ToList());
        var sqlServer = SqlServerSyntaxTests.SqlServerSchema().ToDictionary(t => t.Key, t => t.Value.Order(StringComparer.Ordinal).ToList());

        here.Keys.Should().BeEquivalentTo(sqlServer.Keys);
        foreach (var (table, expected) in sqlServer)
        {
            here[table].Should().Equal(expected, "table {0} must have the same columns on every engine", table);
        }

        here.Keys.Should().Contain(["funder", "funder_contact", "programme_area", "partner", "grant_award", "partner_agreement",
            "cost_category", "budget_version", "budget_line", "spend_transaction", "payment", "variance_note", "report_run",
            "report_file", "report_delivery", "audit_entry", "api_key", "idempotency_record", "schema_migration"]);
    }

    private sealed class TableColumn
    {
        public string TableName { get; set; } = "";
        public string ColumnName { get; set; } = "";
    }
}

/// <summary>Statements used only by the tests to look at the schema.</summary>
internal static class SchemaProbe
{
    public static readonly Sql CostCategoryCount = Sql.Common("SELECT COUNT(*) FROM cost_category");

    public static readonly Sql SqliteColumns = Sql.Common("""
        SELECT m.name AS table_name, p.name AS column_name
        FROM sqlite_master m JOIN pragma_table_info(m.name) p
        WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
        """);

    public static readonly Sql PostgresColumns = Sql.Common("""
        SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'
        """);
}
