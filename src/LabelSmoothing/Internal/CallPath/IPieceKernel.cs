namespace LabelSmoothing.Internal.CallPath;

/// <summary>A kernel family run on one piece of a batch (see <see cref="BatchArguments{T}"/>): writes what is requested, returns <c>Σ l_i</c>.</summary>
internal interface IPieceKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    double Run(in BatchArguments<T> piece);
}
