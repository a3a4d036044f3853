using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Portfolio.Api.Infrastructure;

public static class OpenApiExtensions
{
    public static IServiceCollection AddPortfolioOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(options =>
        {
            options.AddSchemaTransformer(InputSchemas.TransformAsync);
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var statuses = metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>().Select(p => p.StatusCode).ToHashSet();
                operation.Parameters ??= [];
                if (statuses.Contains(StatusCodes.Status428PreconditionRequired) || statuses.Contains(StatusCodes.Status412PreconditionFailed))
                {
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = "If-Match",
                        In = ParameterLocation.Header,
                        Required = statuses.Contains(StatusCodes.Status428PreconditionRequired),
                        Description = "The ETag of the version being changed (from a GET), or * for whatever version is current.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    });
                }

                foreach (var parameter in metadata.OfType<QueryParameters.ReadsQueryMetadata>().SelectMany(m => m.Parameters))
                {
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = parameter.Name,
                        In = ParameterLocation.Query,
                        Required = false,
                        Description = parameter.Description,
                        Schema = QuerySchema(parameter),
                    });
                }

                if (metadata.OfType<Writes.AcceptsIdempotencyKeyMetadata>().Any())
                {
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = Writes.IdempotencyHeader,
                        In = ParameterLocation.Header,
                        Required = false,
                        Description = "Any unique value up to 200 characters: a retry with the same key and body returns the first response and creates nothing (24 hours).",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200 },
                    });
                }

                return Task.CompletedTask;
            });
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    ["ApiKey"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key", Description = "An API key made by an admin (POST /api/api-keys)." },
                    ["Bearer"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT", Description = "An access token from the configured OpenID provider." },
                };
                document.Security =
                [
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", document)] = [] },
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] },
                ];
                return Task.CompletedTask;
            });
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Portfolio";
                document.Info.Description = "Grant and programme portfolio tracking. Authenticate with the X-Api-Key header. Amounts are pounds with at most two decimal places.";
                return Task.CompletedTask;
            });
        });
        return services;
    }

    private static OpenApiSchema QuerySchema(QueryParameter parameter) => parameter.Kind switch
    {
        QueryKind.Id => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "1" },
        QueryKind.Date => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date" },
        QueryKind.Code => new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. parameter.Allowed!.Select(a => (System.Text.Json.Nodes.JsonNode)a)] },
        QueryKind.Text => new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = parameter.MaxLength },
        QueryKind.WholeNumber => new OpenApiSchema
        {
            Type = JsonSchemaType.Integer,
            Format = "int32",
            Minimum = parameter.Minimum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Maximum = parameter.Maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(parameter), parameter.Kind, null),
    };

    /// <summary>The document at <c>/openapi/v1.json</c> and the reference page at <c>/scalar/v1</c>, both served locally.</summary>
    public static IEndpointRouteBuilder MapPortfolioOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        return app;
    }
}
