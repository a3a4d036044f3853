using Scalar.AspNetCore;

namespace Portfolio.Api.Infrastructure;

public static class OpenApiExtensions
{
    public static IServiceCollection AddPortfolioOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Portfolio";
                document.Info.Description = "Grant and programme portfolio tracking. Authenticate with the X-Api-Key header. Amounts are pounds with at most two decimal places.";
                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>The document at <c>/openapi/v1.json</c> and the reference page at <c>/scalar/v1</c>, both served locally.</summary>
    public static IEndpointRouteBuilder MapPortfolioOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        return app;
    }
}
