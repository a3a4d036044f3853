using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Portfolio.Reports.Pdf;

/// <summary>
/// Names the language of a PDF (the catalog's <c>/Lang</c>, ISO 32000-1 §14.9.2), which screen readers use to
/// choose a voice. SkiaSharp's PDF metadata has a title but no language, and no PDF library served here edits an
/// existing file, so this appends an incremental update (§7.5.6): the catalog again with <c>/Lang</c>, a one-entry
/// cross-reference section and a trailer pointing back to Skia's. Nothing Skia wrote is changed.
/// </summary>
public static partial class PdfLanguage
{
    public static byte[] Set(byte[] pdf, string language)
    {
        var tail = Encoding.Latin1.GetString(pdf, Math.Max(0, pdf.Length - 2048), Math.Min(2048, pdf.Length));
        var trailer = Trailer().Match(tail);
        var startXref = StartXref().Match(tail);
        if (!trailer.Success || !startXref.Success)
        {
            throw new InvalidOperationException("The PDF has no classic trailer to update.");
        }

        var root = int.Parse(trailer.Groups["root"].Value, CultureInfo.InvariantCulture);
        var whole = Encoding.Latin1.GetString(pdf);
        var catalog = new Regex($@"(?<![0-9]){root} 0 obj\s*<<(?<body>.*?)>>\s*endobj", RegexOptions.Singleline).Match(whole);
        if (!catalog.Success || !catalog.Groups["body"].Value.Contains("/Catalog", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The PDF's catalog could not be found.");
        }

        var body = LangEntry().Replace(catalog.Groups["body"].Value, "");
        var update = new StringBuilder("\n");
        var objectOffset = pdf.Length + update.Length;
        update.Append(CultureInfo.InvariantCulture, $"{root} 0 obj\n<<{body}\n/Lang ({language})>>\nendobj\n");
        var xrefOffset = pdf.Length + update.Length;
        update.Append(CultureInfo.InvariantCulture, $"xref\n{root} 1\n{objectOffset:D10} 00000 n \n");
        update.Append(CultureInfo.InvariantCulture, $"trailer\n<<{trailer.Groups["dict"].Value}\n/Prev {startXref.Groups["offset"].Value}>>\nstartxref\n{xrefOffset}\n%%EOF\n");
        return [.. pdf, .. Encoding.Latin1.GetBytes(update.ToString())];
    }

    [GeneratedRegex(@"trailer\s*<<(?<dict>(?:(?!>>).)*?/Root (?<root>\d+) 0 R(?:(?!>>).)*)>>", RegexOptions.Singleline | RegexOptions.RightToLeft)]
    private static partial Regex Trailer();

    [GeneratedRegex(@"startxref\s+(?<offset>\d+)\s+%%EOF\s*$", RegexOptions.Singleline)]
    private static partial Regex StartXref();

    [GeneratedRegex(@"/Lang\s*\([^)]*\)")]
    private static partial Regex LangEntry();
}
