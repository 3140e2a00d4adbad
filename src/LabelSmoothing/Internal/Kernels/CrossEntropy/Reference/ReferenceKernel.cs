namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>The reference kernels on a piece of any strides: index targets when the piece has labels, probability targets otherwise.</summary>
internal readonly struct ReferenceKernel<T, TTerm>(LossPlan plan) : IPieceKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TTerm : IRowTerm
{
    public unsafe double Run(in BatchArguments<T> piece) =>
        piece.Labels is not null ? IndexTargetKernel.Run<T, TTerm>(plan, piece) : ProbabilityTargetKernel.Run<T, TTerm>(plan, piece);
}
