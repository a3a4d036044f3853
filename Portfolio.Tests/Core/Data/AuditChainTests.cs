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
        await Portfolio.Core.Operations.UnitOfWork.CommitAsync(Database, async s => { await AuditLog.WriteAsync(s, A.Change(), "create", "test", 1, null, new { x = 1 }); return 0; });
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
            await Portfolio.Core.Operations.UnitOfWork.CommitAsync(fresh, async s => { await AuditLog.WriteAsync(s, A.Change($"actor{i}"), "update", "grant", i, new { amount = i }, new { amount = i + 1 }); return 0; });
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
    public async Task RemovingTheNewestEntries_IsDetectedBackToTheLastAnchor_ButNotBeyondIt()
    {
        var fresh = new Database(await TestEnvironment.CreateDatabaseAsync(Engine));
        async Task WriteAsync(int i) =>
            await Portfolio.Core.Operations.UnitOfWork.CommitAsync(fresh, async s => { await AuditLog.WriteAsync(s, A.Change($"actor{i}"), "update", "grant", i, null, new { amount = i }); return 0; });

        for (var i = 0; i < 4; i++)
        {
            await WriteAsync(i);
        }

        var anchor = await Portfolio.Core.Operations.UnitOfWork.CommitAsync(fresh, s => AuditLog.AnchorAsync(s, "daily", null, A.Change().At));
        await WriteAsync(4);
        await WriteAsync(5);

        await using var session = await fresh.OpenAsync();
        (await AuditLog.VerifyAsync(session)).Should().Be(new AuditVerification(true, 6, 0, null, 1));
        anchor!.Entries.Should().Be(4);

        foreach (var statement in Tamper.DisableTriggers(Engine))
        {
            await session.ExecuteAsync(statement);
        }

        // The two entries after the anchor go unnoticed (nothing records them), which the README says.
        await session.ExecuteAsync(Tamper.DeleteFrom, new { Id = anchor.HeadEntryId + 1 });
        (await AuditLog.VerifyAsync(session)).Valid.Should().BeTrue();

        // Removing the anchored entry too is detected, naming the anchor.
        await session.ExecuteAsync(Tamper.DeleteFrom, new { Id = anchor.HeadEntryId });
        var after = await AuditLog.VerifyAsync(session);
        after.Valid.Should().BeFalse();
        after.BrokenAnchorId.Should().Be(anchor.Id);
        after.Detail.Should().Contain($"entry {anchor.HeadEntryId}").And.Contain("removed from its end");
    }

    [Test]
    public async Task AHeadKeptElsewhere_IsCheckedAgainstTheChain()
    {
        var fresh = new Database(await TestEnvironment.CreateDatabaseAsync(Engine));
        await Portfolio.Core.Operations.UnitOfWork.CommitAsync(fresh, async s => { await AuditLog.WriteAsync(s, A.Change(), "create", "grant", 1, null, new { amount = 1 }); return 0; });
        await using var session = await fresh.OpenAsync();
        var entry = (await AuditLog.ListAsync(session, new AuditFilter(), new PageRequest())).Items.Single();
        var hash = (await session.QueryAsync<string>(Sql.Common("SELECT entry_hash FROM audit_entry WHERE id = @Id"), new { entry.Id })).Single();

        (await AuditLog.VerifyAsync(session, (entry.Id, hash))).Valid.Should().BeTrue();
        var wrong = await AuditLog.VerifyAsync(session, (entry.Id, new string('0', 64)));
        wrong.Valid.Should().BeFalse();
        wrong.Detail.Should().Contain("The head you gave").And.Contain("another hash");
        (await AuditLog.VerifyAsync(session, (entry.Id + 1, hash))).Detail.Should().Contain("no longer in the chain");
    }

    [Test]
    public async Task TheDailyAnchorJob_RecordsTheHead_AndWritesItToTheLog()
    {
        var fresh = new Database(await TestEnvironment.CreateDatabaseAsync(Engine));
        var logger = new CollectingLogger();
        var job = new Portfolio.Jobs.Audit.AuditAnchorJob(fresh, TimeProvider.System, logger);
        (await job.RunAsync(CancellationToken.None)).Should().BeNull("an empty chain has no head to record");

        await Portfolio.Core.Operations.UnitOfWork.CommitAsync(fresh, async s => { await AuditLog.WriteAsync(s, A.Change(), "create", "grant", 1, null, new { amount = 1 }); return 0; });
        var anchor = await job.RunAsync(CancellationToken.None);

        anchor!.Reason.Should().Be("daily");
        anchor.Entries.Should().Be(1);
        logger.Messages.Should().ContainSingle().Which.Should().Contain($"entry {anchor.HeadEntryId} hash {anchor.HeadHash}");
        await using var session = await fresh.OpenAsync();
        (await AuditLog.VerifyAsync(session)).Anchors.Should().Be(1);
    }

    private sealed class CollectingLogger : Microsoft.Extensions.Logging.ILogger<Portfolio.Jobs.Audit.AuditAnchorJob>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }

    [Test]
    public async Task Anchors_AreAppendOnly()
    {
        var anchor = await Portfolio.Core.Operations.UnitOfWork.CommitAsync(Database, async s =>
        {
            await AuditLog.WriteAsync(s, A.Change(), "create", "test", 1, null, new { x = 1 });
            return await AuditLog.AnchorAsync(s, "daily", null, A.Change().At);
        });
        anchor.Should().NotBeNull();
        await using var session = await OpenAsync();
        var delete = () => session.ExecuteAsync(Sql.Common("DELETE FROM audit_anchor"));
        await delete.Should().ThrowAsync<DbException>().WithMessage("*append-only*");
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
        public static readonly Sql DeleteFrom = Sql.Common("DELETE FROM audit_entry WHERE id >= @Id");

        /// <summary>What someone with direct access to the database could do: switch the guard off.</summary>
        public static IEnumerable<Sql> DisableTriggers(DatabaseEngine engine) => engine switch
        {
            DatabaseEngine.Sqlite => [Sql.Common("DROP TRIGGER audit_entry_no_update"), Sql.Common("DROP TRIGGER audit_entry_no_delete")],
            DatabaseEngine.Postgres => [Sql.Common("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_change")],
            _ => throw new ArgumentOutOfRangeException(nameof(engine)),
        };
    }
}
