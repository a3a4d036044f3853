using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;

namespace Portfolio.Tests.Core.Operations;

/// <summary>People who sign in: invited, a one-time link to set a password, sign-in with lockout. Both engines.</summary>
public sealed class UserOperationTests(DatabaseEngine engine) : DatabaseTest(engine)
{
    private const string GoodPassword = "correct horse battery staple";

    private Task<Outcome<T>> RunAsync<T>(Func<DbSession, Task<Outcome<T>>> work) => UnitOfWork.RunAsync(Database, work);

    private static ChangeContext At(DateTime at) => new("key:1:admin", at);

    private async Task<InvitedUser> InviteAsync(string? email = null, string role = "finance")
    {
        var outcome = await RunAsync(s => Users.InviteAsync(s, new UserInput(email ?? Unique.Text("person") + "@partnership.example", "Sam Finance", role), A.Change()));
        return outcome.Value ?? throw new InvalidOperationException(outcome.Refused!.Detail);
    }

    [Test]
    public async Task Invite_NamesEveryWrongFieldAtOnce_AndRefusesAnEmailAlreadyInUse()
    {
        var outcome = await RunAsync(s => Users.InviteAsync(s, new UserInput("not an address", " ", "nobody"), A.Change()));
        outcome.Refused.Should().BeOfType<InvalidFields>().Which.Errors.Keys.Should().BeEquivalentTo(["email", "name", "role"]);
        var lead = await RunAsync(s => Users.InviteAsync(s, new UserInput(Unique.Text("l") + "@partnership.example", "Lead", "programme-lead"), A.Change()));
        lead.Refused.Should().BeOfType<InvalidFields>().Which.Errors["programmeAreaIds"].Single().Should().Contain("must be given the programme areas");

        var email = Unique.Text("dup") + "@partnership.example";
        await InviteAsync(email);
        var again = await RunAsync(s => Users.InviteAsync(s, new UserInput(email.ToUpperInvariant(), "Someone Else", "viewer"), A.Change()));
        again.Refused.Should().BeOfType<InvalidFields>().Which.Errors["email"].Should().Equal("already belongs to a user");
    }

    [Test]
    public async Task TheLink_SetsAPasswordOnce_WithinADay_AndThePasswordIsStoredOnlyAsAHash()
    {
        var invited = await InviteAsync();
        invited.SetPasswordExpiresAt.Should().Be(A.Change().At + TimeSpan.FromHours(24));
        var now = A.Change().At.AddHours(1);

        (await RunAsync(s => Users.SetPasswordAsync(s, invited.SetPasswordToken, "short", "short", At(now)))).Refused
            .Should().BeOfType<InvalidFields>().Which.Errors.Keys.Should().Equal("password");
        (await RunAsync(s => Users.SetPasswordAsync(s, invited.SetPasswordToken, GoodPassword, GoodPassword + "!", At(now)))).Refused
            .Should().BeOfType<InvalidFields>().Which.Errors.Keys.Should().Equal("confirmPassword");
        (await RunAsync(s => Users.SetPasswordAsync(s, invited.SetPasswordToken + "x", GoodPassword, GoodPassword, At(now)))).Refused
            .Should().BeOfType<InvalidFields>().Which.Errors.Keys.Should().Equal("token");

        var set = await RunAsync(s => Users.SetPasswordAsync(s, invited.SetPasswordToken, GoodPassword, GoodPassword, At(now)));
        set.Value!.Email.Should().Be(invited.User.Email);

        var reused = await RunAsync(s => Users.SetPasswordAsync(s, invited.SetPasswordToken, GoodPassword + " again", GoodPassword + " again", At(now)));
        reused.Refused.Should().BeOfType<InvalidFields>().Which.Errors["token"].Single().Should().Contain("already been used");

        await using var session = await OpenAsync();
        var stored = (await UserStore.GetAsync(session, invited.User.Id))!;
        stored.PasswordHash.Should().NotBeNullOrEmpty().And.NotContain(GoodPassword);
        stored.SetPasswordTokenHash.Should().BeNull();
    }

    [Test]
    public async Task AnExpiredLink_IsRefused_AndChangesNothing()
    {
        var invited = await InviteAsync();
        var late = A.Change().At + TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1);
        await using (var session = await OpenAsync())
        {
            (await Users.IsValidLinkAsync(session, invited.SetPasswordToken, A.Change().At)).Should().BeTrue();
            (await Users.IsValidLinkAsync(session, invited.SetPasswordToken, late)).Should().BeFalse();
        }

        (await RunAsync(s => Users.SetPasswordAsync(s, invited.SetPasswordToken, GoodPassword, GoodPassword, At(late)))).Refused.Should().BeOfType<InvalidFields>();
        await using var check = await OpenAsync();
        (await UserStore.GetAsync(check, invited.User.Id))!.PasswordHash.Should().BeNull();
    }

    [Test]
    public async Task SignIn_WithTheRightPassword_OneMessageForAnyWrongOne_AndFiveWrongLockTheAccountFor15Minutes()
    {
        var invited = await InviteAsync();
        var email = invited.User.Email;
        var now = A.Change().At.AddHours(1);
        await RunAsync(s => Users.SetPasswordAsync(s, invited.SetPasswordToken, GoodPassword, GoodPassword, At(now)));

        (await Users.SignInAsync(Database, email.ToUpperInvariant(), GoodPassword, At(now))).Value!.Id.Should().Be(invited.User.Id);
        var wrongPassword = await Users.SignInAsync(Database, email, "wrong password entirely", At(now));
        var unknownEmail = await Users.SignInAsync(Database, "nobody@partnership.example", GoodPassword, At(now));
        ((InvalidFields)wrongPassword.Refused!).Errors["email"].Should().Equal(((InvalidFields)unknownEmail.Refused!).Errors["email"], "the message does not say which was wrong");

        for (var i = 0; i < 3; i++)
        {
            (await Users.SignInAsync(Database, email, "wrong again " + i, At(now))).Succeeded.Should().BeFalse();
        }

        var fifth = await Users.SignInAsync(Database, email, "fifth wrong", At(now));
        ((InvalidFields)fifth.Refused!).Errors["email"].Single().Should().Contain("too many times");
        (await Users.SignInAsync(Database, email, GoodPassword, At(now.AddMinutes(14)))).Refused.Should().NotBeNull("locked, even with the right password");
        (await Users.SignInAsync(Database, email, GoodPassword, At(now.AddMinutes(15).AddSeconds(1)))).Succeeded.Should().BeTrue("the lock lasts 15 minutes");

        await using var session = await OpenAsync();
        (await session.ExecuteScalarAsync<long>(Sql.Common("SELECT COUNT(*) FROM audit_entry WHERE entity = 'user' AND action = 'lock' AND entity_id = @Id"),
            new { Id = invited.User.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })).Should().Be(1);
    }
}
