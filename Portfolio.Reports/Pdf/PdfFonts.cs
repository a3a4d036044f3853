using SkiaSharp;

namespace Portfolio.Reports.Pdf;

/// <summary>
/// The typefaces the PDF is set in, loaded from font files (never looked up by family name, which finds nothing
/// with SkiaSharp's NoDependencies native build). DejaVu Sans by default.
/// </summary>
public sealed class PdfFonts : IDisposable
{
    public const string DefaultDirectory = "/usr/share/fonts/truetype/dejavu";
    public const string RegularFile = "DejaVuSans.ttf";
    public const string BoldFile = "DejaVuSans-Bold.ttf";

    private PdfFonts(SKTypeface regular, SKTypeface bold, string regularPath, string boldPath)
    {
        Regular = regular;
        Bold = bold;
        RegularPath = regularPath;
        BoldPath = boldPath;
    }

    public SKTypeface Regular { get; }

    public SKTypeface Bold { get; }

    public string RegularPath { get; }

    public string BoldPath { get; }

    /// <summary>Loads the fonts from <paramref name="directory"/> (default <see cref="DefaultDirectory"/>), or says what to install.</summary>
    public static PdfFonts Load(string? directory = null)
    {
        directory = string.IsNullOrWhiteSpace(directory) ? DefaultDirectory : directory;
        var regularPath = Path.Combine(directory, RegularFile);
        var boldPath = Path.Combine(directory, BoldFile);
        if (!File.Exists(regularPath) || !File.Exists(boldPath))
        {
            throw new ReportFontsMissingException(
                $"The PDF fonts {RegularFile} and {BoldFile} were not found in {directory}. Install them with " +
                "'apt-get install fonts-dejavu-core' (scripts/setup.sh does), or set Portfolio:Reports:FontDirectory to a folder that holds them.");
        }

        var regular = SKTypeface.FromFile(regularPath) ?? throw new ReportFontsMissingException($"{regularPath} is not a font SkiaSharp can read.");
        var bold = SKTypeface.FromFile(boldPath) ?? throw new ReportFontsMissingException($"{boldPath} is not a font SkiaSharp can read.");
        return new PdfFonts(regular, bold, regularPath, boldPath);
    }

    public void Dispose()
    {
        Regular.Dispose();
        Bold.Dispose();
    }
}

/// <summary>No usable font files: a PDF without text would be worse than no PDF.</summary>
public sealed class ReportFontsMissingException(string message) : Exception(message);
