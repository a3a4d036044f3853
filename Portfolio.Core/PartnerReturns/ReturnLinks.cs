using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Core.PartnerReturns;

/// <summary>A link a partner uses to make a return, with no account: scoped to one agreement and period.</summary>
public sealed class ReturnLink
{
    public long Id { get; set; }
    public long AgreementId { get; set; }
    public DateOnly PeriodStart { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTime? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }

    public bool IsLive(DateTime now) => RevokedAt is null && ExpiresAt > now;
}

/// <summary>A new link: its row and the token that goes in its address (shown to finance and emailed to the partner).</summary>
public sealed record IssuedLink(ReturnLink Link, string Token, string Path);

public sealed record ReturnLinkView(long Id, long AgreementId, DateOnly PeriodStart, DateTime ExpiresAt, DateTime CreatedAt, string CreatedBy, DateTime? RevokedAt, string? RevokedBy);

/// <summary>
/// Links to partner return forms. A token is the link's id and an HMAC-SHA256 over the id, agreement and period
/// under a secret the service makes once and keeps in the database (<c>app_secret</c>): unguessable, bound to its
/// agreement and period, and the same every time it is made for a link (so a reminder can carry it again) while
/// the database holds nothing a reader could use as a token. A link is refused once expired or revoked; the form it
/// opens takes changes only until the return is submitted (again after it is sent back).
/// </summary>
public static class ReturnLinks
{
    public const string SecretName = "partner-return-links";

    private const string Columns = "id, agreement_id, period_start, expires_at, created_at, created_by, revoked_at, revoked_by";

    internal static readonly Sql Insert = Sql.InsertReturningId("""
        INSERT INTO partner_return_link (agreement_id, period_start, expires_at, created_at, created_by)
        VALUES (@AgreementId, @PeriodStart, @ExpiresAt, @CreatedAt, @CreatedBy)
        """);

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM partner_return_link WHERE id = @Id");

    internal static readonly Sql ForAgreement = Sql.Common($"SELECT {Columns} FROM partner_return_link WHERE agreement_id = @AgreementId ORDER BY id");

    internal static readonly Sql Revoke = Sql.Common("UPDATE partner_return_link SET revoked_at = @At, revoked_by = @Actor WHERE id = @Id AND revoked_at IS NULL");

    internal static readonly Sql ReadSecret = Sql.Common("SELECT secret FROM app_secret WHERE name = @Name");

    internal static readonly Sql AddSecret = new(
        "INSERT INTO app_secret (name, secret, created_at) VALUES (@Name, @Secret, @At) ON CONFLICT (name) DO NOTHING",
        "INSERT INTO app_secret (name, secret, created_at) VALUES (@Name, @Secret, @At) ON CONFLICT (name) DO NOTHING",
        "IF NOT EXISTS (SELECT 1 FROM app_secret WITH (UPDLOCK, HOLDLOCK) WHERE name = @Name) INSERT INTO app_secret (name, secret, created_at) VALUES (@Name, @Secret, @At)");

    /// <summary>The form's address for a token, relative to the service's base address.</summary>
    public static string PathFor(long agreementId, DateOnly periodStart, string token) =>
        $"/returns/{agreementId}/{periodStart:yyyy-MM-dd}/{token}";

    public static ReturnLinkView View(ReturnLink l) => new(l.Id, l.AgreementId, l.PeriodStart, l.ExpiresAt, l.CreatedAt, l.CreatedBy, l.RevokedAt, l.RevokedBy);

    /// <summary>
    /// Makes a link for the agreement's return for the period starting <paramref name="periodStart"/>, valid for
    /// <paramref name="validDays"/> days. Finance and admins only; the period must be one the agreement owes a return for.
    /// </summary>
    public static async Task<Outcome<IssuedLink>> IssueAsync(DbSession session, long agreementId, DateOnly periodStart, int validDays, ChangeContext change, CancellationToken cancellationToken = default)
    {
        if (change.Areas is not null)
        {
            return new Forbidden("Return links are made by finance: a programme lead can review returns, not send links.");
        }

        if (await ReturnSchedule.LoadAsync(session, agreementId, cancellationToken) is not { } loaded)
        {
            return new NotFound("partner agreement", agreementId);
        }

        if (!loaded.Due.Any(d => d.PeriodStart == periodStart))
        {
            return InvalidFields.Of("periodStart", loaded.Due.Count == 0
                ? "the agreement's return cycle asks for no returns (returnsDue is none)"
                : $"must be the start of a period the agreement owes a return for: {string.Join(", ", loaded.Due.Select(d => d.PeriodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))}");
        }

        var link = new ReturnLink
        {
            AgreementId = agreementId,
            PeriodStart = periodStart,
            ExpiresAt = change.At.AddDays(validDays),
            CreatedAt = change.At,
            CreatedBy = change.Actor,
        };
        link.Id = await session.ExecuteScalarAsync<long>(Insert, link, cancellationToken);
        var token = await TokenAsync(session, link, cancellationToken);
        await AuditLog.WriteAsync(session, change, "create", "partner-return-link", link.Id, null, View(link), cancellationToken);
        return Outcome<IssuedLink>.Done(new IssuedLink(link, token, PathFor(agreementId, periodStart, token)));
    }

