using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ExcelDataReader;
using Sylvan.Data.Csv;

namespace Portfolio.Core.Imports;

/// <summary>Why an uploaded file cannot be read at all: not a CSV or XLSX, empty, or a header no format knows.</summary>
public sealed class ImportFileException(string message) : Exception(message);

public enum ExportFileKind
{
    Csv,
    Xlsx,
}

/// <summary>One row of an export as text, numbered as a spreadsheet numbers it (the first row is 1).</summary>
public sealed record ExportRow(int Line, IReadOnlyList<string> Cells)
{
    public string Cell(int index) => index >= 0 && index < Cells.Count ? Cells[index].Trim() : "";

    public bool IsBlank => Cells.All(string.IsNullOrWhiteSpace);
}

/// <summary>
/// Reads an uploaded export row by row without holding it in memory: CSV with Sylvan.Data.Csv (UTF-8 with or
/// without a byte-order mark, or Windows-1252 when the bytes are not UTF-8), XLSX with ExcelDataReader (the first
/// sheet; Excel dates become <c>yyyy-MM-dd</c> and numbers their invariant text, so one reader of values serves both).
/// Cells are kept exactly as written: a cell that looks like a formula stays text.
/// </summary>
public static class ExportFile
{
    static ExportFile() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static readonly byte[] ZipMagic = [0x50, 0x4B, 0x03, 0x04];

    private static readonly System.Buffers.SearchValues<byte> Whitespace = System.Buffers.SearchValues.Create(" \r\n\t"u8);

    /// <summary>CSV or XLSX from the file's first bytes (never its name); refuses empty and binary files.</summary>
    public static ExportFileKind Sniff(string path)
    {
        using var stream = File.OpenRead(path);
        var head = new byte[4096];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (read == 0 || head.AsSpan(0, read).IndexOfAnyExcept(Whitespace) < 0)
        {
            throw new ImportFileException("The file is empty.");
        }

        if (read >= 4 && head.AsSpan(0, 4).SequenceEqual(ZipMagic))
        {
            return ExportFileKind.Xlsx;
        }

        if (head.AsSpan(0, read).Contains((byte)0))
        {
            throw new ImportFileException("The file is neither a CSV nor an XLSX workbook. Export the report as CSV or Excel (.xlsx) and upload that.");
        }

        return ExportFileKind.Csv;
    }

    /// <summary>The encoding of a CSV: UTF-8 when it has the mark or every byte sequence is valid UTF-8, else Windows-1252.</summary>
    public static Encoding EncodingOf(string path)
    {
        using var stream = File.OpenRead(path);
        var encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var strict = encoding.GetDecoder();
        var buffer = new byte[64 * 1024];
        var chars = new char[encoding.GetMaxCharCount(buffer.Length) + 4];
        int read;
        try
        {
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                strict.GetChars(buffer, 0, read, chars, 0, flush: false);
            }

            strict.GetChars([], 0, 0, chars, 0, flush: true);
            return Encoding.UTF8;
        }
        catch (DecoderFallbackException)
        {
            return Encoding.GetEncoding(1252);
        }
    }

    public static async Task<(string Sha256, long Bytes)> HashAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken);
        return (Convert.ToHexStringLower(hash), stream.Length);
    }

    /// <summary>The rows, streamed.</summary>
    public static IEnumerable<ExportRow> ReadRows(string path, ExportFileKind kind) =>
        kind == ExportFileKind.Xlsx ? ReadXlsx(path) : ReadCsv(path);

    private static IEnumerable<ExportRow> ReadCsv(string path)
    {
        using var text = new StreamReader(path, EncodingOf(path), detectEncodingFromByteOrderMarks: true);
        using var csv = CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = false, Delimiter = ',', BufferSize = 1 << 16 });
        var line = 0;
        while (csv.Read())
        {
            line++;
            var cells = new string[csv.RowFieldCount];
            for (var i = 0; i < cells.Length; i++)
            {
                cells[i] = csv.GetString(i);
            }

            yield return new ExportRow(line, cells);
        }
    }

    private static IEnumerable<ExportRow> ReadXlsx(string path)
    {
        using var stream = File.OpenRead(path);
        IExcelDataReader reader;
        try
        {
            reader = ExcelReaderFactory.CreateOpenXmlReader(stream);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ImportFileException($"The file looks like a workbook but could not be read as .xlsx ({ex.Message}). Save it again from Excel as .xlsx, or export CSV.");
        }

        using (reader)
        {
            var line = 0;
            while (reader.Read())
            {
                line++;
                var cells = new string[reader.FieldCount];
                for (var i = 0; i < cells.Length; i++)
                {
                    cells[i] = reader.GetValue(i) switch
                    {
                        null => "",
                        DateTime d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        double n => ((decimal)n).ToString(CultureInfo.InvariantCulture),
                        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                        var other => other.ToString() ?? "",
                    };
                }

                yield return new ExportRow(line, cells);
            }
        }
    }
}
