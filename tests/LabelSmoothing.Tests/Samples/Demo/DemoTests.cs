using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Xml.Linq;
using FluentAssertions;
using LabelSmoothing.Demo;
using Xunit;

namespace LabelSmoothing.Tests.Samples.Demo;

public sealed class DemoTests : IDisposable
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
    public void Demo_WithTwoEpochs_PrintsTheTable_WritesOneBarPerNonEmptyBin_AndRepeatsItselfForTheSameSeed_BitForBit()
    {
        string first = Path.Combine(_root, "one");
        string second = Path.Combine(_root, "two");

        (int exitCode, string output) = Run("--epochs", "2", "--seed", "7", "--out", first);
        (int repeatCode, string repeated) = Run("--epochs", "2", "--seed", "7", "--out", second);

        exitCode.Should().Be(DemoApp.Success);
        repeatCode.Should().Be(DemoApp.Success);
        foreach (string column in DemoApp.Columns)
        {
            output.Should().Contain(column);
        }

        using JsonDocument results = JsonDocument.Parse(File.ReadAllText(Path.Combine(first, "results.json")));
        results.RootElement.GetArrayLength().Should().Be(4, "α ∈ {0, 0.1} × noise ∈ {0 %, 30 %}");
        foreach (JsonElement run in results.RootElement.EnumerateArray())
        {
            string name = FormattableString.Invariant($"alpha{run.GetProperty("Alpha").GetDouble():0.###}-noise{run.GetProperty("Noise").GetDouble():0.###}");
            XDocument svg = XDocument.Load(Path.Combine(first, name + ".svg"));
            int bars = svg.Descendants().Count(e => e.Name.LocalName == "rect" && (string?)e.Attribute("class") == "bar");
            int nonEmptyBins = run.GetProperty("Bins").EnumerateArray().Count(b => b.GetProperty("Count").GetInt32() > 0);
            bars.Should().Be(nonEmptyBins);
            run.GetProperty("Bins").GetArrayLength().Should().Be(15);
        }

        File.ReadAllText(Path.Combine(second, "results.json")).Should().Be(File.ReadAllText(Path.Combine(first, "results.json")));
        File.ReadAllText(Path.Combine(second, "report.md")).Should().Be(File.ReadAllText(Path.Combine(first, "report.md")));
        repeated.Replace(second, first, StringComparison.Ordinal).Should().Be(output, "only the output folder differs");
    }

    [Theory]
    [InlineData("--alpha must be a number in [0, 1], not '2'.", "--alpha", "2")]
    [InlineData("--alpha must be a number in [0, 1], not '1.5'.", "--alpha", "1.5")]
    [InlineData("--alpha must be a number in [0, 1], not '-0.1'.", "--alpha", "-0.1")]
    [InlineData("--alpha must be a number in [0, 1], not 'NaN'.", "--alpha", "NaN")]
    [InlineData("--alpha must be a number in [0, 1], not 'abc'.", "--alpha", "abc")]
    [InlineData("--noise must be a number in [0, 1), not '1'.", "--noise", "1")]
    [InlineData("--noise must be a number in [0, 1), not '-0.1'.", "--noise", "-0.1")]
    [InlineData("--epochs must be an integer ≥ 1, not '0'.", "--epochs", "0")]
    [InlineData("--epochs must be an integer ≥ 1, not '2.5'.", "--epochs", "2.5")]
    [InlineData("--seed must be an integer ≥ 0, not '-1'.", "--seed", "-1")]
    [InlineData("--seed must be an integer ≥ 0, not '2147483648'.", "--seed", "2147483648")]
    [InlineData("--prior must be uniform, others, frequency or ordinal[:scale] with scale > 0, not 'gaussian'.", "--prior", "gaussian")]
    [InlineData("--prior must be uniform, others, frequency or ordinal[:scale] with scale > 0, not 'ordinal:0'.", "--prior", "ordinal:0")]
    [InlineData("--prior must be uniform, others, frequency or ordinal[:scale] with scale > 0, not 'ordinal:-1'.", "--prior", "ordinal:-1")]
    [InlineData("--prior must be uniform, others, frequency or ordinal[:scale] with scale > 0, not 'ordinal:x'.", "--prior", "ordinal:x")]
    [InlineData("--prior must be uniform, others, frequency or ordinal[:scale] with scale > 0, not 'ordinal:'.", "--prior", "ordinal:")]
    [InlineData("--prior must be uniform, others, frequency or ordinal[:scale] with scale > 0, not 'ordinal:Infinity'.", "--prior", "ordinal:Infinity")]
    [InlineData("Required argument missing for option: '--alpha'.", "--alpha")]
    [InlineData("Required argument missing for option: '--prior'.", "--prior")]
    [InlineData("Unrecognized command or argument '--unknown'.", "--unknown", "1")]
    [InlineData("Unrecognized command or argument '--version'.", "--version")]
    [InlineData("Unrecognized command or argument '--ALPHA'.", "--ALPHA", "0.2")]
    [InlineData("Unrecognized command or argument 'extra'.", "extra")]
    [InlineData("Option '--alpha' expects a single argument but 2 were provided.", "--alpha", "0.2", "--alpha", "0.3")]
    public void Demo_WithABadArgument_ExitsWith2BeforeTraining_PrintsNothingOnStdout_AndSaysWhyOnStderr(string error, params string[] args)
    {
        string output = Path.Combine(_root, "unused");

        string[] errors = RunWithBadArguments(["--out", output, .. args]);

        errors.Should().HaveElementAt(0, "error: " + error).And.OnlyContain(line => line.StartsWith("error: ", StringComparison.Ordinal));
        Directory.Exists(output).Should().BeFalse("the output folder is created only after the arguments are accepted");
    }

    [Theory]
    [InlineData("[suggest]")]
    [InlineData("[diagram]")]
    public void Demo_WithABracketedFirstArgument_TakesItForAnUnknownArgument_NotForADirective(string argument)
    {
        string output = Path.Combine(_root, "unused");

        string[] errors = RunWithBadArguments(argument, "--epochs", "1", "--out", output);

        errors.Should().Equal($"error: Unrecognized command or argument '{argument}'.");
        Directory.Exists(output).Should().BeFalse();
    }

    [Fact]
    public void Demo_WithAnOptionMissingItsValueBeforeAnotherOption_TakesThatOptionAsTheBadValue()
    {
        string[] errors = RunWithBadArguments("--epochs", "--seed", "3");

        errors.Should().BeEquivalentTo("error: --epochs must be an integer ≥ 1, not '--seed'.", "error: Unrecognized command or argument '3'.");
    }

    [Fact]
    public void Demo_WithSeveralBadArguments_NamesEachOfThem()
    {
        string[] errors = RunWithBadArguments("--alpha", "2", "--epochs", "0", "--out", Path.Combine(_root, "unused"));

        errors.Should().Equal("error: --alpha must be a number in [0, 1], not '2'.", "error: --epochs must be an integer ≥ 1, not '0'.");
    }

    [Fact]
    public void Demo_WithAnOutputFolderThatCannotBeCreated_ExitsWith2BeforeTraining()
    {
        Directory.CreateDirectory(_root);
        string file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "not a folder");
        string folder = Path.Combine(file, "report");

        string[] errors = RunWithBadArguments("--epochs", "1", "--out", folder);

        errors.Should().ContainSingle().Which.Should().StartWith($"error: --out: the folder '{folder}' is not writable (");
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    public void Demo_WithHelp_PrintsTheUsageAt80Columns_AndExitsWith0WithoutTraining(string help)
    {
        string output = Path.Combine(_root, "unused");

        (int exitCode, string printed) = Run("--epochs", "1", help, "--out", output);

        exitCode.Should().Be(DemoApp.Success);
        Lines(printed).Should().OnlyContain(line => line.TrimEnd().Length <= DemoConsole.RedirectedWidth);
        string[] lines = HelpEntries(printed);
        lines.Should().ContainInOrder(
            "Usage:",
            "  dotnet run -c Release --project samples/LabelSmoothing.Demo -- [options]",
            "Options:",
            "Exit codes:",
            "  0  success",
            "  1  the report could not be written",
            "  2  bad arguments");
        lines.Should().Contain(line => line.StartsWith("  --alpha <a> ", StringComparison.Ordinal) && line.EndsWith("[default: 0.1]", StringComparison.Ordinal))
            .And.Contain(line => line.StartsWith("  --noise <p> ", StringComparison.Ordinal) && line.EndsWith("[default: 0.3]", StringComparison.Ordinal))
            .And.Contain(line => line.StartsWith("  --prior <name> ", StringComparison.Ordinal) && line.EndsWith("[default: uniform]", StringComparison.Ordinal))
            .And.Contain(line => line.StartsWith("  --epochs <n> ", StringComparison.Ordinal) && line.EndsWith("[default: 40]", StringComparison.Ordinal))
            .And.Contain(line => line.StartsWith("  --seed <n> ", StringComparison.Ordinal) && line.EndsWith("[default: 42]", StringComparison.Ordinal))
            .And.Contain(line => line.StartsWith("  --out <dir> ", StringComparison.Ordinal) && line.EndsWith("[default: demo-output]", StringComparison.Ordinal))
            .And.Contain(line => line.StartsWith("  -?, -h, --help ", StringComparison.Ordinal));
        printed.Should().NotContain("Test set");
        Directory.Exists(output).Should().BeFalse();
    }

    [Fact]
    public void Demo_WithHelpAndABadArgument_PrintsTheUsageAndExitsWith0()
    {
        (int exitCode, string printed) = Run("--alpha", "5", "--help");

        exitCode.Should().Be(DemoApp.Success);
        printed.Should().Contain("Exit codes:").And.NotContain("error:");
    }

    internal static string[] Lines(string printed) => printed.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The help's lines, each option's description wrapped at 80 columns joined back into one line.</summary>
    internal static string[] HelpEntries(string printed)
    {
        var entries = new List<string>();
        foreach (string line in Lines(printed))
        {
            if (line.StartsWith(new string(' ', 8), StringComparison.Ordinal) && entries.Count > 0)
            {
                entries[^1] = entries[^1].TrimEnd() + " " + line.Trim();
            }
            else
            {
                entries.Add(line.TrimEnd());
            }
        }

        return entries.ToArray();
    }

    internal static (int ExitCode, string Output) Run(params string[] args)
    {
        (int exitCode, string output, string error) = RunRedirected(args);
        error.Should().BeEmpty();
        return (exitCode, output);
    }

    /// <summary>Runs the demo's entry point as with its standard output and error redirected to files: plain text, 80 columns.</summary>
    internal static (int ExitCode, string Output, string Error) RunRedirected(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        // The demo runs with InvariantGlobalization: System.CommandLine's messages in English, numbers with a decimal point.
        (CultureInfo culture, CultureInfo uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (CultureInfo.InvariantCulture, CultureInfo.InvariantCulture);
        try
        {
            int exitCode = DemoApp.Run(args, new DemoConsole(output, error, DemoConsole.RedirectedWidth));
            return (exitCode, output.ToString(), error.ToString());
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
        }
    }

    /// <summary>Runs the demo, expecting bad arguments: exit code 2, nothing on stdout; returns what it wrote to stderr.</summary>
    private static string[] RunWithBadArguments(params string[] args)
    {
        (int exitCode, string output, string error) = RunRedirected(args);
        exitCode.Should().Be(DemoApp.BadArguments);
        output.Should().BeEmpty("errors go to stderr");
        return Lines(error);
    }
}
