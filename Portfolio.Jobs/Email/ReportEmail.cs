using Portfolio.Reports.Runs;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MimeKit;
using Portfolio.Core.Domain;
using Portfolio.Core.Money;
using Portfolio.Reports.Quarterly;

namespace Portfolio.Jobs.Email;

/// <summary>The figures the email's body quotes, taken from the report as generated.</summary>


/// <summary>Builds the email that carries a report to one recipient.</summary>
public static class ReportEmail
{
    // Escapes markup but leaves £ and other letters as they are (the body is UTF-8).
    private static readonly System.Text.Encodings.Web.HtmlEncoder Html = System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    /// <summary>
    /// A Message-ID derived from the run, the delivery and the recipient: the same delivery always gets the same id,
    /// so a receiving system can tell a repeat of one message from a new one.
    /// </summary>
    public static string MessageId(long runId, long deliveryId, string recipientEmail, string fromAddress)
    {
        var recipient = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(recipientEmail.Trim().ToLowerInvariant())))[..12];
        var domain = MailboxAddress.TryParse(fromAddress, out var from) && from.Domain.Length > 0 ? from.Domain : "portfolio.invalid";
        return $"report-run-{runId}.delivery-{deliveryId}.{recipient}@{domain}";
    }

    public static MimeMessage Build(
        ReportOrganisation sender, string from, ReportDelivery delivery, ReportRun run, string grantReference, string grantTitle, string funderName,
        ReportEmailFigures figures, ReportFile xlsx, ReportFile pdf)
    {
        var organisation = sender.Name;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        if (sender.QueriesEmail is { Length: > 0 } queries && MailboxAddress.TryParse(queries, out var replyTo))
        {
            // Replies and questions go to a person at the organisation, not to the sending address.
            replyTo.Name = sender.QueriesName ?? organisation;
            message.ReplyTo.Add(replyTo);
        }

        message.To.Add(new MailboxAddress(delivery.RecipientName, delivery.RecipientEmail));
        message.Subject = $"{organisation}: {grantReference} report for {run.PeriodLabel}";
        message.MessageId = MessageId(run.Id, delivery.Id, delivery.RecipientEmail, from);
        message.Date = DateTimeOffset.UtcNow;

        var lines = new[]
        {
            $"Dear {delivery.RecipientName},",
            "",
            $"Please find attached {organisation}'s report on grant {grantReference} ({grantTitle}) from {funderName} for {run.PeriodLabel}, {run.PeriodStart.ToString("d MMM yyyy", CultureInfo.InvariantCulture)} to {run.PeriodEnd.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}.",
            "",
            $"Award: {Money.Format(figures.Award)}",
            $"Budget to date: {Money.Format(figures.BudgetToDate)}",
            $"Actual to date: {Money.Format(figures.ActualToDate)}",
            $"Variance: {Money.Format(figures.Variance)}",
            $"Status: {figures.Rag.ToUpperInvariant()}",
            "",
            "The Excel workbook holds the figures with live formulas; the PDF is the same report to read and file.",
            "",
            organisation,
            sender.Registration,
            sender.Address ?? "",
            sender.Queries,
        };
        lines = [.. lines.Take(lines.Length - 3), .. lines.Skip(lines.Length - 3).Where(l => l.Length > 0)];
        var body = new BodyBuilder
        {
            TextBody = string.Join("\n", lines),
            HtmlBody = "<html><body>" + string.Join("", lines.Select(l => l.Length == 0 ? "<br>" : $"<p style=\"margin:0\">{Html.Encode(l)}</p>")) + "</body></html>",
        };
        body.Attachments.Add(xlsx.FileName, xlsx.Content, ContentType.Parse(xlsx.ContentType));
        body.Attachments.Add(pdf.FileName, pdf.Content, ContentType.Parse(pdf.ContentType));
        message.Body = body.ToMessageBody();
        return message;
    }
}
