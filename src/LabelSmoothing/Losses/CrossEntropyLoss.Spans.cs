using System;
using System.Numerics;
using LabelSmoothing.Internal;
using LabelSmoothing.Internal.CrossEntropy;
using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing;

/// <summary>The span door: row-major <c>[N, K]</c> blocks in flat spans.</summary>
public sealed partial class CrossEntropyLoss
{
    /// <summary>
    /// The reduced loss for index targets: <c>Σ l_i / Σ_{i not ignored} w[y_i]</c> (<see cref="Reduction.Mean"/>, 0 when that weight is 0)
    /// or <c>Σ l_i</c> (<see cref="Reduction.Sum"/>).
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/> and <see cref="double"/> are fast, <see cref="Half"/> is exact to its precision.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <returns>The reduced loss (NaN when a non-ignored sample has a NaN or +∞ logit).</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>: use the overload with <c>losses</c>.</exception>
    /// <exception cref="ArgumentException"><c>logits.Length ≠ labels.Length · K</c> (<c>logits</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/> (<c>labels</c>;
    /// the message names the sample and the value).</exception>
    /// <remarks>PyTorch: <c>F.cross_entropy(z, y, weight, ignore_index=IgnoreIndex, reduction, label_smoothing)</c>.</remarks>
    public T Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireScalarReduction();
        return LossRunner.Run(_plan, IndexRequest(logits, labels));
    }

    /// <summary>The per-sample losses for index targets: <c>losses[i] = l_i</c> (0 for ignored samples), whatever the <see cref="Reduction"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="losses">Receives the <c>N</c> per-sample losses.</param>
    /// <exception cref="ArgumentException">A length does not match (the span is named), or <paramref name="losses"/> overlaps an input other
    /// than exactly.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    /// <remarks>PyTorch: <c>F.cross_entropy(..., reduction='none')</c>.</remarks>
    public void Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = IndexRequest(logits, labels);
        request.Losses = Losses(losses, labels.Length, "labels.Length");
        LossRunner.Run(_plan, request);
    }

    /// <summary>
    /// The fused forward and backward pass for index targets: returns the reduced loss (<see cref="Reduction.None"/>: <c>Σ l_i</c>) and writes
    /// its gradient with respect to the logits.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, length <c>N·K</c>. It may be <paramref name="logits"/> itself.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="gradient"/> overlaps <paramref name="logits"/> other
    /// than exactly.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    /// <remarks>PyTorch: <c>loss = F.cross_entropy(z, y, ...); loss.backward()</c> (<c>loss.sum()</c> for <c>'none'</c>); the gradient
    /// is <c>z.grad</c>.</remarks>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = IndexRequest(logits, labels);
        request.Gradient = Gradient(gradient, logits.Length, labels.Length);
        return LossRunner.Run(_plan, request);
    }

    /// <summary>
    /// The backward pass for index targets with an upstream gradient: writes <c>upstream[0]·d(reduced loss)/dz</c> (<see cref="Reduction.Mean"/>,
    /// <see cref="Reduction.Sum"/>) or <c>Σ_i upstream[i]·dl_i/dz</c> (<see cref="Reduction.None"/>).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum) or <c>N</c> values <c>dL/dl_i</c> (None).</param>
    /// <param name="gradient">Receives <c>dL/dz</c>, length <c>N·K</c>. It may be <paramref name="logits"/> itself.</param>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="gradient"/> overlaps an input other than exactly.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    /// <remarks>PyTorch: <c>loss.backward(upstream)</c>.</remarks>
    public void Backward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> upstream, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = IndexRequest(logits, labels);
        request.Upstream = Upstream(upstream, labels.Length);
        request.Gradient = Gradient(gradient, logits.Length, labels.Length);
        LossRunner.Run(_plan, request);
    }

    /// <summary>
    /// The reduced loss for probability targets: <c>Σ l_i / N</c> (<see cref="Reduction.Mean"/>, 0 when <c>N = 0</c>) or <c>Σ l_i</c>
    /// (<see cref="Reduction.Sum"/>), with <c>l_i = −Σ_c w_c·S(t_i)_c·lp_c</c>.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores.</param>
    /// <param name="targets">The row-major <c>[N, K]</c> target distributions: finite, ≥ 0; rows need not sum to 1.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is not a whole number of rows; <paramref name="targets"/> has another
    /// length or a negative, NaN or infinite entry.</exception>
    /// <remarks>PyTorch: <c>F.cross_entropy(z, t, weight, reduction, label_smoothing)</c> with a floating-point target of the input's shape.</remarks>
    public T Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireScalarReduction();
        return LossRunner.Run(_plan, ProbabilityRequest(logits, targets));
    }

    /// <summary>The per-sample losses for probability targets: <c>losses[i] = l_i</c>, whatever the <see cref="Reduction"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores.</param>
    /// <param name="targets">The row-major <c>[N, K]</c> target distributions: finite, ≥ 0.</param>
    /// <param name="losses">Receives the <c>N</c> per-sample losses.</param>
    /// <exception cref="ArgumentException">A length does not match, a target is negative or not finite, or <paramref name="losses"/>
    /// overlaps an input other than exactly.</exception>
    /// <remarks>PyTorch: <c>F.cross_entropy(z, t, ..., reduction='none')</c>.</remarks>
    public void Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = ProbabilityRequest(logits, targets);
        request.Losses = Losses(losses, logits.Length / NumClasses, "logits.Length / NumClasses");
        LossRunner.Run(_plan, request);
    }

    /// <summary>
    /// The fused forward and backward pass for probability targets: returns the reduced loss (<see cref="Reduction.None"/>: <c>Σ l_i</c>) and
    /// writes its gradient with respect to the logits.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores.</param>
    /// <param name="targets">The row-major <c>[N, K]</c> target distributions: finite, ≥ 0.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>. It may be <paramref name="logits"/> or <paramref name="targets"/> itself.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException">A length does not match, a target is negative or not finite, or <paramref name="gradient"/>
    /// overlaps an input other than exactly.</exception>
    /// <remarks>PyTorch: <c>F.cross_entropy(z, t, ...).backward()</c>; the gradient is <c>z.grad</c>.</remarks>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = ProbabilityRequest(logits, targets);
        request.Gradient = Gradient(gradient, logits.Length, logits.Length / NumClasses);
        return LossRunner.Run(_plan, request);
    }

    /// <summary>
    /// The backward pass for probability targets with an upstream gradient: <c>upstream[0]·d(reduced loss)/dz</c> (Mean, Sum) or
    /// <c>Σ_i upstream[i]·dl_i/dz</c> (None).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores.</param>
    /// <param name="targets">The row-major <c>[N, K]</c> target distributions: finite, ≥ 0.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum) or <c>N</c> values (None).</param>
    /// <param name="gradient">Receives <c>dL/dz</c>. It may be <paramref name="logits"/> or <paramref name="targets"/> itself.</param>
    /// <exception cref="ArgumentException">A length does not match, a target is negative or not finite, or <paramref name="gradient"/>
    /// overlaps an input other than exactly.</exception>
    /// <remarks>PyTorch: <c>loss.backward(upstream)</c>.</remarks>
    public void Backward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> upstream, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = ProbabilityRequest(logits, targets);
        request.Upstream = Upstream(upstream, logits.Length / NumClasses);
        request.Gradient = Gradient(gradient, logits.Length, logits.Length / NumClasses);
        LossRunner.Run(_plan, request);
    }

    private LossRequest<T> IndexRequest<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(logits.Length, (long)labels.Length * NumClasses, nameof(logits), "labels.Length × NumClasses");
        return new LossRequest<T> { Logits = Operand<T>.Of(logits, labels.Length, NumClasses), Labels = Operand<int>.Of(labels) };
    }

    private LossRequest<T> ProbabilityRequest<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = Guard.Rows(logits.Length, NumClasses, nameof(logits));
        Guard.Length(targets.Length, logits.Length, nameof(targets), "logits.Length");
        return new LossRequest<T> { Logits = Operand<T>.Of(logits, rows, NumClasses), Targets = Operand<T>.Of(targets, rows, NumClasses) };
    }

    private static Operand<T> Losses<T>(Span<T> losses, int samples, string expectation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(losses.Length, samples, nameof(losses), expectation);
        return Operand<T>.Of(losses);
    }

    private Operand<T> Gradient<T>(Span<T> gradient, int logitsLength, int samples)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(gradient.Length, logitsLength, nameof(gradient), "logits.Length");
        return Operand<T>.Of(gradient, samples, NumClasses);
    }

    private Operand<T> Upstream<T>(ReadOnlySpan<T> upstream, int samples)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool perSample = Reduction == Reduction.None;
        Guard.Length(upstream.Length, perSample ? samples : 1, nameof(upstream), perSample ? "N (Reduction.None)" : "1 (Reduction.Mean or Sum)");
        return Operand<T>.Of(upstream);
    }
}
