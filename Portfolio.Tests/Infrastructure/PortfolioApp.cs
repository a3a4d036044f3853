using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Portfolio.Core.Data;

namespace Portfolio.Tests.Infrastructure;

/// <summary>The real API host over a real database, configured the way an operator would configure it.</summary>
public class PortfolioApp(DatabaseOptions database, string environment = "Testing", IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? clock = null)
    : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.UseSetting("Portfolio:Database:Engine", database.Engine.ToCode());
        builder.UseSetting("ConnectionStrings:Portfolio", database.ConnectionString);

        // Tests send many requests with one key quickly; the limits have tests of their own.
        builder.UseSetting("Portfolio:RateLimit:Burst", "1000000");
        builder.UseSetting("Portfolio:RateLimit:PerSecond", "1000000");
        builder.UseSetting("Portfolio:RateLimit:AnonymousBurst", "1000000");
        builder.UseSetting("Portfolio:RateLimit:AnonymousPerSecond", "1000000");
        // Each host its own outbox: fixtures run in parallel, and two demo hosts must not write the same file.
        builder.UseSetting("Portfolio:Email:PickupDirectory", Path.Combine(Path.GetTempPath(), "portfolio-outbox-" + Guid.NewGuid().ToString("N")));
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        // A test host whose job server cannot reach its storage should not hold the run up for the default 30 s.
        builder.ConfigureServices(services => services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5)));
        if (clock is not null)
        {
            builder.ConfigureServices(services => services.AddSingleton(clock));
        }
    }
}
