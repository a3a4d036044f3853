using System.Globalization;
using MimeKit;

namespace Portfolio.Jobs.Email;

/// <summary>
/// The email that gives an invited person their one-time link to set a password, sent through the same transport
/// as the reports (SMTP, or the pickup folder). Sent once, straight after the invitation is saved: the link is a
/// secret, so it is not queued in the job store; if sending fails the admin still has the link to pass on.
/// </summary>
public static class InvitationEmail
{
    public static MimeMessage Build(string organisation, string from, string name, string email, string setPasswordUrl, DateTime expiresAtUtc, string invitedBy)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(new MailboxAddress(name, email));
        message.Subject = $"{organisation}: set your password for Portfolio";
        message.Date = DateTimeOffset.UtcNow;
        message.Body = new TextPart("plain")
        {
            Text = string.Join("\n",
                $"Dear {name},",
                "",
                $"{invitedBy} has given you access to Portfolio, {organisation}'s grant and programme tracking.",
                "",
                "Set your password with this link. It works once, until " + expiresAtUtc.ToString("d MMM yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture) + ":",
                setPasswordUrl,
                "",
                "If you did not expect this, you can ignore it: nothing happens until the link is used.",
                "",
                organisation),
        };
        return message;
    }

    /// <summary>Sends it; the reason it could not be sent, or null when the transport accepted it.</summary>
    public static async Task<string?> TrySendAsync(IReportMailer mailer, MimeMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await mailer.SendAsync(message, () => Task.CompletedTask, cancellationToken);
            return null;
        }
        catch (Exception e) when (e is MailKit.ServiceNotConnectedException or MailKit.CommandException or MailKit.ProtocolException
                                       or System.Net.Sockets.SocketException or IOException or TimeoutException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }
}
