using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FluentAssertions;
using LabelSmoothing.Demo;
using Spectre.Console;
using Xunit;

namespace LabelSmoothing.Tests.Samples.Demo;

/// <summary>
/// What the demo prints to a file or a pipe (a CI log): plain text at 80 columns, every run's numbers on one line, no ANSI code, no
/// progress display; and what <c>--compare-losses</c> trains and writes.
/// </summary>
public sealed class DemoOutputTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "labelsmoothing-demo-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Redirected_EveryRunsAccuracyNllAndEce_StandOnOneLine_NoLineIsWiderThan80Columns_AndNoCharacterIsAnsi()
    {
        (string output, RunResult[] runs) = RunDemo("--epochs", "2");

        string[] lines = output.Split(Environment.NewLine);
        lines.Where(line => !line.Contains(_root, StringComparison.Ordinal)).Should().OnlyContain(line => line.Length <= DemoConsole.RedirectedWidth, "only a long output path may be wider");
        output.Should().NotContain("\u001b", "no ANSI escape code goes to a file");
        runs.Should().HaveCount(4);
        foreach (RunResult run in runs)
        {
            string[] cells = [run.LossDescription, Invariant($"{run.Noise:0%}"), Invariant($"{run.Accuracy:0.0%}"), Invariant($"{run.Nll:0.000}"), Invariant($"{run.Ece:0.000}")];
            string row = "^" + string.Join(" +", cells.Select(Regex.Escape)) + " ";
            lines.Should().ContainSingle(line => Regex.IsMatch(line, row), "the run's row of the results table");
        }
    }

    [Fact]
    public void Redirected_SaysOnceWhenEachRunIsTrained_InsteadOfAProgressDisplay()
    {
        (string output, RunResult[] runs) = RunDemo("--epochs", "2");

        string[] expected = runs.Select((run, i) => Invariant(
            $"Trained {i + 1}/4: {run.LossDescription}, noise {run.Noise:0%}, final training loss {run.FinalTrainingLoss:0.0000}")).ToArray();
        output.Split(Environment.NewLine).Take(6).Should().Equal([.. expected, "", ConsoleReport.Title]);
    }

    [Fact]
    public void OnATerminal_ShowsProgress_AndColoursTheBars_AroundTheSameTable()
    {
        var terminalOutput = new StringWriter();
        IAnsiConsole terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(terminalOutput),
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.EightBit,
            Interactive = InteractionSupport.Yes,
        });
        terminal.Profile.Width = DemoConsole.RedirectedWidth;
        var error = new StringWriter();

        int exitCode = DemoApp.Run(["--epochs", "2", "--out", Path.Combine(_root, "terminal")], new DemoConsole(terminalOutput, error, DemoConsole.RedirectedWidth, terminal));
        (string redirected, RunResult[] runs) = RunDemo("--epochs", "2");

        exitCode.Should().Be(DemoApp.Success);
        error.ToString().Should().BeEmpty();
        string printed = terminalOutput.ToString();
        printed.Should().NotContain("Trained 1/4").And.Contain("\u001b[38;5;67m█", "a bar whose accuracy reaches its confidence is steel blue");
        string table = string.Join(Environment.NewLine, ConsoleReport.Table(runs, DemoConsole.RedirectedWidth));
        printed.Should().Contain(table);
        redirected.Should().Contain(table);
    }

    [Theory]
    [InlineData("0.1", new[] { "ce 0", "ce 0.1", "poly 0", "focal 0", "relaxation 0.1", "penalty 0" })]
    [InlineData("0", new[] { "ce 0", "poly 0", "focal 0", "penalty 0" })]
    public void CompareLosses_TrainsEveryConfigurationOnce_WritesEveryFileOnce_AndTitlesEveryDiagramWithItsLoss(string alpha, string[] expected)
    {
        (string output, RunResult[] runs) = RunDemo("--compare-losses", "--alpha", alpha, "--epochs", "1");

        runs.Select(run => Invariant($"{run.Loss} {run.Alpha}")).Should().Equal(expected);
        string[] diagrams = runs.Select(run => run.Name + ".svg").ToArray();
        Directory.GetFiles(Path.Combine(_root, "out")).Select(Path.GetFileName).Should().BeEquivalentTo([.. diagrams, "report.md", "results.json"]);
        output.Should().Contain("Wrote " + string.Join(", ", diagrams.Take(2)));
        if (alpha == "0")
        {
            output.Should().Contain("• With α = 0, label smoothing and label relaxation are the cross-entropy: it is");
        }

        foreach (RunResult run in runs)
        {
            XDocument svg = XDocument.Load(Path.Combine(_root, "out", run.Name + ".svg"));
            string title = svg.Root!.Elements().First(e => e.Name.LocalName == "title").Value;
            string heading = svg.Root.Elements().First(e => e.Name.LocalName == "text").Value;
            heading.Should().Be(run.LossDescription);
            title.Should().Be(Invariant($"{run.LossDescription}, label noise 30%: ECE {run.Ece:0.000}, {run.Confidence}"));
            output.Split(Environment.NewLine).Should().ContainSingle(line => line == title, "the text diagram's heading");
        }
    }

    [Fact]
    public void ReportWriter_WithTwoRunsOfTheSameConfiguration_ThrowsBeforeWritingAnything()
    {
        RunResult run = new(0.0, 0.3, "uniform", 1.0, 0.8, 0.7, 0.05, 0.2, 0.75, 0.9, 0.03, []);
        string folder = Path.Combine(_root, "twice");

        Action write = () => ReportWriter.Write(folder, new DemoOptions(), [run, run with { Accuracy = 0.9 }]);

        write.Should().Throw<ArgumentException>().WithParameterName("runs");
        Directory.Exists(folder).Should().BeFalse();
    }

    private (string Output, RunResult[] Runs) RunDemo(params string[] args)
    {
        string folder = Path.Combine(_root, "out");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        (int exitCode, string output, string error) = DemoTests.RunRedirected([.. args, "--out", folder]);
        exitCode.Should().Be(DemoApp.Success);
        error.Should().BeEmpty();
        RunResult[] runs = JsonSerializer.Deserialize<RunResult[]>(File.ReadAllText(Path.Combine(folder, "results.json")))!;
        return (output, runs);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
