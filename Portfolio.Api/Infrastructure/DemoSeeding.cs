using Portfolio.Reports.Runs;
using Portfolio.Core.Data;
using Portfolio.Core.Demo;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;
using Portfolio.Core.Periods;
using Portfolio.Jobs.ReportRuns;

namespace Portfolio.Api.Infrastructure;

/// <summary>
/// With <c>Portfolio:SeedDemo</c> true (the default in Development) and an empty database, seeds the demo portfolio on
/// start, then reports every period that ended before the last one as finance would have: each made, its variance
/// note written where it was amber or red, approved by the demo's finance officer and sent (to the configured mail,
/// by default the outbox folder). So the demo has a history of sent reports and only the last quarter's to approve.
/// </summary>
public sealed class DemoSeeding(Database database, IConfiguration configuration, IHostEnvironment environment, ILogger<DemoSeeding> logger, TimeProvider clock, IServiceProvider services) : IHostedService
{
    /// <summary>The variance note the demo's finance officer wrote for an earlier period that was amber or red.</summary>
    public const string EarlierVarianceNote = "Spend ran behind the profile while services were mobilised; the next quarter's plan catches up.";

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
                var sent = await SendEarlierReportsAsync(cancellationToken);
                logger.LogInformation("The database was empty: the demo portfolio was seeded (Portfolio:SeedDemo), with {Sent} earlier reports sent.", sent);
            }
        }
        catch (System.Data.Common.DbException ex)
        {
            logger.LogWarning("The demo portfolio was not seeded: {Reason}", ex.Message);
        }
#pragma warning restore CA1848
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Each grant's ended periods but the last, in order: made, noted where needed, approved and sent. Returns how many were sent.</summary>
    private async Task<int> SendEarlierReportsAsync(CancellationToken cancellationToken)
    {
        using var scope = services.CreateScope();
        var runs = scope.ServiceProvider.GetRequiredService<ReportRunService>();
        var reports = scope.ServiceProvider.GetRequiredService<Portfolio.Reports.Quarterly.QuarterlyReports>();
        var delivery = scope.ServiceProvider.GetRequiredService<ReportDeliveryJob>();
        var today = UkDate.Today(clock);
        await using var session = await database.OpenAsync(cancellationToken);
        var finance = (await UserStore.FindByEmailAsync(session, DemoPortfolio.Users.Single(u => u.Role == "finance").Email, cancellationToken))!;
        var actor = $"user:{finance.Id}:{finance.Name}";
        var change = new ChangeContext(actor, clock.GetUtcNow().UtcDateTime);
        var sent = 0;
        foreach (var grant in (await GrantStore.ListAsync(session, new GrantFilter(), new PageRequest(1, PageRequest.MaxPageSize), cancellationToken)).Items)
        {
            var ended = (await GrantPeriods.LoadAsync(session, grant.Id, cancellationToken))!.Periods.Where(p => p.End < today).SkipLast(1);
            foreach (var period in ended)
            {
                // Amber or red: the note is written first, as finance would before making the report.
                var (_, model) = await reports.BuildAsync(grant.Id, period.Start, today, cancellationToken);
                if (model?.Summary.Rag is "amber" or "red")
                {
                    await UnitOfWork.RunAsync(database, s => VarianceNotes.AddAsync(s, grant.Id, new VarianceNoteInput(period.Start, EarlierVarianceNote), change, cancellationToken), cancellationToken);
                }

                var made = await runs.GenerateAsync(grant.Id, period.Start, actor, cancellationToken);
                var run = made.Value ?? throw new InvalidOperationException($"The demo's {grant.Reference} {period.Label} report was not made: {made.Refused!.Detail}");

                var approved = await runs.ApproveAsync(run.Id, actor, cancellationToken: cancellationToken);
                if (approved.Refused is { } refused)
                {
                    throw new InvalidOperationException($"The demo's {grant.Reference} {period.Label} report was not approved: {refused.Detail}");
                }

                foreach (var each in await ReportRunStore.ListDeliveriesAsync(session, run.Id, cancellationToken))
                {
                    await delivery.SendAsync(each.Id, cancellationToken);
                }

                sent++;
            }
        }

        return sent;
    }
}
