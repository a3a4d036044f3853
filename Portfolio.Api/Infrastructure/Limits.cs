using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Portfolio.Api.Infrastructure;

/// <summary>Rate limits per API key, a cap on request bodies, and CORS closed unless origins are configured.</summary>
public static class Limits
{
    public const string CorsPolicy = "configured-origins";

    public static WebApplicationBuilder AddPortfolioLimits(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var burst = configuration.GetValue("Portfolio:RateLimit:Burst", 60);
        var perSecond = configuration.GetValue("Portfolio:RateLimit:PerSecond", 10);

        // A backstop for any body; JSON bodies are refused above 1 MB by JsonBody with a problem detail.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 2 * JsonBody.MaxBodyBytes);

        builder.Services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                RateLimitPartition.GetTokenBucketLimiter(Partition(http), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = burst,
                    TokensPerPeriod = perSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            options.OnRejected = async (context, cancellationToken) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Results.Problem(
                    detail: $"Too many requests for this key: at most {burst} at once and {perSecond} a second. Try again in {seconds} s.",
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests").ExecuteAsync(context.HttpContext);
            };
        });

        var origins = configuration.GetSection("Portfolio:Cors:AllowedOrigins").Get<string[]>() ?? [];
        if (origins.Length > 0)
        {
            builder.Services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
                .WithOrigins(origins)
                .WithMethods("GET", "POST", "PUT", "DELETE")
                .WithHeaders(ApiKeyAuthenticationHandler.HeaderName, "Content-Type", "If-Match", Writes.IdempotencyHeader)
                .WithExposedHeaders("ETag", "Location", Writes.ReplayedHeader)));
        }

        return builder;
    }

    public static WebApplication UsePortfolioLimits(this WebApplication app)
    {
        if ((app.Configuration.GetSection("Portfolio:Cors:AllowedOrigins").Get<string[]>() ?? []).Length > 0)
        {
            app.UseCors(CorsPolicy);
        }

        app.UseRateLimiter();
        return app;
    }

    /// <summary>One bucket per API key (by its hash, so invalid keys are limited too), else per client address.</summary>
    private static string Partition(HttpContext http)
    {
        var key = http.Request.Headers[ApiKeyAuthenticationHandler.HeaderName].ToString();
        return key.Length > 0
            ? "key:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16]
            : "ip:" + http.Connection.RemoteIpAddress;
    }
}
