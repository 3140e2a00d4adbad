using System.Numerics;

namespace LabelSmoothing.Internal.CrossEntropy;

/// <summary>The reference kernels on a piece of any strides: index targets when the piece has labels, probability targets otherwise.</summary>
internal readonly struct ReferenceKernel<T>(LossPlan plan) : IPieceKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public unsafe double Run(in BatchArguments<T> piece) =>
        piece.Labels is not null ? IndexTargetKernel.Run(plan, piece) : ProbabilityTargetKernel.Run(plan, piece);
}
