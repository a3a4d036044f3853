using System.Reflection;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Portfolio.Core.Operations;
using Money = Portfolio.Core.Money.Money;

namespace Portfolio.Api.Infrastructure;

/// <summary>
/// The OpenAPI schemas of input records, from the same declaration the reader and Core use (<see cref="InputShape"/>):
/// money as a decimal number of pounds, codes as enums, text lengths, required only what must be sent.
/// </summary>
public static class InputSchemas
{
    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(decimal) || type == typeof(decimal?))
        {
            // Amounts are exact pounds and pence: never a binary floating-point number.
            schema.Format = "decimal";
            return Task.CompletedTask;
        }

        if (type == typeof(Money))
        {
            schema.Type = JsonSchemaType.Number;
            schema.Format = "decimal";
            schema.MultipleOf = 0.01m;
            schema.Properties?.Clear();
            schema.Required?.Clear();
            schema.Description = "Pounds sterling with at most two decimal places.";
            return Task.CompletedTask;
        }

        if ((Nullable.GetUnderlyingType(type) ?? type) == typeof(Portfolio.Core.Results.Quantity))
        {
            schema.Type = JsonSchemaType.Number;
            schema.Format = "decimal";
            schema.MultipleOf = 0.01m;
            schema.Properties?.Clear();
            schema.Required?.Clear();
            schema.Description = "A figure with at most two decimal places.";
            return Task.CompletedTask;
        }

        if (type.Namespace is not ("Portfolio.Core.Domain" or "Portfolio.Core.Operations" or "Portfolio.Core.Results") || !type.Name.EndsWith("Input", StringComparison.Ordinal) || schema.Properties is null)
        {
            return Task.CompletedTask;
        }

        var shape = InputShape.Of(type);
        schema.Required = new HashSet<string>(shape.Fields.Where(f => f.Required).Select(f => f.Name));
        foreach (var field in shape.Fields)
        {
            if (!schema.Properties.TryGetValue(field.Name, out var property) || property is not OpenApiSchema fieldSchema)
            {
                continue;
            }

            if (field.Code is { } code)
            {
                fieldSchema.Enum = code.Values.Select(v => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(v)!).ToList();
            }
            else if (field.Kind == InputKind.Text)
            {
                fieldSchema.MaxLength = field.MaxLength;
                if (field.IsEmail)
                {
                    fieldSchema.Format = "email";
                }
            }
            else if (field.Kind == InputKind.WholeNumber)
            {
                fieldSchema.Minimum = field.Range!.Min.ToString(System.Globalization.CultureInfo.InvariantCulture);
                fieldSchema.Maximum = field.Range.Max.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (field.Kind is InputKind.Strings or InputKind.Ids or InputKind.Objects)
            {
                fieldSchema.MaxItems = field.Items!.Max;
            }

            if (field.HasDefault && field.Default is not null)
            {
                fieldSchema.Default = System.Text.Json.JsonSerializer.SerializeToNode(field.Default);
            }
        }

        return Task.CompletedTask;
    }
}
