using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.ProgrammeAreas;

public static class ProgrammeAreasApi
{
    public static IEndpointRouteBuilder MapProgrammeAreas(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/programme-areas").WithTags("Programme areas").RequireAuthorization(Policies.Read);
        group.MapGet("/", Handlers.ListAsync).WithName("ListProgrammeAreas").Produces<ListResponse<ProgrammeAreaDto>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", Handlers.GetAsync).WithName("GetProgrammeArea").Produces<ProgrammeAreaDto>().ProducesProblem(404);
        group.MapPost("/", Handlers.CreateAsync).WithName("CreateProgrammeArea").RequireAuthorization(Policies.Write)
            .Accepts<ProgrammeAreaRequest>("application/json").Produces<ProgrammeAreaDto>(201).ProducesValidationProblem().ProducesProblem(409);
        group.MapPut("/{id:long}", Handlers.UpdateAsync).WithName("UpdateProgrammeArea").RequireAuthorization(Policies.Write)
            .Accepts<ProgrammeAreaRequest>("application/json").Produces<ProgrammeAreaDto>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        group.MapDelete("/{id:long}", Handlers.DeleteAsync).WithName("DeleteProgrammeArea").RequireAuthorization(Policies.Write)
            .Produces(204).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    internal static readonly ResourceHandlers<ProgrammeArea, ProgrammeAreaDto> Handlers = new()
    {
        Entity = "programme area",
        BasePath = "/api/programme-areas",
        Fields = ["name", "code", "leadName", "leadEmail", "description"],
        Load = ProgrammeAreaStore.GetAsync,
        ListPage = ProgrammeAreaStore.ListAsync,
        Read = input => new ProgrammeArea
        {
            Name = input.Text("name", required: true, 300) ?? "",
            Code = input.Text("code", required: true, 40) ?? "",
            LeadName = input.Text("leadName", required: false, 300),
            LeadEmail = input.Email("leadEmail", required: false),
            Description = input.Text("description", required: false, 4000, multiline: true),
        },
        Check = async (session, proposed, current, ct) =>
            await ProgrammeAreaStore.GetByCodeAsync(session, proposed.Code, ct) is { } holder && holder.Id != current?.Id
                ? Problems.Conflict($"The code '{proposed.Code}' is already used by programme area {holder.Id}.")
                : null,
        Insert = ProgrammeAreaStore.InsertAsync,
        Update = ProgrammeAreaStore.UpdateAsync,
        Delete = ProgrammeAreaStore.DeleteAsync,
        DeleteBlocker = async (session, area, ct) =>
            await ProgrammeAreaStore.GrantCountAsync(session, area.Id, ct) is var grants and > 0
                ? $"The programme area has {grants} grant(s) and cannot be deleted."
                : null,
        ToDto = a => new ProgrammeAreaDto(a.Id, a.Name, a.Code, a.LeadName, a.LeadEmail, a.Description, a.Version, a.CreatedAt, a.UpdatedAt),
    };

}

public sealed record ProgrammeAreaDto(long Id, string Name, string Code, string? LeadName, string? LeadEmail, string? Description, int Version, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record ProgrammeAreaRequest(string Name, string Code, string? LeadName, string? LeadEmail, string? Description);
