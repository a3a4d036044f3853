using Portfolio.Core.Money;

namespace Portfolio.Reports.Quarterly;

/// <summary>
/// The cumulative budget-against-actual chart, drawn by ScottPlot: into the PDF (as vectors) and, from the same
/// plot, as SVG for the web app's grant page, so a page and a report show the same picture of the same numbers.
/// </summary>
public static class TrendChart
{
    public static ScottPlot.Plot Plot(IReadOnlyList<TrendRow> trend, string fontFamily)
    {
        var plot = new ScottPlot.Plot();
        plot.Font.Set(fontFamily, ScottPlot.FontWeight.Normal, ScottPlot.FontSlant.Upright, ScottPlot.FontSpacing.Normal);
        var xs = Enumerable.Range(0, trend.Count).Select(i => (double)i).ToArray();
        foreach (var (values, colour, legend) in new[]
                 {
                     (trend.Select(t => (double)Money.ToPounds(t.CumulativeBudget)).ToArray(), ScottPlot.Color.FromHex("#4472C4"), "Cumulative budget"),
                     (trend.Select(t => (double)Money.ToPounds(t.CumulativeActual)).ToArray(), ScottPlot.Color.FromHex("#ED7D31"), "Cumulative actual"),
                 })
        {
            var line = plot.Add.ScatterLine(xs, values, colour);
            line.LegendText = legend;
            line.LineWidth = 2;
            line.MarkerSize = 0;
            // Points drawn as markers of their own, so a grant's first period (a single point, no line) still shows.
            var points = plot.Add.Markers(xs, values, ScottPlot.MarkerShape.FilledCircle, 6, colour);
            points.LegendText = "";
        }

        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var i = 0; i < trend.Count; i++)
        {
            ticks.AddMajor(i, trend[i].Label);
        }

        plot.Axes.Bottom.TickGenerator = ticks;
        plot.YLabel("£");
        plot.Axes.Bottom.TickLabelStyle.FontSize = 9;
        plot.Axes.Left.TickLabelStyle.FontSize = 9;
        plot.Legend.FontSize = 9;
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.Axes.SetLimitsX(-0.5, Math.Max(0, trend.Count - 1) + 0.5);
        plot.Axes.SetLimitsY(0, Math.Max(1, trend.Count == 0 ? 1 : trend.Max(t => (double)Money.ToPounds(Math.Max(t.CumulativeBudget, t.CumulativeActual)))) * 1.15);
        return plot;
    }

}
