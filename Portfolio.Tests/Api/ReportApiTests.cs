using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ClosedXML.Excel;
using Portfolio.Core.Data;
using Portfolio.Tests.Builders;
using Portfolio.Tests.Infrastructure;
using UglyToad.PdfPig;

namespace Portfolio.Tests.Api;

public class ReportApiTests(DatabaseEngine engine) : ApiTest(engine)
{
    [Test]
    public async Task BothFiles_SayWhatTheBurnEndpointSaysForThePeriodEnd()
    {
        var grant = await ReportScenario.CreateAsync(Database);
        var burn = await Viewer.GetFromJsonAsync<JsonObject>($"/api/grants/{grant.Id}/burn?asOf=2026-09-30");

        var xlsx = await Viewer.GetAsync($"/api/grants/{grant.Id}/reports/2026-07-01.xlsx");
        xlsx.StatusCode.Should().Be(HttpStatusCode.OK);
        xlsx.Content.Headers.ContentType!.MediaType.Should().Be("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        xlsx.Content.Headers.ContentDisposition!.FileNameStar.Should().Be($"{grant.Reference}-2026-27-Q2.xlsx");
        using var workbook = new XLWorkbook(new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()));
        var summary = workbook.Worksheet("Summary");
        decimal Figure(string label) => Math.Round(summary.RowsUsed().Single(r => r.Cell(1).GetString() == label).Cell(2).GetValue<decimal>(), 2);
        Figure("Budget to date").Should().Be(burn!["budgetToDate"]!.GetValue<decimal>());
        Figure("Actual to date").Should().Be(burn["actualToDate"]!.GetValue<decimal>());
        Figure("Variance (actual - budget to date)").Should().Be(burn["variance"]!.GetValue<decimal>());
        Figure("Forecast at completion").Should().Be(burn["forecastAtCompletion"]!.GetValue<decimal>());
        Figure("Award").Should().Be(burn["award"]!.GetValue<decimal>());

        var pdfResponse = await Viewer.GetAsync($"/api/grants/{grant.Id}/reports/2026-07-01.pdf");
        pdfResponse.StatusCode.Should().Be(HttpStatusCode.OK);
        pdfResponse.Content.Headers.ContentType!.MediaType.Should().Be("application/pdf");
        using var pdf = PdfDocument.Open(await pdfResponse.Content.ReadAsByteArrayAsync());
        var text = string.Join(" ", pdf.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
        foreach (var field in new[] { "budgetToDate", "actualToDate", "variance", "forecastAtCompletion", "award" })
        {
            text.Should().Contain(Portfolio.Core.Money.Money.Format((long)(burn[field]!.GetValue<decimal>() * 100)), field);
        }
    }

    [Test]
    public async Task UnknownGrants_AndDatesThatAreNotPeriodStarts_AreRefused()
    {
        var grant = await ReportScenario.CreateAsync(Database);
        ShouldBeProblem(await Viewer.GetAsync("/api/grants/999999/reports/2026-07-01.pdf"), 404);
        ShouldBeProblem(await Viewer.GetAsync($"/api/grants/{grant.Id}/reports/2026-07-02.xlsx"), 400, "periodStart");
        ShouldBeProblem(await Viewer.GetAsync($"/api/grants/{grant.Id}/reports/2026-13-01.pdf"), 400, "periodStart");
        ShouldBeProblem(await Viewer.GetAsync($"/api/grants/{grant.Id}/reports/2028-04-01.pdf"), 400, "periodStart");
        ShouldBeProblem(await Anonymous.GetAsync($"/api/grants/{grant.Id}/reports/2026-07-01.pdf"), 401);
    }
}
