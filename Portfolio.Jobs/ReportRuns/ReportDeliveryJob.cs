using Portfolio.Reports.Runs;
using Portfolio.Core.Operations;
using System.ComponentModel;
using Hangfire;
using Microsoft.Extensions.Logging;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Jobs.Email;

namespace Portfolio.Jobs.ReportRuns;

/// <summary>
/// Sends one report to one recipient. The delivery is claimed atomically first, so two workers, a retry or a
/// restart never send it twice; the moment its message starts to go out is recorded before handing it over, and
/// the result after. Failures go back to pending and the job throws, so Hangfire retries it with growing delays;
/// after the last attempt the delivery and its run are marked failed.
/// </summary>
public sealed class ReportDeliveryJob(Database database, IReportMailer mailer, EmailOptions email, JobOptions options, Portfolio.Reports.Quarterly.ReportOptions reportOptions, WorkerIdentity identity, TimeProvider clock, ILogger<ReportDeliveryJob> logger)
{
    private string Worker => identity.Name;

    [DisplayName("Send report delivery {0}")]
    public async Task SendAsync(long deliveryId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        ReportDelivery delivery;
        ReportRun run;
        await using (var session = await database.OpenAsync(cancellationToken))
        {
            if (!await ReportRunStore.ClaimDeliveryAsync(session, deliveryId, Worker, now, now - options.DeliveryLease, cancellationToken))
            {
                return; // sent already, failed for good, or being sent by another worker
            }

            delivery = (await ReportRunStore.GetDeliveryAsync(session, deliveryId, cancellationToken))!;
            run = (await ReportRunStore.GetAsync(session, delivery.ReportRunId, cancellationToken))!;
        }

        var claimLost = false;
        var transmitting = false;
        try
        {
            var message = await BuildMessageAsync(delivery, run, cancellationToken);
            await mailer.SendAsync(message, async () =>
            {
                await using var session = await database.OpenAsync(cancellationToken);
                if (!await ReportRunStore.MarkTransmittingAsync(session, deliveryId, Worker, message.MessageId ?? "", clock.GetUtcNow().UtcDateTime, cancellationToken))
                {
                    // The claim was taken over after a stall: the other worker sends it, this one must not.
                    claimLost = true;
                    throw new OperationCanceledException("The delivery's claim was taken over.");
                }

                transmitting = true;
            }, cancellationToken);
        }
        catch (OperationCanceledException) when (claimLost)
        {
            return;
        }
        catch (Exception ex) when (transmitting && ex is not MailKit.Net.Smtp.SmtpCommandException)
        {
            // The message was on its way when the connection failed: the server may have accepted it. Rather than
            // risk a second copy, say so and leave the decision to a person (resend).
            await FailWithUnknownOutcomeAsync(delivery, run, ex);
            throw new DeliveryAbandonedException($"Delivery {delivery.Id}: outcome unknown.", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Nothing was sent (or the server refused it outright): safe to try again.
            await ReleaseAfterFailureAsync(delivery, run, ex);
            throw;
        }

        var sentAt = clock.GetUtcNow().UtcDateTime;
        var anchor = await UnitOfWork.CommitAsync(database, async session =>
        {
            await ReportRunStore.MarkDeliverySentAsync(session, deliveryId, Worker, sentAt, CancellationToken.None);
            await AuditLog.WriteAsync(session, new ChangeContext("system:delivery", sentAt), "send", "report-delivery", deliveryId, null,
                new { delivery.ReportRunId, delivery.RecipientEmail, MessageId = ReportEmail.MessageId(run.Id, deliveryId, delivery.RecipientEmail, email.From) }, CancellationToken.None);
            AuditAnchor? made = null;
            if (await ReportRunStore.MarkSentIfCompleteAsync(session, run.Id, sentAt, CancellationToken.None))
            {
                await AuditLog.WriteAsync(session, new ChangeContext("system:delivery", sentAt), "sent", "report-run", run.Id, new { run.Status }, new { status = "sent" }, CancellationToken.None);
                made = await AuditLog.AnchorAsync(session, "report-run-sent", run.Id, sentAt, CancellationToken.None);
            }

            return made;
        }, CancellationToken.None);
        Audit.AuditAnchorJob.Log(logger, anchor);
    }

    private async Task<MimeKit.MimeMessage> BuildMessageAsync(ReportDelivery delivery, ReportRun run, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var grant = (await GrantStore.GetAsync(session, run.GrantId, cancellationToken))!;
        var funder = (await FunderStore.GetAsync(session, grant.FunderId, cancellationToken))!;
        var xlsx = (await ReportRunStore.GetFileAsync(session, run.Id, "xlsx", cancellationToken))!;
        var pdf = (await ReportRunStore.GetFileAsync(session, run.Id, "pdf", cancellationToken))!;
        return ReportEmail.Build(reportOptions.Organisation, email.From, delivery, run, grant.Reference, grant.Title, funder.Name, ReportRunService.FiguresOf(run), xlsx, pdf);
    }

    private async Task FailWithUnknownOutcomeAsync(ReportDelivery delivery, ReportRun run, Exception failure)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var error = $"Outcome unknown: the connection failed while the message was being sent ({failure.GetType().Name}: {failure.Message}). Check with the recipient, then resend if needed.";
        await UnitOfWork.CommitAsync(database, async session =>
        {
            await ReportRunStore.ReleaseDeliveryAsync(session, delivery.Id, Worker, "failed", error, now, CancellationToken.None);
            await ReportRunStore.MarkFailedAsync(session, run.Id, $"Delivery to {delivery.RecipientEmail}: {error}", CancellationToken.None);
            await AuditLog.WriteAsync(session, new ChangeContext("system:delivery", now), "fail", "report-delivery", delivery.Id, null, new { delivery.RecipientEmail, error }, CancellationToken.None);
            return true;
        }, CancellationToken.None);
    }

