using System;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace LabelSmoothing.Tests.Calibration;

/// <summary>
/// ECE, MCE and reliability bins (Guo et al. 2017, "On Calibration of Modern Neural Networks"): worked examples whose numbers are derived in the comments, exact
/// results where every confidence is exact in binary, the bin edges, an independent reference binning, and the error table.
/// </summary>
public abstract class CalibrationTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The labels of <see cref="CalibrationWorkedExample{T}"/>.</summary>
    private static int[] WorkedLabels => CalibrationWorkedExample<T>.Labels;

    /// <summary>Confidences come from logits rounded to <typeparamref name="T"/> (the ln values of the example), then are exact in double.</summary>
    private static double Tolerance => TestNumerics<T>.IsSingle ? 1e-6 : 1e-12;

    /// <summary>The logits of <see cref="CalibrationWorkedExample{T}"/>, whose table gives every sample's softmax and confidence.</summary>
    private static T[] WorkedLogits => CalibrationWorkedExample<T>.Logits;

    [Fact]
    public void WorkedExample_WithFourBins()
    {
        // M = 4: (0, .25] is empty; (.25, .5] = {4, 5}: acc 1/2, conf .4, gap .1; (.5, .75] = {2, 3}: acc 1/2, conf .65, gap .15;
        // (.75, 1] = {0, 1}: acc 1/2, conf .85, gap .35. ECE = (2/6)(.1 + .15 + .35) = .2; MCE = .35.
        double ece = LabelSmoothing.Calibration.ExpectedCalibrationError<T>(WorkedLogits, WorkedLabels, 3, bins: 4);
        double mce = LabelSmoothing.Calibration.MaximumCalibrationError<T>(WorkedLogits, WorkedLabels, 3, bins: 4);
        ReliabilityBin[] bins = LabelSmoothing.Calibration.ReliabilityBins<T>(WorkedLogits, WorkedLabels, 3, bins: 4);

        ece.Should().BeApproximately(0.2, Tolerance);
        mce.Should().BeApproximately(0.35, Tolerance);
        bins.Select(b => (b.Lower, b.Upper, b.Count)).Should().Equal((0.0, 0.25, 0), (0.25, 0.5, 2), (0.5, 0.75, 2), (0.75, 1.0, 2));
        bins.Select(b => b.Accuracy).Should().Equal(0.0, 0.5, 0.5, 0.5);
        ShouldBeClose(bins.Select(b => b.Confidence), [0.0, 0.4, 0.65, 0.85]);
        ShouldBeClose(bins.Select(b => b.Gap), [0.0, 0.1, -0.15, -0.35]);
    }

    [Fact]
    public void WorkedExample_WithOneBin_IsTheGapBetweenAccuracyAndMeanConfidence()
    {
        // One bin (0, 1]: acc = 3/6, conf = (.8 + .9 + .6 + .7 + .4 + .4)/6 = 3.8/6 = 19/30, ECE = MCE = 19/30 − 1/2 = 2/15.
        double ece = LabelSmoothing.Calibration.ExpectedCalibrationError<T>(WorkedLogits, WorkedLabels, 3, bins: 1);
        double mce = LabelSmoothing.Calibration.MaximumCalibrationError<T>(WorkedLogits, WorkedLabels, 3, bins: 1);
        ReliabilityBin bin = LabelSmoothing.Calibration.ReliabilityBins<T>(WorkedLogits, WorkedLabels, 3, bins: 1).Should().ContainSingle().Subject;

        ece.Should().BeApproximately(2.0 / 15.0, Tolerance);
        mce.Should().BeApproximately(2.0 / 15.0, Tolerance);
        (bin.Lower, bin.Upper, bin.Count, bin.Accuracy).Should().Be((0.0, 1.0, 6, 0.5));
        bin.Confidence.Should().BeApproximately(19.0 / 30.0, Tolerance);
    }

    [Fact]
    public void PerfectlyCalibratedData_HaveAnErrorOfExactlyZero()
    {
        // K = 4, confidences exact in binary: four equal logits give c = 1/4 (ŷ = 0, one label in four is 0); two equal logits and
        // two −∞ give c = 1/2 (ŷ = 0, one label in two is 0); one finite logit gives c = 1 (always right).
        double inf = double.NegativeInfinity;
        T[] logits = TestNumerics<T>.Values(
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            3, 3, inf, inf, 3, 3, inf, inf,
            -7, inf, inf, inf, -7, inf, inf, inf, -7, inf, inf, inf);
        int[] labels = [0, 1, 2, 3, 1, 0, 0, 0, 0];

        ReliabilityBin[] bins = LabelSmoothing.Calibration.ReliabilityBins<T>(logits, labels, 4);

        LabelSmoothing.Calibration.ExpectedCalibrationError<T>(logits, labels, 4).Should().Be(0.0);
        LabelSmoothing.Calibration.MaximumCalibrationError<T>(logits, labels, 4).Should().Be(0.0);
        // M = 15: c = 1/4 lies in (3/15, 4/15], c = 1/2 in (7/15, 8/15], c = 1 in (14/15, 1].
        bins.Select(b => b.Count).Should().Equal(0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 3);
        bins.Select(b => b.Accuracy).Should().Equal(bins.Select(b => b.Confidence));
        bins.Select(b => b.Confidence).Where(c => c > 0).Should().Equal(0.25, 0.5, 1.0);
    }

    [Theory]
    [InlineData(4, 4, 0)] // c = 1/4 = 1/4: bin (0, 1/4]
    [InlineData(2, 4, 1)] // c = 1/2 = 2/4: bin (1/4, 2/4]
    [InlineData(2, 2, 0)]
    [InlineData(3, 3, 0)] // c = 1/3 (rounded) is the edge 1/3 (rounded the same way)
    [InlineData(3, 6, 1)]
    [InlineData(3, 15, 4)] // c = 1/3 = 5/15
    [InlineData(5, 10, 1)] // c = 0.2 = 2/10
    [InlineData(10, 10, 0)] // c = 0.1 = 1/10
    [InlineData(1, 15, 14)] // c = 1: the last bin
    public void ConfidenceOnAnEdge_BelongsToTheBinBelowIt(int numClasses, int binCount, int expectedBin)
    {
        T[] logits = TestNumerics<T>.Values(Enumerable.Repeat(1.5, numClasses).ToArray());

        ReliabilityBin[] bins = LabelSmoothing.Calibration.ReliabilityBins<T>(logits, [0], numClasses, binCount);

        bins.Select(b => b.Count).Should().Equal(Enumerable.Range(0, binCount).Select(m => m == expectedBin ? 1 : 0));
        bins[expectedBin].Confidence.Should().Be(1.0 / numClasses);
        bins[expectedBin].Upper.Should().Be((double)(expectedBin + 1) / binCount);
        bins[expectedBin].Accuracy.Should().Be(1.0);
    }

    [Fact]
    public void ConfidenceJustAboveAnEdge_BelongsToTheBinAboveIt()
    {
        // c = 1/(1 + e^−0.001) = 0.50025 > 2/4.
        T[] logits = TestNumerics<T>.Values(0.001, 0.0);

        ReliabilityBin[] bins = LabelSmoothing.Calibration.ReliabilityBins<T>(logits, [1], 2, bins: 4);

        bins.Select(b => b.Count).Should().Equal(0, 0, 1, 0);
        bins[2].Confidence.Should().BeApproximately(1.0 / (1.0 + Math.Exp(-0.001)), Tolerance);
        bins[2].Accuracy.Should().Be(0.0);
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(2, 0.0)]
    public void TiesInTheArgmax_PredictTheFirstIndex(int label, double accuracy)
    {
        // z = (1, 3, 3): ŷ = 1 and c = e³/(e + 2e³) = 1/(2 + e^−2) = 0.46831…; ECE = |accuracy − c|.
        double confidence = 1.0 / (2.0 + Math.Exp(-2.0));
        T[] logits = TestNumerics<T>.Values(1.0, 3.0, 3.0);

        double ece = LabelSmoothing.Calibration.ExpectedCalibrationError<T>(logits, [label], 3);
        ReliabilityBin bin = LabelSmoothing.Calibration.ReliabilityBins<T>(logits, [label], 3).Single(b => b.Count == 1);

        ece.Should().BeApproximately(Math.Abs(accuracy - confidence), Tolerance);
        bin.Accuracy.Should().Be(accuracy);
        bin.Confidence.Should().BeApproximately(confidence, Tolerance);
    }

    [Fact]
    public void EmptyBatch_HasZeroErrors_AndEveryBinEmpty()
    {
        ReliabilityBin[] bins = LabelSmoothing.Calibration.ReliabilityBins<T>([], [], 3, bins: 5);

        LabelSmoothing.Calibration.ExpectedCalibrationError<T>([], [], 3, bins: 5).Should().Be(0.0);
        LabelSmoothing.Calibration.MaximumCalibrationError<T>([], [], 3, bins: 5).Should().Be(0.0);
        bins.Should().Equal(
            new ReliabilityBin(0.0, 0.2, 0, 0.0, 0.0),
            new ReliabilityBin(0.2, 0.4, 0, 0.0, 0.0),
            new ReliabilityBin(0.4, 0.6, 0, 0.0, 0.0),
            new ReliabilityBin(0.6, 0.8, 0, 0.0, 0.0),
            new ReliabilityBin(0.8, 1.0, 0, 0.0, 0.0));
    }

    [Theory]
    [InlineData(7, 1)]
    [InlineData(7, 15)]
    [InlineData(7, 129)] // more bins than fit the stack: pooled totals
    [InlineData(7, 1000)]
    [InlineData(1, 15)] // c = 1 for every sample
    public void RandomLogits_MatchAReferenceBinning(int numClasses, int binCount)
    {
        const int Samples = 500;
        T[] logits = TestNumerics<T>.Random(Samples * numClasses, -4.0, 4.0, seed: numClasses + binCount);
        int[] labels = TestNumerics<T>.RandomLabels(Samples, numClasses, seed: binCount);
        var reference = new ReferenceBinning(TestNumerics<T>.Doubles(logits), labels, numClasses, binCount);

        ReliabilityBin[] bins = LabelSmoothing.Calibration.ReliabilityBins<T>(logits, labels, numClasses, binCount);

        bins.Select(b => b.Count).Should().Equal(reference.Counts);
        bins.Sum(b => b.Count).Should().Be(Samples);
        ShouldBeClose(bins.Select(b => b.Accuracy), reference.Accuracies);
        ShouldBeClose(bins.Select(b => b.Confidence), reference.Confidences);
        LabelSmoothing.Calibration.ExpectedCalibrationError<T>(logits, labels, numClasses, binCount).Should().BeApproximately(reference.Ece, 1e-12);
        LabelSmoothing.Calibration.MaximumCalibrationError<T>(logits, labels, numClasses, binCount).Should().BeApproximately(reference.Mce, 1e-12);
    }

    [Fact]
    public void HugeLogits_GiveExactConfidences()
    {
        // ±1e4 (float) and ±1e300 (double) overflow exp without the max shift. Rows: (b, −b) c = 1, right; (b, b) c = 1/2, ŷ = 0,
        // wrong; (−b, −b) c = 1/2, right. M = 2: (0, 1/2] holds acc 1/2 at conf 1/2, (1/2, 1] acc 1 at conf 1: ECE = 0.
        double big = TestNumerics<T>.IsSingle ? 1e4 : 1e300;
        T[] logits = TestNumerics<T>.Values(big, -big, big, big, -big, -big);
        int[] labels = [0, 1, 0];

        ReliabilityBin[] bins = LabelSmoothing.Calibration.ReliabilityBins<T>(logits, labels, 2, bins: 2);

        bins.Should().Equal(new ReliabilityBin(0.0, 0.5, 2, 0.5, 0.5), new ReliabilityBin(0.5, 1.0, 1, 1.0, 1.0));
        LabelSmoothing.Calibration.ExpectedCalibrationError<T>(logits, labels, 2, bins: 2).Should().Be(0.0);
    }

    [Theory]
    [InlineData(6, 4)]
    [InlineData(3, 9)]
    public void MatrixOverloads_EqualTheSpanOverloads(int rows, int columns)
    {
        T[] logits = TestNumerics<T>.Random(rows * columns, -3.0, 3.0, seed: rows);
        int[] labels = TestNumerics<T>.RandomLabels(rows, columns, seed: columns);
        var matrix = Matrix<T>.Build.DenseOfRowMajor(rows, columns, logits);

        LabelSmoothing.Calibration.ExpectedCalibrationError(matrix, labels, bins: 5)
            .Should().Be(LabelSmoothing.Calibration.ExpectedCalibrationError<T>(logits, labels, columns, bins: 5));
        LabelSmoothing.Calibration.MaximumCalibrationError(matrix, labels, bins: 5)
            .Should().Be(LabelSmoothing.Calibration.MaximumCalibrationError<T>(logits, labels, columns, bins: 5));
        LabelSmoothing.Calibration.ReliabilityBins(matrix, labels, bins: 5)
            .Should().Equal(LabelSmoothing.Calibration.ReliabilityBins<T>(logits, labels, columns, bins: 5));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void NumClassesBelowOne_IsRejected(int numClasses)
    {
        ShouldAllThrow<ArgumentOutOfRangeException>([], labels: [], numClasses, bins: 15, "numClasses");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void BinsBelowOne_AreRejected(int bins)
    {
        ShouldAllThrow<ArgumentOutOfRangeException>(TestNumerics<T>.Values(1, 2), labels: [0], 2, bins, "bins");
        Action matrix = () => LabelSmoothing.Calibration.ExpectedCalibrationError(Matrix<T>.Build.Dense(1, 2), [0], bins);
        matrix.Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("bins");
    }

    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    public void LogitsNotAWholeNumberOfRows_AreRejected(int length)
    {
        ShouldAllThrow<ArgumentException>(new T[length], labels: [0, 1], 3, bins: 15, "logits");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(9)]
    public void LabelsNotOnePerRow_AreRejected_NamingTheLabels(int length)
    {
        var exception = ShouldAllThrow<ArgumentException>(new T[length], labels: [0, 1], 3, bins: 15, "labels");

        exception.Message.Should().Contain($"labels has length 2, but logits.Length / NumClasses = {length / 3}");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void LabelsOutsideTheClasses_AreRejected_NamingTheSample(int label)
    {
        var exception = ShouldAllThrow<ArgumentOutOfRangeException>(new T[6], labels: [0, label], 3, bins: 15, "labels");

        exception.Message.Should().Contain($"labels[1] = {label}");
    }

    [Theory]
    [InlineData(double.NaN, 0.0)]
    [InlineData(0.0, double.NaN)]
    [InlineData(double.PositiveInfinity, 0.0)]
    [InlineData(1.0, double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity, double.NegativeInfinity)]
    public void RowsWithoutASoftmax_AreRejected_NamingTheSample(double first, double second)
    {
        T[] logits = TestNumerics<T>.Values(0.0, 1.0, first, second);

        var exception = ShouldAllThrow<ArgumentException>(logits, labels: [0, 1], 2, bins: 15, "logits");

        exception.Message.Should().Contain("sample 1");
    }

    [Fact]
    public void MatrixOverloads_RejectNullAndWrongRowCounts()
    {
        Action nullMatrix = () => LabelSmoothing.Calibration.ReliabilityBins<T>(null!, [0]);
        Action wrongRows = () => LabelSmoothing.Calibration.MaximumCalibrationError(Matrix<T>.Build.Dense(3, 2), [0, 1]);
        Action badLabel = () => LabelSmoothing.Calibration.ExpectedCalibrationError(Matrix<T>.Build.Dense(2, 2), [0, 2]);

        nullMatrix.Should().ThrowExactly<ArgumentNullException>().WithParameterName("logits");
        wrongRows.Should().ThrowExactly<ArgumentException>().WithParameterName("labels");
        badLabel.Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("labels");
    }

    private static void ShouldBeClose(System.Collections.Generic.IEnumerable<double> actual, double[] expected)
    {
        double[] values = actual.ToArray();
        values.Should().HaveSameCount(expected);
        for (int m = 0; m < values.Length; m++)
        {
            values[m].Should().BeApproximately(expected[m], Tolerance, $"bin {m}");
        }
    }

    /// <summary>Calls all three span methods and asserts that each throws <typeparamref name="TException"/> naming <paramref name="paramName"/>.</summary>
    private static TException ShouldAllThrow<TException>(T[] logits, int[] labels, int numClasses, int bins, string paramName)
        where TException : ArgumentException
    {
        Action[] calls =
        [
            () => LabelSmoothing.Calibration.ExpectedCalibrationError<T>(logits, labels, numClasses, bins),
            () => LabelSmoothing.Calibration.MaximumCalibrationError<T>(logits, labels, numClasses, bins),
            () => LabelSmoothing.Calibration.ReliabilityBins<T>(logits, labels, numClasses, bins),
        ];
        TException? last = null;
        foreach (Action call in calls)
        {
            last = call.Should().ThrowExactly<TException>().WithParameterName(paramName).Which;
        }

        return last!;
    }

    /// <summary>
    /// The binning of the paper's reference code, <c>gpleiss/temperature_scaling</c> <c>_ECELoss</c>, in double: a softmax per row, a
    /// linear scan over the bins with <c>lower &lt; c ≤ upper</c>, and <c>ECE = Σ prop·|acc − conf|</c>.
    /// </summary>
    private sealed class ReferenceBinning
    {
        public ReferenceBinning(double[] logits, int[] labels, int numClasses, int binCount)
        {
            double[] probabilities = NaiveMath.Softmax(logits, numClasses);
            Counts = new int[binCount];
            Accuracies = new double[binCount];
            Confidences = new double[binCount];
            for (int m = 0; m < binCount; m++)
            {
                double lower = (double)m / binCount;
                double upper = (double)(m + 1) / binCount;
                int correct = 0;
                double confidenceSum = 0.0;
                for (int i = 0; i < labels.Length; i++)
                {
                    var row = probabilities.AsSpan(i * numClasses, numClasses);
                    double confidence = row.ToArray().Max();
                    if (confidence > lower && confidence <= upper)
                    {
                        Counts[m]++;
                        confidenceSum += confidence;
                        correct += row.IndexOf(confidence) == labels[i] ? 1 : 0;
                    }
                }

                if (Counts[m] > 0)
                {
                    Accuracies[m] = (double)correct / Counts[m];
                    Confidences[m] = confidenceSum / Counts[m];
                    double gap = Math.Abs(Accuracies[m] - Confidences[m]);
                    Ece += (double)Counts[m] / labels.Length * gap;
                    Mce = Math.Max(Mce, gap);
                }
            }
        }

        public int[] Counts { get; }

        public double[] Accuracies { get; }

        public double[] Confidences { get; }

        public double Ece { get; }

        public double Mce { get; }
    }
}

public sealed class CalibrationTestsSingle : CalibrationTests<float>
{
}

public sealed class CalibrationTestsDouble : CalibrationTests<double>
{
}
