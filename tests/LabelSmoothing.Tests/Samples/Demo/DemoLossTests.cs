using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using FluentAssertions;
using LabelSmoothing.Demo;
using Xunit;

namespace LabelSmoothing.Tests.Samples.Demo;

/// <summary>The demo's <c>--loss</c> and <c>--compare-losses</c>: parsing, errors, what is trained, and the comparison's table and findings.</summary>
public sealed class DemoLossTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "labelsmoothing-demo-losses-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Theory]
    [InlineData("ce", "ce")]
    [InlineData("poly", "poly")]
    [InlineData("FOCAL", "focal")]
    [InlineData("relaxation", "relaxation")]
    [InlineData("Penalty", "penalty")]
    public void Loss_IsParsedInLowerCase(string value, string expected)
    {
        DemoOptionsTests.Parse("--loss", value).Should().Be(new DemoOptions { Loss = expected });
    }

    [Fact]
    public void CompareLosses_IsAFlag_OffByDefault()
    {
        DemoOptionsTests.Parse().Should().Be(new DemoOptions { Loss = "ce", CompareLosses = false });
        DemoOptionsTests.Parse("--compare-losses", "--noise", "0.2").Should().Be(new DemoOptions { CompareLosses = true, Noise = 0.2 });
    }

    [Theory]
    [InlineData("--loss must be ce, poly, focal, relaxation or penalty, not 'huber'.", "--loss", "huber")]
    [InlineData("--loss must be ce, poly, focal, relaxation or penalty, not 'distillation'.", "--loss", "distillation")]
    [InlineData("Required argument missing for option: '--loss'.", "--loss")]
    [InlineData("--loss and --compare-losses cannot be used together: the comparison trains every loss.", "--loss", "poly", "--compare-losses")]
    [InlineData("--loss and --compare-losses cannot be used together: the comparison trains every loss.", "--compare-losses", "--loss", "ce")]
    [InlineData("Unrecognized command or argument 'yes'.", "--compare-losses", "yes")]
    public void A_bad_loss_option_exits_with_2_before_training_and_says_why(string error, params string[] args)
    {
        string output = Path.Combine(_root, "unused");

        (int exitCode, string printed, string errors) = DemoTests.RunRedirected(["--out", output, .. args]);

        exitCode.Should().Be(DemoApp.BadArguments);
        printed.Should().BeEmpty();
        DemoTests.Lines(errors).Should().Equal("error: " + error);
        Directory.Exists(output).Should().BeFalse();
    }

    [Fact]
    public void Help_lists_the_loss_options()
    {
        (int exitCode, string printed) = DemoTests.Run("--help");

        exitCode.Should().Be(DemoApp.Success);
        DemoTests.HelpEntries(printed).Should().Contain(line => line.StartsWith("  --loss <name> ", StringComparison.Ordinal) && line.EndsWith("[default: ce]", StringComparison.Ordinal))
            .And.Contain(line => line.StartsWith("  --compare-losses ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_settings_are_the_grid_with_the_chosen_loss_or_every_loss_at_the_noise_level()
    {
        DemoApp.Settings(new DemoOptions { Loss = "focal", Alpha = 0.2, Noise = 0.4 }).Should().Equal(
            ("focal", 0.0, 0.0), ("focal", 0.2, 0.0), ("focal", 0.0, 0.4), ("focal", 0.2, 0.4));
        DemoApp.Settings(new DemoOptions { CompareLosses = true, Alpha = 0.2, Noise = 0.4 }).Should().Equal(
            ("ce", 0.0, 0.4), ("ce", 0.2, 0.4), ("poly", 0.0, 0.4), ("focal", 0.0, 0.4), ("relaxation", 0.2, 0.4), ("penalty", 0.0, 0.4));
        DemoApp.Note(new DemoOptions { CompareLosses = true, Alpha = 0.2 }).Should().BeNull();
    }

    [Fact]
    public void The_comparison_with_alpha_0_trains_the_cross_entropy_once_and_says_so()
    {
        var options = new DemoOptions { CompareLosses = true, Alpha = 0.0, Noise = 0.4 };

        DemoApp.Settings(options).Should().Equal(("ce", 0.0, 0.4), ("poly", 0.0, 0.4), ("focal", 0.0, 0.4), ("penalty", 0.0, 0.4));
        DemoApp.Note(options).Should().Be("With α = 0, label smoothing and label relaxation are the cross-entropy: it is trained once.");
    }

    [Fact]
    public void The_comparison_trains_every_loss_on_the_same_noisy_labels_and_names_the_winners_from_its_numbers()
    {
        string compared = Path.Combine(_root, "compared");
        string grid = Path.Combine(_root, "grid");

        (int exitCode, string printed) = DemoTests.Run("--compare-losses", "--epochs", "2", "--seed", "7", "--out", compared);
        (int gridCode, _) = DemoTests.Run("--epochs", "2", "--seed", "7", "--out", grid);

        exitCode.Should().Be(DemoApp.Success);
        gridCode.Should().Be(DemoApp.Success);
        var runs = Runs(compared);
        runs.Select(r => r.Loss).Should().Equal("ce", "ce", "poly", "focal", "relaxation", "penalty");
        runs.Select(r => r.Noise).Should().OnlyContain(noise => noise == 0.3);
        runs.Select(r => r.Description).Should().Equal(
            "cross-entropy", "label smoothing (α = 0.1)", "Poly-1 (ε = 2, α = 0)", "focal (γ = 2, α = 0)", "label relaxation (α = 0.1)", "confidence penalty (β = 0.1, α = 0)");
        foreach (var run in runs)
        {
            printed.Should().Contain(run.Description);
            File.Exists(Path.Combine(compared, (run.Loss == "ce" ? "" : run.Loss + "-") + FormattableString.Invariant($"alpha{run.Alpha:0.###}-noise0.3.svg"))).Should().BeTrue();
        }

        // The comparison's cross-entropy run is the grid's (α = 0, 30 % noise) run: the same seed gives the same training.
        var plain = Runs(grid).Single(r => r.Alpha == 0.0 && r.Noise == 0.3);
        (runs[0].Accuracy, runs[0].Nll, runs[0].Ece).Should().Be((plain.Accuracy, plain.Nll, plain.Ece));

        // The findings name the best accuracy, NLL and ECE as measured.
        string report = File.ReadAllText(Path.Combine(compared, "report.md"));
        report.Should().Contain("# The smoothing loss family on the UCI digits").And.Contain("## Which loss did best here");
        var best = runs.Where(r => r.Accuracy == runs.Max(x => x.Accuracy)).Select(r => r.Description);
        var lowestNll = runs.Where(r => r.Nll == runs.Min(x => x.Nll)).Select(r => r.Description);
        var lowestEce = runs.Where(r => r.Ece == runs.Min(x => x.Ece)).Select(r => r.Description);
        string headline = "Best test accuracy: " + string.Join(" and ", best) + FormattableString.Invariant($" at {runs.Max(r => r.Accuracy):0.0%}")
            + "; lowest NLL: " + string.Join(" and ", lowestNll) + FormattableString.Invariant($" at {runs.Min(r => r.Nll):0.000}")
            + "; lowest ECE: " + string.Join(" and ", lowestEce) + FormattableString.Invariant($" at {runs.Min(r => r.Ece):0.000}") + ".";
        report.Should().Contain("- " + headline);
        printed.Should().Contain(string.Join(Environment.NewLine, TextLayout.Wrap(headline, DemoConsole.RedirectedWidth, "• ")));
        foreach (var run in runs.Skip(1))
        {
            report.Should().Contain(FormattableString.Invariant($"- {run.Description} against the cross-entropy: accuracy {100.0 * (run.Accuracy - runs[0].Accuracy):+0.0;-0.0;0.0} points"));
        }
    }

    [Fact]
    public void A_grid_with_another_loss_trains_that_loss_and_prefixes_its_files()
    {
        string output = Path.Combine(_root, "relaxation");

        (int exitCode, _) = DemoTests.Run("--loss", "relaxation", "--epochs", "1", "--out", output);

        exitCode.Should().Be(DemoApp.Success);
        var runs = Runs(output);
        runs.Should().HaveCount(4).And.OnlyContain(r => r.Loss == "relaxation");
        runs.Select(r => r.Description).Should().Equal("label relaxation (α = 0)", "label relaxation (α = 0.1)", "label relaxation (α = 0)", "label relaxation (α = 0.1)");
        File.Exists(Path.Combine(output, "relaxation-alpha0.1-noise0.3.svg")).Should().BeTrue();
    }

    private static (string Loss, string Description, double Alpha, double Noise, double Accuracy, double Nll, double Ece)[] Runs(string directory)
    {
        using JsonDocument results = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "results.json")));
        return results.RootElement.EnumerateArray().Select(run => (
            run.GetProperty("Loss").GetString()!,
            run.GetProperty("LossDescription").GetString()!,
            run.GetProperty("Alpha").GetDouble(),
            run.GetProperty("Noise").GetDouble(),
            run.GetProperty("Accuracy").GetDouble(),
            run.GetProperty("Nll").GetDouble(),
            run.GetProperty("Ece").GetDouble())).ToArray();
    }
}
