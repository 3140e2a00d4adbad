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

    public static int Run(string[] args, IAnsiConsole console)
    {
        var commandLine = new DemoCommandLine(console.Profile.Width);
        ParseResult parsed = commandLine.Parse(args);
        if (DemoCommandLine.AsksForHelp(parsed))
        {
            console.WriteLine(commandLine.Help());
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

        console.Write(ResultsTable(runs));
        console.MarkupLine("[grey]conf.: mean top-class probability; model is over- or under-confident (conf. above or below accuracy); " +
            "T: temperature fitted on the validation set; ECE at T: test ECE after dividing the logits by T.[/]");
        foreach (string finding in options.CompareLosses ? ReportWriter.Comparison(runs) : ReportWriter.Findings(runs))
        {
            console.MarkupLine("• " + Markup.Escape(finding));
        }

        foreach (RunResult run in runs)
        {
            console.Write(TerminalDiagram(run));
        }

        try
        {
            IReadOnlyList<string> files = ReportWriter.Write(options.OutputDirectory, options, runs);
            console.MarkupLine("Wrote " + Markup.Escape(string.Join(", ", files.Select(Path.GetFileName))) + " to " + Markup.Escape(Path.GetFullPath(options.OutputDirectory)));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            WriteError(console, "could not write the report: " + error.Message);
            return Failure;
        }

        return Success;
    }

    /// <summary>The column headers of the results table.</summary>
    public static IReadOnlyList<string> Columns { get; } =
        ["loss", "α", "noise", "accuracy", "NLL", "ECE", "MCE", "conf.", "model is", "T", "ECE at T"];

    /// <summary>
    /// What is trained: α ∈ {0, α} × noise ∈ {0, p} with the chosen loss; or, comparing losses, at noise p: the cross-entropy, label smoothing
    /// with α, Poly-1, focal, label relaxation with α and the confidence penalty.
    /// </summary>
    public static IReadOnlyList<(string Loss, double Alpha, double Noise)> Settings(DemoOptions options)
    {
        if (options.CompareLosses)
        {
            return [("ce", 0.0, options.Noise), ("ce", options.Alpha, options.Noise), ("poly", 0.0, options.Noise), ("focal", 0.0, options.Noise),
                ("relaxation", options.Alpha, options.Noise), ("penalty", 0.0, options.Noise)];
        }

        double[] noises = options.Noise == 0.0 ? [0.0] : [0.0, options.Noise];
        double[] alphas = options.Alpha == 0.0 ? [0.0] : [0.0, options.Alpha];
        return noises.SelectMany(noise => alphas.Select(alpha => (options.Loss, alpha, noise))).ToList();
    }

    private static List<RunResult> Train(IAnsiConsole console, DemoOptions options, DigitsDataset training, DigitsDataset validation, DigitsDataset test)
    {
        var settings = Settings(options);
        var runs = new List<RunResult>();
        console.Progress()
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
        Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{name}, α = {alpha:0.###}, noise {noise:0%}") + (loss is double l ? string.Create(CultureInfo.InvariantCulture, $", loss {l:0.0000}") : string.Empty));

    private static Table ResultsTable(IReadOnlyList<RunResult> runs)
    {
        var table = new Table().Title("Test set (360 images), 15-bin calibration");
        foreach (string column in Columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)).RightAligned());
        }

        foreach (RunResult run in runs)
        {
            table.AddRow(Cells(run).Select(Markup.Escape).ToArray());
        }

        return table;
    }

    private static IEnumerable<string> Cells(RunResult run)
    {
        FormattableString[] cells =
        [
            $"{run.LossDescription}", $"{run.Alpha:0.###}", $"{run.Noise:0%}", $"{run.Accuracy:0.0%}", $"{run.Nll:0.000}", $"{run.Ece:0.000}", $"{run.Mce:0.000}",
            $"{run.MeanConfidence:0.000}", $"{(run.MeanConfidence > run.Accuracy ? "over" : "under")}", $"{run.Temperature:0.00}", $"{run.EceAfterScaling:0.000}",
        ];
        return cells.Select(c => c.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>A reliability diagram in the terminal: one bar per non-empty bin, its length the bin's accuracy.</summary>
    private static BarChart TerminalDiagram(RunResult run)
    {
        var chart = new BarChart()
            .Width(72)
            .Label(Markup.Escape(ReliabilityDiagramSvg.Title(run)) + " — bar: accuracy per confidence bin")
            .WithMaxValue(1.0);
        foreach (ReliabilityBin bin in run.Bins.Where(b => b.Count > 0))
        {
            string label = string.Create(CultureInfo.InvariantCulture, $"conf {bin.Lower:0.00}–{bin.Upper:0.00} (mean {bin.Confidence:0.00}, n={bin.Count})");
            chart.AddItem(Markup.Escape(label), Math.Round(bin.Accuracy, 3), bin.Accuracy >= bin.Confidence ? Color.SteelBlue : Color.IndianRed);
        }

        return chart;
    }

    private static void WriteError(IAnsiConsole console, string message) => console.MarkupLine("[red]error:[/] " + Markup.Escape(message));

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
