using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;

namespace Portfolio.Api.Features.DeliveryAreas;

/// <summary>Where the work happens: the 43 police force areas of England and Wales and England and Wales as a whole. Any role may read.</summary>
public static class DeliveryAreasApi
{
    public static IEndpointRouteBuilder MapDeliveryAreas(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/delivery-areas").WithTags("Delivery areas").RequireAuthorization(Policies.Read);
        group.MapGet("/", ListAsync).WithName("ListDeliveryAreas").Produces<ListResponse<DeliveryAreaDto>>();
        return app;
    }

    private static async Task<IResult> ListAsync(Database database, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var areas = (await DeliveryAreaStore.ListAsync(session, cancellationToken)).Select(a => new DeliveryAreaDto(a.Code, a.Name, a.Country)).ToList();
        return TypedResults.Ok(new ListResponse<DeliveryAreaDto>(areas, 1, areas.Count, areas.Count));
    }
}

/// <summary>A delivery area: its ONS code (<c>E23…</c>, <c>W15…</c>, or <c>K04000001</c> for England and Wales), name and country.</summary>
public sealed record DeliveryAreaDto(string Code, string Name, string Country);
