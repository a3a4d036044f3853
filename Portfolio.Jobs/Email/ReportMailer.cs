using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Configuration;
using MimeKit;

namespace Portfolio.Jobs.Email;

public enum EmailMode
{
    /// <summary>Each message is written as a .eml file to a folder: the embedded default.</summary>
    Pickup,

    /// <summary>Each message is sent to an SMTP server.</summary>
    Smtp,
}

/// <summary><c>Portfolio:Email</c>: mode, sender, pickup folder and SMTP server.</summary>
public sealed record EmailOptions(
    EmailMode Mode,
    string From,
    string PickupDirectory,
    string SmtpHost,
    int SmtpPort,
    SecureSocketOptions SmtpSecurity,
    string? SmtpUser,
    string? SmtpPassword)
{
    /// <summary><c>Portfolio:Email</c>, each setting checked: a bad mode, sender, port or security mode stops the start, naming it.</summary>
    public static EmailOptions FromConfiguration(IConfiguration configuration)
    {
        var settings = new Hosting.Settings(configuration, "Portfolio:Email");
        var from = settings.Text("From", "Portfolio reports <reports@portfolio.invalid>");
        settings.Require(MailboxAddress.TryParse(from, out _), "From", "it must be an email address, optionally with a name: Name <address@example.org>");
        var options = new EmailOptions(
            settings.Choice("Mode", EmailMode.Pickup, new Dictionary<string, EmailMode> { ["Pickup"] = EmailMode.Pickup, ["Smtp"] = EmailMode.Smtp }),
            from,
            settings.Text("PickupDirectory", "./data/outbox"),
            settings.Text("Smtp:Host", "localhost"),
            settings.Int("Smtp:Port", 25, 1, 65_535),
            settings.Choice("Smtp:Security", SecureSocketOptions.None, new Dictionary<string, SecureSocketOptions>
            {
                ["None"] = SecureSocketOptions.None,
                ["StartTls"] = SecureSocketOptions.StartTls,
                ["SslOnConnect"] = SecureSocketOptions.SslOnConnect,
            }),
            settings.Text("Smtp:User"),
            settings.Secret("Smtp:Password"));
        settings.ThrowIfInvalid();
        return options;
    }
}

/// <summary>
/// Hands a finished message to its transport. Returns once the transport has accepted it. Calls
/// <c>beforeTransmit</c> at the last moment before any of the message leaves (after connecting and signing in), so
/// that a failure or crash before then is known to have sent nothing.
/// </summary>
public interface IReportMailer
{
    Task SendAsync(MimeMessage message, Func<Task> beforeTransmit, CancellationToken cancellationToken);
}

public sealed class SmtpReportMailer(EmailOptions options) : IReportMailer
{
    public async Task SendAsync(MimeMessage message, Func<Task> beforeTransmit, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = 60_000 };
        await client.ConnectAsync(options.SmtpHost, options.SmtpPort, options.SmtpSecurity, cancellationToken);
        if (!string.IsNullOrEmpty(options.SmtpUser))
        {
            await client.AuthenticateAsync(options.SmtpUser, options.SmtpPassword ?? "", cancellationToken);
        }

        await beforeTransmit();
        await client.SendAsync(message, cancellationToken);
        try
        {
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SmtpCommandException or SmtpProtocolException)
        {
            // The server has accepted the message; a failed goodbye does not unsend it.
        }
    }
}

/// <summary>Writes each message to the pickup folder as <c>{Message-ID}.eml</c>, atomically (written aside, then moved in).</summary>
public sealed class PickupReportMailer(EmailOptions options) : IReportMailer
{
    public async Task SendAsync(MimeMessage message, Func<Task> beforeTransmit, CancellationToken cancellationToken)
    {
        await beforeTransmit();
        var directory = Path.GetFullPath(options.PickupDirectory);
        Directory.CreateDirectory(directory);
        var name = new string((message.MessageId ?? Guid.NewGuid().ToString("N")).Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray());
        var path = Path.Combine(directory, name + ".eml");
        var temporary = Path.Combine(directory, "." + name + ".tmp");
        await using (var stream = File.Create(temporary))
        {
            await message.WriteToAsync(stream, cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
