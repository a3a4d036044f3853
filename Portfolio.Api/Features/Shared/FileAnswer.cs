using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Portfolio.Api.Features.Shared;

/// <summary>
/// A report file for a person's browser: a PDF opens in the browser (inline, so it can be read before it is
/// approved), anything else downloads. Either way the file keeps its name.
/// </summary>
public static class FileAnswer
{
    public static FileContentResult For(HttpResponse response, byte[] content, string contentType, string fileName)
    {
        var inline = contentType == "application/pdf";
        if (inline)
        {
            // A PDF may be shown inside Portfolio's own pages (the run page embeds the draft it asks to approve),
            // never inside anyone else's. It is not HTML, so the pages' script rules have nothing to guard.
            response.Headers.ContentSecurityPolicy = "frame-ancestors 'self'";
            response.Headers.XFrameOptions = "SAMEORIGIN";
        }

        var disposition = new ContentDispositionHeaderValue(inline ? "inline" : "attachment");
        disposition.SetHttpFileName(fileName); // as ASP.NET's own file results name a download: quoted, with filename* for any non-ASCII
        response.Headers.ContentDisposition = disposition.ToString();
        return new FileContentResult(content, contentType);
    }
}
