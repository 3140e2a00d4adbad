using System.Buffers;
using System.Runtime.Intrinsics;

namespace LabelSmoothing.Internal.Kernels.Family;

/// <summary>
/// Runs a family loss over a piece whose rows are contiguous (class stride 1) in <see cref="float"/> or <see cref="double"/>: picks, once
/// per piece, the widest vector no longer than a row (one lane for rows shorter than every vector, or without SIMD hardware) and the
/// smoothing coefficients' type, so that the row loop is specialised for both; ignored samples get a zero loss and gradient row.
/// </summary>
/// <param name="smoothing">The coefficients of the smoothed target (null for a loss without one).</param>
/// <param name="ignoreIndex">The label of ignored samples.</param>
/// <param name="row">The loss's row struct.</param>
internal readonly unsafe struct FamilyRows<T, TRow>(LossPlan? smoothing, int ignoreIndex, TRow row) : IStagedKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TRow : struct, IFamilyRow
{
    public bool StagesClassMajor<TStorage>(in BatchArguments<TStorage> piece)
        where TStorage : unmanaged, IFloatingPointIeee754<TStorage> => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Run(in BatchArguments<T> piece)
    {
        int numClasses = piece.NumClasses;
        if (Vector512.IsHardwareAccelerated && numClasses >= Vector512<T>.Count)
        {
            return WithCoefficients<Simd512<T>, Vector512<T>>(piece);
        }

        if (Vector256.IsHardwareAccelerated && numClasses >= Vector256<T>.Count)
        {
            return WithCoefficients<Simd256<T>, Vector256<T>>(piece);
        }

        if (Vector128.IsHardwareAccelerated && numClasses >= Vector128<T>.Count)
        {
            return WithCoefficients<Simd128<T>, Vector128<T>>(piece);
        }

        return WithCoefficients<OneLane<T>, T>(piece);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double WithCoefficients<TSimd, TVector>(in BatchArguments<T> piece)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
    {
        var rows = new RowsCall<TSimd, TVector>(this, piece);
        return TRow.UsesSmoothing
            ? CoefficientSources<TSimd, TVector, T>.Run(smoothing!, smoothing!.Tables<T>(), rows)
            : rows.Run<NoSmoothing<TSimd, TVector>, ZeroCoefficients<TSimd, TVector, T>>(default);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Rows<TSimd, TVector, TSource, TCoefficients>(in BatchArguments<T> piece, TSource source)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where TSource : struct, ICoefficientSource<TCoefficients>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        int numClasses = piece.NumClasses;

        // As the cross-entropy's kernel: rows of up to 256 KB fetch the next one while their first pass runs.
        bool prefetch = (long)numClasses * sizeof(T) <= 262144 && TSimd.Count > 1;
        var nextRow = prefetch ? new NextRow(piece.LogitsStride, piece.TargetsStride, piece.GradientStride) : default;
        T[]? scratch = TRow.HasTeacher && TSimd.Count > 1 ? ArrayPool<T>.Shared.Rent(numClasses) : null;
        try
        {
            fixed (T* rowScratch = scratch)
            {
                return EachRow<TSimd, TVector, TSource, TCoefficients>(piece, source, nextRow, rowScratch);
            }
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<T>.Shared.Return(scratch);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double EachRow<TSimd, TVector, TSource, TCoefficients>(in BatchArguments<T> piece, TSource source, NextRow nextRow, T* scratch)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where TSource : struct, ICoefficientSource<TCoefficients>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        int numClasses = piece.NumClasses;
        double total = 0.0;
        for (int i = 0; i < piece.Count; i++)
        {
            T* gradient = piece.GradientRow(i);
            int label = TRow.HasTeacher ? 0 : piece.Label(i);
            double loss = 0.0;
            if (!TRow.HasTeacher && label == ignoreIndex)
            {
                if (gradient is not null)
                {
                    new Span<T>(gradient, numClasses).Clear();
                }
            }
            else
            {
                T* logits = piece.LogitsRow(i);
                T* teacher = TRow.HasTeacher ? piece.TargetsRow(i) : null;
                double labelLogit = TRow.HasTeacher ? 0.0 : double.CreateTruncating(logits[label]);
                LabelOutcome outcome = default;
                var input = new RowInput<T>(
                    logits, teacher, gradient, (nuint)numClasses, label, piece.GradientScale(i), i + 1 < piece.Count ? nextRow : default,
                    piece.Statistics is null || TRow.HasTeacher ? null : &outcome, scratch);
                loss = row.Row<TSimd, TVector, T, TCoefficients>(input, source.ForLabel(label));
                if (input.Outcome is not null)
                {
                    piece.RecordStatistics(i, outcome.LogSumExp, labelLogit, outcome.Correct);
                }
            }

            piece.StoreLoss(i, loss);
            total += piece.Weighted(i, loss);
        }

        return total;
    }

    /// <summary>Zero coefficients for every label: the losses that take no smoothed target.</summary>
    private readonly struct NoSmoothing<TSimd, TVector> : ICoefficientSource<ZeroCoefficients<TSimd, TVector, T>>
        where TSimd : ISimd<TVector, T>
        where TVector : struct
    {
        public ZeroCoefficients<TSimd, TVector, T> ForLabel(int label) => default;
    }

    /// <summary><see cref="Rows"/> bound to its operands, for <see cref="CoefficientSources{TSimd, TVector, T}"/>.</summary>
    private readonly struct RowsCall<TSimd, TVector>(FamilyRows<T, TRow> rows, BatchArguments<T> piece) : ICoefficientRows<TVector, T>
        where TSimd : ISimd<TVector, T>
        where TVector : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Run<TSource, TCoefficients>(TSource source)
            where TSource : struct, ICoefficientSource<TCoefficients>
            where TCoefficients : struct, IRowCoefficients<TVector, T> =>
            rows.Rows<TSimd, TVector, TSource, TCoefficients>(piece, source);
    }
}