    private async Task ReleaseAfterFailureAsync(ReportDelivery delivery, ReportRun run, Exception failure)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var attempts = delivery.Attempts; // the claim counted this attempt
        var giveUp = attempts >= options.DeliveryAttempts;
        var error = $"{failure.GetType().Name}: {failure.Message}";
#pragma warning disable CA1848
        logger.LogWarning("Delivery {DeliveryId} to {Recipient}, attempt {Attempt} of {Attempts}, failed: {Error}", delivery.Id, delivery.RecipientEmail, attempts, options.DeliveryAttempts, error);
#pragma warning restore CA1848
        await UnitOfWork.CommitAsync(database, async session =>
        {
            await ReportRunStore.ReleaseDeliveryAsync(session, delivery.Id, Worker, giveUp ? "failed" : "pending", error, now, CancellationToken.None);
            if (giveUp)
            {
                await ReportRunStore.MarkFailedAsync(session, run.Id, $"Delivery to {delivery.RecipientEmail} failed after {attempts} attempts: {error}", CancellationToken.None);
                await AuditLog.WriteAsync(session, new ChangeContext("system:delivery", now), "fail", "report-delivery", delivery.Id, null, new { delivery.RecipientEmail, attempts, error }, CancellationToken.None);
            }

            return true;
        }, CancellationToken.None);
        if (giveUp)
        {
            throw new DeliveryAbandonedException($"Delivery {delivery.Id} abandoned after {attempts} attempts.", failure);
        }
    }
}

/// <summary>Which host holds a claim: each host (and each restart) is a new claimant.</summary>
public sealed record WorkerIdentity(string Name)
{
    public static WorkerIdentity New() => new($"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}");
}

/// <summary>Thrown after the last attempt, so Hangfire stops retrying (it does not retry this exception).</summary>
public sealed class DeliveryAbandonedException(string message, Exception inner) : Exception(message, inner);
