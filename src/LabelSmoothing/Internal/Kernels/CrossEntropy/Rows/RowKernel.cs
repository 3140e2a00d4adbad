using System.Runtime.Intrinsics;

namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>
/// The kernels for pieces whose rows are contiguous (class stride 1): the transposing small-class kernel where it applies, the fused
/// row kernel at the widest vector no longer than a row, and the reference kernel for rows shorter than a vector.
/// </summary>
internal readonly struct RowKernel<T, TTerm>(LossPlan plan) : IPieceKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TTerm : IRowTerm
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe double Run(in BatchArguments<T> piece)
    {
        KernelTables<T> tables = plan.Tables<T>();
        int numClasses = piece.NumClasses;
        bool index = piece.Labels is not null;
        if (Vector512.IsHardwareAccelerated && index && SmallClassKernel<Simd512<T>, Vector512<T>, T>.Applies(piece, tables.Kind))
        {
            return SmallClassKernel<Simd512<T>, Vector512<T>, T>.Index<TTerm>(plan, tables, piece);
        }

        if (Vector256.IsHardwareAccelerated && index && SmallClassKernel<Simd256<T>, Vector256<T>, T>.Applies(piece, tables.Kind))
        {
            return SmallClassKernel<Simd256<T>, Vector256<T>, T>.Index<TTerm>(plan, tables, piece);
        }

        if (Vector512.IsHardwareAccelerated && numClasses >= Vector512<T>.Count)
        {
            return index
                ? FusedBatch<Simd512<T>, Vector512<T>, T>.Index<TTerm>(plan, tables, piece)
                : FusedBatch<Simd512<T>, Vector512<T>, T>.Probability<TTerm>(plan, tables, piece);
        }

        if (Vector256.IsHardwareAccelerated && numClasses >= Vector256<T>.Count)
        {
            return index
                ? FusedBatch<Simd256<T>, Vector256<T>, T>.Index<TTerm>(plan, tables, piece)
                : FusedBatch<Simd256<T>, Vector256<T>, T>.Probability<TTerm>(plan, tables, piece);
        }

        if (Vector128.IsHardwareAccelerated && numClasses >= Vector128<T>.Count)
        {
            return index
                ? FusedBatch<Simd128<T>, Vector128<T>, T>.Index<TTerm>(plan, tables, piece)
                : FusedBatch<Simd128<T>, Vector128<T>, T>.Probability<TTerm>(plan, tables, piece);
        }

        return new ReferenceKernel<T, TTerm>(plan).Run(piece);
    }
}
