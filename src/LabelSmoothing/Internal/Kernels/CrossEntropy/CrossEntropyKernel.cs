using System.Runtime.Intrinsics;

namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>
/// The kernel side of <see cref="CrossEntropyLoss"/>: picks, once per call, the row term of the plan and the piece kernel that fits the
/// call's layout:
/// <list type="bullet">
/// <item>contiguous rows (class stride 1): the fused row kernel, or the transposing small-class kernel for <c>K ≤ 32</c>;</item>
/// <item>contiguous samples (sample stride 1: MathNet matrices, dense <c>(N, C, d…)</c> tensors): the class-major kernel;</item>
/// <item>anything else, <see cref="Half"/> and the soft cap: staged through dense scratch in the kernels' element type;</item>
/// <item>without SIMD hardware: the reference kernels, which take any strides.</item>
/// </list>
/// </summary>
/// <param name="plan">The loss's options.</param>
internal readonly struct CrossEntropyKernel(LossPlan plan) : ILossKernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Run<T, TVisitor>(in BatchArguments<T> origin, in TVisitor visitor)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVisitor : struct, IPieceKernelVisitor<T> =>
        RowTerms.Dispatch(plan, new TermChoice<T, TVisitor>(plan, origin, visitor));

    private readonly struct TermChoice<T, TVisitor>(LossPlan plan, BatchArguments<T> origin, TVisitor visitor) : IRowTermVisitor
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVisitor : struct, IPieceKernelVisitor<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public double Visit<TTerm>()
            where TTerm : IRowTerm
        {
            bool capped = plan.LogitSoftcap > 0.0;
            if (!Vector128.IsHardwareAccelerated && !capped)
            {
                return visitor.Visit(new ReferenceKernel<T, TTerm>(plan));
            }

            if (typeof(T) == typeof(Half))
            {
                return capped
                    ? visitor.Visit(new Staging<T, float, DenseKernel<float, TTerm>, SoftcapTransform>(new(plan), new(plan.LogitSoftcap)))
                    : visitor.Visit(new Staging<T, float, DenseKernel<float, TTerm>, IdentityTransform>(new(plan), default));
            }

            if (capped)
            {
                return visitor.Visit(new Staging<T, T, DenseKernel<T, TTerm>, SoftcapTransform>(new(plan), new(plan.LogitSoftcap)));
            }

            if (origin.RowsContiguous)
            {
                return visitor.Visit(new RowKernel<T, TTerm>(plan));
            }

            return origin.SamplesContiguous
                ? visitor.Visit(new ClassMajorPieceKernel<T, TTerm>(plan))
                : visitor.Visit(new Staging<T, T, DenseKernel<T, TTerm>, IdentityTransform>(new(plan), default));
        }
    }
}
