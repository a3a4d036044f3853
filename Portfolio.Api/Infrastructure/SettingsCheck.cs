using Portfolio.Api.Features.Burn;
using Portfolio.Jobs.Email;
using Portfolio.Jobs.Hosting;

namespace Portfolio.Api.Infrastructure;

/// <summary>Reads every concern's settings before anything starts, so one message names every bad setting at once.</summary>
public static class SettingsCheck
{
    public static void ThrowIfAnyInvalid(IConfiguration configuration)
    {
        var problems = new List<string>();
        foreach (var read in new Action[]
        {
            () => DatabaseHosting.ReadOptions(configuration),
            () => JobsHosting.ReadOptions(configuration),
            () => JobsHosting.ReadReportOptions(configuration),
            () => JobsHosting.ReadOpenDataOptions(configuration),
            () => Portfolio.Jobs.Imports.ImportOptions.FromConfiguration(configuration),
            () => EmailOptions.FromConfiguration(configuration),
            () => JwtOptions.FromConfiguration(configuration),
            () => OidcOptions.FromConfiguration(configuration),
            () => LimitOptions.FromConfiguration(configuration),
            () => BurnApi.ReadThresholds(configuration),
            () => DemoSeeding.ReadSeedDemo(configuration, defaultValue: false),
            () => Features.Users.PublicBaseUrl.FromConfiguration(configuration),
        })
        {
            try
            {
                read();
            }
            catch (InvalidSettingsException ex)
            {
                problems.AddRange(ex.Problems);
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidSettingsException(problems);
        }
    }
}
