using Portfolio.Reports.Runs;
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
using Portfolio.Reports.OpenData;
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
    public const string AnchorJobId = "audit-anchor";
    public const string IdempotencyPurgeJobId = "idempotency-purge";
    public const string ReturnRemindersJobId = "partner-return-reminders";

    public static IServiceCollection AddPortfolioReports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(ReadReportOptions(configuration));
        services.AddSingleton(ReadOpenDataOptions(configuration));
        services.AddSingleton<QuarterlyReports>();
        services.AddHostedService<ReportFontsCheck>();
        return services;
    }

    /// <summary><c>Portfolio:Organisation</c> and <c>Portfolio:Reports</c>, checked.</summary>
    public static ReportOptions ReadReportOptions(IConfiguration configuration)
    {
        var organisation = new Settings(configuration, "Portfolio:Organisation");
        var queriesEmail = organisation.Text("QueriesEmail");
        organisation.Require(queriesEmail is null || MimeKit.MailboxAddress.TryParse(queriesEmail, out _), "QueriesEmail", "it must be an email address");
        var reports = new ReportOptions(
            new ReportOrganisation(
                organisation.Text("Name", "Portfolio"),
                organisation.Text("CharityNumber"),
                organisation.Text("CompanyNumber"),
                organisation.Text("Address"),
                organisation.Text("QueriesName"),
                queriesEmail,
                organisation.Text("QueriesPhone")),
            new Settings(configuration, "Portfolio:Reports").Text("FontDirectory"));
        organisation.ThrowIfInvalid();
        return reports;
    }

    /// <summary><c>Portfolio:OpenData</c>: the 360Giving publisher <c>Prefix</c> (<c>360G-</c> and letters, digits or hyphens) and the <c>License</c> URL.</summary>
    public static OpenDataOptions ReadOpenDataOptions(IConfiguration configuration)
    {
        var settings = new Settings(configuration, "Portfolio:OpenData");
        var prefix = settings.Text("Prefix");
        settings.Require(prefix is null || System.Text.RegularExpressions.Regex.IsMatch(prefix, "^360G-[A-Za-z0-9-]+$"), "Prefix",
            "it must be the organisation's 360Giving publisher prefix, such as 360G-examplecharity");
        var license = settings.Url("License");
        settings.ThrowIfInvalid();
        return new OpenDataOptions(prefix, license?.ToString() ?? OpenDataOptions.DefaultLicense);
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
        services.AddTransient<Portfolio.Reports.Runs.IDeliveryQueue, HangfireDeliveryQueue>();
        services.AddTransient<ReportDeliveryJob>();
        services.AddSingleton(Imports.ImportOptions.FromConfiguration(configuration));
        services.AddSingleton<Imports.ImportProgress>();
        services.AddTransient<Imports.ImportService>();
        services.AddTransient<Imports.ImportJobs>();
        services.AddTransient<ReportScheduleJob>();
        services.AddTransient<DeliverySweepJob>();
        services.AddTransient<Audit.AuditAnchorJob>();
        services.AddTransient<Housekeeping.IdempotencyPurgeJob>();
        services.AddSingleton(PartnerReturns.PartnerReturnOptions.FromConfiguration(configuration));
        services.AddTransient<PartnerReturns.PartnerReturnMailer>();
        services.AddTransient<PartnerReturns.PartnerReturnReminderJob>();

        if (runServer)
        {
            services.AddHostedService<JobServer>();
            services.AddHostedService<JobsStartup>();
        }

        return services;
    }

    /// <summary><c>Portfolio:Jobs</c>, each setting checked (a bad cron or time zone stops the start, naming it).</summary>
    public static JobOptions ReadOptions(IConfiguration configuration)
    {
        var settings = new Settings(configuration, "Portfolio:Jobs");
        var options = new JobOptions(
            settings.Bool("RunInProcess", true),
            settings.Cron("Schedule:Cron", "0 6 * * *"),
            settings.Zone("Schedule:TimeZone", "Europe/London"),
            settings.Bool("Schedule:OnStart", true),
            settings.Int("Delivery:Attempts", 6, 0, 50),
            settings.Ints("Delivery:RetryDelaysSeconds", [30, 120, 600, 1800, 3600], 1, 86_400),
            TimeSpan.FromSeconds(settings.Int("Delivery:LeaseSeconds", 600, 1, 86_400)),
            settings.Int("WorkerCount", 4, 1, 64),
            settings.Int("Schedule:CatchUpDays", 100, 0, 3_660));
        settings.ThrowIfInvalid();
        return options;
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
                new RecurringJobOptions { TimeZone = options.ScheduleTimeZone });
            recurring.AddOrUpdate<DeliverySweepJob>(SweepJobId, job => job.RunAsync(CancellationToken.None), "*/5 * * * *");
            recurring.AddOrUpdate<Audit.AuditAnchorJob>(
                AnchorJobId, job => job.RunAsync(CancellationToken.None), "10 0 * * *", new RecurringJobOptions { TimeZone = options.ScheduleTimeZone });
            recurring.AddOrUpdate<Housekeeping.IdempotencyPurgeJob>(
                IdempotencyPurgeJobId, job => job.RunAsync(CancellationToken.None), "20 0 * * *", new RecurringJobOptions { TimeZone = options.ScheduleTimeZone });
            recurring.AddOrUpdate<PartnerReturns.PartnerReturnReminderJob>(
                ReturnRemindersJobId, job => job.RunAsync(CancellationToken.None), "0 9 * * *", new RecurringJobOptions { TimeZone = options.ScheduleTimeZone });
            if (options.ScheduleOnStart)
            {
                jobs.Enqueue<ReportScheduleJob>(job => job.RunAsync(CancellationToken.None));
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    }
}
