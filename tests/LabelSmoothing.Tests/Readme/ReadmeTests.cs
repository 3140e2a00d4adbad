using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics.Tensors;
using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace LabelSmoothing.Tests.Readme;

/// <summary>
/// The code of README.md and of the packages' gallery READMEs (src/*/PACKAGE.md) is this code: each example compiles here between
/// markers, equals its README's code block line for line, prints what the README says, and matches PyTorch.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class ReadmeTests
{
    /// <summary>PyTorch 1.13, float64: F.cross_entropy([[1, 5, 4], [2, 0, -1]], [1, 0], label_smoothing=0.1).</summary>
    private const double QuickExampleLoss = 0.4148709970785447;

    /// <summary>
    /// F.cross_entropy(z, y, label_smoothing=0.1) on the tensor example's (2, 3, 2, 2) logits and (2, 2, 2) labels, in float64 (PyTorch 1.13
    /// prints 0.5968377739713591, as does the smoothed cross-entropy formula per pixel, the mean over the 8 pixels).
    /// </summary>
    private const double TensorExampleLoss = 0.5968377739713591;

    /// <summary>The tensor example's gradient in float64, pixel by pixel in (n, h, w) order, classes 0, 1, 2: <c>(p − t')/8</c>.</summary>
    private static readonly double[][] TensorExampleGradient =
    [
        [-0.033511547195, 0.007087154980, 0.026424392215], [0.001084591600, -0.011192324856, 0.010107733256],
        [0.048623183115, 0.048623183115, -0.097246366230], [0.001084591600, 0.010107733256, -0.011192324856],
        [0.001084591600, 0.010107733256, -0.011192324856], [-0.044652056071, 0.022326028035, 0.022326028035],
        [-0.011192324856, 0.001084591600, 0.010107733256], [0.007087154980, -0.033511547195, 0.026424392215],
    ];

    [Fact]
    public void QuickExample_PrintsTheNumbersTheReadmeShows_WhichArePyTorchs()
    {
        (string printed, (float value, float[] gradient)) = Printed(QuickExample);

        ((double)value).Should().BeApproximately(QuickExampleLoss, 1e-6);
        gradient.Take(3).Sum().Should().BeApproximately(0f, 1e-7f, "a normalised target's gradient row sums to 0");
        printed.Should().Be(ReadmeSnippets.Block("## Quick example").Last().TrimStart('/', ' '));
    }

    [Fact]
    public void TensorExample_PrintsTheNumbersTheReadmeShows_WhichArePyTorchs_InBothLayouts()
    {
        (string printed, (float dense, float viewed, float[] gradient, float[] pixelGradient)) = Printed(TensorExample);

        ((double)dense).Should().BeApproximately(TensorExampleLoss, 1e-6);
        ((double)viewed).Should().BeApproximately(TensorExampleLoss, 1e-6);
        for (int n = 0; n < 2; n++)
        {
            for (int pixel = 0; pixel < 4; pixel++)
            {
                for (int c = 0; c < 3; c++)
                {
                    double expected = TensorExampleGradient[(n * 4) + pixel][c];
                    ((double)gradient[(n * 12) + (c * 4) + pixel]).Should().BeApproximately(expected, 1e-7, $"dense (n, c, pixel) = ({n}, {c}, {pixel})");
                    ((double)pixelGradient[(n * 12) + (pixel * 3) + c]).Should().BeApproximately(expected, 1e-7, $"channels-last (n, pixel, c) = ({n}, {pixel}, {c})");
                }
            }
        }

        printed.Should().Be("loss 0.5968, channels-last 0.5968");
        string[] documented = ReadmeSnippets.Block("### Tensors");
        printed.Should().Be(documented.Last().TrimStart('/', ' '));
        documented.Should().Equal(ReadmeSnippets.Code("README tensor example"));
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("src/LabelSmoothing/PACKAGE.md")]
    public void QuickExample_InTheReadmes_IsTheCodeOfThisTest(string readme)
    {
        ReadmeSnippets.Block("## Quick example", readme).Should().Equal(ReadmeSnippets.Code("README quick example"));
    }

    [Fact]
    public void MathNetQuickExample_PrintsTheQuickExamplesNumbers_AndIsThePackageReadmesCode()
    {
        (string printed, (float value, Matrix<float> gradient)) = Printed(MathNetQuickExample);

        ((double)value).Should().BeApproximately(QuickExampleLoss, 1e-6);
        gradient.Row(0).Sum().Should().BeApproximately(0f, 1e-7f);
        string[] documented = ReadmeSnippets.Block("## Quick example", "src/LabelSmoothing.MathNet/PACKAGE.md");
        printed.Should().Be(documented.Last().TrimStart('/', ' '));
        documented.Should().Equal(ReadmeSnippets.Code("MathNet quick example"));
    }

    /// <summary>
    /// The "Chunks and shards" snippet on the quick example's batch with a padded third sample, cut into two pieces: the pieces add up
    /// to PyTorch's mean (the padded sample is ignored), and their gradients are the unsplit call's slices. Not bit for bit here: the
    /// one-row piece and the three-row batch take different kernels, whose roundings differ by up to an ulp (1.9e-9 measured).
    /// </summary>
    [Fact]
    public void ChunksExample_GivesTheUnsplitMean_AndItsGradient_AndIsTheReadmesCode()
    {
        int vocabulary = 3, padId = -100;
        float[] batch = [1f, 5f, 4f, 2f, 0f, -1f, 3f, 3f, 3f];
        int[] allLabels = [1, 0, padId];
        (float[] Logits, int[] Labels, float[] Gradient)[] pieces = [(batch[..3], allLabels[..1], new float[3]), (batch[3..], allLabels[1..], new float[6])];

        // README chunks example: begin
        var loss = new CrossEntropyLoss(vocabulary, labelSmoothing: 0.1, ignoreIndex: padId);
        double total = loss.TotalWeight(allLabels);                   // or all-reduce the pieces' TotalWeight across machines
        float value = 0;
        foreach (var (logits, labels, gradient) in pieces)
            value += loss.ForwardBackward(logits, labels, gradient, total);   // Σ l_i / total, and its gradient
        // value is the global mean; each piece's gradient is its slice of the global gradient
        // README chunks example: end

        var unsplitGradient = new float[batch.Length];
        float unsplit = loss.ForwardBackward<float>(batch, allLabels, unsplitGradient);
        total.Should().Be(2.0);
        ((double)value).Should().BeApproximately(QuickExampleLoss, 1e-6);
        value.Should().BeApproximately(unsplit, 1e-7f);
        pieces.SelectMany(piece => piece.Gradient).Should().Equal(unsplitGradient, (piece, whole) => Math.Abs(piece - whole) <= 1e-8f);
        unsplitGradient[6..].Should().Equal(0f, 0f, 0f);
        ReadmeSnippets.Block("## Chunks and shards").Should().Equal(ReadmeSnippets.Code("README chunks example"));
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

    private static (float Dense, float Viewed, float[] Gradient, float[] PixelGradient) TensorExample()
    {
        // README tensor example: begin
        // Segmentation: 2 images of 2 × 2 pixels, 3 classes, α = 0.1. PyTorch's F.cross_entropy(z, y, label_smoothing=0.1) with logits z
        // shaped (N, C, H, W) = (2, 3, 2, 2) and labels y shaped (N, H, W): one label per pixel, the mean over the 8 pixels.
        var loss = new CrossEntropyLoss(numClasses: 3, labelSmoothing: 0.1);
        float[] logits = [2f, 0f, 1f, -1f,   0f, 3f, 1f, 0f,   1f, 1f, 0f, 2f,     // image 0: the planes of classes 0, 1, 2 (H × W each)
                          0f, 1f, 2f, 0f,    1f, 0f, -1f, 2f,  3f, 0f, 0f, 1f];    // image 1
        int[] labels = [0, 1, 2, 2,
                        2, 0, 0, 1];
        var gradient = new float[logits.Length];
        var labelTensor = new ReadOnlyTensorSpan<int>(labels, [2, 2, 2]);
        float dense = loss.ForwardBackward(new ReadOnlyTensorSpan<float>(logits, [2, 3, 2, 2]), labelTensor, new TensorSpan<float>(gradient, [2, 3, 2, 2]));

        // The same logits stored channels-last, (N, H, W, C), viewed as (N, C, H, W) through strides (12, 1, 6, 3): read in place, no copy.
        float[] pixels = [2f, 0f, 1f,  0f, 3f, 1f,  1f, 1f, 0f,  -1f, 0f, 2f,     // image 0: the 3 class scores of each pixel
                          0f, 1f, 3f,  1f, 0f, 0f,  2f, -1f, 0f,  0f, 2f, 1f];     // image 1
        var pixelGradient = new float[pixels.Length];                                // written in the same channels-last layout
        nint[] shape = [2, 3, 2, 2], channelsLast = [12, 1, 6, 3];
        float viewed = loss.ForwardBackward(new ReadOnlyTensorSpan<float>(pixels, shape, channelsLast), labelTensor,
                                            new TensorSpan<float>(pixelGradient, shape, channelsLast));
        Console.WriteLine($"loss {dense:F4}, channels-last {viewed:F4}");
        // loss 0.5968, channels-last 0.5968
        // README tensor example: end
        return (dense, viewed, gradient, pixelGradient);
    }

    private static (float Value, Matrix<float> Gradient) MathNetQuickExample()
    {
        // MathNet quick example: begin
        // Two samples, three classes, α = 0.1: PyTorch's F.cross_entropy(z, y, label_smoothing=0.1).
        var loss = new CrossEntropyLoss(numClasses: 3, labelSmoothing: 0.1);
        Matrix<float> logits = Matrix<float>.Build.DenseOfRowArrays([1f, 5f, 4f], [2f, 0f, -1f]);
        int[] labels = [1, 0];
        Matrix<float> gradient = Matrix<float>.Build.Dense(2, 3);

        float value = loss.ForwardBackward(logits, labels, gradient);   // the mean loss, and d(loss)/d(logits) in gradient
        Console.WriteLine($"loss {value:F4}, gradient of sample 0: {gradient[0, 0]:F4} {gradient[0, 1]:F4} {gradient[0, 2]:F4}");
        // loss 0.4149, gradient of sample 0: -0.0101 -0.1060 0.1160
        // MathNet quick example: end
        return (value, gradient);
    }

    /// <summary>Runs an example with the console captured and the invariant culture: what it printed, and what it returned.</summary>
    private static (string Printed, TResult Result) Printed<TResult>(Func<TResult> example)
    {
        var output = new StringWriter();
        TextWriter original = Console.Out;
        CultureInfo culture = CultureInfo.CurrentCulture;
        Console.SetOut(output);
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            TResult result = example();
            return (output.ToString().Trim(), result);
        }
        finally
        {
            Console.SetOut(original);
            CultureInfo.CurrentCulture = culture;
        }
    }

}
