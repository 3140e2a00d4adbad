using System.Numerics;

namespace LabelSmoothing.Internal.Kernels;

/// <summary>
/// The pinned operands of one kernel call over a row-major <c>[N, K]</c> batch. Null pointers mean "not requested": no per-sample
/// losses, no gradient, no upstream (a factor of 1 per sample).
/// </summary>
internal readonly unsafe struct BatchArguments<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public required T* Logits { get; init; }

    public int* Labels { get; init; }

    public T* Targets { get; init; }

    public T* Losses { get; init; }

    public T* Gradient { get; init; }

    public T* Upstream { get; init; }

    /// <summary>Whether <see cref="Upstream"/> holds one value per sample (<see cref="Reduction.None"/>) rather than one shared value.</summary>
    public bool UpstreamPerSample { get; init; }

    /// <summary>The factor every sample's gradient is multiplied by (the reciprocal of the mean's divisor, or 1).</summary>
    public double GradientFactor { get; init; }

    public required int NumClasses { get; init; }

    /// <summary>The gradient factor of sample <paramref name="row"/>.</summary>
    public double GradientScale(int row) =>
        Upstream is null ? GradientFactor : GradientFactor * double.CreateTruncating(Upstream[UpstreamPerSample ? row : 0]);
}