    /// <summary>The token for a link (the same each time it is made).</summary>
    public static async Task<string> TokenAsync(DbSession session, ReturnLink link, CancellationToken cancellationToken = default)
    {
        var key = await SecretAsync(session, cancellationToken);
        return $"{link.Id.ToString(CultureInfo.InvariantCulture)}.{Base64Url(Mac(key, link))}";
    }

    /// <summary>
    /// The link behind a form address, when the token is genuine, names this agreement and period, and is neither
    /// expired nor revoked; otherwise null (the form answers 404, saying nothing of why).
    /// </summary>
    public static async Task<ReturnLink?> OpenAsync(DbSession session, long agreementId, DateOnly periodStart, string token, DateTime now, CancellationToken cancellationToken = default)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(token.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || await session.QuerySingleOrDefaultAsync<ReturnLink>(SelectOne, new { Id = id }, cancellationToken) is not { } link
            || link.AgreementId != agreementId || link.PeriodStart != periodStart)
        {
            return null;
        }

        var expected = Encoding.ASCII.GetBytes(Base64Url(Mac(await SecretAsync(session, cancellationToken), link)));
        var given = Encoding.ASCII.GetBytes(token[(dot + 1)..]);
        return CryptographicOperations.FixedTimeEquals(expected, given) && link.IsLive(now) ? link : null;
    }

    public static async Task<IReadOnlyList<ReturnLink>> ForAgreementAsync(DbSession session, long agreementId, CancellationToken cancellationToken = default) =>
        (await session.QueryAsync<ReturnLink>(ForAgreement, new { AgreementId = agreementId }, cancellationToken)).ToList();

    /// <summary>Revokes a link (finance and admins): its form answers 404 from now on. Audited.</summary>
    public static async Task<Outcome<ReturnLinkView>> RevokeAsync(DbSession session, long linkId, ChangeContext change, CancellationToken cancellationToken = default)
    {
        if (change.Areas is not null)
        {
            return new Forbidden("Return links are revoked by finance.");
        }

        if (await session.QuerySingleOrDefaultAsync<ReturnLink>(SelectOne, new { Id = linkId }, cancellationToken) is not { } before)
        {
            return new NotFound("return link", linkId);
        }

        if (await session.ExecuteAsync(Revoke, new { Id = linkId, change.At, change.Actor }, cancellationToken) != 1)
        {
            return new Conflict($"Return link {linkId} was revoked already, on {before.RevokedAt:yyyy-MM-dd} by {Actors.DisplayName(before.RevokedBy ?? "")}.");
        }

        var after = (await session.QuerySingleOrDefaultAsync<ReturnLink>(SelectOne, new { Id = linkId }, cancellationToken))!;
        await AuditLog.WriteAsync(session, change, "revoke", "partner-return-link", linkId, View(before), View(after), cancellationToken);
        return Outcome<ReturnLinkView>.Done(View(after));
    }

    private static byte[] Mac(byte[] key, ReturnLink link) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{link.Id}:{link.AgreementId}:{link.PeriodStart:yyyy-MM-dd}"));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The signing secret, made on first use; two instances making it at once keep the first one written.</summary>
    private static async Task<byte[]> SecretAsync(DbSession session, CancellationToken cancellationToken)
    {
        if (await session.ExecuteScalarAsync<string?>(ReadSecret, new { Name = SecretName }, cancellationToken) is not { } secret)
        {
            await session.ExecuteAsync(AddSecret, new { Name = SecretName, Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), At = DateTime.UtcNow }, cancellationToken);
            secret = (await session.ExecuteScalarAsync<string?>(ReadSecret, new { Name = SecretName }, cancellationToken))!;
        }

        return Convert.FromBase64String(secret);
    }
}
