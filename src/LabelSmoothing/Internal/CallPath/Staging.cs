using System.Buffers;
using System.Numerics.Tensors;

namespace LabelSmoothing.Internal.CallPath;

/// <summary>A piece kernel that can run on staged scratch, and says which scratch layout it prefers for a piece.</summary>
internal interface IStagedKernel<T> : IPieceKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether <paramref name="piece"/> is best staged class-major (<c>[K][B]</c>, one sample per lane) rather than row-major.</summary>
    bool StagesClassMajor<TStorage>(in BatchArguments<TStorage> piece)
        where TStorage : unmanaged, IFloatingPointIeee754<TStorage>;
}

/// <summary>
/// The one staging path: pieces no kernel reads in place — <see cref="Half"/> elements, strides with neither the classes nor the samples
/// contiguous, or logits to transform — go through pooled dense scratch in the kernel's element type <typeparamref name="TCompute"/>. A
/// block of samples is gathered (and widened: <see cref="Half"/> to <see cref="float"/> by <c>TensorPrimitives</c> on contiguous runs),
/// computed by <typeparamref name="TKernel"/> with the gradient in place over the staged logits, and its losses and gradient scattered
/// back (and rounded once). The scratch is class-major <c>[K][B]</c> when the kernel prefers it for the piece, row-major <c>[B][K]</c>
/// otherwise; a class-major block is always whole, the last one overlapping its predecessor, whose samples it leaves as they are. The
/// logit transform (<typeparamref name="TTransform"/>: the soft cap) is applied while gathering, and its derivative while scattering.
/// </summary>
internal readonly unsafe struct Staging<TStorage, TCompute, TKernel, TTransform>(TKernel kernel, TTransform transform) : IPieceKernel<TStorage>
    where TStorage : unmanaged, IFloatingPointIeee754<TStorage>
    where TCompute : unmanaged, IFloatingPointIeee754<TCompute>
    where TKernel : struct, IStagedKernel<TCompute>
    where TTransform : struct, ILogitTransform
{
    /// <summary>
    /// Elements of scratch per block (logits, and as much of each class-shaped operand): 256 KB of float, in L2, so that a sample-contiguous
    /// operand moves in runs of 64 samples per class (16, one cache line, at 64 KB: 2.3× slower for MathNet's 4096×1000 on Zen 3).
    /// </summary>
    private const int BlockElements = 65536;

    /// <summary>Samples per class-major block are a multiple of this (every vector width).</summary>
    private const int Lanes = 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Run(in BatchArguments<TStorage> piece)
    {
        int numClasses = piece.NumClasses;
        bool classMajor = piece.Count >= Lanes && kernel.StagesClassMajor(piece);
        int block = classMajor
            ? Math.Min(piece.Count / Lanes * Lanes, Math.Max(1, BlockElements / (numClasses * Lanes)) * Lanes)
            : Math.Min(piece.Count, Math.Max(1, BlockElements / numClasses));
        var sizes = new ScratchSizes(block, block * numClasses, piece.ElementWise ? block * numClasses : block, piece.Targets is not null, !TTransform.IsIdentity);
        TCompute[] scratch = ArrayPool<TCompute>.Shared.Rent(sizes.Total);
        int[]? labelScratch = piece.Labels is not null && piece.LabelsStride != 1 ? ArrayPool<int>.Shared.Rent(block) : null;
        try
        {
            fixed (TCompute* buffer = scratch)
            fixed (int* labels = labelScratch)
            {
                var staging = new Scratch(buffer, labels, sizes, classMajor);
                double total = 0.0;
                for (int j = 0; j < piece.Count; j += block)
                {
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

    private double RunBlock(in BatchArguments<TStorage> piece, in Scratch scratch, int start, int count, int firstNew)
    {
        int numClasses = piece.NumClasses;
        nint sampleStride = scratch.ClassMajor ? 1 : numClasses;
        nint classStride = scratch.ClassMajor ? count : 1;
        GatherClasses(piece.Logits, piece.LogitsStride, piece.LogitsClassStride, start, count, numClasses, scratch.Logits, scratch.Derivatives, sampleStride, classStride);
        if (piece.Targets is not null)
        {
            GatherClasses(piece.Targets, piece.TargetsStride, piece.TargetsClassStride, start, count, numClasses, scratch.Targets, null, sampleStride, classStride);
        }

        int* labels = null;
        if (piece.Labels is not null)
        {
            labels = piece.LabelsStride == 1 ? piece.Labels + start : scratch.Labels;
            for (int i = 0; labels == scratch.Labels && i < count; i++)
            {
                labels[i] = piece.Labels[(start + i) * piece.LabelsStride];
            }
        }

        nint upstreamStride = 0;
        if (piece.UpstreamPerElement)
        {
            upstreamStride = sampleStride;
            GatherClasses(piece.Upstream, piece.UpstreamStride, piece.UpstreamClassStride, start, count, numClasses, scratch.Upstream, null, sampleStride, classStride);
        }
        else if (piece.Upstream is not null && piece.UpstreamStride != 0)
        {
            upstreamStride = 1;
            Convert(piece.Upstream + (start * piece.UpstreamStride), piece.UpstreamStride, scratch.Upstream, 1, count);
        }
        else if (piece.Upstream is not null)
        {
            Convert(piece.Upstream, 1, scratch.Upstream, 1, 1);
        }

        bool writesLosses = piece.Losses is not null || firstNew > 0;
        var staged = new BatchArguments<TCompute>
        {
            Logits = scratch.Logits,
            LogitsStride = sampleStride,
            LogitsClassStride = classStride,
            Labels = labels,
            LabelsStride = 1,
            Targets = piece.Targets is null ? null : scratch.Targets,
            TargetsStride = sampleStride,
            TargetsClassStride = classStride,
            Losses = writesLosses ? scratch.Losses : null,
            LossesStride = piece.ElementWise ? sampleStride : 1,
            LossesClassStride = piece.ElementWise ? classStride : 0,
            Gradient = piece.Gradient is null ? null : scratch.Logits,
            GradientStride = sampleStride,
            GradientClassStride = classStride,
            Upstream = piece.Upstream is null ? null : scratch.Upstream,
            UpstreamStride = upstreamStride,
            UpstreamClassStride = piece.UpstreamPerElement ? classStride : 0,
            WeightsLosses = piece.WeightsLosses,
            SumsLosses = piece.SumsLosses,
            ElementWise = piece.ElementWise,
            Statistics = piece.Statistics,
            StatisticsFrom = Math.Max(firstNew, piece.StatisticsFrom - start),
            GradientFactor = piece.GradientFactor,
            NumClasses = numClasses,
            Count = count,
        };
        double total = kernel.Run(staged);
        if (firstNew > 0)
        {
            total = 0.0;
            for (int i = firstNew; i < count; i++)
            {
                total += staged.Weighted(i, double.CreateTruncating(scratch.Losses[i]));
            }
        }

        if (piece.Losses is not null)
        {
            if (piece.ElementWise)
            {
                ScatterClasses(scratch.Losses, null, piece.Losses, piece.LossesStride, piece.LossesClassStride, start, count, firstNew, numClasses, sampleStride, classStride);
            }
            else
            {
                Convert(scratch.Losses + firstNew, 1, piece.Losses + ((start + firstNew) * piece.LossesStride), piece.LossesStride, count - firstNew);
            }
        }

        if (piece.Gradient is not null)
        {
            ScatterClasses(scratch.Logits, scratch.Derivatives, piece.Gradient, piece.GradientStride, piece.GradientClassStride, start, count, firstNew, numClasses, sampleStride, classStride);
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
        bool byClass = ByClass(sampleStride, derivatives, sourceSampleStride, sourceClassStride);
        int runs = byClass ? numClasses : count;
        for (int r = 0; r < runs; r++)
        {
            nint to = r * (byClass ? classStride : sampleStride);
            GatherRun(
                first + (r * (byClass ? sourceClassStride : sourceSampleStride)), byClass ? sourceSampleStride : sourceClassStride, destination + to,
                byClass ? sampleStride : classStride, derivatives is null ? null : derivatives + to, byClass ? count : numClasses);
        }
    }

    /// <summary>
    /// Whether a block moves class by class (runs of samples) rather than sample by sample (runs of classes): always into or out of
    /// class-major scratch, and for row-major scratch when the operand's samples are contiguous (MathNet's columns, <c>(N, C, d…)</c>
    /// tensors) and no transform is applied, so that each run reads or writes whole cache lines instead of one element per line (and page).
    /// </summary>
    private static bool ByClass(nint sampleStride, TCompute* derivatives, nint operandSampleStride, nint operandClassStride) =>
        sampleStride == 1 || (derivatives is null && operandSampleStride == 1 && operandClassStride != 1);

    /// <summary>
    /// One strided run into scratch (<paramref name="destinationStride"/> apart), transformed (straight from the source when it is
    /// contiguous) when <paramref name="derivatives"/> is not null, which comes with a contiguous destination.
    /// </summary>
    private void GatherRun(TStorage* source, nint stride, TCompute* destination, nint destinationStride, TCompute* derivatives, int count)
    {
        if (derivatives is not null && stride == 1 && typeof(TStorage) == typeof(TCompute))
        {
            transform.Apply((TCompute*)source, destination, derivatives, count);
            return;
        }

        Convert(source, stride, destination, destinationStride, count);
        if (derivatives is not null)
        {
            transform.Apply(destination, destination, derivatives, count);
        }
    }

    /// <summary>
    /// Copies the staged classes of samples <c>[firstNew, count)</c> of the block back to a strided operand, times the transform's derivatives
    /// when <paramref name="derivatives"/> is not null.
    /// </summary>
    private static void ScatterClasses(
        TCompute* staged, TCompute* derivatives, TStorage* destination, nint destinationSampleStride, nint destinationClassStride, int start, int count, int firstNew,
        int numClasses, nint sampleStride, nint classStride)
    {
        nint first = firstNew * sampleStride;
        TStorage* target = destination + ((start + firstNew) * destinationSampleStride);
        bool byClass = ByClass(sampleStride, derivatives, destinationSampleStride, destinationClassStride);
        int runs = byClass ? numClasses : count - firstNew;
        for (int r = 0; r < runs; r++)
        {
            nint from = first + (r * (byClass ? classStride : sampleStride));
            ScatterRun(
                staged + from, byClass ? sampleStride : classStride, derivatives is null ? null : derivatives + from,
                target + (r * (byClass ? destinationClassStride : destinationSampleStride)), byClass ? destinationSampleStride : destinationClassStride,
                byClass ? count - firstNew : numClasses);
        }
    }

    /// <summary>
    /// One run of staged values (<paramref name="valuesStride"/> apart) back to the operand, times the transform's derivatives when they
    /// are given, which come with contiguous values.
    /// </summary>
    private static void ScatterRun(TCompute* values, nint valuesStride, TCompute* derivatives, TStorage* destination, nint stride, int count)
    {
        if (derivatives is not null)
        {
            var run = new ReadOnlySpan<TCompute>(values, count);
            var factors = new ReadOnlySpan<TCompute>(derivatives, count);
            if (stride == 1 && typeof(TStorage) == typeof(TCompute))
            {
                TensorPrimitives.Multiply(run, factors, new Span<TCompute>(destination, count));
                return;
            }

            TensorPrimitives.Multiply(run, factors, new Span<TCompute>(values, count));
        }

        Convert(values, valuesStride, destination, stride, count);
    }

    /// <summary><paramref name="count"/> elements from a strided run to a strided scratch run, widened to the compute type.</summary>
    private static void Convert(TStorage* source, nint stride, TCompute* destination, nint destinationStride, int count)
    {
        if (stride == 1 && destinationStride == 1 && typeof(TStorage) == typeof(Half) && typeof(TCompute) == typeof(float))
        {
            TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(source, count), new Span<float>(destination, count));
            return;
        }

        if (stride == 1 && destinationStride == 1 && typeof(TStorage) == typeof(TCompute))
        {
            new ReadOnlySpan<TCompute>(source, count).CopyTo(new Span<TCompute>(destination, count));
            return;
        }

        for (int i = 0; i < count; i++)
        {
            destination[i * destinationStride] = TCompute.CreateTruncating(source[i * stride]);
        }
    }

    /// <summary><paramref name="count"/> elements from a strided scratch run back to a strided operand, rounded to the storage type.</summary>
    private static void Convert(TCompute* source, nint sourceStride, TStorage* destination, nint stride, int count)
    {
        if (sourceStride == 1 && stride == 1 && typeof(TStorage) == typeof(Half) && typeof(TCompute) == typeof(float))
        {
            TensorPrimitives.ConvertToHalf(new ReadOnlySpan<float>(source, count), new Span<Half>(destination, count));
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

    /// <summary>The lengths of the scratch regions of one block.</summary>
    /// <param name="Block">Samples per block.</param>
    /// <param name="Elements">Logits (and gradient) per block.</param>
    /// <param name="PerSample">Losses and upstream values per block: one per sample, or one per element.</param>
    /// <param name="HasTargets">Whether targets are staged.</param>
    /// <param name="HasDerivatives">Whether the transform's derivatives are kept.</param>
    private readonly record struct ScratchSizes(int Block, int Elements, int PerSample, bool HasTargets, bool HasDerivatives)
    {
        public int Total => (Elements * (1 + (HasTargets ? 1 : 0) + (HasDerivatives ? 1 : 0))) + (2 * PerSample);
    }

    /// <summary>The scratch of one piece: logits (and gradient), targets, the transform's derivatives, losses, upstream and labels.</summary>
    private readonly struct Scratch(TCompute* buffer, int* labels, ScratchSizes sizes, bool classMajor)
    {
        public TCompute* Logits => buffer;

        public TCompute* Targets => buffer + sizes.Elements;

        public TCompute* Derivatives => sizes.HasDerivatives ? buffer + ((sizes.HasTargets ? 2 : 1) * sizes.Elements) : null;

        public TCompute* Losses => buffer + ((1 + (sizes.HasTargets ? 1 : 0) + (sizes.HasDerivatives ? 1 : 0)) * sizes.Elements);

        public TCompute* Upstream => Losses + sizes.PerSample;

        public int* Labels => labels;

        public bool ClassMajor => classMajor;
    }
}
