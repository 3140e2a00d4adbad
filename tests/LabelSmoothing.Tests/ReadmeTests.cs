using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests;

/// <summary>The README's quick example is this code: it compiles here, prints what the README says, and matches PyTorch.</summary>
[Collection(ConsoleCollection.Name)]
public class ReadmeTests
{
    [Fact]
    public void QuickExample_PrintsTheNumbersTheReadmeShows_WhichArePyTorchs()
    {
        var output = new StringWriter();
        TextWriter original = Console.Out;
        CultureInfo culture = CultureInfo.CurrentCulture;
        Console.SetOut(output);
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            (float value, float[] gradient) = QuickExample();

            // PyTorch 1.13, float64: F.cross_entropy([[1, 5, 4], [2, 0, -1]], [1, 0], label_smoothing=0.1) and its gradient.
            ((double)value).Should().BeApproximately(0.4148709970785447, 1e-6);
            gradient.Take(3).Sum().Should().BeApproximately(0f, 1e-7f, "a normalised target's gradient row sums to 0");
        }
        finally
        {
            Console.SetOut(original);
            CultureInfo.CurrentCulture = culture;
        }

        string printed = output.ToString().Trim();
        string documented = ExampleLines(ReadmeExample()).Last().TrimStart('/', ' ');
        printed.Should().Be(documented);
    }

    [Fact]
    public void QuickExample_InTheReadme_IsTheCodeOfThisTest()
    {
        string[] readme = ExampleLines(ReadmeExample()).Where(line => !line.StartsWith("using ", StringComparison.Ordinal)).ToArray();
        string[] source = File.ReadAllLines(SourcePath());
        int begin = Array.FindIndex(source, line => line.Trim() == "// README quick example: begin");
        int end = Array.FindIndex(source, line => line.Trim() == "// README quick example: end");
        string[] code = ExampleLines(string.Join('\n', source[(begin + 1)..end]));

        code.Should().Equal(readme);
    }

    private static (float Value, float[] Gradient) QuickExample()
    {
        // README quick example: begin
        // Two samples, three classes, α = 0.1: PyTorch's F.cross_entropy(z, y, label_smoothing=0.1).
        var loss = new CrossEntropyLoss(numClasses: 3, labelSmoothing: 0.1);
        float[] logits = [1f, 5f, 4f,
                          2f, 0f, -1f];
        int[] labels = [1, 0];
        var gradient = new float[logits.Length];

        float value = loss.ForwardBackward(logits, labels, gradient);   // the mean loss, and d(loss)/d(logits) in gradient
        Console.WriteLine($"loss {value:F4}, gradient of sample 0: {gradient[0]:F4} {gradient[1]:F4} {gradient[2]:F4}");
        // loss 0.4149, gradient of sample 0: -0.0101 -0.1060 0.1160
        // README quick example: end
        return (value, gradient);
    }

    /// <summary>The code block under "## Quick example" in README.md.</summary>
    private static string ReadmeExample()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        int section = readme.IndexOf("## Quick example", StringComparison.Ordinal);
        int start = readme.IndexOf("```csharp", section, StringComparison.Ordinal) + "```csharp".Length;
        int end = readme.IndexOf("```", start, StringComparison.Ordinal);
        return readme[start..end];
    }

    /// <summary>The non-empty lines, without indentation.</summary>
    private static string[] ExampleLines(string code) =>
        code.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0).ToArray();

    private static string RepositoryRoot() => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(SourcePath())!, "..", ".."));

    private static string SourcePath([CallerFilePath] string path = "") => path;
}
