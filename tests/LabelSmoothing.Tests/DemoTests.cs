using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Xml.Linq;
using FluentAssertions;
using LabelSmoothing.Demo;
using Spectre.Console;
using Xunit;

namespace LabelSmoothing.Tests;

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
    public void Demo_WithTwoEpochs_PrintsTheTable_WritesOneBarPerNonEmptyBin_AndRepeatsItselfForTheSameSeed()
    {
        string first = Path.Combine(_root, "first");
        string second = Path.Combine(_root, "second");

        (int exitCode, string output) = Run("--epochs", "2", "--seed", "7", "--out", first);
        (int repeatCode, _) = Run("--epochs", "2", "--seed", "7", "--out", second);

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
    }

    [Theory]
    [InlineData("--alpha", "1.5")]
    [InlineData("--alpha", "NaN")]
    [InlineData("--noise", "1")]
    [InlineData("--noise", "-0.1")]
    [InlineData("--prior", "gaussian")]
    [InlineData("--prior", "ordinal:0")]
    [InlineData("--epochs", "0")]
    [InlineData("--unknown", "1")]
    public void Demo_WithABadArgument_ExitsWith2AndSaysWhy(string option, string value)
    {
        (int exitCode, string output) = Run(option, value, "--out", Path.Combine(_root, "unused"));

        exitCode.Should().Be(DemoApp.BadArguments);
        output.Should().Contain("error:");
    }

    [Fact]
    public void Demo_WithAnOutputFolderThatCannotBeCreated_ExitsWith2BeforeTraining()
    {
        Directory.CreateDirectory(_root);
        string file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "not a folder");

        (int exitCode, string output) = Run("--out", Path.Combine(file, "report"));

        exitCode.Should().Be(DemoApp.BadArguments);
        output.Should().Contain("not writable");
    }

    [Fact]
    public void Demo_WithHelp_PrintsTheUsageAndExitsWith0()
    {
        (int exitCode, string output) = Run("--help");

        exitCode.Should().Be(DemoApp.Success);
        output.Should().Contain("--alpha").And.Contain("--noise").And.Contain("--prior").And.Contain("Exit codes");
    }

    private static (int ExitCode, string Output) Run(params string[] args)
    {
        var writer = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 240;
        int exitCode = DemoApp.Run(args, console);
        return (exitCode, writer.ToString());
    }
}
