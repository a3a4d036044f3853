using System.Data.Common;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Core.Data;

/// <summary>The audit log is append-only in the database itself and its hash chain shows any change made behind its back.</summary>
public class AuditChainTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    [Test]
    public async Task UpdateAndDelete_AreRefusedByTheDatabase()
    {
        await Database.InTransactionAsync(async s => { await AuditLog.WriteAsync(s, A.Change(), "create", "test", 1, null, new { x = 1 }); return 0; });
        await using var session = await OpenAsync();

        var update = () => session.ExecuteAsync(Tamper.Update, new { Actor = "mallory" });
        var delete = () => session.ExecuteAsync(Tamper.Delete);
        await update.Should().ThrowAsync<DbException>().WithMessage("*append-only*");
        await delete.Should().ThrowAsync<DbException>().WithMessage("*append-only*");
    }

    [Test]
    public async Task TheChain_IsValid_UntilARowIsAlteredDirectly_AndNamesTheFirstBrokenEntry()
    {
        var fresh = new Database(await TestEnvironment.CreateDatabaseAsync(Engine));
        for (var i = 0; i < 5; i++)
        {
            await fresh.InTransactionAsync(async s => { await AuditLog.WriteAsync(s, A.Change($"actor{i}"), "update", "grant", i, new { amount = i }, new { amount = i + 1 }); return 0; });
        }

        await using var session = await fresh.OpenAsync();
        var before = await AuditLog.VerifyAsync(session);
        before.Should().Be(new AuditVerification(true, 5, 0, null));

        var third = (await AuditLog.ListAsync(session, new AuditFilter("grant", "2"), new PageRequest())).Items.Single();
        foreach (var statement in Tamper.DisableTriggers(Engine))
        {
            await session.ExecuteAsync(statement);
        }

        await session.ExecuteAsync(Tamper.UpdateOne, new { Id = third.Id, Actor = "mallory" });
        var after = await AuditLog.VerifyAsync(session);

        after.Valid.Should().BeFalse();
        after.FirstBrokenId.Should().Be(third.Id);
    }

    [Test]
    public void TheHash_CoversEveryField()
    {
        var entry = new AuditEntry { At = new DateTime(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc), Actor = "a", Action = "create", Entity = "grant", EntityId = "1", AfterJson = "{}" };
        var hash = AuditLog.HashOf(entry, "");

        AuditLog.HashOf(entry, "x").Should().NotBe(hash);
        AuditLog.HashOf(new AuditEntry { At = entry.At, Actor = "b", Action = "create", Entity = "grant", EntityId = "1", AfterJson = "{}" }, "").Should().NotBe(hash);
        AuditLog.HashOf(new AuditEntry { At = entry.At.AddTicks(10), Actor = "a", Action = "create", Entity = "grant", EntityId = "1", AfterJson = "{}" }, "").Should().NotBe(hash);
        AuditLog.HashOf(new AuditEntry { At = entry.At, Actor = "a", Action = "create", Entity = "grant", EntityId = "1", AfterJson = "{ }" }, "").Should().NotBe(hash);
        AuditLog.HashOf(new AuditEntry { At = entry.At, Actor = "a", Action = "create", Entity = "grant", EntityId = "1", BeforeJson = "{}" }, "").Should().NotBe(hash);
        hash.Should().HaveLength(64);
    }

    private static class Tamper
    {
        public static readonly Sql Update = Sql.Common("UPDATE audit_entry SET actor = @Actor");
        public static readonly Sql Delete = Sql.Common("DELETE FROM audit_entry");
        public static readonly Sql UpdateOne = Sql.Common("UPDATE audit_entry SET actor = @Actor WHERE id = @Id");

        /// <summary>What someone with direct access to the database could do: switch the guard off.</summary>
        public static IEnumerable<Sql> DisableTriggers(DatabaseEngine engine) => engine switch
        {
            DatabaseEngine.Sqlite => [Sql.Common("DROP TRIGGER audit_entry_no_update")],
            DatabaseEngine.Postgres => [Sql.Common("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_change")],
            _ => throw new ArgumentOutOfRangeException(nameof(engine)),
        };
    }
}
