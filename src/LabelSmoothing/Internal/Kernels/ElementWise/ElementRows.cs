namespace LabelSmoothing.Internal.Kernels.ElementWise;

/// <summary>
/// Runs an element kernel over a piece whose every class-shaped operand is row-major (sample stride <c>M</c>, label stride 1: the
/// piece's elements are one dense run of whole rows) or label-major (sample stride 1: each label's elements of the piece are one dense
/// run). A shared upstream value (a reduced loss's backward pass) is folded into the gradient factor.
/// </summary>
/// <param name="elements">The loss's element kernel.</param>
internal readonly unsafe struct ElementRows<T, TElements>(TElements elements) : IStagedKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TElements : struct, IElementKernel
{
    /// <summary>Whether every element-wise operand of <paramref name="piece"/> is row-major with rows of <c>M</c> side by side.</summary>
    public static bool RowMajor(in BatchArguments<T> piece)
    {
        nint rows = piece.NumClasses;
        return piece.LogitsClassStride == 1 && (piece.Count <= 1 || piece.LogitsStride == rows)
            && piece.TargetsClassStride == 1 && (piece.Count <= 1 || piece.TargetsStride == rows)
            && (piece.Losses is null || (piece.LossesClassStride == 1 && (piece.Count <= 1 || piece.LossesStride == rows)))
            && (piece.Gradient is null || (piece.GradientClassStride == 1 && (piece.Count <= 1 || piece.GradientStride == rows)))
            && (!piece.UpstreamPerElement || (piece.UpstreamClassStride == 1 && (piece.Count <= 1 || piece.UpstreamStride == rows)));
    }

    /// <summary>
    /// Whether every element-wise operand of <paramref name="piece"/> stores consecutive samples side by side (each label's elements of the
    /// piece are then one dense run in each operand).
    /// </summary>
    public static bool LabelMajor(in BatchArguments<T> piece) =>
        piece.LogitsStride == 1 && piece.TargetsStride == 1
        && (piece.Losses is null || piece.LossesStride == 1)
        && (piece.Gradient is null || piece.GradientStride == 1)
        && (!piece.UpstreamPerElement || piece.UpstreamStride <= 1);

    public bool StagesClassMajor<TStorage>(in BatchArguments<TStorage> piece)
        where TStorage : unmanaged, IFloatingPointIeee754<TStorage> => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Run(in BatchArguments<T> piece)
    {
        bool shared = piece.Upstream is not null && !piece.UpstreamPerElement;
        double factor = shared ? piece.GradientFactor * double.CreateTruncating(*piece.Upstream) : piece.GradientFactor;
        T* upstream = shared ? null : piece.Upstream;
        if (RowMajor(piece))
        {
            int count = piece.Count * piece.NumClasses;
            return Run(piece, piece.Logits, piece.Targets, piece.Losses, piece.Gradient, upstream, count, -1, factor);
        }

        double total = 0.0;
        for (int c = 0; c < piece.NumClasses; c++)
        {
            total += Run(
                piece, piece.Logits + (c * piece.LogitsClassStride), piece.Targets + (c * piece.TargetsClassStride),
                piece.Losses is null ? null : piece.Losses + (c * piece.LossesClassStride), piece.Gradient is null ? null : piece.Gradient + (c * piece.GradientClassStride),
                upstream is null ? null : upstream + (c * piece.UpstreamClassStride), piece.Count, c, factor);
        }

        return total;
    }

    private double Run(in BatchArguments<T> piece, T* logits, T* targets, T* losses, T* gradient, T* upstream, int count, int label, double factor) =>
        elements.Run(
            new ReadOnlySpan<T>(logits, count), new ReadOnlySpan<T>(targets, count), label, piece.SumsLosses,
            losses is null ? default : new Span<T>(losses, count), gradient is null ? default : new Span<T>(gradient, count),
            upstream is null ? default : new ReadOnlySpan<T>(upstream, count), factor);
}
