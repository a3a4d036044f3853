using System.Net;
using IPNetwork = System.Net.IPNetwork;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Portfolio.Jobs.Hosting;

namespace Portfolio.Api.Infrastructure;

/// <summary><c>Portfolio:RateLimit</c> and <c>Portfolio:Cors</c>, checked at start.</summary>
public sealed record LimitOptions(
    int Burst,
    int PerSecond,
    int AnonymousBurst,
    int AnonymousPerSecond,
    IReadOnlyList<IPNetwork> TrustedProxies,
    int ReportConcurrency,
    int ReportQueue,
    IReadOnlyList<string> CorsOrigins)
{
    public static LimitOptions FromConfiguration(IConfiguration configuration)
    {
        var settings = new Settings(configuration, "Portfolio:RateLimit");
        var proxies = new List<IPNetwork>();
        foreach (var proxy in settings.List("TrustedProxies"))
        {
            if (IPNetwork.TryParse(proxy, out var network))
            {
                proxies.Add(network);
            }
            else if (IPAddress.TryParse(proxy, out var address))
            {
                proxies.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                settings.Require(false, "TrustedProxies", $"'{proxy}' must be an IP address (10.0.0.5) or a network (10.0.0.0/24)");
            }
        }

        var burst = settings.Int("Burst", 60, 1, 1_000_000);
        var perSecond = settings.Int("PerSecond", 10, 1, 1_000_000);
        var anonymousBurst = settings.Int("AnonymousBurst", 20, 1, 1_000_000);
        var anonymousPerSecond = settings.Int("AnonymousPerSecond", 2, 1, 1_000_000);
        var reportConcurrency = settings.Int("ReportConcurrency", Math.Max(1, Environment.ProcessorCount - 1), 1, 256);
        var reportQueue = settings.Int("ReportQueue", 8, 0, 1_000);
        settings.ThrowIfInvalid();

        var cors = new Settings(configuration, "Portfolio:Cors");
        var origins = cors.List("AllowedOrigins");
        foreach (var origin in origins)
        {
            cors.Require(
                Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/" && !origin.EndsWith('/'),
                "AllowedOrigins",
                $"'{origin}' must be an origin: scheme, host and optional port, such as https://dashboard.example.org");
        }

        cors.ThrowIfInvalid();
        return new LimitOptions(burst, perSecond, anonymousBurst, anonymousPerSecond, proxies, reportConcurrency, reportQueue, origins);
    }
}

/// <summary>
/// Rate limits and a cap on request bodies, and CORS closed unless origins are configured. Requests with a valid
/// credential share a bucket per caller; every other request (no credential, or one that is not valid) shares a
/// smaller bucket per client address, so a client cannot escape the limit by sending a new made-up key each time.
/// The client address is the connection's, or the one a configured trusted proxy forwards (<c>X-Forwarded-For</c>);
/// forwarded headers from anyone else are ignored. Report previews and generation, which take a processor each,
/// run at most one at a time per caller and <see cref="LimitOptions.ReportConcurrency"/> in all, queued beyond that.
/// </summary>
public static class Limits
{
    public const string CorsPolicy = "configured-origins";

