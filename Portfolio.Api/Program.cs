using Portfolio.Api.Features.ApiKeys;
using Portfolio.Api.Features.Audit;
using Portfolio.Api.Features.Budgets;
using Portfolio.Api.Features.Burn;
using Portfolio.Api.Features.CostCategories;
using Portfolio.Api.Features.DeliveryAreas;
using Portfolio.Api.Features.PartnerReturns;
using Portfolio.Api.Features.Funders;
using Portfolio.Api.Features.Grants;
using Portfolio.Api.Features.Health;
using Portfolio.Api.Features.Imports;
using Portfolio.Api.Features.OpenData;
using Portfolio.Api.Features.PartnerAgreements;
using Portfolio.Api.Features.Partners;
using Portfolio.Api.Features.Payments;
using Portfolio.Api.Features.Periods;
using Portfolio.Api.Features.ProgrammeAreas;
using Portfolio.Api.Features.ReportRuns;
using Portfolio.Api.Features.Reports;
using Portfolio.Api.Features.Results;
using Portfolio.Api.Features.Transactions;
using Portfolio.Api.Features.Users;
using Portfolio.Api.Features.VarianceNotes;
using Portfolio.Api.Infrastructure;
using Portfolio.Jobs.Hosting;

var builder = WebApplication.CreateBuilder(args);
SettingsCheck.ThrowIfAnyInvalid(builder.Configuration);

builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
builder.Services.AddExceptionHandler<GrantDataProblemHandler>();
builder.Services.AddPortfolioJson();
builder.Services.AddPortfolioDatabase(builder.Configuration);
builder.Services.AddPortfolioAuth(builder.Configuration, builder.Environment.IsDevelopment());
builder.Services.AddPortfolioPages();
builder.Services.AddPortfolioDataProtection();
builder.Services.AddHostedService<DemoSeeding>();
builder.Services.AddPortfolioOpenApi();
builder.Services.AddPortfolioReports(builder.Configuration);
builder.Services.AddPortfolioBurn(builder.Configuration);
builder.Services.AddPortfolioUsers(builder.Configuration);
builder.Services.AddPortfolioJobsForApi(builder.Configuration);
builder.AddPortfolioLimits();

var app = builder.Build();

if (await app.RunMigrateCommandAsync(args))
{
    return;
}

await app.MigrateOnStartIfEmbeddedAsync();

app.UseExceptionHandler();
app.UsePortfolioPages();
app.UsePortfolioStatusPages();

// Routing after the status pages, so a page's 403 or 404 re-executed as /status/{code} is routed to that page.
app.UseRouting();
app.UsePortfolioLimits();
app.UseAuthentication();
app.UsePortfolioRateLimits();
app.UseAuthorization();
app.UseQueryParameterCheck();

app.MapHealth();
app.MapPortfolioOpenApi();
app.MapFunders();
app.MapProgrammeAreas();
app.MapPartners();
app.MapGrants();
app.MapBudgets();
app.MapTransactions();
app.MapPayments();
app.MapPartnerAgreements();
app.MapAudit();
app.MapCostCategories();
app.MapDeliveryAreas();
app.MapPartnerReturns();
app.MapApiKeys();
app.MapUsers();
app.MapBurn();
app.MapVarianceNotes();
app.MapResults();
app.MapOpenData();
app.MapReports();
app.MapReportRuns();
app.MapPeriods();
app.MapImports();
app.MapJobsDashboard();
app.MapRazorPages();

await app.RunAsync();

public partial class Program;
