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

    /// <summary>Every word of a PDF, in page order, separated by spaces.</summary>
    public static string PdfText(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join(" ", document.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
    }
}
