using System.Text.Json;
using Deque.AxeCore.Commons;
using Microsoft.Playwright;

namespace Portfolio.Tests.Infrastructure;

/// <summary>
/// axe-core (the script bundled in Deque.AxeCore.Commons) run in the page itself with <c>axe.run</c>. Deque's
/// Playwright wrapper runs <c>axe.runPartial</c> in every frame and then <c>axe.finishRun</c> in a blank page it
/// opens for each call: about 1.8 s a page here against about 0.5 s for <c>axe.run</c>. Our pages have no frames, so
/// the cross-frame step buys nothing (docs/testing.md).
/// </summary>
public static class Accessibility
{
    /// <summary>The WCAG 2.2 AA rule tags every page must pass.</summary>
    public static readonly string[] Tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

    private static readonly Lazy<string> Script = new(() => new BundledAxeScriptProvider().GetScript());

    /// <summary>Every violation on the page as it is now, each as "rule (impact): help at selectors"; empty when it passes.</summary>
    public static async Task<IReadOnlyList<string>> ViolationsAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            await page.EvaluateAsync(Script.Value);
        }

        var violations = await page.EvaluateAsync<JsonElement>("""
            tags => axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
                .then(r => r.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`))
            """, Tags);
        return violations.EnumerateArray().Select(v => v.GetString()!).ToList();
    }
}
