namespace LabelSmoothing.Internal.Kernels.ElementWise;

/// <summary>
/// The kernel side of a sigmoid loss (<see cref="BinaryCrossEntropyLoss"/>, <see cref="BinaryFocalLoss"/>): its element kernel run in
/// place on dense runs — whole rows when every operand is row-major <c>[N, M]</c>, one label's run at a time when every operand stores
/// consecutive samples side by side (as MathNet stores a matrix) — and on staged rows for any other strides.
/// </summary>
/// <param name="elements">The loss's element kernel.</param>
internal readonly struct ElementKernel<TElements>(TElements elements) : ILossKernel
    where TElements : struct, IElementKernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Run<T, TVisitor>(in BatchArguments<T> origin, in TVisitor visitor)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVisitor : struct, IPieceKernelVisitor<T> =>
        ElementRows<T, TElements>.RowMajor(origin) || ElementRows<T, TElements>.LabelMajor(origin)
            ? visitor.Visit(new ElementRows<T, TElements>(elements))
            : visitor.Visit(new Staging<T, T, ElementRows<T, TElements>, IdentityTransform>(new(elements), default));
}
