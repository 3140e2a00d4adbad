using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing.Internal.Binary;

/// <summary>
/// The one call path of the element-wise binary losses (<see cref="BinaryCrossEntropyLoss"/>, <see cref="BinaryFocalLoss"/>, each an
/// <see cref="IElementKernel"/>): checks the targets and the overlaps, works out the divisor, and runs
/// the element kernel on flat spans when every operand is one dense block (row-major, or label-major as MathNet
/// stores a matrix), or on dense scratch rows gathered from and scattered back to any other strides.
/// </summary>
internal static class BinaryRunner
{
    /// <summary>Elements per scratch block of the strided path.</summary>
    private const int BlockElements = 4096;

    /// <summary>Runs <paramref name="request"/> for <see cref="BinaryCrossEntropyLoss"/>; returns the reduced loss (or, with an explicit divisor, <c>Σ l / divisor</c>).</summary>
    public static T Run<T>(BinaryLabelWeights weights, double alpha, Reduction reduction, scoped in BinaryRequest<T> request)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Run(new CrossEntropyElements(weights, alpha), reduction, request);

    /// <summary>Runs <paramref name="request"/> with the element kernel <paramref name="elements"/>; returns the reduced loss (or, with an explicit divisor, <c>Σ l / divisor</c>).</summary>
    public static T Run<T, TElements>(TElements elements, Reduction reduction, scoped in BinaryRequest<T> request)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TElements : struct, IElementKernel
    {
        bool perElementUpstream = request.Upstream.IsPresent && reduction == Reduction.None && request.Divisor is null;
        BatchLayout layout = Layout(request, perElementUpstream);
        CheckOutput(request.Losses, "losses", request);
        CheckOutput(request.Gradient, "gradient", request);
        Guard.Probabilities(request.Targets, layout, Slot.Targets, "targets", atMostOne: true);

        double divisor = request.Divisor ?? (reduction == Reduction.Mean ? (double)layout.Samples * layout.NumClasses : 1.0);
        if (divisor == 0.0 && !request.Losses.IsPresent)
        {
            ClearGradient(request.Gradient, layout);
            return T.Zero;
        }

        bool backward = request.Upstream.IsPresent;
        double factor = !backward ? 1.0 / divisor : perElementUpstream ? 1.0 : double.CreateTruncating(request.Upstream.Origin) / divisor;
        var call = new KernelCall<TElements>(elements, !backward, perElementUpstream, factor);
        double total = Dense(request, layout, out bool labelMajor)
            ? call.Flat(request, layout.Samples * layout.NumClasses, labelMajor)
            : Staged(call, request, layout);
        return backward || divisor == 0.0 ? T.Zero : T.CreateTruncating(total / divisor);
    }

    private static BatchLayout Layout<T>(scoped in BinaryRequest<T> request, bool perElementUpstream)
    {
        var layout = BatchLayout.OfClasses(request.Logits.Shape);
        layout.AddClassShaped(Slot.Targets, request.Targets.Shape);
        if (request.Losses.IsPresent)
        {
            layout.AddClassShaped(Slot.Losses, request.Losses.Shape);
        }

        if (request.Gradient.IsPresent)
        {
            layout.AddClassShaped(Slot.Gradient, request.Gradient.Shape);
        }

        if (perElementUpstream)
        {
            layout.AddClassShaped(Slot.Upstream, request.Upstream.Shape);
        }

        layout.Merge();
        return layout;
    }

    private static void CheckOutput<T>(scoped in Operand<T> output, string name, scoped in BinaryRequest<T> request)
        where T : unmanaged
    {
        if (!output.IsPresent)
        {
            return;
        }

        Guard.Output(output, name);
        Guard.NoPartialOverlap(request.Logits, "logits", output, name);
        Guard.NoPartialOverlap(request.Targets, "targets", output, name);
        Guard.NoPartialOverlap(request.Upstream, "upstream", output, name);
    }

    /// <summary>
    /// Whether every operand is one dense block of the same order: row-major (<c>[N, M]</c>) or label-major (each label's <c>N</c>
    /// elements side by side, as MathNet stores a matrix).
    /// </summary>
    private static bool Dense<T>(scoped in BinaryRequest<T> request, in BatchLayout layout, out bool labelMajor)
    {
        int samples = layout.Samples;
        labelMajor = false;
        if (layout.SegmentLength != samples && samples > 1)
        {
            return false;
        }

        bool rowMajor = true;
        bool columnMajor = true;
        foreach (Slot slot in (ReadOnlySpan<Slot>)[Slot.Logits, Slot.Targets, Slot.Losses, Slot.Gradient, Slot.Upstream])
        {
            if (layout.Has(slot))
            {
                rowMajor &= layout.ClassStride(slot) == 1 && (samples <= 1 || layout.SampleStride(slot) == layout.NumClasses);
                columnMajor &= layout.SampleStride(slot) == 1 && (layout.NumClasses == 1 || layout.ClassStride(slot) == samples);
            }
        }

        labelMajor = !rowMajor && columnMajor;
        return rowMajor || columnMajor;
    }

