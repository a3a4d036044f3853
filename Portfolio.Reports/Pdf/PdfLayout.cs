using SkiaSharp;

namespace Portfolio.Reports.Pdf;

public enum CellAlign
{
    Left,
    Right,
}

/// <summary>A table column: its header, its share of the content width, and how its cells align.</summary>
public sealed record PdfColumn(string Header, float Width, CellAlign Align = CellAlign.Left);

/// <summary>A figure in a block of key figures.</summary>
public sealed record KeyFigure(string Label, string Value);

/// <summary>
/// A small flow-layout kit for A4 portrait PDFs on SkiaSharp: wrapped text, headings kept with what follows them,
/// key-figure blocks, tables that break across pages, repeat their header row and never break a figure, charts, and a
/// page header, stamp and footer with "Page N of M". Content is laid out into pages first and drawn at the end, so
/// the page count is known when footers are drawn. It knows nothing of any particular report.
/// </summary>
public sealed class PdfLayout(PdfTypefaces fonts) : IDisposable
{
    public const float PageWidth = 595.28f;
    public const float PageHeight = 841.89f;
    public const float Margin = 42f;
    public const float Top = 64f;
    public const float Bottom = PageHeight - 56f;
    public const float ContentWidth = PageWidth - 2 * Margin;

    private static readonly SKColor Ink = new(0x22, 0x22, 0x22);
    private static readonly SKColor Muted = new(0x66, 0x66, 0x66);
    private static readonly SKColor Rule = new(0xCC, 0xCC, 0xCC);
    private static readonly SKColor HeaderFill = new(0xEE, 0xF0, 0xF4);

    private readonly List<List<Action<SKCanvas>>> _pages = [[]];
    private readonly Dictionary<(SKTypeface, float), SKFont> _fonts = [];
    private readonly Dictionary<(SKColor, float), SKPaint> _paints = [];
    private float _y = Top;

    // Where the last heading began, until content follows it: if that content needs a new page, the heading moves too.
    private (int Page, int Draws, float Y)? _heading;

    public int PageCount => _pages.Count;

    /// <summary>Space left on the current page.</summary>
    public float Remaining => Bottom - _y;

    /// <summary>
    /// A heading. It stays with what follows: it starts a new page unless <paramref name="keepWithNext"/> points fit
    /// under it, and if the first thing after it still goes to a new page, the heading goes with it.
    /// </summary>
    public void Heading(string text, int level = 1, float keepWithNext = 30f)
    {
        var size = level == 1 ? 16f : 12.5f;
        var lines = Wrap(text, fonts.Bold, size, ContentWidth);
        var height = lines.Count * size * 1.3f + 6;

        Ensure(height + keepWithNext);
        _heading = (_pages.Count - 1, _pages[^1].Count, _y);
        _y += level == 1 ? 4 : 8;
        foreach (var line in lines)
        {
            var y = _y + size;
            Draw(c => c.DrawText(line, Margin, y, SKTextAlign.Left, Font(fonts.Bold, size), Paint(Ink)));
            _y += size * 1.3f;
        }

        _y += 6;
    }

    public void Paragraph(string text, float size = 9.5f, bool bold = false, SKColor? colour = null)
    {
        var typeface = bold ? fonts.Bold : fonts.Regular;
        foreach (var line in Wrap(text, typeface, size, ContentWidth))
        {
            Ensure(size * 1.4f);
            var y = _y + size;
            Draw(c => c.DrawText(line, Margin, y, SKTextAlign.Left, Font(typeface, size), Paint(colour ?? Ink)));
            _y += size * 1.4f;
        }

        _y += 4;
    }

    public void Spacer(float height) => _y = Math.Min(_y + height, Bottom);

