using System.Collections.Concurrent;
using System.Text;
using SkiaSharp;

namespace Portfolio.Reports.Pdf;

/// <summary>
/// The fonts the PDF is set in: DejaVu Sans, shipped inside this assembly (so nothing needs installing), or the files
/// of the same names in <c>Portfolio:Reports:FontDirectory</c> when that is set. Each document gets typefaces cut down
/// to the characters it uses (<see cref="ForText"/>), so a PDF carries a few kilobytes of font, not 1.5 MB.
/// </summary>
public sealed class PdfFonts
{
    public const string RegularFile = "DejaVuSans.ttf";
    public const string BoldFile = "DejaVuSans-Bold.ttf";

    /// <summary>
    /// Always kept in a subset: printable ASCII (every fixed word and figure the reports print), £, the dashes and
    /// ellipsis the layout uses. The chart is set in this alphabet alone.
    /// </summary>
    public static readonly string BaseAlphabet =
        new string(Enumerable.Range(0x20, 0x5F).Select(c => (char)c).ToArray()) + "£–—…‘’“”•€×";

    private readonly byte[] _regular;
    private readonly byte[] _bold;
    private readonly ConcurrentDictionary<string, SKData> _subsets = new(StringComparer.Ordinal);

    private PdfFonts(byte[] regular, byte[] bold, string source)
    {
        _regular = regular;
        _bold = bold;
        Source = source;
        using var regularFace = SKTypeface.FromData(SKData.CreateCopy(regular));
        using var boldFace = SKTypeface.FromData(SKData.CreateCopy(bold));
        if (regularFace is null || boldFace is null)
        {
            throw new ReportFontsMissingException($"The PDF fonts in {source} are not fonts SkiaSharp can read.");
        }

        Chart = ForText("");
    }

    /// <summary>Where the fonts came from: "shipped" or a folder.</summary>
    public string Source { get; }

    /// <summary>The base-alphabet typefaces, shared by every chart.</summary>
    public PdfTypefaces Chart { get; }

    /// <summary>The shipped fonts, or those in <paramref name="directory"/> when it is set; says what is wrong when a file is missing.</summary>
    public static PdfFonts Load(string? directory = null)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            return new PdfFonts(Shipped(RegularFile), Shipped(BoldFile), "shipped");
        }

        var regularPath = Path.Combine(directory, RegularFile);
        var boldPath = Path.Combine(directory, BoldFile);
        if (!File.Exists(regularPath) || !File.Exists(boldPath))
        {
            throw new ReportFontsMissingException(
                $"Portfolio:Reports:FontDirectory is {directory}, which does not hold {RegularFile} and {BoldFile}. " +
                "Put DejaVu Sans there, or remove the setting to use the fonts shipped with Portfolio.");
        }

        return new PdfFonts(File.ReadAllBytes(regularPath), File.ReadAllBytes(boldPath), directory);
    }

    /// <summary>Typefaces holding the base alphabet and every character of <paramref name="text"/>.</summary>
    public PdfTypefaces ForText(string text)
    {
        var codepoints = new SortedSet<int>();
        foreach (var rune in (BaseAlphabet + text).EnumerateRunes())
        {
            if (!Rune.IsControl(rune))
            {
                codepoints.Add(rune.Value);
            }
        }

        return new PdfTypefaces(Typeface(_regular, "r", codepoints), Typeface(_bold, "b", codepoints));
    }

    private SKTypeface Typeface(byte[] font, string weight, SortedSet<int> codepoints)
    {
        // The same characters give the same subset; the few distinct sets of a busy day are kept.
        var key = weight + ":" + string.Join(",", codepoints);
        var data = _subsets.Count < 256
            ? _subsets.GetOrAdd(key, _ => SKData.CreateCopy(FontSubsetter.Subset(font, codepoints)))
            : SKData.CreateCopy(FontSubsetter.Subset(font, codepoints));
        return SKTypeface.FromData(data) ?? throw new ReportFontsMissingException("The font subset could not be read back.");
    }

    private static byte[] Shipped(string file)
    {
        using var stream = typeof(PdfFonts).Assembly.GetManifestResourceStream("fonts/" + file)
            ?? throw new ReportFontsMissingException($"The font {file} is missing from Portfolio.Reports.dll.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>A regular and a bold typeface for one document.</summary>
public sealed record PdfTypefaces(SKTypeface Regular, SKTypeface Bold) : IDisposable
{
    public void Dispose()
    {
        Regular.Dispose();
        Bold.Dispose();
    }
}

/// <summary>No usable font files: a PDF without text would be worse than no PDF.</summary>
public sealed class ReportFontsMissingException(string message) : Exception(message);
