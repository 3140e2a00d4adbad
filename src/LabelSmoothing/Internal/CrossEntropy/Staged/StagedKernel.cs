using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LabelSmoothing.Internal.CrossEntropy;

/// <summary>
/// Pieces no fused kernel reads in place — <see cref="Half"/> elements, strides with neither the classes nor the samples contiguous,
/// class-major pieces shorter than a vector or with an ordinal prior — staged through dense scratch in the kernels' element type
/// <typeparamref name="TCompute"/>: a block of samples is gathered (and widened: <see cref="Half"/> to <see cref="float"/> by
/// <c>TensorPrimitives</c> on contiguous runs), computed by the fused kernel of the scratch layout, and its losses and gradient scattered
/// back (and rounded once). Class-major scratch <c>[K][B]</c> when the logits' samples are contiguous and the class-major kernel takes the
/// options, row-major <c>[B][K]</c> otherwise. The gradient is computed in place over the staged logits. A logit transform
/// (<typeparamref name="TTransform"/>: the soft cap) is applied to the staged logits, and its derivative to the staged gradient, so every
/// layout takes it the same way.
/// </summary>
internal readonly unsafe struct StagedKernel<TStorage, TCompute, TTerm, TTransform>(LossPlan plan) : IPieceKernel<TStorage>
    where TStorage : unmanaged, IFloatingPointIeee754<TStorage>
    where TCompute : unmanaged, IFloatingPointIeee754<TCompute>
    where TTerm : IRowTerm
    where TTransform : ILogitTransform
{
    /// <summary>Elements of scratch per block (logits, and as much of targets): 64 KB of float.</summary>
    private const int BlockElements = 16384;

    /// <summary>Samples per class-major block are a multiple of this (every vector width).</summary>
    private const int Lanes = 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Run(in BatchArguments<TStorage> piece)
    {
        int numClasses = piece.NumClasses;
        bool classMajor = piece.LogitsStride == 1 && piece.Count >= Lanes && Vector128.IsHardwareAccelerated
            && (piece.IsIndex ? plan.Tables<TCompute>().Kind is SmoothingKind.None or SmoothingKind.Constant or SmoothingKind.Array : !plan.SpreadsByLabel || plan.Alpha == 0.0)
            && (typeof(TCompute) != typeof(float) || numClasses <= 1 << 24);
        int block = classMajor
            ? Math.Min(piece.Count / Lanes * Lanes, Math.Max(1, BlockElements / (numClasses * Lanes)) * Lanes)
            : Math.Min(piece.Count, Math.Max(1, BlockElements / numClasses));
        int elements = block * numClasses;
        TCompute[] scratch = ArrayPool<TCompute>.Shared.Rent(((TTransform.IsIdentity ? 2 : 3) * elements) + (2 * block));
        int[]? labelScratch = piece.Labels is not null && piece.LabelsStride != 1 ? ArrayPool<int>.Shared.Rent(block) : null;
        try
        {
            fixed (TCompute* buffer = scratch)
            fixed (int* labels = labelScratch)
            {
                var staging = new Staging(buffer, labels, block, elements, classMajor);
                double total = 0.0;
                for (int j = 0; j < piece.Count; j += block)
                {
                    // A class-major block is always whole: the last one overlaps its predecessor, whose samples it leaves as they are.
                    int start = classMajor ? Math.Min(j, piece.Count - block) : j;
                    int count = Math.Min(block, piece.Count - start);
                    total += RunBlock(piece, staging, start, count, j - start);
                }

                return total;
            }
        }
        finally
        {
            ArrayPool<TCompute>.Shared.Return(scratch);
            if (labelScratch is not null)
            {
                ArrayPool<int>.Shared.Return(labelScratch);
            }
        }
    }

    private double RunBlock(in BatchArguments<TStorage> piece, in Staging staging, int start, int count, int firstNew)
    {
        int numClasses = piece.NumClasses;
        bool classMajor = staging.ClassMajor;
        nint sampleStride = classMajor ? 1 : numClasses;
        nint classStride = classMajor ? count : 1;
        GatherClasses(
            piece.Logits, piece.LogitsStride, piece.LogitsClassStride, start, count, numClasses, staging.Logits, TTransform.IsIdentity ? null : staging.Derivatives,
            sampleStride, classStride);
        if (piece.Targets is not null)
        {
            GatherClasses(piece.Targets, piece.TargetsStride, piece.TargetsClassStride, start, count, numClasses, staging.Targets, null, sampleStride, classStride);
        }

        int* labels = null;
        if (piece.Labels is not null)
        {
            labels = piece.LabelsStride == 1 ? piece.Labels + start : staging.Labels;
            for (int i = 0; labels == staging.Labels && i < count; i++)
            {
                labels[i] = piece.Labels[(start + i) * piece.LabelsStride];
            }
        }

        nint upstreamStride = 0;
        if (piece.Upstream is not null)
        {
            upstreamStride = piece.UpstreamStride == 0 ? 0 : 1;
            Convert(piece.Upstream + (start * piece.UpstreamStride), piece.UpstreamStride, staging.Upstream, upstreamStride == 0 ? 1 : count);
        }

        var staged = new BatchArguments<TCompute>
        {
            Logits = staging.Logits,
            LogitsStride = sampleStride,
            LogitsClassStride = classStride,
            Labels = labels,
            LabelsStride = 1,
            Targets = piece.Targets is null ? null : staging.Targets,
            TargetsStride = sampleStride,
            TargetsClassStride = classStride,
            Losses = staging.Losses,
            LossesStride = 1,
            Gradient = piece.Gradient is null ? null : staging.Logits,
            GradientStride = sampleStride,
            GradientClassStride = classStride,
            Upstream = piece.Upstream is null ? null : staging.Upstream,
            UpstreamStride = upstreamStride,
            WeightsLosses = piece.WeightsLosses,
            Statistics = piece.Statistics,
            StatisticsFrom = Math.Max(firstNew, piece.StatisticsFrom - start),
            GradientFactor = piece.GradientFactor,
            NumClasses = numClasses,
            Count = count,
        };
        if (classMajor)
        {
            new ClassMajorPieceKernel<TCompute, TTerm>(plan).Run(staged);
        }
        else
        {
            new RowKernel<TCompute, TTerm>(plan).Run(staged);
        }

        double total = 0.0;
        for (int i = firstNew; i < count; i++)
        {
            total += staged.Weighted(i, double.CreateTruncating(staging.Losses[i]));
        }

        if (piece.Losses is not null)
        {
            Convert(staging.Losses + firstNew, 1, piece.Losses + ((start + firstNew) * piece.LossesStride), piece.LossesStride, count - firstNew);
        }

        if (piece.Gradient is not null)
        {
            nint first = firstNew * sampleStride;
            TCompute* gradient = staging.Logits + first;
            TCompute* derivatives = TTransform.IsIdentity ? null : staging.Derivatives + first;
            TStorage* destination = piece.Gradient + ((start + firstNew) * piece.GradientStride);
            if (classMajor)
            {
                for (int k = 0; k < numClasses; k++)
                {
                    nint run = k * classStride;
                    ScatterRun(gradient + run, derivatives is null ? null : derivatives + run, destination + (k * piece.GradientClassStride), piece.GradientStride, count - firstNew);
                }
            }
            else
            {
                for (int i = 0; i < count - firstNew; i++)
                {
                    nint run = i * sampleStride;
                    ScatterRun(gradient + run, derivatives is null ? null : derivatives + run, destination + (i * piece.GradientStride), piece.GradientClassStride, numClasses);
                }
            }
        }

        return total;
    }

    /// <summary>
    /// Copies <paramref name="count"/> samples' classes from a strided operand into scratch of the given strides, applying the logit transform
    /// on the way when <paramref name="derivatives"/> (laid out as the scratch) is not null.
    /// </summary>
    private void GatherClasses(
        TStorage* source, nint sourceSampleStride, nint sourceClassStride, int start, int count, int numClasses, TCompute* destination, TCompute* derivatives,
        nint sampleStride, nint classStride)
    {
        TStorage* first = source + (start * sourceSampleStride);
        bool byClass = sampleStride == 1;
        int runs = byClass ? numClasses : count;
        for (int r = 0; r < runs; r++)
        {
            nint to = r * (byClass ? classStride : sampleStride);
            GatherRun(first + (r * (byClass ? sourceClassStride : sourceSampleStride)), byClass ? sourceSampleStride : sourceClassStride, destination + to, derivatives is null ? null : derivatives + to, byClass ? count : numClasses);
        }
    }

    /// <summary>One strided run into scratch, transformed (straight from the source when it is contiguous) when <paramref name="derivatives"/> is not null.</summary>
    private void GatherRun(TStorage* source, nint stride, TCompute* destination, TCompute* derivatives, int count)
    {
        if (derivatives is not null && stride == 1 && typeof(TStorage) == typeof(TCompute))
        {
            TTransform.Apply(plan, (TCompute*)source, destination, derivatives, count);
            return;
        }

        Convert(source, stride, destination, count);
        if (derivatives is not null)
        {
            TTransform.Apply(plan, destination, destination, derivatives, count);
        }
    }

    /// <summary>One run of the staged gradient back to the operand, times the transform's derivatives when they are given.</summary>
    private static void ScatterRun(TCompute* gradient, TCompute* derivatives, TStorage* destination, nint stride, int count)
    {
        if (derivatives is not null)
        {
            var run = new ReadOnlySpan<TCompute>(gradient, count);
            var factors = new ReadOnlySpan<TCompute>(derivatives, count);
            if (stride == 1 && typeof(TStorage) == typeof(TCompute))
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(run, factors, new Span<TCompute>(destination, count));
                return;
            }

            System.Numerics.Tensors.TensorPrimitives.Multiply(run, factors, new Span<TCompute>(gradient, count));
        }

        Convert(gradient, 1, destination, stride, count);
    }

    /// <summary><paramref name="count"/> elements from a strided run to a contiguous one, widened to the compute type.</summary>
    private static void Convert(TStorage* source, nint stride, TCompute* destination, int count)
    {
        if (stride == 1 && typeof(TStorage) == typeof(Half) && typeof(TCompute) == typeof(float))
        {
            System.Numerics.Tensors.TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(source, count), new Span<float>(destination, count));
            return;
        }

        if (stride == 1 && typeof(TStorage) == typeof(TCompute))
        {
            new ReadOnlySpan<TCompute>(source, count).CopyTo(new Span<TCompute>(destination, count));
            return;
        }

        for (int i = 0; i < count; i++)
        {
            destination[i] = TCompute.CreateTruncating(source[i * stride]);
        }
    }

    /// <summary><paramref name="count"/> elements from a strided scratch run back to a strided operand, rounded to the storage type.</summary>
    private static void Convert(TCompute* source, nint sourceStride, TStorage* destination, nint stride, int count)
    {
        if (sourceStride == 1 && stride == 1 && typeof(TStorage) == typeof(Half) && typeof(TCompute) == typeof(float))
        {
            System.Numerics.Tensors.TensorPrimitives.ConvertToHalf(new ReadOnlySpan<float>(source, count), new Span<Half>(destination, count));
            return;
        }

        if (sourceStride == 1 && stride == 1 && typeof(TStorage) == typeof(TCompute))
        {
            new ReadOnlySpan<TStorage>(source, count).CopyTo(new Span<TStorage>(destination, count));
            return;
        }

        for (int i = 0; i < count; i++)
        {
            destination[i * stride] = TStorage.CreateTruncating(source[i * sourceStride]);
        }
    }

    /// <summary>The scratch of one piece: logits (and gradient), targets, losses, upstream, the transform's derivatives and labels.</summary>
    private readonly struct Staging(TCompute* buffer, int* labels, int block, int elements, bool classMajor)
    {
        public TCompute* Logits => buffer;

        public TCompute* Targets => buffer + elements;

        public TCompute* Losses => buffer + (2 * elements);

        public TCompute* Upstream => buffer + (2 * elements) + block;

        public TCompute* Derivatives => buffer + (2 * elements) + (2 * block);

        public int* Labels => labels;

        public bool ClassMajor => classMajor;
    }
}
