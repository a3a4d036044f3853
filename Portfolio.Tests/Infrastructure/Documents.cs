using System.Text.RegularExpressions;
using UglyToad.PdfPig;

namespace Portfolio.Tests.Infrastructure;

/// <summary>Reading what the app answers as a person would: a form's anti-forgery token, a PDF's words.</summary>
public static partial class Documents
{
    [GeneratedRegex("""name="__RequestVerificationToken"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="__RequestVerificationToken" """)]
    private static partial Regex AntiforgeryField();

    /// <summary>The anti-forgery token of the (first) form in <paramref name="html"/>; fails the test when there is none.</summary>
    public static string AntiforgeryToken(string html)
    {
        var match = AntiforgeryField().Match(html);
        match.Success.Should().BeTrue("every form carries an anti-forgery token");
        return match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
    }

    /// <summary>
    /// Every word of a PDF, in page order, separated by spaces, read as strictly as poppler's pdftotext or a screen
    /// reader: a word ends at a space, at a gap or overlap of more than a tenth of a point between letters, or where
    /// the line changes. So a word set with gaps inside it ("Aw ard") or drawn twice over is not found whole.
    /// </summary>
    public static string PdfText(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join(" ", document.GetPages().Select(p => string.Join(" ", StrictWords(p))));
    }

    private static IEnumerable<string> StrictWords(UglyToad.PdfPig.Content.Page page)
    {
        var word = new System.Text.StringBuilder();
        UglyToad.PdfPig.Content.Letter? previous = null;
        foreach (var letter in page.Letters)
        {
            if (string.IsNullOrWhiteSpace(letter.Value))
            {
                if (word.Length > 0)
                {
                    yield return word.ToString();
                    word.Clear();
                }

                previous = null;
                continue;
            }

            if (previous is not null && word.Length > 0
                && (Math.Abs(letter.StartBaseLine.Y - previous.StartBaseLine.Y) > 0.5 || Math.Abs(letter.StartBaseLine.X - previous.EndBaseLine.X) > 0.1))
            {
                yield return word.ToString();
                word.Clear();
            }

            word.Append(letter.Value);
            previous = letter;
        }

        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }
}
