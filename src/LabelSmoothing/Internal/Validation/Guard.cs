using System.Globalization;
using System.Runtime.InteropServices;

namespace LabelSmoothing.Internal.Validation;

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

    /// <summary>Checks that an option is finite and ≥ 0 (NaN is rejected); <paramref name="what"/> names it in the message.</summary>
    public static void NonNegativeFinite(double value, string paramName, string what)
    {
        if (!(value >= 0.0 && double.IsFinite(value)))
        {
            ThrowHelper.ArgumentOutOfRange(paramName, value, $"The {what} must be finite and ≥ 0 (NaN is rejected).");
        }
    }

    /// <summary>
    /// Checks that <paramref name="masses"/> is a probability distribution: finite, ≥ 0 and summing to 1 within ±1e-6. The messages name
    /// the entries as <c>paramName[k]</c>, or <c>paramName[row, k]</c> for a row of a matrix.
    /// </summary>
    public static void Distribution(ReadOnlySpan<double> masses, string paramName, int? row = null)
    {
        const double SumTolerance = 1e-6;
        double sum = 0.0;
        for (int k = 0; k < masses.Length; k++)
        {
            double mass = masses[k];
            if (!(mass >= 0.0 && double.IsFinite(mass)))
            {
                string entry = row is int y ? $"{paramName}[{y}, {k}]" : $"{paramName}[{k}]";
                ThrowHelper.Argument(paramName, string.Create(CultureInfo.InvariantCulture, $"{entry} = {mass} is not a finite, non-negative probability."));
            }

            sum += mass;
        }

        if (Math.Abs(sum - 1.0) > SumTolerance)
        {
            string what = row is int r ? string.Create(CultureInfo.InvariantCulture, $"Row {r} of {paramName}") : $"The distribution {paramName}";
            ThrowHelper.Argument(paramName, string.Create(CultureInfo.InvariantCulture, $"{what} sums to {sum}, not to 1 (±{SumTolerance})."));
        }
    }

    /// <summary>Validates the divisor of a chunk (finite and ≥ 0) and returns it.</summary>
    public static double Divisor(double divisor)
    {
        if (!(divisor >= 0.0 && double.IsFinite(divisor)))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(divisor), divisor, "The divisor must be finite and ≥ 0.");
        }

        return divisor;
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

    /// <summary>
    /// Checks <c>actual == expected</c> where the expectation is named by an operand and a suffix (<c>logits</c> and <c>.Length</c>), joined
    /// only when the check fails.
    /// </summary>
    public static void Length(int actual, long expected, string paramName, string operandName, string expectation)
    {
        if (actual != expected)
        {
            ThrowHelper.LengthMismatch(paramName, actual, expected, operandName + expectation);
        }
    }

    /// <summary>
    /// Row-major <c>[N, K]</c> logits with one label per row, <c>N = labelCount</c>: a logits length that is not a whole number of rows blames
    /// the logits (<paramref name="logitsName"/>); a whole number of rows other than <paramref name="labelCount"/> blames the labels.
    /// </summary>
    public static void OneLabelPerRow(int logitsLength, int labelCount, int numClasses, string logitsName = "logits", string labelsName = "labels")
    {
        if (logitsLength != (long)labelCount * numClasses)
        {
            int rows = Rows(logitsLength, numClasses, logitsName);
            Length(labelCount, rows, labelsName, logitsName, ".Length / NumClasses");
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

    /// <summary>An output may alias an input of the same element type exactly (same memory, same layout); any other overlap is rejected.</summary>
    public static void NoPartialOverlap<TIn, TOut>(scoped in Operand<TIn> input, string inputName, scoped in Operand<TOut> output, string outputName)
        where TIn : unmanaged
        where TOut : unmanaged
    {
        if (!input.IsPresent || !Overlap(ref input.Origin, input.ByteExtent, ref output.Origin, output.ByteExtent))
        {
            return;
        }

        if (typeof(TIn) != typeof(TOut))
        {
            ThrowHelper.Overlap(outputName, inputName);
        }

        if (!Unsafe.AreSame(ref Unsafe.As<TIn, byte>(ref input.Origin), ref Unsafe.As<TOut, byte>(ref output.Origin)) || !input.Shape.SameLayout(output.Shape))
        {
            ThrowHelper.PartialOverlap(outputName, inputName);
        }
    }

    /// <summary>Rejects an output whose strides make two of its elements share memory.</summary>
    public static void Output<T>(scoped in Operand<T> output, string paramName)
    {
        if (output.Shape.SelfOverlaps())
        {
            ThrowHelper.Argument(paramName, $"{paramName} has strides under which two of its elements share memory; an output needs distinct elements.");
        }
    }

    /// <summary>Rejects any overlap between an input that must never alias an output (labels, sample weights) and an output.</summary>
    public static void NoOverlap<TIn, TOut>(scoped in Operand<TIn> input, string inputName, scoped in Operand<TOut> output, string outputName)
        where TIn : unmanaged
        where TOut : unmanaged
    {
        if (input.IsPresent && Overlap(ref input.Origin, input.ByteExtent, ref output.Origin, output.ByteExtent))
        {
            ThrowHelper.Overlap(outputName, inputName);
        }
    }

    /// <summary>Whether the byte ranges <c>[a, a + aBytes)</c> and <c>[b, b + bBytes)</c> intersect.</summary>
    private static bool Overlap<TA, TB>(ref TA a, long aBytes, ref TB b, long bBytes)
    {
        if (aBytes == 0 || bBytes == 0)
        {
            return false;
        }

        long distance = Unsafe.ByteOffset(ref Unsafe.As<TA, byte>(ref a), ref Unsafe.As<TB, byte>(ref b));
        return distance >= 0 ? distance < aBytes : -distance < bBytes;
    }

    /// <summary>Rejects any overlap between an input that must never alias an output (labels, gathered statistics) and an output.</summary>
    public static void NoOverlap<TIn, TOut>(ReadOnlySpan<TIn> input, string inputName, Span<TOut> output, string outputName)
        where TIn : unmanaged
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TOut>() || input.IsEmpty || output.IsEmpty)
        {
            return;
        }

        ref byte inputStart = ref Unsafe.As<TIn, byte>(ref MemoryMarshal.GetReference(input));
        ref byte outputStart = ref Unsafe.As<TOut, byte>(ref MemoryMarshal.GetReference(output));
        nint inputBytes = (nint)input.Length * Unsafe.SizeOf<TIn>();
        nint outputBytes = (nint)output.Length * Unsafe.SizeOf<TOut>();
        nint distance = Unsafe.ByteOffset(ref inputStart, ref outputStart);
        if ((distance >= 0 && distance < inputBytes) || (distance < 0 && -distance < outputBytes))
        {
            ThrowHelper.Overlap(outputName, inputName);
        }
    }

    /// <summary>
    /// Every label of a strided operand (the <see cref="OperandRole.Labels"/> of <paramref name="layout"/>) is valid; see the span overload.
    /// An error names the label by its position in the labels' own shape: <c>labels[n, h, w]</c> for a tensor of rank ≥ 2, <c>labels[i]</c>
    /// for a vector.
    /// </summary>
    public static void Labels(scoped in Operand<int> labels, in BatchLayout layout, int numClasses, int? ignoreIndex, string paramName = "labels")
    {
        int segment = layout.SegmentLength;
        nint stride = layout.SampleStride(OperandRole.Labels);
        for (int first = 0; first < layout.Samples; first += segment)
        {
            ref int start = ref Unsafe.Add(ref labels.Origin, layout.Offset(OperandRole.Labels, first));
            int bad = IndexOfInvalidLabel(ref start, stride, Math.Min(segment, layout.Samples - first), numClasses, ignoreIndex);
            if (bad >= 0)
            {
                ThrowHelper.LabelOutOfRange(paramName, labels.Shape, first + bad, Unsafe.Add(ref start, bad * stride), numClasses, ignoreIndex);
            }
        }
    }

    /// <summary>
    /// Every entry of a class-shaped strided operand (<paramref name="role"/> of <paramref name="layout"/>) is finite and ≥ 0 (in
    /// <c>[0, 1]</c> with <paramref name="atMostOne"/>); errors name the entry by its logical index <c>sample·C + class</c>.
    /// </summary>
    public static void Probabilities<T>(scoped in Operand<T> targets, in BatchLayout layout, OperandRole role, string paramName, bool atMostOne = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int segment = layout.SegmentLength;
        int numClasses = layout.NumClasses;
        nint stride = layout.SampleStride(role);
        nint classStride = layout.ClassStride(role);
        for (int first = 0; first < layout.Samples; first += segment)
        {
            ref T start = ref Unsafe.Add(ref targets.Origin, layout.Offset(role, first));
            int count = Math.Min(segment, layout.Samples - first);
            if (classStride == 1 && stride == numClasses)
            {
                Probabilities(MemoryMarshal.CreateReadOnlySpan(ref start, count * numClasses), paramName, (long)first * numClasses, atMostOne);
                continue;
            }

            for (int i = 0; i < count; i++)
            {
                for (int k = 0; k < numClasses; k++)
                {
                    T t = Unsafe.Add(ref start, (i * stride) + (k * classStride));
                    if (!(t >= T.Zero && (atMostOne ? t <= T.One : T.IsFinite(t))))
                    {
                        ThrowHelper.InvalidProbability(paramName, ((long)(first + i) * numClasses) + k, double.CreateTruncating(t), atMostOne);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Every sample weight (the per-sample <paramref name="role"/> of <paramref name="layout"/>) is finite and ≥ 0; errors name the
    /// weight by its logical sample index.
    /// </summary>
    public static void SampleWeights<T>(scoped in Operand<T> weights, in BatchLayout layout, OperandRole role, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int segment = layout.SegmentLength;
        nint stride = layout.SampleStride(role);
        for (int first = 0; first < layout.Samples; first += segment)
        {
            ref T start = ref Unsafe.Add(ref weights.Origin, layout.Offset(role, first));
            int count = Math.Min(segment, layout.Samples - first);
            for (int i = 0; i < count; i++)
            {
                T weight = Unsafe.Add(ref start, i * stride);
                if (!(weight >= T.Zero && T.IsFinite(weight)))
                {
                    ThrowHelper.Argument(paramName, string.Create(CultureInfo.InvariantCulture, $"{paramName}[{first + i}] is {weight}: sample weights must be finite and ≥ 0."));
                }
            }
        }
    }

    /// <summary>Every label lies in <c>[0, numClasses)</c>, or equals <paramref name="ignoreIndex"/> when one is given.</summary>
    public static void Labels(ReadOnlySpan<int> labels, int numClasses, int? ignoreIndex, string paramName = "labels")
    {
        int bad = IndexOfInvalidLabel(labels, numClasses, ignoreIndex);
        if (bad >= 0)
        {
            ThrowHelper.LabelOutOfRange(paramName, bad, labels[bad], numClasses, ignoreIndex);
        }
    }

    /// <summary>The index of the first of <paramref name="count"/> labels, <paramref name="stride"/> apart, that is not valid; −1 when all are.</summary>
    private static int IndexOfInvalidLabel(ref int first, nint stride, int count, int numClasses, int? ignoreIndex)
    {
        if (stride == 1)
        {
            return IndexOfInvalidLabel(MemoryMarshal.CreateReadOnlySpan(ref first, count), numClasses, ignoreIndex);
        }

        int ignore = ignoreIndex ?? -1;
        for (int i = 0; i < count; i++)
        {
            int label = Unsafe.Add(ref first, i * stride);
            if ((uint)label >= (uint)numClasses && (ignoreIndex is null || label != ignore))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The index of the first label outside <c>[0, numClasses)</c> that is not <paramref name="ignoreIndex"/>; −1 when there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int IndexOfInvalidLabel(ReadOnlySpan<int> labels, int numClasses, int? ignoreIndex)
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
                return i;
            }
        }

        return -1;
    }

    /// <summary>Every entry is finite and ≥ 0; with <paramref name="atMostOne"/>, every entry lies in <c>[0, 1]</c> (NaN is always rejected).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Probabilities<T>(ReadOnlySpan<T> targets, string paramName = "targets", long firstIndex = 0, bool atMostOne = false)
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
                ThrowHelper.InvalidProbability(paramName, firstIndex + i, double.CreateTruncating(t), atMostOne);
            }
        }
    }

    /// <summary>
    /// The options of a smoothed target, checked as <see cref="CrossEntropyLoss"/> checks them: the smoothing and the prior
    /// (<see cref="SmoothingPrior.Uniform"/> when null), which is returned.
    /// </summary>
    public static SmoothingPrior SmoothedTarget(int numClasses, double labelSmoothing, SmoothingPrior? prior)
    {
        Alpha(labelSmoothing, nameof(labelSmoothing));
        prior ??= SmoothingPrior.Uniform;
        prior.Validate(numClasses, nameof(prior));
        return prior;
    }

    /// <summary>A finite value of any sign (Poly-1's ε).</summary>
    public static double Finite(double value, string paramName)
    {
        if (!double.IsFinite(value))
        {
            ThrowHelper.ArgumentOutOfRange(paramName, value, $"{paramName} must be finite.");
        }

        return value;
    }

    /// <summary>A finite value ≥ 0 (focal γ, confidence-penalty β).</summary>
    public static double NonNegative(double value, string paramName)
    {
        if (!(value >= 0.0 && double.IsFinite(value)))
        {
            ThrowHelper.ArgumentOutOfRange(paramName, value, $"{paramName} must be finite and at least 0.");
        }

        return value;
    }

    /// <summary>A finite value &gt; 0 (the distillation temperature).</summary>
    public static double Positive(double value, string paramName)
    {
        if (!(value > 0.0 && double.IsFinite(value)))
        {
            ThrowHelper.ArgumentOutOfRange(paramName, value, $"{paramName} must be finite and greater than 0.");
        }

        return value;
    }

    /// <summary>A value in <c>[0, 1]</c> (the relaxation α); NaN is rejected.</summary>
    public static double Fraction(double value, string paramName)
    {
        if (!(value >= 0.0 && value <= 1.0))
        {
            ThrowHelper.ArgumentOutOfRange(paramName, value, $"{paramName} must lie in [0, 1] (NaN is rejected).");
        }

        return value;
    }

    /// <summary>A finite value of at most 1 (the binary focal balance, whose negative values turn balancing off).</summary>
    public static double AtMostOne(double value, string paramName)
    {
        if (!(value <= 1.0 && double.IsFinite(value)))
        {
            ThrowHelper.ArgumentOutOfRange(paramName, value, $"{paramName} must be finite and at most 1 (negative: no balancing).");
        }

        return value;
    }

    /// <summary>A degree of parallelism: −1 (all cores) or at least 1 (the error names the property, <c>MaxDegreeOfParallelism</c>).</summary>
    public static int Parallelism(int value)
    {
        if (value == 0 || value < -1)
        {
            ThrowHelper.ArgumentOutOfRange("MaxDegreeOfParallelism", value, "The degree of parallelism must be −1 (all cores) or at least 1.");
        }

        return value;
    }

    /// <summary>A sample count (≥ 0), returned.</summary>
    public static int Samples(int samples)
    {
        if (samples < 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(samples), samples, "The number of samples must be at least 0.");
        }

        return samples;
    }

    /// <summary>A scalar entry point without a gradient has nothing to return under <see cref="LabelSmoothing.Reduction.None"/>.</summary>
    public static void ScalarReduction(Reduction reduction, string outputs = "per-sample losses")
    {
        if (reduction == LabelSmoothing.Reduction.None)
        {
            ThrowHelper.InvalidOperation($"Reduction is None: there is no scalar loss. Use the overload that writes the {outputs}.");
        }
    }
}