    /// <summary>Figures in boxes, <paramref name="columns"/> to a row: a small label over a bold value.</summary>
    public void KeyFigures(IReadOnlyList<KeyFigure> figures, int columns = 3)
    {
        const float boxHeight = 40f;
        const float gap = 6f;
        var boxWidth = (ContentWidth - gap * (columns - 1)) / columns;
        for (var i = 0; i < figures.Count; i += columns)
        {
            Ensure(boxHeight + gap);
            var top = _y;
            foreach (var (figure, index) in figures.Skip(i).Take(columns).Select((f, n) => (f, n)))
            {
                var left = Margin + index * (boxWidth + gap);
                Draw(c =>
                {
                    c.DrawRoundRect(new SKRoundRect(new SKRect(left, top, left + boxWidth, top + boxHeight), 4), Paint(HeaderFill));
                    c.DrawText(Fit(figure.Label, fonts.Regular, 7.5f, boxWidth - 12), left + 6, top + 13, SKTextAlign.Left, Font(fonts.Regular, 7.5f), Paint(Muted));
                    var valueSize = 12f;
                    while (valueSize > 6f && Font(fonts.Bold, valueSize).MeasureText(figure.Value) > boxWidth - 12)
                    {
                        valueSize -= 0.5f; // a figure is set smaller, never cut short
                    }

                    c.DrawText(figure.Value, left + 6, top + 31, SKTextAlign.Left, Font(fonts.Bold, valueSize), Paint(Ink));
                });
            }

            _y += boxHeight + gap;
        }

        _y += 4;
    }

    /// <summary>A coloured badge with a short label, such as a RAG status.</summary>
    public void Badge(string label, string text, SKColor fill)
    {
        const float height = 24f;
        Ensure(height + 6);
        var top = _y;
        var labelWidth = Font(fonts.Regular, 9.5f).MeasureText(label) + 8;
        var badgeWidth = Font(fonts.Bold, 11f).MeasureText(text) + 24;
        Draw(c =>
        {
            c.DrawText(label, Margin, top + 16, SKTextAlign.Left, Font(fonts.Regular, 9.5f), Paint(Ink));
            c.DrawRoundRect(new SKRoundRect(new SKRect(Margin + labelWidth, top, Margin + labelWidth + badgeWidth, top + height), 12), Paint(fill));
            c.DrawText(text, Margin + labelWidth + badgeWidth / 2, top + 16.5f, SKTextAlign.Center, Font(fonts.Bold, 11f), Paint(SKColors.White));
        });
        _y += height + 8;
    }