    public static WebApplicationBuilder AddPortfolioLimits(this WebApplicationBuilder builder)
    {
        var options = LimitOptions.FromConfiguration(builder.Configuration);
        builder.Services.AddSingleton(options);

        // A backstop for any body; JSON bodies are refused above 1 MB by JsonBody with a problem detail.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 2 * JsonBody.MaxBodyBytes);

        if (options.TrustedProxies.Count > 0)
        {
            builder.Services.Configure<ForwardedHeadersOptions>(forwarded =>
            {
                forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
                foreach (var network in options.TrustedProxies)
                {
                    forwarded.KnownIPNetworks.Add(network);
                }
            });
        }

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = GlobalLimiter(options);
            limiter.OnRejected = async (context, _) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
                var http = context.HttpContext;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var detail = IsReportRendering(http)
                    ? $"Reports are being prepared for you or others already: at most one at a time for each caller and {options.ReportConcurrency} in all. Try again in {seconds} s."
                    : Caller(http) is not null
                        ? $"Too many requests for this key: at most {options.Burst} at once and {options.PerSecond} a second. Try again in {seconds} s."
                        : $"Too many requests from this address without a valid key: at most {options.AnonymousBurst} at once and {options.AnonymousPerSecond} a second. Try again in {seconds} s.";
                await Results.Problem(detail: detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests").ExecuteAsync(http);
            };
        });

        if (options.CorsOrigins.Count > 0)
        {
            builder.Services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
                .WithOrigins([.. options.CorsOrigins])
                .WithMethods("GET", "POST", "PUT", "DELETE")
                .WithHeaders(ApiKeyAuthenticationHandler.HeaderName, "Content-Type", "If-Match", Writes.IdempotencyHeader)
                .WithExposedHeaders("ETag", "Location", Writes.ReplayedHeader)));
        }

        return builder;
    }

    /// <summary>
    /// Every request's limits, in this order, each held while waiting for the next: the caller's (or the address's)
    /// token bucket; for report rendering, the caller's own slot (one at a time, two waiting); then one of the
    /// process's shared rendering slots. A caller waits for its own slot before it joins the shared queue, so the
    /// shared slots go to callers in turn rather than to whoever asks most.
    /// </summary>
    internal static PartitionedRateLimiter<HttpContext> GlobalLimiter(LimitOptions options)
    {
        // Every partition's limiter is made by its factory, never handed in from outside: a partitioned limiter
        // disposes a partition that has sat idle (ten seconds with nothing held or queued) and calls the factory
        // again on the next request, so a limiter shared from outside would be disposed and then handed back
        // disposed for ever. The process's rendering slots are the one partition "renderers"; an idle one holds
        // nothing, so making it afresh loses nothing.
        return PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpContext, string>(http => Caller(http) is { } caller
                ? RateLimitPartition.GetTokenBucketLimiter(caller, _ => Bucket(options.Burst, options.PerSecond))
                : RateLimitPartition.GetTokenBucketLimiter(Address(http), _ => Bucket(options.AnonymousBurst, options.AnonymousPerSecond))),
            PartitionedRateLimiter.Create<HttpContext, string>(http => IsReportRendering(http)
                ? RateLimitPartition.GetConcurrencyLimiter(Caller(http) ?? Address(http), _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = 1,
                    QueueLimit = 2,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                })
                : RateLimitPartition.GetNoLimiter("other")),
            PartitionedRateLimiter.Create<HttpContext, string>(http => IsReportRendering(http)
                ? RateLimitPartition.GetConcurrencyLimiter("renderers", _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = options.ReportConcurrency,
                    QueueLimit = options.ReportQueue,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                })
                : RateLimitPartition.GetNoLimiter("other")));
    }

    /// <summary>Forwarded headers (from trusted proxies only) and CORS: first in the pipeline.</summary>
    public static WebApplication UsePortfolioLimits(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<LimitOptions>();
        if (options.TrustedProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        if (options.CorsOrigins.Count > 0)
        {
            app.UseCors(CorsPolicy);
        }

        return app;
    }

    /// <summary>The rate limits: after authentication, so a caller is known by its valid credential.</summary>
    public static WebApplication UsePortfolioRateLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        return app;
    }

    /// <summary>Marks an endpoint as rendering a report: one at a time per caller, and a limited number in all.</summary>
    public static RouteHandlerBuilder RendersReports(this RouteHandlerBuilder endpoint) => endpoint.WithMetadata(RendersReportsMetadata.Instance);

    [AttributeUsage(AttributeTargets.Class)]
    internal sealed class RendersReportsMetadata : Attribute
    {
        public static readonly RendersReportsMetadata Instance = new();
    }

    private static TokenBucketRateLimiterOptions Bucket(int burst, int perSecond) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>The authenticated caller (key or token subject), or null when the request has no valid credential.</summary>
    private static string? Caller(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true ? "caller:" + http.User.Actor() : null;

    private static string Address(HttpContext http) => "address:" + http.Connection.RemoteIpAddress;

    internal static bool IsReportRendering(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<RendersReportsMetadata>() is not null;
}
