using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LabelSmoothing.Internal;

/// <summary>Argument checks shared by the public entry points. Each throws an <see cref="ArgumentException"/>-family error naming the parameter.</summary>
internal static class Guard
{
    public static void NumClasses(int numClasses, int minimum = 1)
    {
        if (numClasses < minimum)
        {
            ThrowHelper.ArgumentOutOfRange(
                nameof(numClasses),
                numClasses,
                minimum == 1 ? "The number of classes must be at least 1." : $"The number of classes must be at least {minimum} here.");
        }
    }

    public static void Alpha(double alpha, string paramName)
    {
        if (!(alpha >= 0.0 && alpha <= 1.0))
        {
            ThrowHelper.ArgumentOutOfRange(paramName, alpha, "The label smoothing must lie in [0, 1] (NaN is rejected).");
        }
    }

    public static void Reduction(Reduction reduction)
    {
        if (reduction is not (LabelSmoothing.Reduction.None or LabelSmoothing.Reduction.Mean or LabelSmoothing.Reduction.Sum))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(reduction), reduction, "The reduction must be None, Mean or Sum.");
        }
    }

    /// <summary>Checks <c>actual == expected</c>; the message states how <paramref name="expectation"/> was computed.</summary>
    public static void Length(int actual, long expected, string paramName, string expectation)
    {
        if (actual != expected)
        {
            ThrowHelper.LengthMismatch(paramName, actual, expected, expectation);
        }
    }

    public static void NumLabels(int numLabels)
    {
        if (numLabels < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(numLabels), numLabels, "The number of labels must be at least 1.");
        }
    }

    /// <summary>Checks that <paramref name="length"/> is a whole number of rows of <paramref name="rowLength"/> and returns the row count.</summary>
    public static int Rows(int length, int rowLength, string paramName, string rowName = "classes")
    {
        if (length % rowLength != 0)
        {
            ThrowHelper.Argument(paramName, $"{paramName} has length {length}, which is not a multiple of the number of {rowName} ({rowLength}).");
        }

        return length / rowLength;
    }

    /// <summary>Per-class (or per-label) weights: length <paramref name="count"/>, finite, ≥ 0. Returns a copy, or null for null.</summary>
    public static double[]? Weights(double[]? weights, int count, string paramName, string countName)
    {
        if (weights is null)
        {
            return null;
        }

        if (weights.Length != count)
        {
            ThrowHelper.Argument(paramName, $"{paramName} has length {weights.Length}, but the number of {countName} is {count}.");
        }

        for (int k = 0; k < weights.Length; k++)
        {
            double weight = weights[k];
            if (!(weight >= 0.0 && double.IsFinite(weight)))
            {
                ThrowHelper.Argument(paramName, FormattableString.Invariant($"{paramName}[{k}] = {weight} is not a finite, non-negative weight."));
            }
        }

        return (double[])weights.Clone();
    }

    /// <summary>An output may alias an input of the same element type exactly; any other overlap is rejected.</summary>
    public static void NoPartialOverlap<TIn, TOut>(ReadOnlySpan<TIn> input, string inputName, ReadOnlySpan<TOut> output, string outputName)
        where TIn : unmanaged
        where TOut : unmanaged
    {
        var inputBytes = MemoryMarshal.AsBytes(input);
        var outputBytes = MemoryMarshal.AsBytes(output);
        if (!inputBytes.Overlaps(outputBytes, out int byteOffset))
        {
            return;
        }

        if (typeof(TIn) != typeof(TOut))
        {
            ThrowHelper.Overlap(outputName, inputName);
        }

        if (byteOffset != 0 || inputBytes.Length != outputBytes.Length)
        {
            ThrowHelper.PartialOverlap(outputName, inputName);
        }
    }

    /// <summary>Rejects any overlap between an index input and an output of another element type (of any type, managed or not).</summary>
    public static void NoOverlap<TOut>(ReadOnlySpan<int> input, string inputName, Span<TOut> output, string outputName)
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TOut>() || input.IsEmpty || output.IsEmpty)
        {
            return;
        }

        ref byte inputStart = ref Unsafe.As<int, byte>(ref MemoryMarshal.GetReference(input));
        ref byte outputStart = ref Unsafe.As<TOut, byte>(ref MemoryMarshal.GetReference(output));
        nint inputBytes = (nint)input.Length * sizeof(int);
        nint outputBytes = (nint)output.Length * Unsafe.SizeOf<TOut>();
        nint distance = Unsafe.ByteOffset(ref inputStart, ref outputStart);
        if ((distance >= 0 && distance < inputBytes) || (distance < 0 && -distance < outputBytes))
        {
            ThrowHelper.Overlap(outputName, inputName);
        }
    }

    /// <summary>Every label lies in <c>[0, numClasses)</c>, or equals <paramref name="ignoreIndex"/> when one is given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Labels(ReadOnlySpan<int> labels, int numClasses, int? ignoreIndex, string paramName = "labels")
    {
        int ignore = ignoreIndex ?? -1;
        bool hasIgnore = ignoreIndex is not null;
        int i = 0;
        if (Vector.IsHardwareAccelerated && labels.Length >= Vector<int>.Count)
        {
            var classes = new Vector<uint>((uint)numClasses);
            var ignored = new Vector<int>(ignore);
            Vector<int> invalid = Vector<int>.Zero;
            for (; i <= labels.Length - Vector<int>.Count; i += Vector<int>.Count)
            {
                var label = new Vector<int>(labels.Slice(i));
                Vector<int> outside = Vector.AsVectorInt32(Vector.GreaterThanOrEqual(Vector.AsVectorUInt32(label), classes));
                invalid |= hasIgnore ? Vector.AndNot(outside, Vector.Equals(label, ignored)) : outside;
            }

            if (invalid != Vector<int>.Zero)
            {
                i = 0;
            }
        }

        for (; i < labels.Length; i++)
        {
            int label = labels[i];
            if ((uint)label >= (uint)numClasses && (!hasIgnore || label != ignore))
            {
                ThrowHelper.LabelOutOfRange(paramName, i, label, numClasses, ignoreIndex);
            }
        }
    }

    /// <summary>Every entry is finite and ≥ 0; with <paramref name="atMostOne"/>, every entry lies in <c>[0, 1]</c> (NaN is always rejected).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Probabilities<T>(ReadOnlySpan<T> targets, string paramName = "targets", bool atMostOne = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if ((typeof(T) == typeof(float) || typeof(T) == typeof(double)) && Vector.IsHardwareAccelerated && targets.Length >= Vector<T>.Count)
        {
            var zero = Vector<T>.Zero;
            var one = Vector<T>.One;
            Vector<T> valid = Vector<T>.AllBitsSet;
            for (; i <= targets.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                // Comparisons with NaN are false; t − t is 0 for finite t and NaN for ±∞ and NaN.
                var target = new Vector<T>(targets.Slice(i));
                valid &= Vector.GreaterThanOrEqual(target, zero) & (atMostOne ? Vector.LessThanOrEqual(target, one) : Vector.Equals(target - target, zero));
            }

            if (!Vector.EqualsAll(Vector.AsVectorInt32(valid), new Vector<int>(-1)))
            {
                i = 0;
            }
        }

        for (; i < targets.Length; i++)
        {
            T t = targets[i];
            if (!(t >= T.Zero && (atMostOne ? t <= T.One : T.IsFinite(t))))
            {
                ThrowHelper.InvalidProbability(paramName, i, double.CreateTruncating(t), atMostOne);
            }
        }
    }
}
