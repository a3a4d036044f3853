using System.Runtime.InteropServices;
using HarfBuzzSharp;

namespace Portfolio.Reports.Pdf;

/// <summary>
/// Cuts a TrueType font down to the characters a document uses, with HarfBuzz's subsetter. SkiaSharp's PDF backend
/// embeds whatever typeface it is given whole (about 740 KB for DejaVu Sans), so the typeface it is given is the
/// subset. HarfBuzzSharp's managed API does not wrap hb-subset, but the native library restored with it exports it.
/// </summary>
internal static partial class FontSubsetter
{
    private const string Library = "libHarfBuzzSharp";

    /// <summary>The font in <paramref name="font"/> with only the glyphs for <paramref name="codepoints"/> (and .notdef).</summary>
    public static byte[] Subset(byte[] font, IEnumerable<int> codepoints)
    {
        var handle = GCHandle.Alloc(font, GCHandleType.Pinned);
        try
        {
            using var blob = new Blob(handle.AddrOfPinnedObject(), font.Length, MemoryMode.ReadOnly);
            using var face = new Face(blob, 0);
            var input = hb_subset_input_create_or_fail();
            if (input == IntPtr.Zero)
            {
                throw new InvalidOperationException("HarfBuzz could not create a subset input.");
            }

            try
            {
                var unicodes = hb_subset_input_unicode_set(input);
                foreach (var codepoint in codepoints)
                {
                    hb_set_add(unicodes, (uint)codepoint);
                }

                var subset = hb_subset_or_fail(face.Handle, input);
                if (subset == IntPtr.Zero)
                {
                    throw new InvalidOperationException("HarfBuzz could not subset the font.");
                }

                try
                {
                    var subsetBlob = hb_face_reference_blob(subset);
                    try
                    {
                        var data = hb_blob_get_data(subsetBlob, out var length);
                        var bytes = new byte[length];
                        Marshal.Copy(data, bytes, 0, (int)length);
                        return bytes;
                    }
                    finally
                    {
                        hb_blob_destroy(subsetBlob);
                    }
                }
                finally
                {
                    hb_face_destroy(subset);
                }
            }
            finally
            {
                hb_subset_input_destroy(input);
            }
        }
        finally
        {
            handle.Free();
        }
    }

    [LibraryImport(Library)]
    private static partial IntPtr hb_subset_input_create_or_fail();

    [LibraryImport(Library)]
    private static partial IntPtr hb_subset_input_unicode_set(IntPtr input);

    [LibraryImport(Library)]
    private static partial void hb_set_add(IntPtr set, uint codepoint);

    [LibraryImport(Library)]
    private static partial IntPtr hb_subset_or_fail(IntPtr face, IntPtr input);

    [LibraryImport(Library)]
    private static partial void hb_subset_input_destroy(IntPtr input);

    [LibraryImport(Library)]
    private static partial IntPtr hb_face_reference_blob(IntPtr face);

    [LibraryImport(Library)]
    private static partial IntPtr hb_blob_get_data(IntPtr blob, out uint length);

    [LibraryImport(Library)]
    private static partial void hb_blob_destroy(IntPtr blob);

    [LibraryImport(Library)]
    private static partial void hb_face_destroy(IntPtr face);
}