    /// <summary>Blocks of whole samples gathered into dense row-major scratch, computed, and scattered back.</summary>
    private static double Staged<T, TElements>(in KernelCall<TElements> call, scoped in BinaryRequest<T> request, in BatchLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TElements : struct, IElementKernel
    {
        int numLabels = layout.NumClasses;
        int rows = Math.Max(1, BlockElements / numLabels);
        int length = rows * numLabels;
        T[] scratch = ArrayPool<T>.Shared.Rent(5 * length);
        try
        {
            Span<T> logits = scratch.AsSpan(0, length);
            Span<T> targets = scratch.AsSpan(length, length);
            Span<T> upstream = scratch.AsSpan(2 * length, length);
            Span<T> losses = scratch.AsSpan(3 * length, length);
            Span<T> gradient = scratch.AsSpan(4 * length, length);
            double total = 0.0;
            var cursor = new SampleCursor(layout);
            for (int first = 0; first < layout.Samples; first += rows)
            {
                int count = Math.Min(rows, layout.Samples - first);
                int elements = count * numLabels;
                var block = cursor;
                Gather(request.Logits, layout, Slot.Logits, ref block, count, logits);
                block = cursor;
                Gather(request.Targets, layout, Slot.Targets, ref block, count, targets);
                if (call.PerElementUpstream)
                {
                    block = cursor;
                    Gather(request.Upstream, layout, Slot.Upstream, ref block, count, upstream);
                }

                var piece = new BinaryRequest<T>
                {
                    Logits = Operand<T>.Of(logits[..elements]),
                    Targets = Operand<T>.Of(targets[..elements]),
                    Upstream = call.PerElementUpstream ? Operand<T>.Of(upstream[..elements]) : default,
                    Losses = request.Losses.IsPresent ? Operand<T>.Of(losses[..elements]) : default,
                    Gradient = request.Gradient.IsPresent ? Operand<T>.Of(gradient[..elements]) : default,
                };
                total += call.Flat(piece, elements, labelMajor: false);
                if (request.Losses.IsPresent)
                {
                    block = cursor;
                    Scatter(losses, request.Losses, layout, Slot.Losses, ref block, count);
                }

                if (request.Gradient.IsPresent)
                {
                    block = cursor;
                    Scatter(gradient, request.Gradient, layout, Slot.Gradient, ref block, count);
                }

                for (int i = 0; i < count; i++)
                {
                    cursor.MoveNext();
                }
            }

            return total;
        }
        finally
        {
            ArrayPool<T>.Shared.Return(scratch);
        }
    }

    /// <summary>Copies the next <paramref name="count"/> samples of <paramref name="slot"/> into <paramref name="rows"/>, row-major.</summary>
    private static void Gather<T>(scoped in Operand<T> operand, in BatchLayout layout, Slot slot, ref SampleCursor cursor, int count, Span<T> rows)
    {
        nint classStride = layout.ClassStride(slot);
        for (int i = 0; i < count && cursor.MoveNext(); i++)
        {
            ref T row = ref Unsafe.Add(ref operand.Origin, cursor.Offset(slot));
            for (int k = 0; k < layout.NumClasses; k++)
            {
                rows[(i * layout.NumClasses) + k] = Unsafe.Add(ref row, k * classStride);
            }
        }
    }

    /// <summary>Copies <paramref name="count"/> row-major samples from <paramref name="rows"/> to the next samples of <paramref name="slot"/>.</summary>
    private static void Scatter<T>(ReadOnlySpan<T> rows, scoped in Operand<T> operand, in BatchLayout layout, Slot slot, ref SampleCursor cursor, int count)
    {
        nint classStride = layout.ClassStride(slot);
        for (int i = 0; i < count && cursor.MoveNext(); i++)
        {
            ref T row = ref Unsafe.Add(ref operand.Origin, cursor.Offset(slot));
            for (int k = 0; k < layout.NumClasses; k++)
            {
                Unsafe.Add(ref row, k * classStride) = rows[(i * layout.NumClasses) + k];
            }
        }
    }

    private static void ClearGradient<T>(scoped in Operand<T> gradient, in BatchLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!gradient.IsPresent)
        {
            return;
        }

        nint classStride = layout.ClassStride(Slot.Gradient);
        for (var cursor = new SampleCursor(layout); cursor.MoveNext();)
        {
            ref T row = ref Unsafe.Add(ref gradient.Origin, cursor.Offset(Slot.Gradient));
            for (int k = 0; k < layout.NumClasses; k++)
            {
                Unsafe.Add(ref row, k * classStride) = T.Zero;
            }
        }
    }

    /// <summary>What every kernel call of one request shares.</summary>
    private readonly struct KernelCall<TElements>(TElements elements, bool sumLosses, bool perElementUpstream, double factor)
        where TElements : struct, IElementKernel
    {
        public bool PerElementUpstream => perElementUpstream;

        /// <summary>The kernel on <paramref name="count"/> dense elements of every operand.</summary>
        public double Flat<T>(scoped in BinaryRequest<T> request, int count, bool labelMajor)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            elements.Run(
                Span(request.Logits, count), Span(request.Targets, count), labelMajor, sumLosses,
                Span(request.Losses, count), Span(request.Gradient, count), perElementUpstream ? Span(request.Upstream, count) : default,
                factor);

        private static Span<T> Span<T>(scoped in Operand<T> operand, int elements) =>
            operand.IsPresent ? MemoryMarshal.CreateSpan(ref operand.Origin, elements) : default;
    }
}
