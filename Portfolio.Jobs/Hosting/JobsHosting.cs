using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.SqlServer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portfolio.Core.Data;
using Portfolio.Jobs.Email;
using Portfolio.Jobs.ReportRuns;
using Portfolio.Reports.Quarterly;

namespace Portfolio.Jobs.Hosting;

/// <summary>
/// Hangfire, set up per host rather than through its static global configuration, so that several hosts in one
/// process (the tests) each keep their own storage. Storage follows the database engine: PostgreSQL and SQL Server
/// share the job queue between processes; SQLite uses in-memory storage, and pending work is rebuilt from the
/// report-run tables on start.
/// </summary>
public static class JobsHosting
{
    public const string ScheduleJobId = "quarterly-report-schedule";
    public const string SweepJobId = "report-delivery-sweep";

    public static IServiceCollection AddPortfolioReports(this IServiceCollection services, IConfiguration configuration)
    {
        var organisation = configuration.GetSection("Portfolio:Organisation");
        string? Setting(string key) => organisation[key] is { Length: > 0 } value ? value.Trim() : null;
        services.AddSingleton(new ReportOptions(
            new ReportOrganisation(
                Setting("Name") ?? "Portfolio",
                Setting("CharityNumber"),
                Setting("CompanyNumber"),
                Setting("Address"),
                Setting("QueriesName"),
                Setting("QueriesEmail"),
                Setting("QueriesPhone")),
            configuration["Portfolio:Reports:FontDirectory"]));
        services.AddSingleton<QuarterlyReports>();
        services.AddHostedService<ReportFontsCheck>();
        return services;
    }

    /// <summary>At start: load the report fonts, and if they cannot be loaded say so, and what to do, in the log.</summary>
    private sealed class ReportFontsCheck(QuarterlyReports reports, ILogger<ReportFontsCheck> logger) : IHostedService
    {
        private static readonly Action<ILogger, string, Exception?> LogMissing = LoggerMessage.Define<string>(
            LogLevel.Error, new EventId(5010, "ReportFontsMissing"), "No report can be made until this is fixed (GET /health/ready says not ready): {Reason}");

