using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace LabelSmoothing.Demo;

/// <summary>Writes the report folder: one SVG reliability diagram per run, <c>report.md</c> embedding them, and <c>results.json</c>.</summary>
public static class ReportWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static IReadOnlyList<string> Write(string directory, DemoOptions options, IReadOnlyList<RunResult> runs)
    {
        if (runs.Select(run => run.Name).Distinct().Count() != runs.Count)
        {
            throw new ArgumentException("Two runs have the same configuration, and would write the same diagram.", nameof(runs));
        }

        Directory.CreateDirectory(directory);
        var files = new List<string>();
        foreach (RunResult run in runs)
        {
            string path = Path.Combine(directory, run.Name + ".svg");
            File.WriteAllText(path, ReliabilityDiagramSvg.Render(run));
            files.Add(path);
        }

        string report = Path.Combine(directory, "report.md");
        File.WriteAllText(report, Markdown(options, runs));
        files.Add(report);
        string results = Path.Combine(directory, "results.json");
        File.WriteAllText(results, JsonSerializer.Serialize(runs, JsonOptions));
        files.Add(results);
        return files;
    }

    /// <summary>The findings, stated from the numbers measured: one sentence per loss and noise level comparing α = 0 with the smoothed run.</summary>
    public static IEnumerable<string> Findings(IReadOnlyList<RunResult> runs)
    {
        foreach (var level in runs.GroupBy(r => (r.Loss, r.Noise)))
        {
            RunResult? plain = level.FirstOrDefault(r => r.Alpha == 0.0);
            foreach (RunResult smoothed in level.Where(r => r.Alpha != 0.0))
            {
                if (plain is null)
                {
                    continue;
                }

                double gain = 100.0 * (smoothed.Accuracy - plain.Accuracy);
                string change = gain > 0 ? "raised" : gain < 0 ? "lowered" : "kept";
                string calibration = smoothed.Ece < plain.Ece ? "better" : "worse";
                string lead = level.Key.Loss == "ce" ? "With" : $"With the {smoothed.Loss} loss and";
                yield return Invariant($"{lead} {level.Key.Noise:0%} label noise, α = {smoothed.Alpha:0.###} {change} test accuracy ")
                    + Invariant($"from {plain.Accuracy:0.0%} to {smoothed.Accuracy:0.0%} ({gain:+0.0;-0.0;0.0} points), took the NLL from {plain.Nll:0.000} to {smoothed.Nll:0.000} ")
                    + Invariant($"and the ECE from {plain.Ece:0.000} to {smoothed.Ece:0.000} ({calibration} calibrated); ")
                    + Invariant($"the unsmoothed model is {plain.Confidence}, the smoothed one {smoothed.Confidence}.");
            }
        }
    }

    /// <summary>
    /// The comparison of losses, stated from the numbers measured: which loss has the best test accuracy, NLL and ECE (ties named together),
    /// whether one loss wins all three, and how each differs from the plain cross-entropy.
    /// </summary>
    public static IEnumerable<string> Comparison(IReadOnlyList<RunResult> runs)
    {
        if (runs.Count == 0)
        {
            yield break;
        }

        var metrics = new (string Name, Func<RunResult, double> Value, bool HigherIsBetter, string Format)[]
        {
            ("best test accuracy", r => r.Accuracy, true, "0.0%"), ("lowest NLL", r => r.Nll, false, "0.000"), ("lowest ECE", r => r.Ece, false, "0.000"),
        };
        var wins = new Dictionary<RunResult, int>();
        var parts = new List<string>();
        foreach (var (name, value, higherIsBetter, format) in metrics)
        {
            double best = higherIsBetter ? runs.Max(value) : runs.Min(value);
            RunResult[] winners = runs.Where(r => value(r) == best).ToArray();
            foreach (RunResult winner in winners)
            {
                wins[winner] = wins.GetValueOrDefault(winner) + 1;
            }

            parts.Add(name + ": " + string.Join(" and ", winners.Select(r => r.LossDescription)) + " at " + best.ToString(format, CultureInfo.InvariantCulture));
        }

        string first = string.Join("; ", parts);
        yield return char.ToUpperInvariant(first[0]) + first[1..] + ".";
        int most = wins.Values.Max();
        string[] leaders = wins.Where(p => p.Value == most).Select(p => p.Key.LossDescription).ToArray();
        yield return most == 3
            ? $"{leaders[0]} is best on all three on this data."
            : most == 2
                ? $"No loss is best on all three on this data; {string.Join(" and ", leaders)} on two of them."
                : "No loss is best on more than one of the three on this data.";
        RunResult? plain = runs.FirstOrDefault(r => r.Loss == "ce" && r.Alpha == 0.0);
        if (plain is null)
        {
            yield break;
        }

        foreach (RunResult run in runs.Where(r => r != plain))
        {
            double gain = 100.0 * (run.Accuracy - plain.Accuracy);
            yield return Invariant($"{run.LossDescription} against the cross-entropy: accuracy {gain:+0.0;-0.0;0.0} points, NLL {run.Nll - plain.Nll:+0.000;-0.000;0.000}, ")
                + Invariant($"ECE {run.Ece - plain.Ece:+0.000;-0.000;0.000} ({run.Confidence}).");
        }
    }

    private static string Markdown(DemoOptions options, IReadOnlyList<RunResult> runs)
    {
        var text = new StringBuilder();
        text.AppendLine(options.CompareLosses ? "# The smoothing loss family on the UCI digits" : "# Label smoothing on the UCI digits");
        text.AppendLine();
        text.AppendLine(
            Invariant($"An MLP (64 → 128 → 10, ReLU) trained for {options.Epochs} epochs (SGD, momentum 0.9, batch 64, seed {options.Seed}) on 1078 images, ")
            + Invariant($"with the `{options.Prior}` smoothing prior, evaluated on 360 held-out images; temperatures fitted on 359 validation images. ")
            + "Label noise flips a share of the *training* labels to another class at random; validation and test labels are clean.");
        text.AppendLine();
        text.AppendLine("| loss | α | label noise | accuracy | NLL | ECE | MCE | mean confidence | verdict | T | ECE after T |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (RunResult run in runs)
        {
            text.AppendLine(Invariant(
                $"| {run.LossDescription} | {run.Alpha:0.###} | {run.Noise:0%} | {run.Accuracy:0.0%} | {run.Nll:0.000} | {run.Ece:0.000} | {run.Mce:0.000} | {run.MeanConfidence:0.000} | {run.Confidence} | {run.Temperature:0.00} | {run.EceAfterScaling:0.000} |"));
        }

        text.AppendLine();
        text.AppendLine(options.CompareLosses ? "## Which loss did best here" : "## What this run measured");
        text.AppendLine();
        IEnumerable<string> findings = options.CompareLosses ? Comparison(runs) : Findings(runs);
        foreach (string finding in DemoApp.Note(options) is string note ? findings.Prepend(note) : findings)
        {
            text.AppendLine("- " + finding);
        }

        text.AppendLine();
        text.AppendLine("A model is *over-confident* when its mean confidence exceeds its accuracy and *under-confident* otherwise. Label smoothing pulls " +
            "confidence down: on a small model that was not over-confident to begin with it can overshoot into under-confidence, which shows up as a " +
            "higher ECE and a temperature below 1. These numbers come from one seed on a small data set; rerun with other seeds (`--seed`) before " +
            "drawing conclusions.");
        text.AppendLine();
        text.AppendLine("## Reliability diagrams");
        foreach (RunResult run in runs)
        {
            text.AppendLine();
            text.AppendLine(Invariant($"### {run.LossDescription}, label noise {run.Noise:0%} — {run.Confidence}"));
            text.AppendLine();
            text.AppendLine(Invariant($"![Reliability diagram, {run.LossDescription}, noise {run.Noise:0%}]({run.Name}.svg)"));
        }

        text.AppendLine();
        text.AppendLine("Data: \"Optical Recognition of Handwritten Digits\", E. Alpaydin and C. Kaynak (1998), UCI Machine Learning Repository, CC BY 4.0.");
        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
