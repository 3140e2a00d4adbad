using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using MathNet.Numerics;
using Spectre.Console;

namespace LabelSmoothing.Demo;

/// <summary>The demo's entry point, callable with any console so that tests can capture what it prints.</summary>
public static class DemoApp
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadArguments = 2;

    public static int Run(string[] args, DemoConsole console)
    {
        var commandLine = new DemoCommandLine(console.Width);
        ParseResult parsed = commandLine.Parse(args);
        if (DemoCommandLine.AsksForHelp(parsed))
        {
            console.Out.WriteLine(commandLine.Help());
            return Success;
        }

        IReadOnlyList<string> errors = DemoCommandLine.Errors(parsed);
        if (errors.Count > 0)
        {
            foreach (string error in errors)
            {
                WriteError(console, error);
            }

            return BadArguments;
        }

        DemoOptions options = commandLine.Options(parsed);
        try
        {
            EnsureWritable(options.OutputDirectory);
        }
        catch (ArgumentException error)
        {
            WriteError(console, error.Message);
            return BadArguments;
        }

        // One thread for MathNet's matrix products: the same seed gives the same numbers, bit for bit.
        Control.UseSingleThread();
        var (training, validation, test) = DigitsDataset.Load().Split();
        List<RunResult> runs = Train(console, options, training, validation, test);
        Print(console, options, runs);
        try
        {
            IReadOnlyList<string> files = ReportWriter.Write(options.OutputDirectory, options, runs);
            string written = "Wrote " + string.Join(", ", files.Select(Path.GetFileName)) + " to " + Path.GetFullPath(options.OutputDirectory);
            foreach (string line in TextLayout.Wrap(written, console.Width))
            {
                console.Out.WriteLine(line);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            WriteError(console, "could not write the report: " + error.Message);
            return Failure;
        }

        return Success;
    }

    /// <summary>The column headers of the results table.</summary>
    public static IReadOnlyList<string> Columns => ConsoleReport.Columns;

    /// <summary>
    /// What is trained: α ∈ {0, α} × noise ∈ {0, p} with the chosen loss; or, comparing losses, at noise p: the cross-entropy, label smoothing
    /// with α, Poly-1, focal, label relaxation with α and the confidence penalty. No configuration comes twice: with α = 0 label smoothing and
    /// label relaxation are the cross-entropy, and the comparison trains it once (<see cref="Note"/>).
    /// </summary>
    public static IReadOnlyList<(string Loss, double Alpha, double Noise)> Settings(DemoOptions options)
    {
        if (options.CompareLosses)
        {
            (string Loss, double Alpha)[] losses = options.Alpha == 0.0
                ? [("ce", 0.0), ("poly", 0.0), ("focal", 0.0), ("penalty", 0.0)]
                : [("ce", 0.0), ("ce", options.Alpha), ("poly", 0.0), ("focal", 0.0), ("relaxation", options.Alpha), ("penalty", 0.0)];
            return losses.Select(l => (l.Loss, l.Alpha, options.Noise)).ToList();
        }

        double[] noises = options.Noise == 0.0 ? [0.0] : [0.0, options.Noise];
        double[] alphas = options.Alpha == 0.0 ? [0.0] : [0.0, options.Alpha];
        return noises.SelectMany(noise => alphas.Select(alpha => (options.Loss, alpha, noise))).ToList();
    }

    /// <summary>What <see cref="Settings"/> left out and why, or <c>null</c>.</summary>
    public static string? Note(DemoOptions options) =>
        options.CompareLosses && options.Alpha == 0.0
            ? "With α = 0, label smoothing and label relaxation are the cross-entropy: it is trained once."
            : null;

    private static List<RunResult> Train(DemoConsole console, DemoOptions options, DigitsDataset training, DigitsDataset validation, DigitsDataset test)
    {
        var settings = Settings(options);
        if (console.Terminal is null)
        {
            var runs = new List<RunResult>();
            foreach (var (name, alpha, noise) in settings)
            {
                RunResult run = Trainer.Train(options, name, alpha, noise, training, validation, test);
                runs.Add(run);
                console.Out.WriteLine(Invariant($"Trained {runs.Count}/{settings.Count}: {run.LossDescription}, noise {noise:0%}, final training loss {run.FinalTrainingLoss:0.0000}"));
            }

            return runs;
        }

        return TrainWithProgress(console.Terminal, options, settings, training, validation, test);
    }

    /// <summary>Trains with a live progress display: one bar per run, its description showing the last epoch's loss.</summary>
    private static List<RunResult> TrainWithProgress(
        IAnsiConsole terminal, DemoOptions options, IReadOnlyList<(string Loss, double Alpha, double Noise)> settings, DigitsDataset training, DigitsDataset validation, DigitsDataset test)
    {
        var runs = new List<RunResult>();
        terminal.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var tasks = settings.Select(s => context.AddTask(Describe(s.Loss, s.Alpha, s.Noise, null), maxValue: options.Epochs)).ToList();
                for (int i = 0; i < settings.Count; i++)
                {
                    var (name, alpha, noise) = settings[i];
                    ProgressTask task = tasks[i];
                    runs.Add(Trainer.Train(options, name, alpha, noise, training, validation, test, (epoch, loss) =>
                    {
                        task.Value = epoch;
                        task.Description = Describe(name, alpha, noise, loss);
                    }));
                }
            });
        return runs;
    }

    private static string Describe(string name, double alpha, double noise, double? loss) =>
        Markup.Escape(Invariant($"{name}, α = {alpha:0.###}, noise {noise:0%}") + (loss is double l ? Invariant($", loss {l:0.0000}") : string.Empty));

    /// <summary>The results table, its legend, the findings and a diagram per run, for the console's width.</summary>
    private static void Print(DemoConsole console, DemoOptions options, IReadOnlyList<RunResult> runs)
    {
        var lines = new List<string> { "" };
        lines.AddRange(ConsoleReport.Table(runs, console.Width));
        lines.Add("");
        lines.AddRange(ConsoleReport.Legend(console.Width));
        lines.Add("");
        IEnumerable<string> findings = options.CompareLosses ? ReportWriter.Comparison(runs) : ReportWriter.Findings(runs);
        lines.AddRange(ConsoleReport.Findings(Note(options) is string note ? findings.Prepend(note) : findings, console.Width));
        foreach (string line in lines)
        {
            console.Out.WriteLine(line);
        }

        console.Out.WriteLine();
        foreach (string line in ConsoleReport.DiagramLegend(console.Width))
        {
            console.Out.WriteLine(line);
        }

        foreach (RunResult run in runs)
        {
            console.Out.WriteLine();
            foreach (DiagramLine line in ConsoleReport.Diagram(run, console.Width))
            {
                WriteDiagramLine(console, line);
            }
        }

        console.Out.WriteLine();
    }

    /// <summary>A diagram line; on a terminal its bar is blue where the bin's accuracy reaches its mean confidence, red where it falls short.</summary>
    private static void WriteDiagramLine(DemoConsole console, DiagramLine line)
    {
        if (console.Terminal is null || line.Bar.Length == 0)
        {
            console.Out.WriteLine(line.ToString());
            return;
        }

        string color = line.Calibrated ? "steelblue" : "indianred";
        console.Terminal.MarkupLine(Markup.Escape(line.Text) + $"[{color}]" + Markup.Escape(line.Bar) + "[/]");
    }

    private static void WriteError(DemoConsole console, string message) => console.Error.WriteLine("error: " + message);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Creates the output folder if needed and checks that a file can be written there.</summary>
    private static void EnsureWritable(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            string probe = Path.Combine(directory, ".write-test-" + Guid.NewGuid().ToString("N"));
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ArgumentException($"--out: the folder '{directory}' is not writable ({error.Message}).", error);
        }
    }
}
