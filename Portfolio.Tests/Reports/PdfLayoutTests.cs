using Portfolio.Reports.Pdf;
using SkiaSharp;
using UglyToad.PdfPig;

namespace Portfolio.Tests.Reports;

public class PdfLayoutTests
{
    [Test]
    public void Wrap_NeverExceedsTheWidth_AndKeepsEveryCharacter()
    {
        using var fonts = PdfFonts.Load().ForText("");
        using var layout = new PdfLayout(fonts);
        using var font = new SKFont(fonts.Regular, 10);
        var text = "Funding for specialist by-and-for services supporting survivors, including a verylongunbrokenwordthatcannotfitonasinglelineatall £1,234.56";

        var lines = layout.Wrap(text, fonts.Regular, 10, 120);

        lines.Should().HaveCountGreaterThan(3);
        lines.Should().OnlyContain(l => font.MeasureText(l) <= 120);
        string.Concat(lines).Replace(" ", "", StringComparison.Ordinal).Should().Be(text.Replace(" ", "", StringComparison.Ordinal));
    }

    [Test]
    public void ATableLongerThanAPage_RepeatsItsHeader_AndEveryPageSaysPageNOfM()
    {
        using var fonts = PdfFonts.Load().ForText("");
        using var layout = new PdfLayout(fonts);
        layout.Heading("Table test");
        var rows = Enumerable.Range(1, 150).Select(i => (IReadOnlyList<string>)[$"Row {i}", $"£{i},000.00"]).ToList();
        layout.Table([new PdfColumn("Name header", 2), new PdfColumn("Amount header", 1, CellAlign.Right)], rows);

        using var pdf = PdfDocument.Open(layout.Render("Title", "Author", "Left header", "Right header", "Footer"));

        pdf.NumberOfPages.Should().BeGreaterThan(2);
        foreach (var page in pdf.GetPages())
        {
            // The amount column is as wide as its widest figure, so its header wraps onto two lines.
            page.Text.Should().Contain("Name header").And.Contain("Amount").And.Contain($"Page {page.Number} of {pdf.NumberOfPages}").And.Contain("Left header");
        }

        var allText = string.Join(" ", pdf.GetPages().Select(p => p.Text));
        allText.Should().Contain("Row 1£1,000.00").And.Contain("Row 150£150,000.00");
        pdf.Information.Title.Should().Be("Title");
        pdf.Information.Author.Should().Be("Author");
    }

    [Test]
    public void AHeading_MovesToTheNextPage_WhenWhatMustFollowItDoesNotFit()
    {
        using var fonts = PdfFonts.Load().ForText("");
        using var layout = new PdfLayout(fonts);
        while (layout.Remaining > 150)
        {
            layout.Paragraph("Filler line.");
        }

        layout.Heading("Chart heading", 2, keepWithNext: 200);
        layout.Drawing(200, (canvas, rect) => canvas.DrawRect(rect, new SKPaint { Color = SKColors.Gray }));

        using var pdf = PdfDocument.Open(layout.Render("t", "a", "h", "r", "f"));
        pdf.NumberOfPages.Should().Be(2);
        pdf.GetPage(1).Text.Should().NotContain("Chart heading");
        pdf.GetPage(2).Text.Should().Contain("Chart heading");
    }
}
