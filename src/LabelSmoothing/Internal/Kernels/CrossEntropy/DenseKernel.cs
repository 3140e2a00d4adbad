using System.Runtime.Intrinsics;

namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>
/// The cross-entropy on staged scratch: the row kernels on row-major scratch, the class-major kernel on class-major scratch, which it
/// prefers when the logits' samples are contiguous and the class-major kernel takes the options.
/// </summary>
/// <param name="plan">The loss's options.</param>
internal readonly struct DenseKernel<T, TTerm>(LossPlan plan) : IStagedKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TTerm : IRowTerm
{
    public bool StagesClassMajor<TStorage>(in BatchArguments<TStorage> piece)
        where TStorage : unmanaged, IFloatingPointIeee754<TStorage> =>
        piece.LogitsStride == 1 && Vector128.IsHardwareAccelerated
        && (piece.IsIndex ? plan.Tables<T>().Kind is SmoothingKind.None or SmoothingKind.Constant or SmoothingKind.Array : !plan.SpreadsByLabel || plan.Alpha == 0.0)
        && (typeof(T) != typeof(float) || piece.NumClasses <= 1 << 24);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Run(in BatchArguments<T> piece) =>
        piece.RowsContiguous ? new RowKernel<T, TTerm>(plan).Run(piece) : new ClassMajorPieceKernel<T, TTerm>(plan).Run(piece);
}
