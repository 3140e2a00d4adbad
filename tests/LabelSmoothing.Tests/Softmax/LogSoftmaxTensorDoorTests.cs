using System;
using System.Linq;
using System.Numerics;
using Xunit;

namespace LabelSmoothing.Tests.Softmax;

/// <summary>
/// The tensor overloads of <see cref="LogSoftmax"/> (<c>Forward</c>, <c>Softmax</c>, <c>Backward</c>, along axis 1 of <c>(N, C, d1, …, dk)</c>)
/// on dense, permuted and sliced views, against the span overloads on the contiguous <c>[N·d1·…·dk, C]</c> rows (in double on the
/// Half-rounded inputs for Half), in separate buffers and in place over either input.
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class LogSoftmaxTensorDoorTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static bool IsHalf => typeof(T) == typeof(Half);

    private static double Tolerance => IsHalf ? 2e-3 : TestNumerics<T>.Tolerance;

    private static T Sentinel => TestNumerics<T>.Sentinel;

    public static TheoryData<string, string> Cases() => TensorDoorCases.All();

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardSoftmaxAndBackward_TensorOverloads_EqualTheSpanOverloadsOnTheRows(string shapeName, string layoutName)
    {
        int[] shape = TensorDoorCases.Shape(shapeName);
        var layouts = DoorLayouts.Named(layoutName);
        int count = shape.Aggregate(1, (a, b) => a * b);
        T[] logical = TestNumerics<T>.Random(count, -8.0, 8.0, seed: count);
        T[] upstreamValues = TestNumerics<T>.Random(count, -1.0, 1.0, seed: count + 1);
        var logits = StridedTensor<T>.Create(logical, shape, layouts.Logits, Sentinel);
        var upstream = StridedTensor<T>.Create(upstreamValues, shape, layouts.Targets, Sentinel);
        T[] logitsBefore = (T[])logits.Storage.Clone();
        T[] upstreamBefore = (T[])upstream.Storage.Clone();
        var checks = new ParityChecks<T>(Tolerance);

        var logProbabilities = StridedTensor<T>.Filled(shape, layouts.Gradient, Sentinel);
        LogSoftmax.Forward(logits.ReadOnly, logProbabilities.Span);
        var probabilities = StridedTensor<T>.Filled(shape, layouts.Gradient, Sentinel);
        LogSoftmax.Softmax(logits.ReadOnly, probabilities.Span);

        // The backward pass takes the log-probabilities the forward pass produced, in the logits' layout.
        T[] lpValues = logProbabilities.Logical();
        var lp = StridedTensor<T>.Create(lpValues, shape, layouts.Logits, Sentinel);
        var backward = StridedTensor<T>.Filled(shape, layouts.Gradient, Sentinel);
        LogSoftmax.Backward(lp.ReadOnly, upstream.ReadOnly, backward.Span);

        var expected = IsHalf
            ? Expect(Widen(SampleRows.ToRows<T>(logical, shape)), Widen(SampleRows.ToRows<T>(lpValues, shape)), Widen(SampleRows.ToRows<T>(upstreamValues, shape)), shape)
            : Expect(SampleRows.ToRows<T>(logical, shape), SampleRows.ToRows<T>(lpValues, shape), SampleRows.ToRows<T>(upstreamValues, shape), shape);
        checks.Tensor("Forward", logProbabilities, expected.LogProbabilities);
        checks.Tensor("Softmax", probabilities, expected.Probabilities);
        checks.Tensor("Backward", backward, expected.Backward);

        var inPlace = logits.Clone();
        LogSoftmax.Forward(inPlace.ReadOnly, inPlace.Span);
        checks.Tensor("Forward in place", inPlace, expected.LogProbabilities);
        inPlace = logits.Clone();
        LogSoftmax.Softmax(inPlace.ReadOnly, inPlace.Span);
        checks.Tensor("Softmax in place", inPlace, expected.Probabilities);
        inPlace = lp.Clone();
        LogSoftmax.Backward(inPlace.ReadOnly, upstream.ReadOnly, inPlace.Span);
        checks.Tensor("Backward into the log-probabilities", inPlace, expected.Backward);
        inPlace = upstream.Clone();
        LogSoftmax.Backward(lp.ReadOnly, inPlace.ReadOnly, inPlace.Span);
        checks.Tensor("Backward into the upstream", inPlace, expected.Backward);

        checks.Same("inputs unmodified", logits.Storage.AsSpan().SequenceEqual(logitsBefore) && upstream.Storage.AsSpan().SequenceEqual(upstreamBefore), "an input changed");
        checks.ShouldAllPass($"{typeof(T).Name} LogSoftmax {shapeName} with {layoutName}: logits {logits.Describe()}");
    }

    private static double[] Widen(T[] values) => Array.ConvertAll(values, v => double.CreateTruncating(v));

    private static (double[] LogProbabilities, double[] Probabilities, double[] Backward) Expect<TRef>(TRef[] logits, TRef[] logProbabilities, TRef[] upstream, int[] shape)
        where TRef : unmanaged, IFloatingPointIeee754<TRef>
    {
        int numClasses = shape[1];
        var lp = new TRef[logits.Length];
        LogSoftmax.Forward<TRef>(logits, numClasses, lp);
        var p = new TRef[logits.Length];
        LogSoftmax.Softmax<TRef>(logits, numClasses, p);
        var backward = new TRef[logits.Length];
        LogSoftmax.Backward<TRef>(logProbabilities, upstream, numClasses, backward);
        return (Logical(lp, shape), Logical(p, shape), Logical(backward, shape));
    }

    private static double[] Logical<TRef>(TRef[] rows, int[] shape)
        where TRef : unmanaged, IFloatingPointIeee754<TRef> =>
        Array.ConvertAll(SampleRows.FromRows<TRef>(rows, shape), v => double.CreateTruncating(v));
}

public sealed class LogSoftmaxTensorDoorTestsSingle : LogSoftmaxTensorDoorTests<float>;

public sealed class LogSoftmaxTensorDoorTestsDouble : LogSoftmaxTensorDoorTests<double>;

public sealed class LogSoftmaxTensorDoorTestsHalf : LogSoftmaxTensorDoorTests<Half>;
