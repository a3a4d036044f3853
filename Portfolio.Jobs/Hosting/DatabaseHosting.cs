using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portfolio.Core.Data;

namespace Portfolio.Jobs.Hosting;

/// <summary>The database, for the API and for a stand-alone worker alike.</summary>
public static class DatabaseHosting
{
    /// <summary>Registers the <see cref="Database"/> chosen by <c>Portfolio:Database:Engine</c> and <c>ConnectionStrings:Portfolio</c>.</summary>
    public static IServiceCollection AddPortfolioDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(ReadOptions(configuration));
        services.AddSingleton<Database>();
        services.AddSingleton<Migrator>();
        return services;
    }

    /// <summary><c>Portfolio:Database:Engine</c> and <c>ConnectionStrings:Portfolio</c>, checked: a bad engine stops the start, naming it.</summary>
    public static DatabaseOptions ReadOptions(IConfiguration configuration)
    {
        var settings = new Settings(configuration, "Portfolio:Database");
        var engine = settings.Choice("Engine", DatabaseEngine.Sqlite, new Dictionary<string, DatabaseEngine>
        {
            ["sqlite"] = DatabaseEngine.Sqlite,
            ["postgres"] = DatabaseEngine.Postgres,
            ["postgresql"] = DatabaseEngine.Postgres,
            ["sqlserver"] = DatabaseEngine.SqlServer,
        });
        settings.ThrowIfInvalid();
        return DatabaseOptions.Create(engine.ToCode(), new Settings(configuration, "ConnectionStrings").Secret("Portfolio"));
    }

    /// <summary>
    /// SQLite databases are created and migrated on start, as are all databases in Development.
    /// Server databases elsewhere are migrated on demand: <c>dotnet run --project Portfolio.Api -- migrate</c>.
    /// </summary>
    public static async Task MigrateOnStartIfEmbeddedAsync(this IHost host)
    {
        var database = host.Services.GetRequiredService<Database>();
        var environment = host.Services.GetRequiredService<IHostEnvironment>();
        if (database.Engine == DatabaseEngine.Sqlite || environment.IsDevelopment())
        {
            var applied = await host.Services.GetRequiredService<Migrator>().MigrateAsync();
            if (applied.Count > 0)
            {
                var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Portfolio.Migrations");
#pragma warning disable CA1848 // a one-off message at start-up
                logger.LogInformation("Applied migrations {Migrations} to the {Engine} database", string.Join(", ", applied), database.Engine.ToCode());
#pragma warning restore CA1848
            }
        }
    }

    /// <summary>Handles <c>migrate</c> on the command line: applies the migrations and exits. Returns true when it did.</summary>
    public static async Task<bool> RunMigrateCommandAsync(this IHost host, string[] args)
    {
        if (args.Length == 0 || !string.Equals(args[0], "migrate", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var database = host.Services.GetRequiredService<Database>();
        var applied = await host.Services.GetRequiredService<Migrator>().MigrateAsync();
        Console.WriteLine(applied.Count == 0
            ? $"The {database.Engine.ToCode()} database is up to date."
            : $"Applied to the {database.Engine.ToCode()} database: {string.Join(", ", applied)}");
        return true;
    }
}
