namespace LabelSmoothing.Internal.CallPath;

/// <summary>
/// The kernel side of a loss, behind <see cref="LossRunner"/>: given the whole call's operands (sample 0's pointers and the strides of
/// a segment), it picks once per call the <see cref="IPieceKernel{T}"/> that fits the element type and the layout, and hands it to the
/// visitor, which runs it over the pieces of every block. A loss's kernel is one small struct holding its options.
/// </summary>
internal interface ILossKernel
{
    double Run<T, TVisitor>(in BatchArguments<T> origin, in TVisitor visitor)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVisitor : struct, IPieceKernelVisitor<T>;
}

/// <summary>Runs a piece kernel over a call's blocks (<see cref="BlockScheduler{T}"/>); returns <c>Σ l_i</c>.</summary>
internal interface IPieceKernelVisitor<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    double Visit<TKernel>(in TKernel kernel)
        where TKernel : struct, IPieceKernel<T>;
}
