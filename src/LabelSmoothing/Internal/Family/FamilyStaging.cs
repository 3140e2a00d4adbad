using System;
using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using LabelSmoothing.Internal.CrossEntropy;

namespace LabelSmoothing.Internal.Family;

/// <summary>
/// Pieces the row kernels cannot read in place — <see cref="Half"/> elements, or rows whose classes are not contiguous — staged through
/// pooled scratch in the kernels' element type (<see cref="float"/> for <see cref="Half"/>, the element type otherwise): a block of rows is
/// gathered (and widened), computed by <see cref="FamilyRows"/> with the gradient in place over the staged logits, and its losses and
/// gradient scattered back (and rounded once). Labels are read where they are.
/// </summary>
internal static unsafe class FamilyStaging
{
    /// <summary>Elements of staged logits per block: 64 KB of float.</summary>
    private const int BlockElements = 16384;

    public static double Run<T, TRow>(FamilyPlan plan, in TRow row, in BatchArguments<T> piece)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow =>
        typeof(T) == typeof(Half) ? Run<T, float, TRow>(plan, row, piece) : Run<T, T, TRow>(plan, row, piece);

    private static double Run<TStorage, TCompute, TRow>(FamilyPlan plan, in TRow row, in BatchArguments<TStorage> piece)
        where TStorage : unmanaged, IFloatingPointIeee754<TStorage>
        where TCompute : unmanaged, IFloatingPointIeee754<TCompute>
        where TRow : struct, IFamilyRow
    {
        int numClasses = piece.NumClasses;
        int block = Math.Min(piece.Count, Math.Max(1, BlockElements / numClasses));
        int elements = block * numClasses;
        bool hasTeacher = piece.Targets is not null;
        TCompute[] scratch = ArrayPool<TCompute>.Shared.Rent(((hasTeacher ? 2 : 1) * elements) + block);
        try
        {
            fixed (TCompute* buffer = scratch)
            {
                TCompute* logits = buffer;
                TCompute* teacher = hasTeacher ? buffer + elements : null;
                TCompute* losses = buffer + ((hasTeacher ? 2 : 1) * elements);
                double total = 0.0;
                for (int start = 0; start < piece.Count; start += block)
                {
                    BatchArguments<TStorage> part = piece.Slice(start, Math.Min(block, piece.Count - start));
                    Gather(part.Logits, part.LogitsStride, part.LogitsClassStride, part.Count, numClasses, logits);
                    if (hasTeacher)
                    {
                        Gather(part.Targets, part.TargetsStride, part.TargetsClassStride, part.Count, numClasses, teacher);
                    }

                    var staged = new BatchArguments<TCompute>
                    {
                        Logits = logits,
                        LogitsStride = numClasses,
                        LogitsClassStride = 1,
                        Labels = part.Labels,
                        LabelsStride = part.LabelsStride,
                        Targets = teacher,
                        TargetsStride = numClasses,
                        TargetsClassStride = 1,
                        Losses = part.Losses is null ? null : losses,
                        LossesStride = 1,
                        Gradient = part.Gradient is null ? null : logits,
                        GradientStride = numClasses,
                        GradientClassStride = 1,
                        GradientFactor = part.GradientFactor,
                        NumClasses = numClasses,
                        Count = part.Count,
                    };
                    total += FamilyRows.Run(plan, row, staged);
                    if (part.Losses is not null)
                    {
                        Copy(losses, 1, part.Losses, part.LossesStride, part.Count);
                    }

                    for (int i = 0; part.Gradient is not null && i < part.Count; i++)
                    {
                        Copy(logits + (i * numClasses), 1, part.Gradient + (i * part.GradientStride), part.GradientClassStride, numClasses);
                    }
                }

                return total;
            }
        }
        finally
        {
            ArrayPool<TCompute>.Shared.Return(scratch);
        }
    }

    /// <summary>Copies <paramref name="count"/> rows of <paramref name="numClasses"/> strided elements into dense rows.</summary>
    private static void Gather<TStorage, TCompute>(TStorage* source, nint stride, nint classStride, int count, int numClasses, TCompute* destination)
        where TStorage : unmanaged, IFloatingPointIeee754<TStorage>
        where TCompute : unmanaged, IFloatingPointIeee754<TCompute>
    {
        for (int i = 0; i < count; i++)
        {
            Copy(source + (i * stride), classStride, destination + (i * numClasses), 1, numClasses);
        }
    }

    /// <summary><paramref name="count"/> elements from one strided run to another, converted (<see cref="Half"/> and <see cref="float"/> by TensorPrimitives).</summary>
    private static void Copy<TFrom, TTo>(TFrom* source, nint sourceStride, TTo* destination, nint destinationStride, int count)
        where TFrom : unmanaged, IFloatingPointIeee754<TFrom>
        where TTo : unmanaged, IFloatingPointIeee754<TTo>
    {
        if (sourceStride == 1 && destinationStride == 1)
        {
            if (typeof(TFrom) == typeof(Half) && typeof(TTo) == typeof(float))
            {
                TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(source, count), new Span<float>(destination, count));
                return;
            }

            if (typeof(TFrom) == typeof(float) && typeof(TTo) == typeof(Half))
            {
                TensorPrimitives.ConvertToHalf(new ReadOnlySpan<float>(source, count), new Span<Half>(destination, count));
                return;
            }

            if (typeof(TFrom) == typeof(TTo))
            {
                new ReadOnlySpan<TTo>(source, count).CopyTo(new Span<TTo>(destination, count));
                return;
            }
        }

        for (int i = 0; i < count; i++)
        {
            destination[i * destinationStride] = TTo.CreateTruncating(source[i * sourceStride]);
        }
    }
}
