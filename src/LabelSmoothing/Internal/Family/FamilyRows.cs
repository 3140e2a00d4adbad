using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using LabelSmoothing.Internal.CrossEntropy;
using LabelSmoothing.Internal.Simd;

namespace LabelSmoothing.Internal.Family;

/// <summary>
/// Runs a family loss over a piece whose rows are contiguous (class stride 1) in <see cref="float"/> or <see cref="double"/>: picks, once
/// per piece, the widest vector no longer than a row (one lane for rows shorter than every vector, or without SIMD hardware) and the
/// smoothing coefficients' type, so that the row loop is specialised for both; ignored samples get a zero loss and gradient row.
/// </summary>
internal static unsafe class FamilyRows
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Run<T, TRow>(FamilyPlan plan, in TRow row, in BatchArguments<T> piece)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        int numClasses = piece.NumClasses;
        if (Vector512.IsHardwareAccelerated && numClasses >= Vector512<T>.Count)
        {
            return WithCoefficients<Simd512<T>, Vector512<T>, T, TRow>(plan, row, piece);
        }

        if (Vector256.IsHardwareAccelerated && numClasses >= Vector256<T>.Count)
        {
            return WithCoefficients<Simd256<T>, Vector256<T>, T, TRow>(plan, row, piece);
        }

        if (Vector128.IsHardwareAccelerated && numClasses >= Vector128<T>.Count)
        {
            return WithCoefficients<Simd128<T>, Vector128<T>, T, TRow>(plan, row, piece);
        }

        return WithCoefficients<OneLane<T>, T, T, TRow>(plan, row, piece);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double WithCoefficients<TSimd, TVector, T, TRow>(FamilyPlan plan, in TRow row, in BatchArguments<T> piece)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        var rows = new RowsCall<TSimd, TVector, T, TRow>(plan, row, piece);
        return TRow.UsesSmoothing
            ? CoefficientSources<TSimd, TVector, T>.Run(plan.Smoothing!, plan.Smoothing!.Tables<T>(), rows)
            : rows.Run<NoSmoothing<TSimd, TVector, T>, ZeroCoefficients<TSimd, TVector, T>>(default);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Rows<TSimd, TVector, T, TRow, TSource, TCoefficients>(FamilyPlan plan, in TRow row, in BatchArguments<T> piece, TSource source)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
        where TSource : struct, ICoefficientSource<TCoefficients>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        int numClasses = piece.NumClasses;
        int ignoreIndex = plan.IgnoreIndex ?? int.MinValue;

        // As the cross-entropy's kernel: rows of up to 256 KB fetch the next one while their first pass runs.
        bool prefetch = (long)numClasses * sizeof(T) <= 262144 && TSimd.Count > 1;
        var nextRow = prefetch ? new NextRow(piece.LogitsStride, piece.TargetsStride, piece.GradientStride) : default;
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
                T* teacher = TRow.HasTeacher ? piece.TargetsRow(i) : null;
                var input = new RowInput<T>(piece.LogitsRow(i), teacher, gradient, (nuint)numClasses, label, piece.GradientScale(i), i + 1 < piece.Count ? nextRow : default);
                loss = row.Row<TSimd, TVector, T, TCoefficients>(input, source.ForLabel(label));
            }

            piece.StoreLoss(i, loss);
            total += loss;
        }

        return total;
    }

    /// <summary>Zero coefficients for every label: the losses that take no smoothed target.</summary>
    private readonly struct NoSmoothing<TSimd, TVector, T> : ICoefficientSource<ZeroCoefficients<TSimd, TVector, T>>
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public ZeroCoefficients<TSimd, TVector, T> ForLabel(int label) => default;
    }

    /// <summary><see cref="Rows"/> bound to its operands, for <see cref="CoefficientSources{TSimd, TVector, T}"/>.</summary>
    private readonly struct RowsCall<TSimd, TVector, T, TRow>(FamilyPlan plan, TRow row, BatchArguments<T> piece) : ICoefficientRows<TVector, T>
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Run<TSource, TCoefficients>(TSource source)
            where TSource : struct, ICoefficientSource<TCoefficients>
            where TCoefficients : struct, IRowCoefficients<TVector, T> =>
            Rows<TSimd, TVector, T, TRow, TSource, TCoefficients>(plan, row, piece, source);
    }
}
