using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.ProgrammeAreas;

public static class ProgrammeAreasApi
{
    public static IEndpointRouteBuilder MapProgrammeAreas(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/programme-areas").WithTags("Programme areas").RequireAuthorization(Policies.Read);
        group.MapGet("/", Handlers.ListAsync).ReadsPagedQuery().WithName("ListProgrammeAreas").Produces<ListResponse<ProgrammeAreaView>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", Handlers.GetAsync).WithName("GetProgrammeArea").Produces<ProgrammeAreaView>().ProducesProblem(404);
        group.MapPost("/", Handlers.CreateAsync).WithName("CreateProgrammeArea").RequireAuthorization(Policies.Write)
            .Accepts<ProgrammeAreaInput>("application/json").Produces<ProgrammeAreaView>(201).ProducesValidationProblem().ProducesProblem(409);
        group.MapPut("/{id:long}", Handlers.UpdateAsync).WithName("UpdateProgrammeArea").RequireAuthorization(Policies.Write)
            .Accepts<ProgrammeAreaInput>("application/json").Produces<ProgrammeAreaView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        group.MapDelete("/{id:long}", Handlers.DeleteAsync).WithName("DeleteProgrammeArea").RequireAuthorization(Policies.Write)
            .Produces(204).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

    internal static readonly ResourceHandlers<ProgrammeArea, ProgrammeAreaInput, ProgrammeAreaView> Handlers = new()
    {
        Resource = Core.Domain.ProgrammeAreas.Resource,
        BasePath = "/api/programme-areas",
        ListPage = ProgrammeAreaStore.ListAsync,
    };
}
