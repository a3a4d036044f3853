using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Core.PartnerReturns;

/// <summary>A reminder a partner is owed: before its return is due, or once when it is overdue.</summary>
public sealed record ReminderDue(long AgreementId, string Recipient, ReturnDue Return, string Kind);

/// <summary>
/// Reminders to partners, sent once each: a reminder is claimed by inserting its row (agreement, period, kind) in a
/// transaction of its own before anything is sent, so of two workers only one wins; a failed send may be claimed
/// again (up to <see cref="MaxAttempts"/>), a claim whose outcome was never recorded is not (it may have been sent).
/// </summary>
public static class ReturnReminders
{
    public const string Before = "before";
    public const string Overdue = "overdue";
    public const int MaxAttempts = 5;

    internal static readonly Sql Claim = new(
        """
        INSERT INTO partner_return_reminder (agreement_id, period_start, kind, status, recipient, attempts, claimed_at)
        VALUES (@AgreementId, @PeriodStart, @Kind, 'sending', @Recipient, 1, @At) ON CONFLICT (agreement_id, period_start, kind) DO NOTHING
        """,
        """
        INSERT INTO partner_return_reminder (agreement_id, period_start, kind, status, recipient, attempts, claimed_at)
        VALUES (@AgreementId, @PeriodStart, @Kind, 'sending', @Recipient, 1, @At) ON CONFLICT (agreement_id, period_start, kind) DO NOTHING
        """,
        """
        IF NOT EXISTS (SELECT 1 FROM partner_return_reminder WITH (UPDLOCK, HOLDLOCK) WHERE agreement_id = @AgreementId AND period_start = @PeriodStart AND kind = @Kind)
            INSERT INTO partner_return_reminder (agreement_id, period_start, kind, status, recipient, attempts, claimed_at)
            VALUES (@AgreementId, @PeriodStart, @Kind, 'sending', @Recipient, 1, @At)
        """);

    internal static readonly Sql Reclaim = Sql.Common($"""
        UPDATE partner_return_reminder SET status = 'sending', attempts = attempts + 1, claimed_at = @At, error = NULL, recipient = @Recipient
        WHERE agreement_id = @AgreementId AND period_start = @PeriodStart AND kind = @Kind AND status = 'failed' AND attempts < {MaxAttempts}
        """);

    internal static readonly Sql Finish = Sql.Common("""
        UPDATE partner_return_reminder SET status = @Status, sent_at = @SentAt, error = @Error
        WHERE agreement_id = @AgreementId AND period_start = @PeriodStart AND kind = @Kind AND status = 'sending'
        """);

    internal static readonly Sql ForAgreement = Sql.Common("""
        SELECT agreement_id, period_start, kind, status, recipient, attempts, claimed_at, sent_at, error
        FROM partner_return_reminder WHERE agreement_id = @AgreementId ORDER BY period_start, kind
        """);

    /// <summary>
    /// The reminders owed at <paramref name="today"/>: for each return not yet submitted or accepted whose period has
    /// ended, one before it is due (from <paramref name="daysBefore"/> days before its due date) and one once it is
    /// overdue, to partners with a contact address. Whether one was sent already is the claim's business. A grant whose
    /// stored data cannot be computed is left out (<see cref="ReturnSchedule.OwedAsync"/>), never the whole run.
    /// </summary>
    public static async Task<IReadOnlyList<ReminderDue>> OwedAsync(DbSession session, DateOnly today, int daysBefore, CancellationToken cancellationToken = default) =>
        [.. (await ReturnSchedule.OwedAsync(session, cancellationToken)).Returns
            .Where(r => r.Outstanding && r.Due.PeriodEnd < today && r.PartnerEmail is { Length: > 0 })
            .Select(r => (Return: r, Kind: today > r.Due.DueDate ? Overdue : today >= r.Due.DueDate.AddDays(-daysBefore) ? Before : null))
            .Where(x => x.Kind is not null)
            .Select(x => new ReminderDue(x.Return.Due.AgreementId, x.Return.PartnerEmail!, x.Return.Due, x.Kind!))];

    /// <summary>Claims a reminder for this worker (its own transaction); false when another claimed it, or it was sent, already.</summary>
    public static async Task<bool> ClaimAsync(DbSession session, ReminderDue reminder, DateTime now, CancellationToken cancellationToken = default)
    {
        var parameters = new { reminder.AgreementId, reminder.Return.PeriodStart, reminder.Kind, reminder.Recipient, At = now };
        return await session.ExecuteAsync(Claim, parameters, cancellationToken) == 1
            || await session.ExecuteAsync(Reclaim, parameters, cancellationToken) == 1;
    }

    /// <summary>Records the outcome of a claimed reminder: sent, or failed with why (and may be claimed again).</summary>
    public static Task FinishAsync(DbSession session, ReminderDue reminder, string? error, DateTime now, CancellationToken cancellationToken = default) =>
        session.ExecuteAsync(Finish, new
        {
            reminder.AgreementId,
            reminder.Return.PeriodStart,
            reminder.Kind,
            Status = error is null ? "sent" : "failed",
            SentAt = error is null ? now : (DateTime?)null,
            Error = error,
        }, cancellationToken);

    public static async Task<IReadOnlyList<ReminderRecord>> ForAgreementAsync(DbSession session, long agreementId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<ReminderRecord>(ForAgreement, new { AgreementId = agreementId }, cancellationToken)).ToList();
}

/// <summary>A reminder as recorded.</summary>
public sealed class ReminderRecord
{
    public long AgreementId { get; set; }
    public DateOnly PeriodStart { get; set; }
    public string Kind { get; set; } = "";
    public string Status { get; set; } = "";
    public string Recipient { get; set; } = "";
    public int Attempts { get; set; }
    public DateTime ClaimedAt { get; set; }
    public DateTime? SentAt { get; set; }
    public string? Error { get; set; }
}
