using Portfolio.Api.Features.Health;
using Portfolio.Api.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddProblemDetails();
builder.Services.AddPortfolioDatabase(builder.Configuration);

var app = builder.Build();

if (await app.RunMigrateCommandAsync(args))
{
    return;
}

await app.MigrateOnStartIfEmbeddedAsync();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapHealth();

await app.RunAsync();

public partial class Program;
