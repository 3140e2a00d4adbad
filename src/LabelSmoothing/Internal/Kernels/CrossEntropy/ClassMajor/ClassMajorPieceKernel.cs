using System.Runtime.Intrinsics;

namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>
/// Pieces whose samples are contiguous: the small-class kernel where it applies (index targets, <c>K ≤ 32</c>), else the class-major
/// kernel at the widest vector no longer than the piece, or, when it does not take the piece (too few samples, an ordinal prior), the
/// piece staged through dense row-major scratch.
/// </summary>
internal readonly struct ClassMajorPieceKernel<T, TTerm>(LossPlan plan) : IPieceKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TTerm : IRowTerm
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Run(in BatchArguments<T> piece)
    {
        KernelTables<T> tables = plan.Tables<T>();
        if (Vector512.IsHardwareAccelerated && SmallClassKernel<Simd512<T>, Vector512<T>, T>.Applies(piece, tables.Kind))
        {
            return SmallClassKernel<Simd512<T>, Vector512<T>, T>.Index<TTerm>(plan, tables, piece);
        }

        if (Vector256.IsHardwareAccelerated && SmallClassKernel<Simd256<T>, Vector256<T>, T>.Applies(piece, tables.Kind))
        {
            return SmallClassKernel<Simd256<T>, Vector256<T>, T>.Index<TTerm>(plan, tables, piece);
        }

        if (Vector512.IsHardwareAccelerated && ClassMajorKernel<Simd512<T>, Vector512<T>, T>.Applies(piece, plan, tables))
        {
            return ClassMajorKernel<Simd512<T>, Vector512<T>, T>.Run<TTerm>(plan, tables, piece);
        }

        if (Vector256.IsHardwareAccelerated && ClassMajorKernel<Simd256<T>, Vector256<T>, T>.Applies(piece, plan, tables))
        {
            return ClassMajorKernel<Simd256<T>, Vector256<T>, T>.Run<TTerm>(plan, tables, piece);
        }

        if (Vector128.IsHardwareAccelerated && ClassMajorKernel<Simd128<T>, Vector128<T>, T>.Applies(piece, plan, tables))
        {
            return ClassMajorKernel<Simd128<T>, Vector128<T>, T>.Run<TTerm>(plan, tables, piece);
        }

        return new Staging<T, T, DenseKernel<T, TTerm>, IdentityTransform>(new(plan), default).Run(piece);
    }
}
