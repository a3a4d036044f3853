using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Portfolio.Core.Data;
using Portfolio.Core.Operations;

namespace Portfolio.Core.Domain;

/// <summary>A person who signs in to the web app.</summary>
public sealed class AppUser : IVersioned
{
    public long Id { get; set; }
    public string Email { get; set; } = "";
    public string Name { get; set; } = "";
    public string Role { get; set; } = "viewer";
    public string? PasswordHash { get; set; }
    public int FailedSignIns { get; set; }
    public DateTime? LockedUntil { get; set; }
    public string? SetPasswordTokenHash { get; set; }
    public DateTime? SetPasswordExpiresAt { get; set; }
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTime UpdatedAt { get; set; }
    public string SessionStamp { get; set; } = "";
    public List<long> ProgrammeAreaIds { get; set; } = [];
}

public static class UserStore
{
    private const string Columns = """
        id, email, name, role, password_hash, failed_sign_ins, locked_until, set_password_token_hash, set_password_expires_at,
        version, created_at, created_by, updated_at, session_stamp
        """;

    internal static readonly Sql SelectOne = Sql.Common($"SELECT {Columns} FROM app_user WHERE id = @Id");
    internal static readonly Sql SelectByEmail = Sql.Common($"SELECT {Columns} FROM app_user WHERE email = @Email");
    internal static readonly Sql SelectByToken = Sql.Common($"SELECT {Columns} FROM app_user WHERE set_password_token_hash = @TokenHash");
    internal static readonly Sql SelectPage = Sql.Paged($"SELECT {Columns} FROM app_user ORDER BY name, id");
    internal static readonly Sql CountAll = Sql.Common("SELECT COUNT(*) FROM app_user");
    internal static readonly Sql SelectAreas = Sql.Common("SELECT programme_area_id FROM app_user_programme_area WHERE user_id = @UserId ORDER BY programme_area_id");
    internal static readonly Sql InsertArea = Sql.Common("INSERT INTO app_user_programme_area (user_id, programme_area_id) VALUES (@UserId, @AreaId)");

    internal static readonly Sql Insert = Sql.InsertReturningId("""
        INSERT INTO app_user (email, name, role, failed_sign_ins, set_password_token_hash, set_password_expires_at, version, created_at, created_by, updated_at)
        VALUES (@Email, @Name, @Role, 0, @SetPasswordTokenHash, @SetPasswordExpiresAt, 1, @At, @Actor, @At)
        """);

    internal static readonly Sql SetPassword = Sql.Common("""
        UPDATE app_user SET password_hash = @PasswordHash, set_password_token_hash = NULL, set_password_expires_at = NULL,
            failed_sign_ins = 0, locked_until = NULL, version = version + 1, updated_at = @At
        WHERE id = @Id AND set_password_token_hash = @TokenHash
        """);

    internal static readonly Sql RecordSignIn = Sql.Common("""
        UPDATE app_user SET failed_sign_ins = @FailedSignIns, locked_until = @LockedUntil, password_hash = @PasswordHash
        WHERE id = @Id
        """);

    /// <summary>Gives a person a session stamp when they have none (first sign-in since migration 0018).</summary>
    internal static readonly Sql FillStamp = Sql.Common("UPDATE app_user SET session_stamp = @Stamp WHERE id = @Id AND session_stamp = ''");

    /// <summary>Replaces a person's session stamp: every cookie carrying the old one is refused from then on.</summary>
    internal static readonly Sql ReplaceStamp = Sql.Common("UPDATE app_user SET session_stamp = @Stamp WHERE id = @Id");

    /// <summary>Replaces a person's session stamp if it is still the one being signed out.</summary>
    internal static readonly Sql SignOutStamp = Sql.Common("UPDATE app_user SET session_stamp = @Stamp WHERE id = @Id AND session_stamp = @Old");

