using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Tests.Builders;

/// <summary>Small builders with unique values per call, so tests sharing a database never collide.</summary>
public static class A
{
    public static ChangeContext Change(string actor = "test") => new(actor, new DateTime(2026, 11, 23, 9, 30, 15, 123, DateTimeKind.Utc));

    public static Funder Funder(string kind = "lottery") => new()
    {
        Name = Infrastructure.Unique.Text("Funder"),
        Kind = kind,
        OrgIdentifier = "GB-CHC-" + Infrastructure.Unique.Next(),
        Contacts = [new FunderContact { Name = "Grants Officer", Email = $"officer{Infrastructure.Unique.Next()}@funder.example" }],
    };

    public static ProgrammeArea ProgrammeArea() => new()
    {
        Name = Infrastructure.Unique.Text("Area"),
        Code = Infrastructure.Unique.Text("AREA"),
        LeadName = "Lead",
        LeadEmail = "lead@example.org",
    };

    public static Partner Partner() => new()
    {
        Name = Infrastructure.Unique.Text("Partner"),
        Kind = "by-and-for",
        Communities = ["Black and minoritised women", "LGBT+"],
        ContactEmail = "partner@example.org",
    };

    public static Grant Grant(long funderId, long? programmeAreaId = null, long amountPence = 12_000_000, DateOnly? start = null, DateOnly? end = null) => new()
    {
        FunderId = funderId,
        ProgrammeAreaId = programmeAreaId,
        Reference = Infrastructure.Unique.Text("REF"),
        Title = "Test grant",
        AmountAwardedPence = amountPence,
        AwardDate = new DateOnly(2026, 3, 1),
        StartDate = start ?? new DateOnly(2026, 4, 1),
        EndDate = end ?? new DateOnly(2027, 3, 31),
        Restricted = true,
        Status = "active",
    };

    /// <summary>Inserts a funder and a grant in one transaction and returns the grant.</summary>
    public static async Task<Grant> SavedGrantAsync(Database database, long amountPence = 12_000_000)
    {
        return await Portfolio.Core.Operations.UnitOfWork.CommitAsync(database, async session =>
        {
            var funderId = await FunderStore.InsertAsync(session, Funder(), Change());
            var grant = Grant(funderId, amountPence: amountPence);
            grant.Id = await GrantStore.InsertAsync(session, grant, Change());
            return grant;
        });
    }
}
