using Portfolio.Core.Data;
using Portfolio.Core.Demo;

namespace Portfolio.Api.Infrastructure;

/// <summary>
/// With <c>Portfolio:SeedDemo</c> true (the default in Development) and an empty database, seeds the demo portfolio on start.
/// </summary>
public sealed class DemoSeeding(Database database, IConfiguration configuration, IHostEnvironment environment, ILogger<DemoSeeding> logger, TimeProvider clock) : IHostedService
{
    /// <summary><c>Portfolio:SeedDemo</c>, checked.</summary>
    public static bool ReadSeedDemo(IConfiguration configuration, bool defaultValue)
    {
        var settings = new Portfolio.Jobs.Hosting.Settings(configuration, "Portfolio");
        var seed = settings.Bool("SeedDemo", defaultValue);
        settings.ThrowIfInvalid();
        return seed;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var seed = ReadSeedDemo(configuration, environment.IsDevelopment());
        if (!seed)
        {
            return;
        }

#pragma warning disable CA1848 // one-off messages at start-up
        try
        {
            if (await DemoPortfolio.SeedIfEmptyAsync(database, clock.GetUtcNow().UtcDateTime, cancellationToken))
            {
                logger.LogInformation("The database was empty: the demo portfolio was seeded (Portfolio:SeedDemo).");
            }
        }
        catch (System.Data.Common.DbException ex)
        {
            logger.LogWarning("The demo portfolio was not seeded: {Reason}", ex.Message);
        }
#pragma warning restore CA1848
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
