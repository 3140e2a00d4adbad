using System;
using System.Buffers;
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
        if (!TRow.UsesSmoothing)
        {
            return Rows<TSimd, TVector, T, TRow, SharedCoefficients<ZeroCoefficients<TSimd, TVector, T>>, ZeroCoefficients<TSimd, TVector, T>>(plan, row, piece, new(default));
        }

        LossPlan smoothing = plan.Smoothing!;
        KernelTables<T> tables = smoothing.Tables<T>();
        switch (tables.Kind)
        {
            case SmoothingKind.None:
                return Rows<TSimd, TVector, T, TRow, SharedCoefficients<ZeroCoefficients<TSimd, TVector, T>>, ZeroCoefficients<TSimd, TVector, T>>(plan, row, piece, new(default));
            case SmoothingKind.Constant:
                return Rows<TSimd, TVector, T, TRow, SharedCoefficients<ConstantCoefficients<TSimd, TVector, T>>, ConstantCoefficients<TSimd, TVector, T>>(plan, row, piece, new(new(tables.Constant)));
            case SmoothingKind.Array:
                return Rows<TSimd, TVector, T, TRow, SharedCoefficients<ScaledCoefficients<TSimd, TVector, T>>, ScaledCoefficients<TSimd, TVector, T>>(plan, row, piece, new(new(tables.Coefficients, T.One)));
            case SmoothingKind.Ordinal:
                return Rows<TSimd, TVector, T, TRow, OrdinalCoefficients<TSimd, TVector, T>, ScaledCoefficients<TSimd, TVector, T>>(plan, row, piece, new(smoothing, tables));
            case SmoothingKind.WeightedOrdinal:
                return Rows<TSimd, TVector, T, TRow, OrdinalCoefficients<TSimd, TVector, T>, WeightedScaledCoefficients<TSimd, TVector, T>>(plan, row, piece, new(smoothing, tables));
            default:
                return Materialised<TSimd, TVector, T, TRow>(plan, row, piece);
        }
    }

    /// <summary>A prior the sources above do not know: each row's coefficients written into pooled scratch.</summary>
    internal static double Materialised<TSimd, TVector, T, TRow>(FamilyPlan plan, in TRow row, in BatchArguments<T> piece)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        T[] scratch = ArrayPool<T>.Shared.Rent(piece.NumClasses);
        try
        {
            fixed (T* coefficients = scratch)
            {
                return Rows<TSimd, TVector, T, TRow, MaterialisedCoefficients<TSimd, TVector, T>, ScaledCoefficients<TSimd, TVector, T>>(
                    plan, row, piece, new(plan.Smoothing!, coefficients));
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(scratch);
        }
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
}
