using Microsoft.Extensions.Hosting;
using Portfolio.Jobs.Hosting;

namespace Portfolio.Jobs;

/// <summary>
/// A stand-alone worker: the same Hangfire jobs as the API runs in process, against the same database, so the work
/// can spread over several machines. <c>dotnet run --project Portfolio.Jobs</c> with the API's configuration.
/// </summary>
public static class Worker
{
    public static async Task Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddPortfolioDatabase(builder.Configuration);
        builder.Services.AddPortfolioReports(builder.Configuration);
        builder.Services.AddPortfolioJobs(builder.Configuration, runServer: true);
        using var host = builder.Build();
        if (await host.RunMigrateCommandAsync(args))
        {
            return;
        }

        await host.MigrateOnStartIfEmbeddedAsync();
        await host.RunAsync();
    }
}
