using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FluentAssertions;
using LabelSmoothing.Demo;
using Xunit;

namespace LabelSmoothing.Tests.Samples.Demo;

/// <summary>
/// README.md's "The demo" section is what the demo does with its default options: its text block is what the demo prints from the results
/// table to its legend, its headline sentence states that run's gains, and its reliability diagram is the file that run writes.
/// <para>
/// The demo runs as a child process, <c>dotnet LabelSmoothing.Demo.dll --out TEMP</c>, with its output a pipe (so plain text at 80
/// columns, whatever TERM says). Its numbers are reproducible bit for bit for a seed, on one machine and with any number of processors
/// (checked below), but not across vector widths: the kernels add in another order per width, and 40 epochs on noisy labels turn the
/// last bits into other digits (without SIMD the 30 %-noise rows read 75.0 % and 82.8 %). So the child runs the AVX2 (Vector256)
/// kernels of the README on every x64 processor that has them: DOTNET_EnableAVX512=0 switches AVX-512 off, and the other instruction
/// set switches of a CI leg are removed. A processor without AVX2 (Arm64, old x64) cannot reproduce the README's digits: the checks of
/// numbers are skipped there, with the reason.
/// </para>
/// </summary>
public sealed class DemoReadmeTests : IClassFixture<DemoReadmeTests.DefaultRun>
{
    private readonly DefaultRun _run;

    public DemoReadmeTests(DefaultRun run) => _run = run;

    [Fact]
    public void DefaultRun_ToAPipe_WithTermSet_WritesPlainText_AndNothingOnStderr()
    {
        _run.ExitCode.Should().Be(DemoApp.Success);
        _run.Error.Should().BeEmpty();
        _run.Output.Should().NotContain("\u001b").And.StartWith("Trained 1/4: cross-entropy, noise 0%, final training loss ");
    }

    [Avx2Fact]
    public void ReadmeTextBlock_IsWhatTheDemoPrints_FromTheResultsTableToItsLegend()
    {
        string[] printed = _run.Lines.SkipWhile(line => line != ConsoleReport.Title).TakeWhile(line => !line.StartsWith("• ", StringComparison.Ordinal)).ToArray();

        string[] documented = Readme.TextBlock();

        printed.Should().NotBeEmpty();
        documented.Should().Equal(printed.Reverse().SkipWhile(line => line.Length == 0).Reverse());
    }

    [Avx2Fact]
    public void ReadmeHeadline_StatesTheRunsAccuracyGains_AndItsCalibrationFindings()
    {
        RunResult plain0 = _run.Result(0.0, 0.0), smoothed0 = _run.Result(0.1, 0.0), plain30 = _run.Result(0.0, 0.3), smoothed30 = _run.Result(0.1, 0.3);

        string prose = Regex.Replace(Readme.Section(), @"\s+", " ");
        Match headline = Regex.Match(prose, @"under 30 % label noise smoothing raised test accuracy by (\S+) points; without noise by (\S+)\.");

        headline.Success.Should().BeTrue("the README states the gains");
        headline.Groups[1].Value.Should().Be(Points(smoothed30.Accuracy - plain30.Accuracy));
        headline.Groups[2].Value.Should().Be(Points(smoothed0.Accuracy - plain0.Accuracy));
        prose.Should().Contain("this small model is not over-confident under noise to begin with, and α = 0.1 pushes it into under-confidence (higher ECE, fitted temperature below 1)");
        plain30.Confidence.Should().Be("under-confident");
        foreach ((RunResult plain, RunResult smoothed) in new[] { (plain0, smoothed0), (plain30, smoothed30) })
        {
            smoothed.Ece.Should().BeGreaterThan(plain.Ece);
            smoothed.Temperature.Should().BeLessThan(1.0);
            smoothed.Confidence.Should().Be("under-confident");
        }
    }

