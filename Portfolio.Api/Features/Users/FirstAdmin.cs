using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Users;

/// <summary>
/// The first person to sign in, outside the demo: with <c>Portfolio:BootstrapAdminEmail</c> set and no users yet,
/// an admin is invited at start (Core's <c>Users.InviteAsync</c>, audited as <c>system:bootstrap</c>) and asked to
/// set a password: the one-time link (24 hours) is written to <c>Portfolio:BootstrapLinkFile</c>, readable only by
/// the service's user, and emailed when email is set up. Never again once anyone exists.
/// </summary>
public sealed class FirstAdmin(Database database, IConfiguration configuration, PublicBaseUrl baseUrl, InvitationSender sender, TimeProvider clock, ILogger<FirstAdmin> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration["Portfolio:BootstrapAdminEmail"] is not { Length: > 0 } email)
        {
            return;
        }

        InvitedUser? invited;
        try
        {
            invited = await InviteIfNoUsersAsync(email.Trim(), cancellationToken);
        }
        catch (System.Data.Common.DbException ex)
        {
            // Unmigrated or unreachable (the service still starts so /health/ready can say so), or another process
            // invited the same address at the same moment.
            logger.LogWarning("Could not check for users at start ({Reason}); no first admin was invited.", ex.Message);
            return;
        }

        if (invited is null)
        {
            return;
        }

        var pathAndQuery = "/set-password?token=" + Uri.EscapeDataString(invited.SetPasswordToken);
        var link = baseUrl.Value is { } publicBase ? new Uri(publicBase, pathAndQuery).ToString() : pathAndQuery;
        var file = Path.GetFullPath(configuration["Portfolio:BootstrapLinkFile"] is { Length: > 0 } configured ? configured : "./data/bootstrap-admin-link.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, link + "\n", cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        if (baseUrl.Value is not null)
        {
            await sender.SendAsync(invited, link, "Portfolio", cancellationToken);
        }

        logger.LogWarning(
            "No users existed, so {Email} was invited as the first admin. The link to set their password (valid 24 hours) is in {LinkFile}{Base}; delete the file once used.",
            invited.User.Email, file, baseUrl.Value is null ? " (after this service's address: set Portfolio:PublicBaseUrl to have it emailed)" : " and was emailed");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private Task<InvitedUser?> InviteIfNoUsersAsync(string email, CancellationToken cancellationToken) =>
        UnitOfWork.CommitAsync(database, session => InviteInAsync(session, email, cancellationToken), cancellationToken);

    private async Task<InvitedUser?> InviteInAsync(DbSession session, string email, CancellationToken cancellationToken)
    {
        if ((await UserStore.ListAsync(session, new PageRequest(1, 1), cancellationToken)).Total > 0)
        {
            return null;
        }

        var name = configuration["Portfolio:BootstrapAdminName"] is { Length: > 0 } configured ? configured : "Administrator";
        var outcome = await Core.Domain.Users.InviteAsync(session, new UserInput(email, name, "admin"), new ChangeContext("system:bootstrap", clock.GetUtcNow().UtcDateTime), cancellationToken);
        if (outcome.Refused is { } refusal)
        {
            throw new InvalidOperationException($"Portfolio:BootstrapAdminEmail could not be invited: {refusal.Detail} {string.Join(' ', (refusal as InvalidFields)?.Errors.SelectMany(e => e.Value) ?? [])}");
        }

        return outcome.Value;
    }
}
