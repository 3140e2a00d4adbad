using System;
using System.Numerics;
using System.Numerics.Tensors;
using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// Per-sample weights: the identities that define them (all ones is the plain call, a zero weight is an ignored sample, the weighted call is
/// <c>Forward(losses)</c> then <c>Backward</c> with the upstream <c>s_i/W</c>), every door against the span door, and chunks that add up to the
/// global weighted mean with the divisor <see cref="SoftmaxLoss.TotalWeight{T}(ReadOnlySpan{int}, ReadOnlySpan{T})"/>.
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class SampleWeightTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int N = 37;
    private const int K = 23;

    private static readonly double[] ClassWeights = GradientCheckSupport.Uniform(new Random(5), K, 0.2, 2.0);

    private readonly T[] _logits = TestNumerics<T>.Random(N * K, -4.0, 4.0, seed: 11);
    private readonly int[] _labels = Labels();
    private readonly T[] _weights = TestNumerics<T>.Random(N, 0.0, 3.0, seed: 12);

    public static TheoryData<double, double> Options => new() { { 0.0, 0.0 }, { 1e-3, 0.0 }, { 0.0, 5.0 }, { 1e-2, 3.0 } };

    [Theory]
    [MemberData(nameof(Options))]
    public void AllOnes_AreThePlainCall_BitForBit(double zLoss, double softcap)
    {
        var loss = Loss(Reduction.Mean, zLoss, softcap);
        var plain = new T[N * K];
        var weighted = new T[N * K];
        var ones = Array.ConvertAll(new double[N], _ => T.One);

        T expected = loss.ForwardBackward<T>(_logits, _labels, plain);
        T actual = loss.ForwardBackward<T>(_logits, _labels, ones, weighted);

        actual.Should().Be(expected);
        TestNumerics<T>.ShouldBeIdentical(weighted, plain);
        loss.TotalWeight<T>(_labels, ones).Should().Be(loss.TotalWeight(_labels));
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void AZeroWeight_IsAnIgnoredSample(double zLoss, double softcap)
    {
        var loss = Loss(Reduction.Mean, zLoss, softcap);
        var weights = Array.ConvertAll(new double[N], _ => T.One);
        var ignored = (int[])_labels.Clone();
        for (int i = 0; i < N; i += 3)
        {
            weights[i] = T.Zero;
            ignored[i] = loss.IgnoreIndex;
        }

        var expectedGradient = new T[N * K];
        var gradient = new T[N * K];
        T expected = loss.ForwardBackward<T>(_logits, ignored, expectedGradient);
        T actual = loss.ForwardBackward<T>(_logits, _labels, weights, gradient);

        TestNumerics<T>.ShouldBeClose(actual, double.CreateTruncating(expected));
        TestNumerics<T>.ShouldAllBeClose(gradient, TestNumerics<T>.Doubles(expectedGradient), scale: MaxAbs(expectedGradient));
        loss.TotalWeight<T>(_labels, weights).Should().Be(loss.TotalWeight(ignored));
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void TheWeightedCall_IsForwardThenBackward_WithTheUpstreamSOverW(double zLoss, double softcap)
    {
        var mean = Loss(Reduction.Mean, zLoss, softcap);
        var none = Loss(Reduction.None, zLoss, softcap);
        var losses = new T[N];
        none.Forward<T>(_logits, _labels, losses);
        double total = mean.TotalWeight<T>(_labels, _weights);
        double expected = 0.0;
        var upstream = new T[N];
        for (int i = 0; i < N; i++)
        {
            expected += double.CreateTruncating(_weights[i]) * double.CreateTruncating(losses[i]);
            upstream[i] = T.CreateTruncating(double.CreateTruncating(_weights[i]) / total);
        }

        var expectedGradient = new T[N * K];
        none.Backward<T>(_logits, _labels, upstream, expectedGradient);
        var gradient = new T[N * K];
        T actual = mean.ForwardBackward<T>(_logits, _labels, _weights, gradient);

        TestNumerics<T>.ShouldBeClose(actual, expected / total);
        TestNumerics<T>.ShouldAllBeClose(gradient, TestNumerics<T>.Doubles(expectedGradient), scale: MaxAbs(expectedGradient));
        none.ForwardBackward<T>(_logits, _labels, _weights, new T[N * K]).Should().Be(T.CreateTruncating(expected), "None and Sum return Σ s_i·l_i");
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void EveryDoor_EqualsTheSpanDoor(double zLoss, double softcap)
    {
        var loss = Loss(Reduction.Mean, zLoss, softcap);
        var expectedGradient = new T[N * K];
        T expected = loss.ForwardBackward<T>(_logits, _labels, _weights, expectedGradient);
        double scale = MaxAbs(expectedGradient);

        // A column-major view: the class-major kernel's layout.
        var columnMajor = new T[N * K];
        for (int i = 0; i < N; i++)
        {
            for (int k = 0; k < K; k++)
            {
                columnMajor[(k * N) + i] = _logits[(i * K) + k];
            }
        }

        var gradientStorage = new T[N * K];
        T tensor = loss.ForwardBackward(
            new ReadOnlyTensorSpan<T>(columnMajor, 0, [N, K], [1, N]), new ReadOnlyTensorSpan<int>(_labels), new ReadOnlyTensorSpan<T>(_weights),
            new TensorSpan<T>(gradientStorage, 0, [N, K], [1, N]));
        TestNumerics<T>.ShouldBeClose(tensor, double.CreateTruncating(expected));
        TestNumerics<T>.ShouldAllBeClose(Transposed(gradientStorage), TestNumerics<T>.Doubles(expectedGradient), scale);

        var tensorGradient = Tensor.CreateFromShape<T>([N, K], pinned: false);
        T dense = loss.ForwardBackward(Tensor.Create(_logits, [N, K]), Tensor.Create(_labels, [N]), Tensor.Create(_weights, [N]), tensorGradient, 2.5);
        TestNumerics<T>.ShouldBeClose(dense, double.CreateTruncating(expected) * loss.TotalWeight<T>(_labels, _weights) / 2.5);
        loss.TotalWeight(Tensor.Create(_labels, [N]), Tensor.Create(_weights, [N])).Should().Be(loss.TotalWeight<T>(_labels, _weights));

        if (typeof(T) == typeof(double))
        {
            var matrix = Matrix<double>.Build.DenseOfColumnMajor(N, K, (double[])(object)columnMajor);
            var matrixGradient = Matrix<double>.Build.Dense(N, K);
            double viaMatrix = loss.ForwardBackward(matrix, _labels, (ReadOnlySpan<double>)(double[])(object)_weights, matrixGradient);
            viaMatrix.Should().BeApproximately(double.CreateTruncating(expected), 1e-12 * Math.Abs(double.CreateTruncating(expected)));
            TestNumerics<double>.ShouldAllBeClose(matrixGradient.ToRowMajorArray(), TestNumerics<T>.Doubles(expectedGradient), scale);
        }
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void Chunks_AddUpToTheGlobalWeightedMean(double zLoss, double softcap)
    {
        var loss = Loss(Reduction.Mean, zLoss, softcap);
        var expectedGradient = new T[N * K];
        T expected = loss.ForwardBackward<T>(_logits, _labels, _weights, expectedGradient);

        int[] cuts = [0, 10, 11, 30, N];
        double divisor = 0.0;
        for (int c = 0; c + 1 < cuts.Length; c++)
        {
            divisor += loss.TotalWeight<T>(_labels.AsSpan(cuts[c], cuts[c + 1] - cuts[c]), _weights.AsSpan(cuts[c], cuts[c + 1] - cuts[c]));
        }

        double total = 0.0;
        var gradient = new T[N * K];
        for (int c = 0; c + 1 < cuts.Length; c++)
        {
            int first = cuts[c];
            int count = cuts[c + 1] - first;
            total += double.CreateTruncating(loss.ForwardBackward<T>(
                _logits.AsSpan(first * K, count * K), _labels.AsSpan(first, count), _weights.AsSpan(first, count), gradient.AsSpan(first * K, count * K), divisor));
        }

        divisor.Should().BeApproximately(loss.TotalWeight<T>(_labels, _weights), 1e-12 * divisor);
        TestNumerics<T>.ShouldBeClose(T.CreateTruncating(total), double.CreateTruncating(expected));
        TestNumerics<T>.ShouldAllBeClose(gradient, TestNumerics<T>.Doubles(expectedGradient), scale: MaxAbs(expectedGradient));
    }

    [Fact]
    public void AllZeroWeights_UnderMean_AreZeroWithAZeroGradient()
    {
        var loss = Loss(Reduction.Mean, 1e-3, 5.0);
        var gradient = TestNumerics<T>.Filled(N * K);
        loss.ForwardBackward<T>(_logits, _labels, new T[N], gradient).Should().Be(T.Zero);
        TestNumerics<T>.ShouldBeIdentical(gradient, new T[N * K]);
    }

    private static CrossEntropyLoss Loss(Reduction reduction, double zLoss, double softcap) =>
        new(K, 0.1, reduction, ClassWeights, ignoreIndex: 4, zLoss: zLoss, logitSoftcap: softcap);

    private static int[] Labels()
    {
        int[] labels = TestNumerics<T>.RandomLabels(N, K, seed: 13);
        labels[5] = 4;
        labels[6] = 4;
        return labels;
    }

    private static T[] Transposed(T[] columnMajor)
    {
        var rowMajor = new T[N * K];
        for (int i = 0; i < N; i++)
        {
            for (int k = 0; k < K; k++)
            {
                rowMajor[(i * K) + k] = columnMajor[(k * N) + i];
            }
        }

        return rowMajor;
    }

    private static double MaxAbs(T[] values)
    {
        double max = 0.0;
        foreach (T value in values)
        {
            max = Math.Max(max, Math.Abs(double.CreateTruncating(value)));
        }

        return max;
    }
}

public sealed class SampleWeightTestsSingle : SampleWeightTests<float>;

public sealed class SampleWeightTestsDouble : SampleWeightTests<double>;