    /// <summary>
    /// A table across the content width. Right-aligned columns (figures) never wrap: each is as wide as its widest
    /// value, and when they leave too little room for the text columns the whole table is set smaller. Text cells wrap;
    /// a row never splits across pages; on each new page the header row is drawn again. Rows in
    /// <paramref name="boldRows"/> (by index) are set in bold.
    /// </summary>
    public void Table(IReadOnlyList<PdfColumn> columns, IReadOnlyList<IReadOnlyList<string>> rows, ISet<int>? boldRows = null, float size = 8f)
    {
        const float padding = 3f;
        var widths = ColumnWidths(columns, rows, size, padding);
        while (widths is null && size > MinimumTableSize)
        {
            size -= 0.5f;
            widths = ColumnWidths(columns, rows, size, padding);
        }

        if (widths is null)
        {
            // Still too wide at the smallest usual size: scale down until it fits. Small, but whole and not overlapping.
            var needed = ColumnWidths(columns, rows, size, padding, force: true)!.Sum();
            while (widths is null && size > 1f)
            {
                size = MathF.Floor(size * ContentWidth / needed * 4f) / 4f;
                widths = ColumnWidths(columns, rows, size, padding);
                needed = ColumnWidths(columns, rows, size, padding, force: true)!.Sum();
            }

            widths ??= ColumnWidths(columns, rows, size, padding, force: true)!;
        }
        var lineHeight = size * 1.35f;

        float RowHeight(IReadOnlyList<IReadOnlyList<string>> cellLines) => cellLines.Max(l => Math.Max(1, l.Count)) * lineHeight + 2 * padding;

        IReadOnlyList<string> Cell(string text, int column, SKTypeface typeface) =>
            columns[column].Align == CellAlign.Right ? [text] : Wrap(text, typeface, size, widths[column] - 2 * padding);

        var headerLines = columns.Select((c, i) => Wrap(c.Header, fonts.Bold, size, widths[i] - 2 * padding)).ToList();
        var headerHeight = RowHeight(headerLines);

        void DrawRow(IReadOnlyList<IReadOnlyList<string>> cellLines, float height, SKTypeface typeface, SKColor? fill)
        {
            var top = _y;
            var rowSize = size;
            Draw(c =>
            {
                if (fill is { } background)
                {
                    c.DrawRect(new SKRect(Margin, top, Margin + ContentWidth, top + height), Paint(background));
                }

                var x = Margin;
                for (var i = 0; i < columns.Count; i++)
                {
                    var lineY = top + padding + rowSize;
                    foreach (var line in cellLines[i])
                    {
                        var right = columns[i].Align == CellAlign.Right;
                        c.DrawText(line, right ? x + widths[i] - padding : x + padding, lineY, right ? SKTextAlign.Right : SKTextAlign.Left, Font(typeface, rowSize), Paint(Ink));
                        lineY += lineHeight;
                    }

                    x += widths[i];
                }

                c.DrawLine(Margin, top + height, Margin + ContentWidth, top + height, Stroke(Rule, 0.5f));
            });
            _y += height;
        }

        Ensure(headerHeight + lineHeight + 2 * padding);
        DrawRow(headerLines, headerHeight, fonts.Bold, HeaderFill);
        for (var r = 0; r < rows.Count; r++)
        {
            var bold = boldRows?.Contains(r) == true;
            var typeface = bold ? fonts.Bold : fonts.Regular;
            var cellLines = rows[r].Select((text, i) => Cell(text, i, typeface)).ToList();
            var height = RowHeight(cellLines);
            if (height > Remaining)
            {
                NewPage();
                DrawRow(headerLines, headerHeight, fonts.Bold, HeaderFill);
            }

            DrawRow(cellLines, height, typeface, null);
        }

        _y += 10;
    }

    /// <summary>The smallest size a table is set in to keep its figures whole.</summary>
    public const float MinimumTableSize = 5.5f;

    /// <summary>
    /// Column widths at <paramref name="size"/>: right-aligned columns as wide as their widest cell (in bold, which
    /// is wider) or the longest word of their header; the rest shared by the text columns in proportion to their
    /// <see cref="PdfColumn.Width"/>, each at least as wide as the longest word of its header. Null when that does not fit.
    /// </summary>
    private float[]? ColumnWidths(IReadOnlyList<PdfColumn> columns, IReadOnlyList<IReadOnlyList<string>> rows, float size, float padding, bool force = false)
    {
        var bold = Font(fonts.Bold, size);
        float LongestWord(string header) => header.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => bold.MeasureText(w)).DefaultIfEmpty(0).Max() + 2 * padding + 1;

        var widths = new float[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            widths[i] = columns[i].Align == CellAlign.Right
                ? Math.Max(LongestWord(columns[i].Header), rows.Select(r => bold.MeasureText(r[i])).DefaultIfEmpty(0).Max() + 2 * padding + 2)
                : Math.Max(LongestWord(columns[i].Header), 24f);
        }

        var textColumns = Enumerable.Range(0, columns.Count).Where(i => columns[i].Align != CellAlign.Right).ToList();
        var spare = ContentWidth - widths.Sum();
        if (spare < 0 && !force)
        {
            return null;
        }

        // Share what is left: among the text columns by their weights, or among all columns when there are none.
        var sharing = textColumns.Count > 0 ? textColumns : Enumerable.Range(0, columns.Count).ToList();
        var weights = sharing.Sum(i => columns[i].Width);
        foreach (var i in sharing)
        {
            widths[i] += Math.Max(0, spare) * columns[i].Width / weights;
        }

