using System.Text.Json;
using System.Text.Json.Serialization;
using Portfolio.Core.Data;

namespace Portfolio.Api.Infrastructure;

/// <summary>A page of a list, as every list endpoint returns it.</summary>
public sealed record ListResponse<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total)
{
    public static ListResponse<T> From<TSource>(Page<TSource> page, Func<TSource, T> map) =>
        new(page.Items.Select(map).ToList(), page.PageNumber, page.PageSize, page.Total);
}

public static class ApiConventions
{
    public static IServiceCollection AddPortfolioJson(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>Who is changing what, and when: the audit's actor and timestamp for this request.</summary>
    public static ChangeContext Change(this HttpContext http) =>
        new(http.User.Actor(), http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime) { Areas = http.User.Areas() };
}
