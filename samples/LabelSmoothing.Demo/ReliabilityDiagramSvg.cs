using System;
using System.Globalization;
using System.Linq;
using System.Security;
using System.Text;

namespace LabelSmoothing.Demo;

/// <summary>
/// Draws a reliability diagram as a small standalone SVG: one bar per non-empty bin (the bin's accuracy, over its confidence range),
/// a tick at the bin's mean confidence, the diagonal of perfect calibration, axes and a legend.
/// </summary>
public static class ReliabilityDiagramSvg
{
    private const int Width = 400;
    private const int Height = 458;
    private const int Left = 60;
    private const int Top = 74;
    private const int PlotSize = 300;

    public static string Render(RunResult run)
    {
        var svg = new StringBuilder();
        Append(svg, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        Append(svg, $"<title>{Escape(Title(run))}</title>");
        Append(svg, $"<rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        Append(svg, $"<text x=\"{Left}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{Escape(Heading(run))}</text>");
        Append(svg, $"<text x=\"{Left}\" y=\"38\" font-size=\"13\">{Escape(NoiseLine(run))}</text>");
        Append(svg, $"<text x=\"{Left}\" y=\"56\" font-size=\"13\">{Escape(Subheading(run))}</text>");
        foreach (ReliabilityBin bin in run.Bins.Where(b => b.Count > 0))
        {
            double x = X(bin.Lower);
            double width = X(bin.Upper) - x;
            Append(svg, $"<rect class=\"bar\" x=\"{x:0.##}\" y=\"{Y(bin.Accuracy):0.##}\" width=\"{width:0.##}\" height=\"{Y(0) - Y(bin.Accuracy):0.##}\" fill=\"#4c78a8\" stroke=\"white\"><title>{Escape(BinText(bin))}</title></rect>");
            Append(svg, $"<line class=\"confidence\" x1=\"{x:0.##}\" y1=\"{Y(bin.Confidence):0.##}\" x2=\"{x + width:0.##}\" y2=\"{Y(bin.Confidence):0.##}\" stroke=\"#e45756\" stroke-width=\"2\"/>");
        }

        Append(svg, $"<line class=\"diagonal\" x1=\"{X(0)}\" y1=\"{Y(0)}\" x2=\"{X(1)}\" y2=\"{Y(1)}\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>");
        Append(svg, $"<line class=\"axis\" x1=\"{X(0)}\" y1=\"{Y(0)}\" x2=\"{X(1)}\" y2=\"{Y(0)}\" stroke=\"black\"/>");
        Append(svg, $"<line class=\"axis\" x1=\"{X(0)}\" y1=\"{Y(0)}\" x2=\"{X(0)}\" y2=\"{Y(1)}\" stroke=\"black\"/>");
        foreach (double tick in new[] { 0.0, 0.25, 0.5, 0.75, 1.0 })
        {
            Append(svg, $"<text x=\"{X(tick):0.##}\" y=\"{Y(0) + 16}\" text-anchor=\"middle\">{tick:0.##}</text>");
            Append(svg, $"<text x=\"{X(0) - 6}\" y=\"{Y(tick) + 4:0.##}\" text-anchor=\"end\">{tick:0.##}</text>");
        }

        Append(svg, $"<text x=\"{X(0.5)}\" y=\"{Y(0) + 34}\" text-anchor=\"middle\">confidence (top softmax probability)</text>");
        Append(svg, $"<text x=\"16\" y=\"{Y(0.5)}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {Y(0.5)})\">accuracy</text>");
        double legendY = Y(0) + 58;
        Append(svg, $"<g class=\"legend\"><rect x=\"{Left}\" y=\"{legendY - 10}\" width=\"12\" height=\"12\" fill=\"#4c78a8\"/><text x=\"{Left + 16}\" y=\"{legendY}\">accuracy</text>");
        Append(svg, $"<line x1=\"{Left + 90}\" y1=\"{legendY - 4}\" x2=\"{Left + 104}\" y2=\"{legendY - 4}\" stroke=\"#e45756\" stroke-width=\"2\"/><text x=\"{Left + 108}\" y=\"{legendY}\">mean confidence</text>");
        Append(svg, $"<line x1=\"{Left + 222}\" y1=\"{legendY - 4}\" x2=\"{Left + 236}\" y2=\"{legendY - 4}\" stroke=\"#888\" stroke-dasharray=\"4 3\"/><text x=\"{Left + 240}\" y=\"{legendY}\">ideal</text></g>");
        Append(svg, "</svg>");
        return svg.ToString();
    }

    /// <summary>The run's loss, which names its α: <c>label smoothing (α = 0.1)</c>.</summary>
    public static string Heading(RunResult run) => run.LossDescription;

    public static string NoiseLine(RunResult run) => string.Create(CultureInfo.InvariantCulture, $"label noise {run.Noise:0%}");

    public static string Subheading(RunResult run) =>
        string.Create(CultureInfo.InvariantCulture, $"accuracy {run.Accuracy:0.0%}, ECE {run.Ece:0.000}: {run.Confidence}");

    /// <summary>The run and its calibration in one line: <c>label smoothing (α = 0.1), label noise 30%: ECE 0.215, under-confident</c>.</summary>
    public static string Title(RunResult run) =>
        string.Create(CultureInfo.InvariantCulture, $"{Heading(run)}, {NoiseLine(run)}: ECE {run.Ece:0.000}, {run.Confidence}");

    public static string BinText(ReliabilityBin bin) =>
        string.Create(CultureInfo.InvariantCulture, $"({bin.Lower:0.###}, {bin.Upper:0.###}]: {bin.Count} samples, accuracy {bin.Accuracy:0.000}, confidence {bin.Confidence:0.000}");

    private static double X(double confidence) => Left + (confidence * PlotSize);

    private static double Y(double accuracy) => Top + PlotSize - (accuracy * PlotSize);

    private static void Append(StringBuilder svg, FormattableString text) => svg.AppendLine(text.ToString(CultureInfo.InvariantCulture));

    private static void Append(StringBuilder svg, string text) => svg.AppendLine(text);

    private static string Escape(string text) => SecurityElement.Escape(text);
}
