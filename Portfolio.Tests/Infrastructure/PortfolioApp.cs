using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Portfolio.Core.Data;

namespace Portfolio.Tests.Infrastructure;

/// <summary>The real API host over a real database, configured the way an operator would configure it.</summary>
public class PortfolioApp(DatabaseOptions database, string environment = "Testing", IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.UseSetting("Portfolio:Database:Engine", database.Engine.ToCode());
        builder.UseSetting("ConnectionStrings:Portfolio", database.ConnectionString);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }
}
