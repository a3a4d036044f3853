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

    /// <summary>Words the issue found split when read back (kerned pairs, capitals, a reference with a hyphen).</summary>
    private static readonly string[] Words =
        ["Award", "date", "PROVISIONAL", "HO-VAWG-2025-017", "Home", "Office", "Community", "Wave", "AVAILABLE", "Tudor", "Trust", "Yorkshire", "£1,234,567.89", "-£5,621,680.96", "27.4%"];

    [TestCase(7.5f)]
    [TestCase(8f)]
    [TestCase(8.5f)]
    [TestCase(9.5f)]
    [TestCase(14f)]
    public void TextReadBack_IsWholeWords_AtEverySizeTheReportsUse(float size)
    {
        using var fonts = PdfFonts.Load().ForText("");
        using var layout = new PdfLayout(fonts);
        layout.Paragraph(string.Join(" ", Words), size);
        layout.Paragraph(string.Join(" ", Words), size, bold: true);
        layout.Table([new PdfColumn("Award date", 2), new PdfColumn("Home Office", 1, CellAlign.Right)], [["PROVISIONAL HO-VAWG-2025-017", "£1,234,567.89"]]);

        using var pdf = PdfDocument.Open(layout.Render("Title", "Author", "Domestic Abuse Partnership: HO-VAWG-2025-017", "The National Lottery Community Fund, Home Office, 2026/27 Q2", "Footer", stamp: "PROVISIONAL – period not ended"));

        var words = pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text).ToList();
        foreach (var word in Words)
        {
            words.Should().Contain(word, $"\"{word}\" at {size} pt is read back as one word");
        }

        words.Count(w => w == "PROVISIONAL").Should().BeGreaterThanOrEqualTo(4);

        // Stricter than PdfPig's own word finder, as poppler's pdftotext and screen readers are: inside a word each
        // letter starts where the one before it ends (hinted advances once left gaps that split "Aw ard").
        foreach (var page in pdf.GetPages())
        {
            var letters = page.Letters;
            var text = string.Concat(letters.Select(l => l.Value));
            foreach (var word in Words)
            {
                for (var at = text.IndexOf(word, StringComparison.Ordinal); at >= 0; at = text.IndexOf(word, at + 1, StringComparison.Ordinal))
                {
                    for (var i = at; i < at + word.Length - 1; i++)
                    {
                        var gap = letters[i + 1].StartBaseLine.X - letters[i].EndBaseLine.X;
                        Math.Abs(gap).Should().BeLessThan(0.01, $"\"{word}\" at {size} pt has a gap of {gap:0.000} pt after '{letters[i].Value}'");
                    }
                }
            }
        }
    }

    [Test]
    public void ALongHeaderAndFooter_AreWrittenWhole_OnThePage_NeverCutShort()
    {
        const string left = "The Northern Domestic Abuse Partnership of By-and-For Services: HO-VAWG-2025-017";
        const string right = "The Esmée Fairbairn Foundation and the Paul Hamlyn Foundation jointly, 1 July to 30 September 2026";
        const string footer = "The Northern Domestic Abuse Partnership of By-and-For Services. Registered charity 1234567 and company 07654321 in England and Wales. Amounts in pounds sterling.";
        using var fonts = PdfFonts.Load().ForText(left + right + footer);
        using var layout = new PdfLayout(fonts);
        layout.Paragraph("Body");

        var bytes = layout.Render("Title", "Author", left, right, footer);
        using var pdf = PdfDocument.Open(bytes);

        var page = pdf.GetPage(1);
        string Joined(Func<UglyToad.PdfPig.Content.Word, bool> where) => string.Join(" ", page.GetWords().Where(where).Select(w => w.Text));
        var aboveTheHeaderRule = Joined(w => w.BoundingBox.Bottom > PdfLayout.PageHeight - 42);
        var belowTheFooterRule = Joined(w => w.BoundingBox.Top < 44 && w.BoundingBox.Right < PdfLayout.PageWidth - PdfLayout.Margin - 60);
        aboveTheHeaderRule.Should().Contain(left).And.Contain(right, "the header is written whole, above its rule");
        belowTheFooterRule.Should().Be(footer, "the footer is written whole, below its rule");
        page.Text.Should().NotContain("…");
        page.Letters.Should().OnlyContain(
            l => l.BoundingBox.Left >= PdfLayout.Margin - 0.5 && l.BoundingBox.Right <= PdfLayout.PageWidth - PdfLayout.Margin + 0.5 && l.BoundingBox.Bottom >= 8,
            "nothing is drawn into the side margins or off the page");
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
        ((UglyToad.PdfPig.Tokens.StringToken)pdf.Structure.Catalog.CatalogDictionary.Data["Lang"]).Data.Should().Be("en-GB", "screen readers choose a voice by it");
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

public class PdfLayoutKeepTests
{
    [Test]
    public void AHeading_GoesToTheNextPage_WithATableThatDoesNotFitUnderIt()
    {
        using var fonts = PdfFonts.Load().ForText("");
        using var layout = new PdfLayout(fonts);
        while (layout.Remaining > 60)
        {
            layout.Paragraph("Filler line.");
        }

        // The heading itself fits (it asks for 30 points after it), but the table's header and first row do not.
        layout.Heading("Partners", 2, keepWithNext: 10);
        layout.Table([new PdfColumn("Partner name", 2), new PdfColumn("Agreed amount", 1, CellAlign.Right)], [["A very long partner name\nthat wraps onto\nthree lines", "£1,000.00"]]);

        using var pdf = PdfDocument.Open(layout.Render("t", "a", "h", "r", "f"));
        pdf.NumberOfPages.Should().Be(2);
        pdf.GetPage(1).Text.Should().NotContain("Partners", "a heading is never left alone at a page foot");
        pdf.GetPage(2).Text.Should().Contain("Partners").And.Contain("£1,000.00");
    }

    [Test]
    public void AFigureTooWideForItsShare_WidensItsColumn_OrSetsTheTableSmaller_NeverBreaksIt()
    {
        using var fonts = PdfFonts.Load().ForText("");
        using var layout = new PdfLayout(fonts);
        var columns = Enumerable.Range(0, 9).Select(i => new PdfColumn($"Figure {i}", 1, CellAlign.Right)).Prepend(new PdfColumn("Name", 1)).ToList();
        layout.Table(columns, [["Total", .. Enumerable.Repeat("-£53,337,440.08", 9)]]);

        using var pdf = PdfDocument.Open(layout.Render("t", "a", "h", "r", "f"));
        var words = pdf.GetPage(1).GetWords().Select(w => w.Text).Where(w => w.Contains('£', StringComparison.Ordinal)).ToList();
        words.Should().HaveCount(9).And.OnlyContain(w => w == "-£53,337,440.08");
    }
}
