namespace LabelSmoothing.Internal.Kernels.Family;

/// <summary>
/// The kernel side of a loss of the softmax family (<see cref="PolyLoss"/>, <see cref="FocalLoss"/>, <see cref="LabelRelaxationLoss"/>,
/// <see cref="ConfidencePenaltyLoss"/>, <see cref="DistillationLoss"/>): its row struct run over contiguous rows of <see cref="float"/> or
/// <see cref="double"/> in place, and over staged rows otherwise (<see cref="Half"/> widened to float, any other strides).
/// </summary>
/// <param name="smoothing">The coefficients of the smoothed target (null for a loss without one).</param>
/// <param name="ignoreIndex">The label of ignored samples (any value for a loss without labels).</param>
/// <param name="row">The loss's row struct.</param>
internal readonly struct FamilyKernel<TRow>(LossPlan? smoothing, int ignoreIndex, TRow row) : ILossKernel
    where TRow : struct, IFamilyRow
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Run<T, TVisitor>(in BatchArguments<T> origin, in TVisitor visitor)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVisitor : struct, IPieceKernelVisitor<T>
    {
        if (typeof(T) == typeof(Half))
        {
            return visitor.Visit(new Staging<T, float, FamilyRows<float, TRow>, IdentityTransform>(new(smoothing, ignoreIndex, row), default));
        }

        return origin.RowsContiguous
            ? visitor.Visit(new FamilyRows<T, TRow>(smoothing, ignoreIndex, row))
            : visitor.Visit(new Staging<T, T, FamilyRows<T, TRow>, IdentityTransform>(new(smoothing, ignoreIndex, row), default));
    }
}
