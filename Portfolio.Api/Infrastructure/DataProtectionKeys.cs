using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Portfolio.Core.Data;

namespace Portfolio.Api.Infrastructure;

/// <summary>
/// ASP.NET Core Data Protection's keys kept in the database (table <c>data_protection_key</c>, migration 0011), not
/// in the default per-machine folder: every instance on one database reads the same key ring, so a sign-in cookie
/// or an anti-forgery token issued by one instance behind a load balancer is honoured by another, and a restarted
/// container does not sign everyone out. The keys are stored as Data Protection writes them (not encrypted at rest:
/// whoever can read the database can forge cookies, as whoever can read it can read every record).
/// </summary>
public static class DataProtectionKeys
{
    public static IServiceCollection AddPortfolioDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("Portfolio");
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<Database>((options, database) => options.XmlRepository = new DatabaseXmlRepository(database));
        return services;
    }
}

/// <summary>
/// Data Protection's <see cref="IXmlRepository"/> over the service's database. Data Protection calls it rarely (at
/// start and when the key ring is refreshed, about daily) and synchronously, so it waits on the database here.
/// </summary>
public sealed class DatabaseXmlRepository(Database database) : IXmlRepository
{
    private static readonly Sql SelectAll = Sql.Common("SELECT xml FROM data_protection_key ORDER BY id");

    private static readonly Sql Insert = Sql.Common("""
        INSERT INTO data_protection_key (friendly_name, xml, created_at) VALUES (@FriendlyName, @Xml, @At)
        """);

    public IReadOnlyCollection<XElement> GetAllElements() =>
        Task.Run(async () =>
        {
            await using var session = await database.OpenAsync();
            return (await session.QueryAsync<string>(SelectAll)).Select(x => XElement.Parse(x)).ToList();
        }).GetAwaiter().GetResult();

    public void StoreElement(XElement element, string friendlyName) =>
        Task.Run(async () =>
        {
            await using var session = await database.OpenAsync();
            await session.ExecuteAsync(Insert, new { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting), At = DateTime.UtcNow });
        }).GetAwaiter().GetResult();
}
