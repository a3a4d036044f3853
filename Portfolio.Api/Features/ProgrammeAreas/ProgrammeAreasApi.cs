using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.ProgrammeAreas;

public static class ProgrammeAreasApi
{
    public static IEndpointRouteBuilder MapProgrammeAreas(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/programme-areas").WithTags("Programme areas").RequireAuthorization(Policies.Read);
        group.MapGet("/", RecordHttp.ListAsync<Core.Domain.ProgrammeAreas, ProgrammeArea, ProgrammeAreaView>).ReadsPagedQuery().WithName("ListProgrammeAreas").Produces<ListResponse<ProgrammeAreaView>>().ProducesValidationProblem();
        group.MapGet("/{id:long}", RecordHttp.GetAsync<Core.Domain.ProgrammeAreas, ProgrammeArea, ProgrammeAreaView>).WithName("GetProgrammeArea").Produces<ProgrammeAreaView>().ProducesProblem(404);
        group.MapPost("/", RecordHttp.RecordAsync<Core.Domain.ProgrammeAreas, ProgrammeArea, ProgrammeAreaInput, ProgrammeAreaView>).WithName("CreateProgrammeArea").RequireAuthorization(Policies.Write)
            .Accepts<ProgrammeAreaInput>("application/json").Produces<ProgrammeAreaView>(201).ProducesValidationProblem().ProducesProblem(409);
        group.MapPut("/{id:long}", RecordHttp.ChangeAsync<Core.Domain.ProgrammeAreas, ProgrammeArea, ProgrammeAreaInput, ProgrammeAreaView>).WithName("UpdateProgrammeArea").RequireAuthorization(Policies.Write)
            .Accepts<ProgrammeAreaInput>("application/json").Produces<ProgrammeAreaView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        group.MapDelete("/{id:long}", RecordHttp.DeleteAsync<Core.Domain.ProgrammeAreas, ProgrammeArea, ProgrammeAreaView>).WithName("DeleteProgrammeArea").RequireAuthorization(Policies.Write)
            .Produces(204).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428);
        return app;
    }

}