        public Task StartAsync(CancellationToken cancellationToken)
        {
            try
            {
                reports.CheckFonts();
            }
            catch (Portfolio.Reports.Pdf.ReportFontsMissingException ex)
            {
                LogMissing(logger, ex.Message, null);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>The jobs, email and report runs; with <paramref name="runServer"/> a Hangfire server in this process too.</summary>
    public static IServiceCollection AddPortfolioJobs(this IServiceCollection services, IConfiguration configuration, bool runServer)
    {
        var options = ReadOptions(configuration);
        services.AddSingleton(options);
        var email = EmailOptions.FromConfiguration(configuration);
        services.AddSingleton(email);
        services.AddSingleton<IReportMailer>(email.Mode == EmailMode.Smtp ? new SmtpReportMailer(email) : new PickupReportMailer(email));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(WorkerIdentity.New());

        services.AddSingleton<JobStorage>(sp =>
        {
            var database = sp.GetRequiredService<DatabaseOptions>();
            return database.Engine switch
            {
                DatabaseEngine.Sqlite => new InMemoryStorage(),
                DatabaseEngine.Postgres => CreatePostgresStorage(database.ConnectionString),
                DatabaseEngine.SqlServer => new SqlServerStorage(database.ConnectionString),
                _ => throw new ArgumentOutOfRangeException(nameof(database.Engine), database.Engine, null),
            };
        });
        services.AddSingleton<IJobFilterProvider>(_ => Filters(options));
        services.AddSingleton<IBackgroundJobClient>(sp => new BackgroundJobClient(sp.GetRequiredService<JobStorage>(), sp.GetRequiredService<IJobFilterProvider>()));
        services.AddSingleton<IRecurringJobManager>(sp => new RecurringJobManager(sp.GetRequiredService<JobStorage>(), sp.GetRequiredService<IJobFilterProvider>()));
        services.AddTransient<ReportRunService>();
        services.AddTransient<ReportDeliveryJob>();
        services.AddTransient<ReportScheduleJob>();
        services.AddTransient<DeliverySweepJob>();

        if (runServer)
        {
            services.AddHostedService<JobServer>();
            services.AddHostedService<JobsStartup>();
        }

        return services;
    }

    public static JobOptions ReadOptions(IConfiguration configuration)
    {
        var section = configuration.GetSection("Portfolio:Jobs");
        var delays = (section["Delivery:RetryDelaysSeconds"] ?? "30,120,600,1800,3600")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.Parse(d, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        return new JobOptions(
            section.GetValue("RunInProcess", true),
            section["Schedule:Cron"] ?? "0 6 * * *",
            section["Schedule:TimeZone"] ?? "Europe/London",
            section.GetValue("Schedule:OnStart", true),
            section.GetValue("Delivery:Attempts", 6),
            delays,
            TimeSpan.FromSeconds(section.GetValue("Delivery:LeaseSeconds", 600)),
            section.GetValue("WorkerCount", 4),
            section.GetValue("Schedule:CatchUpDays", 100));
    }

    private static PostgreSqlStorage CreatePostgresStorage(string connectionString)
    {
        var storageOptions = new PostgreSqlStorageOptions { PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromSeconds(1) };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, storageOptions), storageOptions);
    }

    /// <summary>Hangfire's default filters, with retries set by <c>Portfolio:Jobs:Delivery</c> (growing delays).</summary>
    private static JobFilterCollection Filters(JobOptions options)
    {
        var filters = new JobFilterCollection
        {
            new CaptureCultureAttribute(),
            new StatisticsHistoryAttribute(),
            new ContinuationsSupportAttribute(),
        };
        var delays = options.RetryDelaysSeconds.Count == 0 ? [30] : options.RetryDelaysSeconds;
        filters.Add(new AutomaticRetryAttribute
        {
            Attempts = options.DeliveryAttempts + 1,
            DelayInSecondsByAttemptFunc = attempt => delays[(int)Math.Clamp(attempt - 1, 0, delays.Count - 1)],
            ExceptOn = [typeof(DeliveryAbandonedException)],
            OnAttemptsExceeded = AttemptsExceededAction.Fail,
        });
        return filters;
    }

    /// <summary>A Hangfire server in this host, using this host's storage, filters and services.</summary>
    private sealed class JobServer(JobStorage storage, IJobFilterProvider filters, IServiceScopeFactory scopes, JobOptions options, WorkerIdentity identity) : IHostedService, IDisposable
    {
        private BackgroundJobServer? _server;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _server = new BackgroundJobServer(
                new BackgroundJobServerOptions
                {
                    ServerName = "portfolio:" + identity.Name,
                    WorkerCount = options.WorkerCount,
                    SchedulePollingInterval = TimeSpan.FromSeconds(1),
                    FilterProvider = filters,
                    Activator = new AspNetCoreJobActivator(scopes),
                },
                storage);
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (_server is not null)
            {
                _server.SendStop();
                try
                {
                    await _server.WaitForShutdownAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // The host's shutdown timeout passed (a job still running, or storage unreachable). Jobs
                    // interrupted here are retried by another server or after restart; deliveries are claimed, so never twice.
                }
            }
        }

        public void Dispose() => _server?.Dispose();
    }

    /// <summary>On start: recover unfinished deliveries, register the daily schedule, and run it once to catch up.</summary>
    private sealed class JobsStartup(IServiceScopeFactory scopes, IRecurringJobManager recurring, IBackgroundJobClient jobs, JobOptions options, ILogger<JobsStartup> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
#pragma warning disable CA1848 // one-off messages at start-up
            try
            {
                using var scope = scopes.CreateScope();
                var recovered = await scope.ServiceProvider.GetRequiredService<ReportRunService>().RecoverAsync(options.DeliveryLease, cancellationToken: cancellationToken);
                if (recovered > 0)
                {
                    logger.LogInformation("Queued {Count} report deliveries left unfinished before the restart.", recovered);
                }
            }
            catch (System.Data.Common.DbException ex)
            {
                logger.LogWarning("Report deliveries were not recovered at start ({Reason}); migrate the database and restart.", ex.Message);
                return;
            }
#pragma warning restore CA1848

            recurring.AddOrUpdate<ReportScheduleJob>(
                ScheduleJobId,
                job => job.RunAsync(CancellationToken.None),
                options.ScheduleCron,
                new RecurringJobOptions { TimeZone = FindZone(options.ScheduleTimeZone) });
            recurring.AddOrUpdate<DeliverySweepJob>(SweepJobId, job => job.RunAsync(CancellationToken.None), "*/5 * * * *");
            if (options.ScheduleOnStart)
            {
                jobs.Enqueue<ReportScheduleJob>(job => job.RunAsync(CancellationToken.None));
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private static TimeZoneInfo FindZone(string id)
        {
            try
            {
                return TimeZoneInfo.FindSystemTimeZoneById(id);
            }
            catch (TimeZoneNotFoundException)
            {
                return TimeZoneInfo.Utc;
            }
        }
    }
}
