using Microsoft.Extensions.Configuration;

namespace Portfolio.Jobs.PartnerReturns;

/// <summary>
/// <c>Portfolio:PartnerReturns</c>: how long a return link lasts (<c>LinkDays</c>, default 60), how many days before a
/// return is due its reminder goes (<c>RemindDaysBefore</c>, default 7), and <c>Portfolio:PublicBaseUrl</c>, the
/// address partners reach the form at (reminders need it: without it they are not sent, and the log says so).
/// </summary>
public sealed record PartnerReturnOptions(int LinkDays, int RemindDaysBefore, Uri? PublicBaseUrl)
{
    public static PartnerReturnOptions FromConfiguration(IConfiguration configuration)
    {
        var settings = new Hosting.Settings(configuration, "Portfolio:PartnerReturns");
        var options = new PartnerReturnOptions(
            settings.Int("LinkDays", 60, 1, 366),
            settings.Int("RemindDaysBefore", 7, 0, 90),
            new Hosting.Settings(configuration, "Portfolio").Url("PublicBaseUrl"));
        settings.ThrowIfInvalid();
        return options;
    }
}
