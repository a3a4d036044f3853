using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Periods;

namespace Portfolio.Api.Features.Funders;

public static class FundersApi
{
    public static IEndpointRouteBuilder MapFunders(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/funders").WithTags("Funders").RequireAuthorization(Policies.Read);
        group.MapGet("/", Handlers.ListAsync).WithName("ListFunders").Produces<ListResponse<FunderDto>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", Handlers.GetAsync).WithName("GetFunder").Produces<FunderDto>().ProducesProblem(404);
        group.MapPost("/", Handlers.CreateAsync).WithName("CreateFunder").RequireAuthorization(Policies.Write)
            .Accepts<FunderRequest>("application/json").Produces<FunderDto>(201).ProducesValidationProblem();
        group.MapPut("/{id:long}", Handlers.UpdateAsync).WithName("UpdateFunder").RequireAuthorization(Policies.Write)
            .Accepts<FunderRequest>("application/json").Produces<FunderDto>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(412).ProducesProblem(428);
        group.MapDelete("/{id:long}", Handlers.DeleteAsync).WithName("DeleteFunder").RequireAuthorization(Policies.Write)
            .Produces(204).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    private static readonly string[] Calendars = Enum.GetValues<ReportingCalendar>().Select(c => c.ToCode()).ToArray();

    internal static readonly ResourceHandlers<Funder, FunderDto> Handlers = new()
    {
        Entity = "funder",
        BasePath = "/api/funders",
        Fields = ["name", "kind", "orgIdentifier", "reportingCalendar", "reportLagDays", "deliveryMode", "contacts", "ragAmberPercent", "ragRedPercent"],
        Load = FunderStore.GetAsync,
        ListPage = FunderStore.ListAsync,
        Read = Read,
        Check = CheckAsync,
        Insert = FunderStore.InsertAsync,
        Update = FunderStore.UpdateAsync,
        Delete = FunderStore.DeleteAsync,
        DeleteBlocker = async (session, funder, ct) =>
            await FunderStore.GrantCountAsync(session, funder.Id, ct) is var grants and > 0
                ? $"The funder has {grants} grant(s) and cannot be deleted. Close or move its grants instead."
                : null,
        ToDto = ToDto,
    };

    /// <summary>A new reporting calendar must not move or remove any reported period of the funder's grants.</summary>
    private static async Task<IResult?> CheckAsync(DbSession session, Funder proposed, Funder? current, CancellationToken cancellationToken)
    {
        if (current is null || current.ReportingCalendar == proposed.ReportingCalendar
            || !Portfolio.Core.Periods.ReportingCalendarNames.TryParse(proposed.ReportingCalendar, out var calendar))
        {
            return null;
        }

        foreach (var grantId in await GrantStore.IdsForFunderAsync(session, current.Id, cancellationToken))
        {
            var loaded = (await GrantPeriods.LoadAsync(session, grantId, cancellationToken))!;
            var periods = GrantPeriods.PeriodsOf(grantId, calendar, loaded.Grant.StartDate, loaded.Grant.EndDate);
            if (await ClosedPeriods.ChangeBlockedReasonAsync(session, loaded, loaded.Grant.FunderId, periods, cancellationToken) is { } closed)
            {
                return Problems.Conflict($"The funder's reporting calendar cannot change: {closed}");
            }
        }

        return null;
    }

    public static FunderDto ToDto(this Funder f) => new(
        f.Id, f.Name, f.Kind, f.OrgIdentifier, f.ReportingCalendar, f.ReportLagDays, f.DeliveryMode,
        f.Contacts.Select(c => new FunderContactDto(c.Name, c.Email)).ToList(), f.RagAmberPercent, f.RagRedPercent,
        f.Version, f.CreatedAt, f.UpdatedAt);


    private static Funder Read(JsonInput input)
    {
        var funder = new Funder
        {
            Name = input.Text("name", required: true, 300) ?? "",
            Kind = input.Code("kind", Codes.FunderKinds, null) ?? "",
            OrgIdentifier = input.OrgIdentifier("orgIdentifier"),
            ReportingCalendar = input.Code("reportingCalendar", Calendars, "uk-financial-year") ?? "",
            ReportLagDays = input.Int("reportLagDays", 0, 366, 30) ?? 0,
            DeliveryMode = input.Code("deliveryMode", Codes.DeliveryModes, "approval") ?? "",
            RagAmberPercent = input.Int("ragAmberPercent", 0, 1000, 10) ?? 0,
            RagRedPercent = input.Int("ragRedPercent", 0, 1000, 20) ?? 0,
            Contacts = input.Objects("contacts", required: false, maxItems: 50, ["name", "email"], contact =>
            {
                var name = contact.Text("name", required: true, 300);
                var email = contact.Email("email", required: true);
                return name is null || email is null ? null : new FunderContact { Name = name, Email = email };
            }),
        };

        if (input.IsValid && funder.RagRedPercent < funder.RagAmberPercent)
        {
            input.Error("ragRedPercent", "must not be below ragAmberPercent");
        }

        return funder;
    }
}

public sealed record FunderContactDto(string Name, string Email);

public sealed record FunderDto(
    long Id,
    string Name,
    string Kind,
    string? OrgIdentifier,
    string ReportingCalendar,
    int ReportLagDays,
    string DeliveryMode,
    IReadOnlyList<FunderContactDto> Contacts,
    int RagAmberPercent,
    int RagRedPercent,
    int Version,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary>The body of POST and PUT, for the OpenAPI document; the API reads it field by field with <see cref="JsonInput"/>.</summary>
public sealed record FunderRequest(
    string Name,
    string Kind,
    string? OrgIdentifier,
    string? ReportingCalendar,
    int? ReportLagDays,
    string? DeliveryMode,
    IReadOnlyList<FunderContactDto>? Contacts,
    int? RagAmberPercent,
    int? RagRedPercent);
