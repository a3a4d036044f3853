using Portfolio.Core.Periods;
using Microsoft.Extensions.Logging;
using MimeKit;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.PartnerReturns;
using Portfolio.Jobs.Email;
using Portfolio.Reports.Quarterly;

namespace Portfolio.Jobs.PartnerReturns;

/// <summary>
/// Emails partners their return links and reminders, through the reports' transport. A link email is sent once,
/// straight after the link is made (the link is a secret: not queued in the job store; finance has it too).
/// </summary>
public sealed class PartnerReturnMailer(Database database, IReportMailer mailer, EmailOptions email, ReportOptions reports, ILogger<PartnerReturnMailer> logger)
{
    private static readonly Action<ILogger, long, string, Exception?> LogFailed = LoggerMessage.Define<long, string>(
        LogLevel.Warning, new EventId(5310, "ReturnLinkEmailFailed"), "The return link email for agreement {AgreementId} could not be sent: {Reason}");

    /// <summary>Emails the link to the partner's contact; the address it went to, or null when there is none or sending failed (logged).</summary>
    public async Task<string?> SendLinkAsync(IssuedLink issued, string url, CancellationToken cancellationToken)
    {
        var (message, to) = await BuildAsync(issued.Link, url, kind: null, cancellationToken);
        if (message is null)
        {
            return null;
        }

        var failure = await InvitationEmail.TrySendAsync(mailer, message, cancellationToken);
        if (failure is not null)
        {
            LogFailed(logger, issued.Link.AgreementId, failure, null);
            return null;
        }

        return to;
    }

    /// <summary>Sends a reminder carrying the link; why it failed, or null.</summary>
    public async Task<string?> SendReminderAsync(ReturnLink link, string url, string kind, CancellationToken cancellationToken)
    {
        var (message, _) = await BuildAsync(link, url, kind, cancellationToken);
        return message is null ? "the partner has no contact address" : await InvitationEmail.TrySendAsync(mailer, message, cancellationToken);
    }

    private async Task<(MimeMessage? Message, string? To)> BuildAsync(ReturnLink link, string url, string? kind, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var agreement = (await PartnerAgreementStore.GetAsync(session, link.AgreementId, cancellationToken))!;
        var partner = (await PartnerStore.GetAsync(session, agreement.PartnerId, cancellationToken))!;
        var grant = (await GrantStore.GetAsync(session, agreement.GrantId, cancellationToken))!;
        var due = (await ReturnSchedule.LoadAsync(session, agreement.Id, cancellationToken))!.Value.Due.Single(d => d.PeriodStart == link.PeriodStart);
        if (partner.ContactEmail is not { Length: > 0 } to)
        {
            return (null, null);
        }

        return (PartnerReturnEmail.Build(reports.Organisation.Name, email.From, partner.Name, to, grant.Title, due, url, link.ExpiresAt, kind), to);
    }
}

/// <summary>The email a partner gets: the link to its return form, or a reminder before the return is due or once it is overdue.</summary>
public static class PartnerReturnEmail
{
    public static MimeMessage Build(string organisation, string from, string partner, string to, string grantTitle, ReturnDue due, string url, DateTime expiresAtUtc, string? reminder)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(new MailboxAddress(partner, to));
        var period = $"{due.PeriodLabel} ({Written.Date(due.PeriodStart)} to {Written.Date(due.PeriodEnd)})";
        message.Subject = reminder switch
        {
            ReturnReminders.Overdue => $"{organisation}: your return for {due.PeriodLabel} is overdue",
            ReturnReminders.Before => $"{organisation}: reminder, your return for {due.PeriodLabel} is due on {Written.Date(due.DueDate)}",
            _ => $"{organisation}: please send your return for {due.PeriodLabel}",
        };
        message.Date = DateTimeOffset.UtcNow;
        message.Body = new TextPart("plain")
        {
            Text = string.Join("\n",
                $"Dear {partner},",
                "",
                reminder == ReturnReminders.Overdue
                    ? $"Your return for {period} under \"{grantTitle}\" was due on {Written.Date(due.DueDate)} and we have not received it yet."
                    : $"Your return for {period} under \"{grantTitle}\" is due on {Written.Date(due.DueDate)}.",
                "",
                "Please tell us what you spent of the grant in the period, by cost category, how many people you reached, and a few lines on what went well and what got in the way. You can save a draft and come back to it.",
                "",
                "Your form (no account needed; keep this link to yourself, it works until " + Written.Date(expiresAtUtc) + "):",
                url,
                "",
                organisation),
        };
        return message;
    }
}
