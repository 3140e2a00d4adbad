using System.CommandLine;
using FluentAssertions;
using LabelSmoothing.Demo;
using Xunit;

namespace LabelSmoothing.Tests.Samples.Demo;

public sealed class DemoOptionsTests
{
    [Fact]
    public void NoArguments_GiveTheDefaults()
    {
        DemoOptions options = Parse();

        options.Should().Be(new DemoOptions { Alpha = 0.1, Noise = 0.3, Prior = "uniform", Epochs = 40, Seed = 42, OutputDirectory = "demo-output" });
    }

    [Fact]
    public void EveryOption_IsParsedToItsValue()
    {
        DemoOptions options = Parse("--alpha", "0.25", "--noise", "0.5", "--prior", "others", "--epochs", "3", "--seed", "7", "--out", "reports");

        options.Should().Be(new DemoOptions { Alpha = 0.25, Noise = 0.5, Prior = "others", Epochs = 3, Seed = 7, OutputDirectory = "reports" });
    }

    [Fact]
    public void AnOptionNotGiven_KeepsItsDefault()
    {
        DemoOptions options = Parse("--epochs", "5");

        options.Should().Be(new DemoOptions { Alpha = 0.1, Noise = 0.3, Prior = "uniform", Epochs = 5, Seed = 42, OutputDirectory = "demo-output" });
    }

    [Theory]
    [InlineData("--alpha", "0", 0.0)]
    [InlineData("--alpha", "1", 1.0)]
    [InlineData("--alpha", "1e-3", 0.001)]
    [InlineData("--noise", "0", 0.0)]
    [InlineData("--noise", "0.99", 0.99)]
    public void AlphaAndNoise_AcceptTheEndsOfTheirRanges(string option, string value, double expected)
    {
        DemoOptions options = Parse(option, value);

        (option == "--alpha" ? options.Alpha : options.Noise).Should().Be(expected);
    }

    [Theory]
    [InlineData("--epochs", "1", 1)]
    [InlineData("--seed", "0", 0)]
    [InlineData("--seed", "2147483647", int.MaxValue)]
    public void EpochsAndSeed_AcceptTheirSmallestAndLargestValues(string option, string value, int expected)
    {
        DemoOptions options = Parse(option, value);

        (option == "--epochs" ? options.Epochs : options.Seed).Should().Be(expected);
    }

    [Theory]
    [InlineData("uniform", "uniform")]
    [InlineData("OTHERS", "others")]
    [InlineData("Frequency", "frequency")]
    [InlineData("ordinal", "ordinal")]
    [InlineData("ordinal:2.5", "ordinal:2.5")]
    [InlineData("Ordinal:0.5", "ordinal:0.5")]
    public void Prior_IsParsedInLowerCase(string value, string expected)
    {
        Parse("--prior", value).Prior.Should().Be(expected);
    }

    [Fact]
    public void AnOptionAndItsValue_MayBeJoinedByAnEqualsSign()
    {
        Parse("--alpha=0.2", "--seed=3").Should().Be(new DemoOptions { Alpha = 0.2, Seed = 3 });
    }

    [Fact]
    public void Values_AreTakenAsWritten_NotAsResponseFiles()
    {
        Parse("--out", "@reports").OutputDirectory.Should().Be("@reports");
    }

    internal static DemoOptions Parse(params string[] args)
    {
        var commandLine = new DemoCommandLine(helpWidth: 120);
        ParseResult parsed = commandLine.Parse(args);
        DemoCommandLine.Errors(parsed).Should().BeEmpty();
        DemoCommandLine.AsksForHelp(parsed).Should().BeFalse();
        return commandLine.Options(parsed);
    }
}
