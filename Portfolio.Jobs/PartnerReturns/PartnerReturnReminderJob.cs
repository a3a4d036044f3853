using System.ComponentModel;
using Microsoft.Extensions.Logging;
using Portfolio.Core.Data;
using Portfolio.Core.Operations;
using Portfolio.Core.PartnerReturns;
using Portfolio.Core.Periods;

namespace Portfolio.Jobs.PartnerReturns;

/// <summary>
/// Daily: reminds partners of returns coming due and, once, of returns overdue. Each reminder is claimed before it
/// is sent (<see cref="ReturnReminders"/>), so two workers running this at once send each one once. A reminder
/// carries the newest live link for the return, or a new one made by the job (audited as the job).
/// </summary>
public sealed class PartnerReturnReminderJob(Database database, PartnerReturnMailer mailer, PartnerReturnOptions options, TimeProvider clock, ILogger<PartnerReturnReminderJob> logger)
{
    public const string Actor = "system:partner-return-reminders";

    private static readonly Action<ILogger, Exception?> LogNoAddress = LoggerMessage.Define(
        LogLevel.Warning, new EventId(5320, "RemindersNeedAddress"), "Partner return reminders are not sent: set Portfolio:PublicBaseUrl, the address partners reach the form at");

    private static readonly Action<ILogger, long, DateOnly, string, string, Exception?> LogFailed = LoggerMessage.Define<long, DateOnly, string, string>(
        LogLevel.Warning, new EventId(5321, "ReminderFailed"), "The {Kind} reminder for agreement {AgreementId}, period {PeriodStart}, was not sent: {Reason}");

    [DisplayName("Partner return reminders")]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (options.PublicBaseUrl is not { } baseUrl)
        {
            LogNoAddress(logger, null);
            return 0;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        IReadOnlyList<ReminderDue> owed;
        await using (var session = await database.OpenAsync(cancellationToken))
        {
            owed = await ReturnReminders.OwedAsync(session, UkDate.Today(clock), options.RemindDaysBefore, cancellationToken);
        }

        var sent = 0;
        foreach (var reminder in owed)
        {
            if (!await UnitOfWork.CommitAsync(database, s => ReturnReminders.ClaimAsync(s, reminder, now, cancellationToken), cancellationToken))
            {
                continue;
            }

            string? error;
            try
            {
                var (link, token) = await UnitOfWork.CommitAsync(database, s => LinkAsync(s, reminder, now, options.LinkDays, cancellationToken), cancellationToken);
                var url = new Uri(baseUrl, ReturnLinks.PathFor(link.AgreementId, link.PeriodStart, token)).ToString();
                error = await mailer.SendReminderAsync(link, url, reminder.Kind, cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException)
            {
                error = ex.Message;
            }

            await UnitOfWork.CommitAsync(database, s => ReturnReminders.FinishAsync(s, reminder, error, clock.GetUtcNow().UtcDateTime, cancellationToken), cancellationToken);
            if (error is null)
            {
                sent++;
            }
            else
            {
                LogFailed(logger, reminder.AgreementId, reminder.Return.PeriodStart, reminder.Kind, error, null);
            }
        }

        return sent;
    }

    private static async Task<(ReturnLink Link, string Token)> LinkAsync(DbSession session, ReminderDue reminder, DateTime now, int linkDays, CancellationToken cancellationToken)
    {
        var live = (await ReturnLinks.ForAgreementAsync(session, reminder.AgreementId, cancellationToken))
            .Where(l => l.PeriodStart == reminder.Return.PeriodStart && l.IsLive(now.AddDays(1)))
            .MaxBy(l => l.ExpiresAt);
        if (live is not null)
        {
            return (live, await ReturnLinks.TokenAsync(session, live, cancellationToken));
        }

        var issued = await ReturnLinks.IssueAsync(session, reminder.AgreementId, reminder.Return.PeriodStart, linkDays, new ChangeContext(Actor, now), cancellationToken);
        return issued.Value is { } made ? (made.Link, made.Token) : throw new InvalidOperationException($"no link could be made: {issued.Refused?.Detail}");
    }
}
