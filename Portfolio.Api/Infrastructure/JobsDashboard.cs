using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authentication;
using Portfolio.Core.Data;
using Portfolio.Jobs.Hosting;

namespace Portfolio.Api.Infrastructure;

public static class JobsDashboard
{
    /// <summary>
    /// Jobs in this process unless <c>Portfolio:Jobs:RunInProcess</c> is false and the database is a server one
    /// (with SQLite the job queue lives in memory, so only this process can run it).
    /// </summary>
    public static IServiceCollection AddPortfolioJobsForApi(this IServiceCollection services, IConfiguration configuration)
    {
        var engine = DatabaseHosting.ReadOptions(configuration).Engine;
        var runServer = engine == DatabaseEngine.Sqlite || JobsHosting.ReadOptions(configuration).RunInProcess;

        // What the dashboard middleware looks for. Storage itself is per host (see JobsHosting), never global.
        services.AddSingleton<IGlobalConfiguration>(GlobalConfiguration.Configuration);
        services.AddSingleton(DashboardRoutes.Routes);
        return services.AddPortfolioJobs(configuration, runServer);
    }

    /// <summary>The Hangfire dashboard at <c>/hangfire</c>: admins only (X-Api-Key), never anonymous remote requests.</summary>
    public static WebApplication MapJobsDashboard(this WebApplication app)
    {
        app.UseHangfireDashboard("/hangfire", new DashboardOptions
        {
            AsyncAuthorization = [new AdminOnly(app.Environment.IsDevelopment())],
            DisplayStorageConnectionString = false,
            DashboardTitle = "Portfolio jobs",
        }, app.Services.GetRequiredService<JobStorage>());
        return app;
    }

    /// <summary>An admin API key from anywhere; without a key, only a loopback request in Development.</summary>
    private sealed class AdminOnly(bool development) : IDashboardAsyncAuthorizationFilter
    {
        public async Task<bool> AuthorizeAsync(DashboardContext context)
        {
            var http = context.GetHttpContext();
            var result = await http.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName);
            if (result.Succeeded && result.Principal.IsInRole(Roles.Admin))
            {
                return true;
            }

            var remote = http.Connection.RemoteIpAddress;
            return development && !result.Succeeded && remote is not null && System.Net.IPAddress.IsLoopback(remote)
                   && string.IsNullOrEmpty(http.Request.Headers[ApiKeyAuthenticationHandler.HeaderName]);
        }
    }
}
