using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.Users;

/// <summary>
/// <c>Portfolio:PublicBaseUrl</c>: the address people use to reach Portfolio (https://portfolio.example.org), from
/// which links sent to them are made. Without it, links use the address of the request that made them.
/// </summary>
public sealed record PublicBaseUrl(Uri? Value)
{
    public static PublicBaseUrl FromConfiguration(IConfiguration configuration)
    {
        var settings = new Portfolio.Jobs.Hosting.Settings(configuration, "Portfolio");
        var url = settings.Url("PublicBaseUrl");
        settings.ThrowIfInvalid();
        return new PublicBaseUrl(url);
    }

    public string For(HttpRequest request, string pathAndQuery) =>
        new Uri(Value ?? new Uri($"{request.Scheme}://{request.Host}"), pathAndQuery).ToString();
}

/// <summary>People who sign in to the web app: admins invite them and each gets a one-time link to set a password.</summary>
public static class UsersApi
{
    public static IServiceCollection AddPortfolioUsers(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton(PublicBaseUrl.FromConfiguration(configuration)).AddSingleton<InvitationSender>().AddHostedService<FirstAdmin>();

    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        group.MapGet("/", ListAsync).ReadsPagedQuery().WithName("ListUsers").Produces<ListResponse<UserView>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", GetAsync).WithName("GetUser").Produces<UserView>().ProducesProblem(404);
        group.MapPost("/", InviteAsync).WithName("InviteUser").Accepts<UserInput>("application/json").Produces<InvitedUserDto>(201).ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, Database database, TimeProvider clock, CancellationToken cancellationToken)
    {
        var query = new QueryInput(request);
        var page = query.Page();
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        await using var session = await database.OpenAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        return TypedResults.Ok(ListResponse<UserView>.From(await UserStore.ListAsync(session, page, cancellationToken), u => UserView.Of(u, now)));
    }

    private static async Task<IResult> GetAsync(long id, HttpContext http, Database database, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        if (await UserStore.GetAsync(session, id, cancellationToken) is not { } user)
        {
            return Problems.NotFound("user", id);
        }

        ETags.Set(http, user.Version);
        return TypedResults.Ok(UserView.Of(user, clock.GetUtcNow().UtcDateTime));
    }

    /// <summary>201 with the one-time <c>setPasswordUrl</c> (valid for 24 hours); the token in it is stored only as a hash.</summary>
    private static async Task<IResult> InviteAsync(HttpContext http, Database database, PublicBaseUrl baseUrl, InvitationSender sender)
    {
        var (input, problem) = await JsonBody.ReadCheckedAsync<UserInput>(http.Request);
        if (problem is not null)
        {
            return problem;
        }

        var change = http.Change();
        (InvitedUser Invited, string Url)? toSend = null;
        var result = await Writes.RunAsync(
            database,
            session => Core.Domain.Users.InviteAsync(session, input!, change, http.RequestAborted),
            invited =>
            {
                ETags.Set(http, invited.User.Version);
                var url = baseUrl.For(http.Request, "/set-password?token=" + Uri.EscapeDataString(invited.SetPasswordToken));
                toSend = (invited, url);
                return TypedResults.Created($"/api/users/{invited.User.Id}", new InvitedUserDto(invited.User, url, invited.SetPasswordExpiresAt));
            },
            http.RequestAborted);

        // Emailed once, after the invitation is saved (not on an idempotent replay); a failure is logged, and the
        // caller has the link in the answer to pass on.
        if (toSend is { } sent)
        {
            await sender.SendAsync(sent.Invited, sent.Url, Actors.DisplayName(change.Actor), http.RequestAborted);
        }

        return result;
    }
}

/// <summary>The invited user, and the link to give them (the only response that carries it).</summary>
public sealed record InvitedUserDto(UserView User, string SetPasswordUrl, DateTime SetPasswordExpiresAt);

/// <summary>Emails an invited person their set-password link through the reports' transport.</summary>
public sealed class InvitationSender(Portfolio.Jobs.Email.IReportMailer mailer, Portfolio.Jobs.Email.EmailOptions email, Portfolio.Reports.Quarterly.ReportOptions reports, ILogger<InvitationSender> logger)
{
    /// <summary>Why it could not be sent, or null when the transport accepted it.</summary>
    public async Task<string?> SendAsync(InvitedUser invited, string url, string invitedBy, CancellationToken cancellationToken)
    {
        var message = Portfolio.Jobs.Email.InvitationEmail.Build(
            reports.Organisation.Name, email.From, invited.User.Name, invited.User.Email, url, invited.SetPasswordExpiresAt, invitedBy);
        var failure = await Portfolio.Jobs.Email.InvitationEmail.TrySendAsync(mailer, message, cancellationToken);
        if (failure is not null)
        {
            logger.LogWarning("The invitation email to user {UserId} could not be sent: {Reason}", invited.User.Id, failure);
        }

        return failure;
    }
}
