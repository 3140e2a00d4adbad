using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace LabelSmoothing.Demo;

/// <summary>
/// What the demo prints once training is done, as plain lines for a page of a given width: the results table (one line per run and
/// table, no number ever broken), its legend, the findings and a reliability diagram per run.
/// </summary>
public static class ConsoleReport
{
    /// <summary>The title above the results table.</summary>
    public const string Title = "Test set (360 images), 15-bin calibration";

    /// <summary>The widest a diagram's bar gets, in columns.</summary>
    private const int BarWidth = 40;

    /// <summary>The header of a diagram's bin lines, aligned with <see cref="Label"/>.</summary>
    private const string BinHeader = "confidence     n   mean  accuracy";

    /// <summary>The column headers of the results table; the first two name the run and are repeated when the table is split.</summary>
    public static IReadOnlyList<string> Columns { get; } = ["loss", "noise", "accuracy", "NLL", "ECE", "MCE", "conf.", "model is", "T", "ECE at T"];

    /// <summary>The title and the results table: one row per run.</summary>
    public static IEnumerable<string> Table(IReadOnlyList<RunResult> runs, int width) =>
        TextLayout.Table(Columns, runs.Select(Cells).ToList(), keyColumns: 2, width).Prepend("").Prepend(Title);

    /// <summary>What the columns mean.</summary>
    public static IEnumerable<string> Legend(int width) =>
        TextLayout.Wrap(
            "conf.: mean top-class probability; model is over- or under-confident (conf. above or below accuracy); T: temperature fitted on " +
            "the validation set; ECE at T: test ECE after dividing the logits by T.",
            width);

    /// <summary>One bullet per finding, wrapped between words.</summary>
    public static IEnumerable<string> Findings(IEnumerable<string> findings, int width) =>
        findings.SelectMany(finding => TextLayout.Wrap(finding, width, "• "));

    /// <summary>What the text reliability diagrams show, said once before them.</summary>
    public static IEnumerable<string> DiagramLegend(int width) =>
        TextLayout.Wrap(
            "Reliability diagrams: one line per non-empty confidence bin, its bar as long as the bin's accuracy; a calibrated bin has a mean " +
            "confidence equal to its accuracy.",
            width);

    /// <summary>
    /// A reliability diagram in text: a heading naming the run, then one line per non-empty bin with its confidence range, sample count,
    /// mean confidence and accuracy, and a bar as long as the accuracy (<see cref="BarWidth"/> columns for 1, less on a narrow page).
    /// </summary>
    public static IEnumerable<DiagramLine> Diagram(RunResult run, int width)
    {
        foreach (string heading in TextLayout.Wrap(ReliabilityDiagramSvg.Title(run), width))
        {
            yield return new DiagramLine(heading, "", Calibrated: true);
        }

        string[] labels = run.Bins.Where(b => b.Count > 0).Select(Label).ToArray();
        int labelWidth = labels.Append(BinHeader).Max(label => label.Length);
        int barWidth = Math.Clamp(width - labelWidth - 3, 10, BarWidth);
        yield return new DiagramLine("  " + BinHeader, "", Calibrated: true);
        foreach (var (bin, label) in run.Bins.Where(b => b.Count > 0).Zip(labels))
        {
            string bar = new('█', (int)Math.Round(bin.Accuracy * barWidth, MidpointRounding.AwayFromZero));
            yield return new DiagramLine("  " + label.PadRight(labelWidth) + (bar.Length > 0 ? " " : ""), bar, bin.Accuracy >= bin.Confidence);
        }
    }

    private static string Label(ReliabilityBin bin)
    {
        string range = string.Create(CultureInfo.InvariantCulture, $"{bin.Lower:0.00}–{bin.Upper:0.00}");
        return string.Create(CultureInfo.InvariantCulture, $"{range,-10}  {bin.Count,4}  {bin.Confidence,5:0.00}  {bin.Accuracy,8:0.000}");
    }

    private static string[] Cells(RunResult run)
    {
        FormattableString[] cells =
        [
            $"{run.LossDescription}", $"{run.Noise:0%}", $"{run.Accuracy:0.0%}", $"{run.Nll:0.000}", $"{run.Ece:0.000}", $"{run.Mce:0.000}",
            $"{run.MeanConfidence:0.000}", $"{(run.MeanConfidence > run.Accuracy ? "over" : "under")}", $"{run.Temperature:0.00}", $"{run.EceAfterScaling:0.000}",
        ];
        return cells.Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
    }
}