        return widths;
    }

    /// <summary>A drawing of <paramref name="height"/> points across the content width (a chart).</summary>
    public void Drawing(float height, Action<SKCanvas, SKRect> draw)
    {
        Ensure(height);
        var rect = new SKRect(Margin, _y, Margin + ContentWidth, _y + height);
        Draw(c => draw(c, rect));
        _y += height + 8;
    }

    public void NewPage()
    {
        _pages.Add([]);
        _y = Top;
    }

    /// <summary>The language every Portfolio PDF is written in, as its catalog names it for screen readers.</summary>
    public const string Language = "en-GB";

    /// <summary>Draws every page with its header and a "Page N of M" footer and returns the PDF.</summary>
    /// <param name="stamp">A line printed under the header of every page (a report's status), in <paramref name="stampColour"/>.</param>
    public byte[] Render(string title, string author, string headerLeft, string headerRight, string footerLeft, string? stamp = null, SKColor? stampColour = null)
    {
        using var stream = new MemoryStream();
        var metadata = new SKDocumentPdfMetadata
        {
            Title = title,
            Author = author,
            Creator = "Portfolio",
            Producer = "Portfolio (SkiaSharp)",
            RasterDpi = 144,
        };
        using (var document = SKDocument.CreatePdf(stream, metadata))
        {
            for (var p = 0; p < _pages.Count; p++)
            {
                var canvas = document.BeginPage(PageWidth, PageHeight);
                DrawHeader(canvas, headerLeft, headerRight);
                canvas.DrawLine(Margin, 42, PageWidth - Margin, 42, Stroke(Rule, 0.75f));
                if (!string.IsNullOrEmpty(stamp))
                {
                    canvas.DrawText(Fit(stamp, fonts.Bold, 8.5f, ContentWidth), PageWidth - Margin, 55, SKTextAlign.Right, Font(fonts.Bold, 8.5f), Paint(stampColour ?? Ink));
                }

                foreach (var draw in _pages[p])
                {
                    draw(canvas);
                }

                canvas.DrawLine(Margin, PageHeight - 44, PageWidth - Margin, PageHeight - 44, Stroke(Rule, 0.75f));
                var pageLabel = $"Page {p + 1} of {_pages.Count}";
                var footerFont = Font(fonts.Regular, 8f);
                var footerY = PageHeight - 30;
                foreach (var line in Wrap(footerLeft, fonts.Regular, 8f, ContentWidth - footerFont.MeasureText(pageLabel) - 18f))
                {
                    // Wrapped, never cut: a long organisation name and registration take a second line below the first.
                    canvas.DrawText(line, Margin, footerY, SKTextAlign.Left, footerFont, Paint(Muted));
                    footerY += 9.5f;
                }

                canvas.DrawText(pageLabel, PageWidth - Margin, PageHeight - 30, SKTextAlign.Right, footerFont, Paint(Muted));
                document.EndPage();
            }

            document.Close();
        }

        return PdfLanguage.Set(stream.ToArray(), Language);
    }

    /// <summary>
    /// The page header, never cut short: the two texts side by side when they fit with a gap between them,
    /// otherwise the left one above the right one, each wrapped to the page width (at most two lines each).
    /// </summary>
    private void DrawHeader(SKCanvas canvas, string left, string right)
    {
        const float size = 8.5f, baseline = 34f, leading = 10f, gap = 18f;
        var bold = Font(fonts.Bold, size);
        var regular = Font(fonts.Regular, size);
        if (bold.MeasureText(left) + gap + regular.MeasureText(right) <= ContentWidth)
        {
            canvas.DrawText(left, Margin, baseline, SKTextAlign.Left, bold, Paint(Muted));
            canvas.DrawText(right, PageWidth - Margin, baseline, SKTextAlign.Right, regular, Paint(Muted));
            return;
        }

        var rightLines = Wrap(right, fonts.Regular, size, ContentWidth);
        var leftLines = Wrap(left, fonts.Bold, size, ContentWidth);
        var lines = leftLines.Select(l => (Text: l, Font: bold, Align: SKTextAlign.Left, X: Margin))
            .Concat(rightLines.Select(l => (Text: l, Font: regular, Align: SKTextAlign.Right, X: PageWidth - Margin)))
            .ToList();
        // The last line sits on the usual baseline, above the rule; the others stack upwards into the margin.
        var y = baseline - (lines.Count - 1) * leading;
        foreach (var line in lines)
        {
            canvas.DrawText(line.Text, line.X, y, line.Align, line.Font, Paint(Muted));
            y += leading;
        }
    }

    /// <summary>Breaks text into lines no wider than <paramref name="width"/>; words longer than a line are split.</summary>
    public List<string> Wrap(string text, SKTypeface typeface, float size, float width)
    {
        var font = Font(typeface, size);
        var lines = new List<string>();
        foreach (var paragraph in (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = "";
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (font.MeasureText(candidate) <= width)
                {
                    line = candidate;
                    continue;
                }

                if (line.Length > 0)
                {
                    lines.Add(line);
                }

                line = word;
                while (font.MeasureText(line) > width && line.Length > 1)
                {
                    var fits = 1;
                    while (fits < line.Length && font.MeasureText(line[..(fits + 1)]) <= width)
                    {
                        fits++;
                    }

                    lines.Add(line[..fits]);
                    line = line[fits..];
                }
            }

            lines.Add(line);
        }

        return lines;
    }

    private string Fit(string text, SKTypeface typeface, float size, float width)
    {
        var font = Font(typeface, size);
        if (font.MeasureText(text) <= width)
        {
            return text;
        }

        var cut = text;
        while (cut.Length > 1 && font.MeasureText(cut + "…") > width)
        {
            cut = cut[..^1];
        }

        return cut + "…";
    }

    private void Ensure(float height)
    {
        if (height > Remaining && _y > Top)
        {
            if (_heading is { } heading && heading.Page == _pages.Count - 1 && heading.Y > Top)
            {
                // Take the heading (and anything after it on this page) to the new page with the content.
                var moved = _pages[^1].GetRange(heading.Draws, _pages[^1].Count - heading.Draws);
                _pages[^1].RemoveRange(heading.Draws, moved.Count);
                var shift = Top - heading.Y;
                var used = _y - heading.Y;
                NewPage();
                foreach (var draw in moved)
                {
                    Draw(c =>
                    {
                        c.Save();
                        c.Translate(0, shift);
                        draw(c);
                        c.Restore();
                    });
                }

                _y = Top + used;
            }
            else
            {
                NewPage();
            }
        }

        _heading = null;
    }

    private void Draw(Action<SKCanvas> draw) => _pages[^1].Add(draw);

    public void Dispose()
    {
        foreach (var font in _fonts.Values)
        {
            font.Dispose();
        }

        foreach (var paint in _paints.Values)
        {
            paint.Dispose();
        }
    }

    private SKFont Font(SKTypeface typeface, float size)
    {
        if (!_fonts.TryGetValue((typeface, size), out var font))
        {
            _fonts[(typeface, size)] = font = new SKFont(typeface, size) { Subpixel = true, Edging = SKFontEdging.Antialias, Hinting = SKFontHinting.None, LinearMetrics = true };
        }

        return font;
    }

    private SKPaint Paint(SKColor colour) => PaintFor(colour, 0);

    private SKPaint Stroke(SKColor colour, float width) => PaintFor(colour, width);

    /// <summary>A fill paint (width 0) or a stroke of <paramref name="strokeWidth"/>, made once and reused.</summary>
    private SKPaint PaintFor(SKColor colour, float strokeWidth)
    {
        if (!_paints.TryGetValue((colour, strokeWidth), out var paint))
        {
            _paints[(colour, strokeWidth)] = paint = new SKPaint
            {
                Color = colour,
                IsAntialias = true,
                Style = strokeWidth > 0 ? SKPaintStyle.Stroke : SKPaintStyle.Fill,
                StrokeWidth = strokeWidth,
            };
        }

        return paint;
    }
}
