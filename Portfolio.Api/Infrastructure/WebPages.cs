namespace Portfolio.Api.Infrastructure;

/// <summary>
/// The web app: Razor Pages beside their features (<c>Features/*/*.cshtml</c>), styled with GOV.UK Frontend (copied
/// into <c>wwwroot/vendor</c> by <c>scripts/vendor-frontend.sh</c>, without the GOV.UK crown or font). Every page
/// answers with a Content-Security-Policy that allows no inline script or style, and cannot be framed.
/// </summary>
public static class WebPages
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    public static IServiceCollection AddPortfolioPages(this IServiceCollection services)
    {
        services.AddRazorPages(options =>
        {
            options.RootDirectory = "/Features";

            // A record's form serves both "new" and "edit" (its page route is /{records}/{id}/edit).
            options.Conventions.AddPageRoute("/Grants/GrantForm", "grants/new");
            options.Conventions.AddPageRoute("/Funders/FunderForm", "funders/new");
            options.Conventions.AddPageRoute("/Partners/PartnerForm", "partners/new");
            options.Conventions.AddPageRoute("/ProgrammeAreas/AreaForm", "programme-areas/new");
            options.Conventions.AddPageRoute("/PartnerAgreements/AgreementForm", "partner-agreements/{id:long}/edit");
            options.Conventions.AddPageRoute("/Results/IndicatorForm", "grants/{grantId:long}/indicators/new");

            // The open-data downloads for people: /exports/360giving.xlsx and .json are the export page's download handler.
            options.Conventions.AddPageRoute("/OpenData/ExportsPage", "exports/360giving.{format:regex(^(json|xlsx)$)}");
        });

        // A grant that cannot be computed answers a page with a page saying so (the API keeps its 409 problem).
        services.Configure<Microsoft.AspNetCore.Mvc.MvcOptions>(options => options.Filters.Add<GrantDataPageFilter>());

        // The stylesheet and script compress from 185 KB to 27 KB. Only these: compressing pages over HTTPS would let
        // an attacker who can inject text guess secrets on them (BREACH), and pages carry anti-forgery tokens.
        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.MimeTypes = ["text/css", "text/javascript", "application/javascript"];
            options.Providers.Add<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProvider>();
            options.Providers.Add<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProvider>();
        });
        services.Configure<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Optimal);
        services.Configure<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Optimal);
        return services;
    }

    /// <summary>
    /// An error answered with no body: for people (every path but the API's) the status page saying what happened and
    /// what to do, keeping the status (403, 404); for programs the plain status-code text.
    /// </summary>
    public static WebApplication UsePortfolioStatusPages(this WebApplication app)
    {
        app.UseWhen(context => !AuthExtensions.IsForPrograms(context.Request.Path), pages => pages.UseStatusCodePagesWithReExecute("/status/{0}"));
        app.UseWhen(context => AuthExtensions.IsForPrograms(context.Request.Path), programs => programs.UseStatusCodePages());
        return app;
    }

    /// <summary>
    /// Pages only over HTTPS outside Development (their cookies are Secure): a plain-HTTP request for a page is
    /// redirected to HTTPS. Behind a proxy that ends TLS, list it in <c>Portfolio:RateLimit:TrustedProxies</c> so its
    /// <c>X-Forwarded-Proto</c> is believed. Then security headers on every page and asset, then the static assets
    /// (before authentication and rate limits).
    /// </summary>
    public static WebApplication UsePortfolioPages(this WebApplication app)
    {
        var development = app.Environment.IsDevelopment();
        app.Use(async (context, next) =>
        {
            if (!AuthExtensions.IsForPrograms(context.Request.Path))
            {
                if (!development && !context.Request.IsHttps)
                {
                    var request = context.Request;
                    context.Response.StatusCode = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
                        ? StatusCodes.Status308PermanentRedirect
                        : StatusCodes.Status400BadRequest;
                    context.Response.Headers.Location = $"https://{request.Host}{request.PathBase}{request.Path}{request.QueryString}";
                    return;
                }

                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "same-origin";
                headers.XFrameOptions = "DENY";
            }

            await next(context);
        });
        app.UseResponseCompression();
        app.UseStaticFiles();
        return app;
    }
}