    public static async Task<AppUser?> GetAsync(DbSession session, long id, CancellationToken cancellationToken = default) =>
        await WithAreasAsync(session, await session.QuerySingleOrDefaultAsync<AppUser>(SelectOne, new { Id = id }, cancellationToken), cancellationToken);

    public static async Task<AppUser?> FindByEmailAsync(DbSession session, string email, CancellationToken cancellationToken = default) =>
        await WithAreasAsync(session, await session.QuerySingleOrDefaultAsync<AppUser>(SelectByEmail, new { Email = email.Trim().ToLowerInvariant() }, cancellationToken), cancellationToken);

    public static async Task<Page<AppUser>> ListAsync(DbSession session, PageRequest page, CancellationToken cancellationToken = default)
    {
        var items = (await session.QueryAsync<AppUser>(SelectPage, new { page.Offset, page.Limit }, cancellationToken)).ToList();
        foreach (var user in items)
        {
            await WithAreasAsync(session, user, cancellationToken);
        }

        return new Page<AppUser>(items, page.Page, page.PageSize, await session.ExecuteScalarAsync<long>(CountAll, cancellationToken: cancellationToken));
    }

    internal static Task<AppUser?> FindByTokenHashAsync(DbSession session, string tokenHash, CancellationToken cancellationToken) =>
        session.QuerySingleOrDefaultAsync<AppUser>(SelectByToken, new { TokenHash = tokenHash }, cancellationToken);

    internal static async Task<long> InsertAsync(DbSession session, AppUser user, ChangeContext change, CancellationToken cancellationToken)
    {
        var id = await session.ExecuteScalarAsync<long>(Insert, new
        {
            user.Email,
            user.Name,
            user.Role,
            user.SetPasswordTokenHash,
            user.SetPasswordExpiresAt,
            change.At,
            change.Actor,
        }, cancellationToken);
        foreach (var areaId in user.ProgrammeAreaIds)
        {
            await session.ExecuteAsync(InsertArea, new { UserId = id, AreaId = areaId }, cancellationToken);
        }

        return id;
    }

    private static async Task<AppUser?> WithAreasAsync(DbSession session, AppUser? user, CancellationToken cancellationToken)
    {
        if (user is not null && user.Role == "programme-lead")
        {
            user.ProgrammeAreaIds = (await session.QueryAsync<long>(SelectAreas, new { UserId = user.Id }, cancellationToken)).ToList();
        }

        return user;
    }
}

/// <summary>Someone to invite: their email address, name, role and, for a programme lead, the areas they lead.</summary>
public sealed record UserInput([Email] string Email, [Text(200)] string Name, [Code("role")] string Role, [Items(50)] IReadOnlyList<long>? ProgrammeAreaIds = null)
    : ICrossFieldRules
{
    public void Check(FieldErrors errors) => RoleAreas.Check(Role, ProgrammeAreaIds, errors);
}

/// <summary>A user as people see them (never the password hash or the set-password token).</summary>
public sealed record UserView(long Id, string Email, string Name, string Role, IReadOnlyList<long> ProgrammeAreaIds, bool PasswordSet, bool Locked, int Version, DateTime CreatedAt, string CreatedBy)
{
    public static UserView Of(AppUser u, DateTime now) => new(
        u.Id, u.Email, u.Name, u.Role, u.ProgrammeAreaIds, u.PasswordHash is not null, u.LockedUntil > now, u.Version, u.CreatedAt, u.CreatedBy);
}

/// <summary>A user just invited, with the one-time token of their set-password link (shown once, stored as a hash).</summary>
public sealed record InvitedUser(UserView User, string SetPasswordToken, DateTime SetPasswordExpiresAt);

/// <summary>Who signed in: what the web app's cookie carries.</summary>
public sealed record SignedInUser(long Id, string Email, string Name, string Role, IReadOnlyList<long> ProgrammeAreaIds, string SessionStamp)
{
    public static SignedInUser Of(AppUser user) => new(user.Id, user.Email, user.Name, user.Role, user.ProgrammeAreaIds, user.SessionStamp);
}

