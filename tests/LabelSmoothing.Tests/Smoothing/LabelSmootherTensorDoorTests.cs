using System;
using System.Linq;
using System.Numerics;
using Xunit;

namespace LabelSmoothing.Tests.Smoothing;

/// <summary>
/// The tensor overloads of <see cref="LabelSmoother"/> (labels <c>(N, d1, …, dk)</c> into <c>(N, K, d1, …, dk)</c>; soft targets of that
/// shape, also in place) for every prior, on dense, permuted and sliced views, against the span overloads on the contiguous
/// <c>[N·d1·…·dk, K]</c> rows (in double on the Half-rounded targets for Half).
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class LabelSmootherTensorDoorTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static bool IsHalf => typeof(T) == typeof(Half);

    private static double Tolerance => IsHalf ? 2e-3 : TestNumerics<T>.Tolerance;

    private static T Sentinel => TestNumerics<T>.Sentinel;

    public static TheoryData<string, string> Cases() => TensorDoorCases.All();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Smooth_TensorOverloads_EqualTheSpanOverloadsOnTheRows(string shapeName, string layoutName)
    {
        int[] shape = TensorDoorCases.Shape(shapeName);
        var layouts = DoorLayouts.Named(layoutName);
        int numClasses = shape[1];
        int count = shape.Aggregate(1, (a, b) => a * b);
        int[] perSample = SampleRows.PerSample(shape);
        int[] labelValues = TestNumerics<T>.RandomLabels(SampleRows.Samples(shape), numClasses, seed: count);
        T[] targetValues = TestNumerics<T>.Random(count, 0.0, 1.0, seed: count + 1);
        var labels = StridedTensor<int>.Create(labelValues, perSample, layouts.Labels, -7);
        var targets = StridedTensor<T>.Create(targetValues, shape, layouts.Targets, Sentinel);
        int[] labelsBefore = (int[])labels.Storage.Clone();
        T[] targetsBefore = (T[])targets.Storage.Clone();
        var checks = new ParityChecks<T>(Tolerance);
        var priors = new[] { SmoothingPrior.Uniform, SmoothingPrior.UniformOthers, SmoothingPrior.Ordinal(0.8), SmoothingPrior.FromDistribution(Distribution(numClasses)) };

        foreach (var prior in priors)
        {
            var smoother = new LabelSmoother(0.3, prior);
            var (fromLabels, fromTargets) = IsHalf
                ? ExpectSmooth(smoother, labelValues, Widen(SampleRows.ToRows<T>(targetValues, shape)), shape)
                : ExpectSmooth(smoother, labelValues, SampleRows.ToRows<T>(targetValues, shape), shape);

            var destination = StridedTensor<T>.Filled(shape, layouts.Gradient, Sentinel);
            smoother.Smooth(labels.ReadOnly, destination.Span);
            checks.Tensor($"{prior}: Smooth(labels)", destination, fromLabels);

            destination = StridedTensor<T>.Filled(shape, layouts.Gradient, Sentinel);
            smoother.Smooth(targets.ReadOnly, destination.Span);
            checks.Tensor($"{prior}: Smooth(targets)", destination, fromTargets);

            var inPlace = targets.Clone();
            smoother.Smooth(inPlace.ReadOnly, inPlace.Span);
            checks.Tensor($"{prior}: Smooth(targets) in place", inPlace, fromTargets);
        }

        checks.Same("inputs unmodified", labels.Storage.AsSpan().SequenceEqual(labelsBefore) && targets.Storage.AsSpan().SequenceEqual(targetsBefore), "an input changed");
        checks.ShouldAllPass($"{typeof(T).Name} LabelSmoother {shapeName} with {layoutName}: labels {labels.Describe()}, targets {targets.Describe()}");
    }

    private static double[] Widen(T[] values) => Array.ConvertAll(values, v => double.CreateTruncating(v));

    private static double[] Distribution(int numClasses)
    {
        double[] p = Enumerable.Range(1, numClasses).Select(k => (double)k).ToArray();
        double sum = p.Sum();
        return p.Select(v => v / sum).ToArray();
    }

    private static (double[] FromLabels, double[] FromTargets) ExpectSmooth<TRef>(LabelSmoother smoother, int[] labels, TRef[] targets, int[] shape)
        where TRef : unmanaged, IFloatingPointIeee754<TRef>
    {
        var fromLabels = new TRef[targets.Length];
        smoother.Smooth<TRef>(labels, shape[1], fromLabels);
        var fromTargets = new TRef[targets.Length];
        smoother.Smooth<TRef>(targets, shape[1], fromTargets);
        return (Logical(fromLabels, shape), Logical(fromTargets, shape));
    }

    private static double[] Logical<TRef>(TRef[] rows, int[] shape)
        where TRef : unmanaged, IFloatingPointIeee754<TRef> =>
        Array.ConvertAll(SampleRows.FromRows<TRef>(rows, shape), v => double.CreateTruncating(v));
}

public sealed class LabelSmootherTensorDoorTestsSingle : LabelSmootherTensorDoorTests<float>;

public sealed class LabelSmootherTensorDoorTestsDouble : LabelSmootherTensorDoorTests<double>;

public sealed class LabelSmootherTensorDoorTestsHalf : LabelSmootherTensorDoorTests<Half>;