    [Avx2Fact]
    public void ReadmeDiagram_IsTheFileTheDemoWrites()
    {
        Match image = Regex.Match(Readme.Section(), @"!\[[^\]]*\]\(docs/reliability-([^)]+)\.svg\)");

        image.Success.Should().BeTrue("the README shows a reliability diagram from docs/");
        string committed = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", $"reliability-{image.Groups[1].Value}.svg"));
        string written = File.ReadAllText(Path.Combine(_run.Folder, image.Groups[1].Value + ".svg"));
        committed.ReplaceLineEndings("\n").Should().Be(written.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Demo_GivesTheSameBits_OnOneProcessorAndOnFour()
    {
        string root = Directory.CreateTempSubdirectory("labelsmoothing-demo-").FullName;
        try
        {
            var one = DemoProcess.Run(new() { ["DOTNET_PROCESSOR_COUNT"] = "1" }, "--epochs", "3", "--out", Path.Combine(root, "one"));
            var four = DemoProcess.Run(new() { ["DOTNET_PROCESSOR_COUNT"] = "4" }, "--epochs", "3", "--out", Path.Combine(root, "two"));

            one.ExitCode.Should().Be(DemoApp.Success);
            four.ExitCode.Should().Be(DemoApp.Success);
            File.ReadAllText(Path.Combine(root, "two", "results.json")).Should().Be(File.ReadAllText(Path.Combine(root, "one", "results.json")));
            four.Output.Replace(Path.Combine(root, "two"), Path.Combine(root, "one"), StringComparison.Ordinal).Should().Be(one.Output);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Points(double gain) => (100.0 * gain).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>The demo run with its default options, once for the class.</summary>
    public sealed class DefaultRun : IDisposable
    {
        public DefaultRun()
        {
            Folder = Directory.CreateTempSubdirectory("labelsmoothing-demo-").FullName;
            (ExitCode, Output, Error) = DemoProcess.Run([], "--out", Folder);
            Lines = Output.Split(Environment.NewLine);
            Results = File.Exists(Path.Combine(Folder, "results.json"))
                ? JsonSerializer.Deserialize<RunResult[]>(File.ReadAllText(Path.Combine(Folder, "results.json")))!
                : [];
        }

        public string Folder { get; }

        public int ExitCode { get; }

        public string Output { get; }

        public string Error { get; }

        public string[] Lines { get; }

        public RunResult[] Results { get; }

        public RunResult Result(double alpha, double noise) => Results.Single(run => run.Alpha == alpha && run.Noise == noise);

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    /// <summary>The demo as a child process, its output a pipe, on the AVX2 kernels where the processor has them (see the class).</summary>
    private static class DemoProcess
    {
        public static (int ExitCode, string Output, string Error) Run(Dictionary<string, string> environment, params string[] args)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LabelSmoothing.Demo.dll"));
            foreach (string argument in args)
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment.Remove("DOTNET_EnableHWIntrinsic");
            start.Environment.Remove("DOTNET_EnableAVX2");
            start.Environment["DOTNET_EnableAVX512"] = "0";
            start.Environment["TERM"] = "xterm-256color";
            foreach ((string name, string value) in environment)
            {
                start.Environment[name] = value;
            }

            using Process demo = Process.Start(start)!;
            var output = demo.StandardOutput.ReadToEndAsync();
            string error = demo.StandardError.ReadToEnd();
            demo.WaitForExit();
            return (demo.ExitCode, output.Result, error);
        }
    }

    private static class Readme
    {
        /// <summary>README.md's "## The demo" section, up to the next section.</summary>
        public static string Section()
        {
            string text = File.ReadAllText(RepositoryPaths.File("README.md")).ReplaceLineEndings("\n");
            int start = text.IndexOf("\n## The demo\n", StringComparison.Ordinal);
            start.Should().BeGreaterThanOrEqualTo(0, "README.md has a section \"## The demo\"");
            int end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
            return text[start..(end < 0 ? text.Length : end)];
        }

        /// <summary>The lines of the section's ```text block.</summary>
        public static string[] TextBlock()
        {
            string section = Section();
            int start = section.IndexOf("```text\n", StringComparison.Ordinal);
            start.Should().BeGreaterThanOrEqualTo(0, "the demo section shows the demo's output in a ```text block");
            start += "```text\n".Length;
            int end = section.IndexOf("```", start, StringComparison.Ordinal);
            return section[start..end].TrimEnd('\n').Split('\n');
        }

    }
}
