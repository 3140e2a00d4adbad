using System;
using System.Numerics;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>
/// The inputs of one shape of the sweep, <c>N</c> rows of <c>K</c> classes: the leading elements of fixed random pools, so that no shape
/// generates data of its own.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class SweepInputs<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The label of ignored samples in <see cref="LabelsWithIgnored"/>: the library's default ignore index.</summary>
    public const int DefaultIgnoreIndex = -100;

    private static readonly T[] LogitPool = TestNumerics<T>.Random(SweepShapes.MaxElements, -4.0, 4.0, seed: 1);
    private static readonly T[] LogProbabilityPool = TestNumerics<T>.Random(SweepShapes.MaxElements, -8.0, 0.0, seed: 2);
    private static readonly T[] TargetPool = TestNumerics<T>.Random(SweepShapes.MaxElements, 0.0, 1.0, seed: 3);
    private static readonly T[] UpstreamPool = TestNumerics<T>.Random(SweepShapes.MaxElements, -1.0, 1.0, seed: 4);
    private static readonly T[] SharedUpstreamValue = [T.CreateTruncating(0.75)];
    private static readonly int[] ClassPool = TestNumerics<T>.RandomLabels(SweepShapes.MaxRows, int.MaxValue, seed: 5);
    private static readonly T[] SampleWeightPool = SampleWeightsWithZeros();

    private readonly int[] _labels;
    private readonly int[] _labelsWithIgnored;
    private readonly nint[] _denseLengths;
    private readonly nint[] _segmentedLengths;
    private T[]? _logitsWithNegativeInfinityAtLabels;

    public SweepInputs(int numClasses, int rows)
    {
        NumClasses = numClasses;
        Rows = rows;
        _labels = new int[rows];
        _labelsWithIgnored = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            _labels[i] = ClassPool[i] % numClasses;
            _labelsWithIgnored[i] = i % 5 == 3 ? DefaultIgnoreIndex : _labels[i];
        }

        _denseLengths = [1, numClasses, rows];
        int segment = SegmentLength(rows);
        _segmentedLengths = [segment == 0 ? 0 : rows / segment, numClasses, segment];
    }

    public int NumClasses { get; }

    public int Rows { get; }

    public int Elements => Rows * NumClasses;

    /// <summary><c>N·K</c> scores in [−4, 4).</summary>
    public ReadOnlySpan<T> Logits => LogitPool.AsSpan(0, Elements);

    /// <summary>
    /// <see cref="Logits"/> with the logit of the label of every seventh sample (from the sixth) set to −∞: rows that the fused kernels hand
    /// to the element-by-element kernel.
    /// </summary>
    public ReadOnlySpan<T> LogitsWithNegativeInfinityAtLabels => _logitsWithNegativeInfinityAtLabels ??= NegativeInfinityAtLabels();

    /// <summary><c>N·K</c> values in [−8, 0), the input of <see cref="LogSoftmax.Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, int, Span{T})"/>.</summary>
    public ReadOnlySpan<T> LogProbabilities => LogProbabilityPool.AsSpan(0, Elements);

    /// <summary><c>N·K</c> targets in [0, 1): probability targets (rows not normalised) and binary targets alike.</summary>
    public ReadOnlySpan<T> Targets => TargetPool.AsSpan(0, Elements);

    /// <summary><c>N·K</c> upstream gradients in [−1, 1): one per element.</summary>
    public ReadOnlySpan<T> ElementUpstream => UpstreamPool.AsSpan(0, Elements);

    /// <summary><c>N</c> upstream gradients: one per sample (<see cref="Reduction.None"/>).</summary>
    public ReadOnlySpan<T> SampleUpstream => UpstreamPool.AsSpan(0, Rows);

    /// <summary>One upstream gradient for the reduced loss (<see cref="Reduction.Mean"/>, <see cref="Reduction.Sum"/>).</summary>
    public ReadOnlySpan<T> SharedUpstream => SharedUpstreamValue;

    /// <summary><c>N</c> classes in [0, K).</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary><see cref="Labels"/> with every fifth sample (from the fourth) set to <see cref="DefaultIgnoreIndex"/>.</summary>
    public ReadOnlySpan<int> LabelsWithIgnored => _labelsWithIgnored;

    /// <summary>
    /// <c>N</c> sample weights in [0, 2), every fourth (from the first) 0: a sample masked out, and for <c>N</c> = 1 a batch whose weights
    /// are all 0 (its mean returns 0 and clears the gradient).
    /// </summary>
    public ReadOnlySpan<T> SampleWeights => SampleWeightPool.AsSpan(0, Rows);

    /// <summary>
    /// The lengths of a dense tensor <c>(N, C, d)</c> over the <c>N·K</c> elements, in the given <paramref name="layout"/>: the same
    /// elements as <c>N</c> samples of <c>K</c> classes, now laid out class-major within each segment of <c>d</c> samples.
    /// </summary>
    public nint[] TensorLengths(SweepLayout layout) => layout == SweepLayout.OneSegment ? _denseLengths : _segmentedLengths;

    /// <summary>The lengths <c>(N, d)</c> of the per-sample operands (labels, losses, upstream, sample weights) of <see cref="TensorLengths"/>.</summary>
    public nint[] SampleLengths(SweepLayout layout)
    {
        nint[] lengths = TensorLengths(layout);
        return [lengths[0], lengths[2]];
    }

    private T[] NegativeInfinityAtLabels()
    {
        T[] logits = Logits.ToArray();
        for (int i = 5; i < Rows; i += 7)
        {
            logits[(i * NumClasses) + _labels[i]] = T.NegativeInfinity;
        }

        return logits;
    }

    /// <summary>The smallest divisor of <paramref name="rows"/> that is at least 3 (<paramref name="rows"/> itself below 3).</summary>
    private static int SegmentLength(int rows)
    {
        for (int length = 3; length < rows; length++)
        {
            if (rows % length == 0)
            {
                return length;
            }
        }

        return rows;
    }

    private static T[] SampleWeightsWithZeros()
    {
        T[] weights = TestNumerics<T>.Random(SweepShapes.MaxRows, 0.0, 2.0, seed: 6);
        for (int i = 0; i < weights.Length; i += 4)
        {
            weights[i] = T.Zero;
        }

        return weights;
    }

    public override string ToString() => FormattableString.Invariant($"K = {NumClasses}, N = {Rows}");
}