/// <summary>
/// People who sign in: an admin invites them; they set a password through a one-time link valid for 24 hours;
/// they sign in with email and password, and five wrong passwords in a row lock the account for 15 minutes.
/// Passwords are hashed with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2).
/// </summary>
public static class Users
{
    public const int MinPasswordLength = 12;
    public const int MaxPasswordLength = 128;
    public const int MaxFailedSignIns = 5;
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);

    private const string AuditName = "user";
    private static readonly PasswordHasher<AppUser> Hasher = new();

    /// <summary>A hash of a password nobody has, verified when the email is unknown so that both cases take as long.</summary>
    private static readonly string DecoyHash = Hasher.HashPassword(new AppUser(), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

    public static async Task<Outcome<InvitedUser>> InviteAsync(DbSession session, UserInput input, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var errors = new FieldErrors();
        input = InputShape.Check(input, errors);
        var email = input.Email.ToLowerInvariant();
        if (!errors.Has("email") && await UserStore.FindByEmailAsync(session, email, cancellationToken) is not null)
        {
            errors.Add("email", "already belongs to a user");
        }

        var areaIds = (input.ProgrammeAreaIds ?? []).Distinct().ToList();
        if (!errors.Has("programmeAreaIds"))
        {
            foreach (var areaId in areaIds)
            {
                if (await ProgrammeAreaStore.GetAsync(session, areaId, cancellationToken) is null)
                {
                    errors.Add("programmeAreaIds", $"there is no programme area with id {areaId}");
                }
            }
        }

        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        var token = NewToken();
        var user = new AppUser
        {
            Email = email,
            Name = input.Name,
            Role = input.Role,
            SetPasswordTokenHash = Hash(token),
            SetPasswordExpiresAt = change.At + LinkLifetime,
            ProgrammeAreaIds = areaIds,
        };
        var id = await UserStore.InsertAsync(session, user, change, cancellationToken);
        var view = UserView.Of((await UserStore.GetAsync(session, id, cancellationToken))!, change.At);
        await AuditLog.WriteAsync(session, change, "invite", AuditName, id, null, view, cancellationToken);
        return Outcome<InvitedUser>.Done(new InvitedUser(view, token, user.SetPasswordExpiresAt.Value));
    }

    /// <summary>Whether <paramref name="token"/> is a set-password link that can still be used (for showing the form).</summary>
    public static async Task<bool> IsValidLinkAsync(DbSession session, string token, DateTime now, CancellationToken cancellationToken = default) =>
        await UserStore.FindByTokenHashAsync(session, Hash(token), cancellationToken) is { SetPasswordExpiresAt: { } expires } && expires > now;

    /// <summary>
    /// Sets the password of the user whose one-time link carries <paramref name="token"/>: at least
    /// <see cref="MinPasswordLength"/> characters, confirmed. The link then no longer works.
    /// </summary>
    public static async Task<Outcome<SignedInUser>> SetPasswordAsync(
        DbSession session, string token, string password, string confirmPassword, ChangeContext change, CancellationToken cancellationToken = default)
    {
        var user = await UserStore.FindByTokenHashAsync(session, Hash(token), cancellationToken);
        if (user is null || user.SetPasswordExpiresAt is not { } expires || expires <= change.At)
        {
            return InvalidFields.Of("token", "This link has expired or has already been used. Ask an admin to invite you again.");
        }

        var errors = new FieldErrors();
        if (password.Length < MinPasswordLength)
        {
            errors.Add("password", $"Enter a password of at least {MinPasswordLength} characters (three random words make a good one)");
        }
        else if (password.Length > MaxPasswordLength)
        {
            errors.Add("password", $"Enter a password of at most {MaxPasswordLength} characters");
        }
        else if (password.Contains(user.Email.Split('@')[0], StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("password", "Enter a password that does not contain your email address");
        }

        if (!errors.Has("password") && confirmPassword != password)
        {
            errors.Add("confirmPassword", "Enter the same password twice");
        }

        if (errors.Any)
        {
            return errors.ToRefusal();
        }

        if (await session.ExecuteAsync(UserStore.SetPassword, new { user.Id, PasswordHash = Hasher.HashPassword(user, password), change.At, TokenHash = user.SetPasswordTokenHash }, cancellationToken) != 1)
        {
            return InvalidFields.Of("token", "This link has expired or has already been used. Ask an admin to invite you again.");
        }

        await AuditLog.WriteAsync(session, change with { Actor = $"user:{user.Id}:{user.Name}" }, "set-password", AuditName, user.Id, null, new { user.Id, user.Email }, cancellationToken);
        // A new password ends every session the person had before it.
        await session.ExecuteAsync(UserStore.ReplaceStamp, new { user.Id, Stamp = NewToken() }, cancellationToken);
        return Outcome<SignedInUser>.Done(SignedInUser.Of((await UserStore.GetAsync(session, user.Id, cancellationToken))!));
    }

    /// <summary>
    /// Checks an email address and password. Wrong ones get one message whichever was wrong (and take as long when
    /// the email is unknown); the fifth wrong password in a row locks the account for <see cref="Lockout"/>. Unlike
    /// other operations it runs in its own transaction and commits even when it refuses: a failed attempt must count.
    /// </summary>
    public static async Task<Outcome<SignedInUser>> SignInAsync(Database database, string email, string password, ChangeContext change, CancellationToken cancellationToken = default)
    {
        // Committed whatever the outcome: a failed attempt must count.
        return await UnitOfWork.CommitAsync(database, session => CheckPasswordAsync(session, email, password, change, cancellationToken), cancellationToken);
    }

    private static async Task<Outcome<SignedInUser>> CheckPasswordAsync(DbSession session, string email, string password, ChangeContext change, CancellationToken cancellationToken)
    {
        const string Wrong = "Enter the email address and password of your account: one of them is wrong.";
        var user = string.IsNullOrWhiteSpace(email) ? null : await UserStore.FindByEmailAsync(session, email, cancellationToken);
        if (user?.PasswordHash is null)
        {
            Hasher.VerifyHashedPassword(new AppUser(), DecoyHash, password);
            return InvalidFields.Of("email", Wrong);
        }

        if (user.LockedUntil is { } locked && locked > change.At)
        {
            return InvalidFields.Of("email", $"You have entered a wrong password too many times. Try again after {UkTime(locked)}, or ask an admin.");
        }

        var result = Hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            var failures = user.FailedSignIns + 1;
            var lockedUntil = failures >= MaxFailedSignIns ? change.At + Lockout : (DateTime?)null;
            await session.ExecuteAsync(UserStore.RecordSignIn, new { user.Id, FailedSignIns = lockedUntil is null ? failures : 0, LockedUntil = lockedUntil, user.PasswordHash }, cancellationToken);
            if (lockedUntil is not null)
            {
                await AuditLog.WriteAsync(session, change with { Actor = "system:sign-in" }, "lock", AuditName, user.Id, null, new { user.Id, user.Email, LockedUntil = lockedUntil }, cancellationToken);
                return InvalidFields.Of("email", $"You have entered a wrong password too many times. Try again after {UkTime(lockedUntil.Value)}, or ask an admin.");
            }

            return InvalidFields.Of("email", Wrong);
        }

        var hash = result == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword(user, password) : user.PasswordHash;
        await session.ExecuteAsync(UserStore.RecordSignIn, new { user.Id, FailedSignIns = 0, LockedUntil = (DateTime?)null, PasswordHash = hash }, cancellationToken);
        return Outcome<SignedInUser>.Done(await StampedAsync(session, user, cancellationToken));
    }

    /// <summary>
    /// Signs in someone their organisation's identity provider vouched for (OpenID Connect): the user with that email
    /// address, with the role and areas Portfolio holds for them. Someone not yet a user is added with
    /// <paramref name="roleFromClaim"/> when the provider's claim maps to a role (not programme lead, whose areas only
    /// an admin can give), and audited; otherwise refused, to be invited by an admin. No password is involved, so a
    /// password lockout does not apply.
    /// </summary>
    public static async Task<Outcome<SignedInUser>> SignInWithProviderAsync(
        DbSession session, string? email, string? name, string? roleFromClaim, ChangeContext change, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(email) || !InputShape.IsEmailAddress(email.Trim()))
        {
            return new Forbidden("Your organisation's sign-in did not give an email address, so Portfolio cannot tell who you are.");
        }

        var address = email.Trim().ToLowerInvariant();
        if (await UserStore.FindByEmailAsync(session, address, cancellationToken) is { } known)
        {
            return Outcome<SignedInUser>.Done(await StampedAsync(session, known, cancellationToken));
        }

        if (roleFromClaim is not ("admin" or "finance" or "viewer"))
        {
            return new Forbidden($"{address} has no Portfolio account. Ask an admin to invite you.");
        }

        var user = new AppUser { Email = address, Name = string.IsNullOrWhiteSpace(name) ? address : name.Trim(), Role = roleFromClaim };
        var id = await UserStore.InsertAsync(session, user, change, cancellationToken);
        var added = (await UserStore.GetAsync(session, id, cancellationToken))!;
        await AuditLog.WriteAsync(session, change, "add-from-sign-in", AuditName, id, null, UserView.Of(added, change.At), cancellationToken);
        return Outcome<SignedInUser>.Done(await StampedAsync(session, added, cancellationToken));
    }

    /// <summary>
    /// The person a sign-in cookie names, as they are now: null when they are gone, locked out, or the cookie's
    /// stamp is no longer theirs (they signed out, or set a new password, after it was issued). Checked on every
    /// request, so a changed role or set of areas holds from the next request, on every instance.
    /// </summary>
    public static async Task<SignedInUser?> CurrentAsync(Database database, long id, string? stamp, DateTime now, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(stamp))
        {
            return null;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        var user = await UserStore.GetAsync(session, id, cancellationToken);
        return user is null || user.LockedUntil > now || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(user.SessionStamp), Encoding.UTF8.GetBytes(stamp))
            ? null
            : SignedInUser.Of(user);
    }

    /// <summary>
    /// Signing out ends every session of the person that carries this stamp (every browser they signed in on
    /// with it): the stamp is replaced, so no copy of a cookie issued before opens anything after.
    /// </summary>
    public static async Task SignOutAsync(Database database, long id, string? stamp, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(stamp))
        {
            return;
        }

        await UnitOfWork.CommitAsync(database, session => session.ExecuteAsync(UserStore.SignOutStamp, new { Id = id, Old = stamp, Stamp = NewToken() }, cancellationToken), cancellationToken);
    }

    private static async Task<SignedInUser> StampedAsync(DbSession session, AppUser user, CancellationToken cancellationToken)
    {
        if (user.SessionStamp.Length == 0)
        {
            await session.ExecuteAsync(UserStore.FillStamp, new { user.Id, Stamp = NewToken() }, cancellationToken);
            user = (await UserStore.GetAsync(session, user.Id, cancellationToken))!;
        }

        return SignedInUser.Of(user);
    }

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string UkTime(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Periods.UkDate.London).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Programme areas belong to programme leads, and only to them (keys and users alike).</summary>
public static class RoleAreas
{
    public static void Check(string role, IReadOnlyList<long>? areas, FieldErrors errors)
    {
        var count = areas?.Count ?? 0;
        if (role == "programme-lead" && count == 0)
        {
            errors.Add("programmeAreaIds", "a programme lead must be given the programme areas they lead");
        }
        else if (role != "programme-lead" && count > 0)
        {
            errors.Add("programmeAreaIds", "only a programme lead is tied to programme areas");
        }
    }
}
