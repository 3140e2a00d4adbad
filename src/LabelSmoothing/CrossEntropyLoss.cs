using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using LabelSmoothing.Internal;
using LabelSmoothing.Internal.Kernels;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing;

/// <summary>
/// Softmax cross-entropy with label smoothing, class weights and an ignore index, with analytic gradients, exactly as PyTorch's
/// <c>F.cross_entropy(z, y, weight=w, ignore_index=i, reduction=r, label_smoothing=α)</c> defines it, generalised to any
/// <see cref="SmoothingPrior"/>.
/// </summary>
/// <remarks>
/// <para>Logits are a row-major <c>[N, K]</c> block: sample <c>i</c> owns <c>logits[i·K .. i·K + K)</c>. With <c>lp = log_softmax(z)</c>,
/// <c>α</c> the smoothing, <c>w</c> the class weights (1 when not given) and <c>u(y)</c> the prior:</para>
/// <list type="bullet">
/// <item>index target <c>y</c>: <c>l_i = (1 − α)·w_y·(−lp_y) + α·Σ_c u_c(y)·w_c·(−lp_c)</c>; a sample whose label is <see cref="IgnoreIndex"/>
/// gives <c>l_i = 0</c> and a zero gradient. It is computed as <c>A·log s + (1 − α)·w_y·(m − z_y) + α·Σ_c u_c(y)·w_c·(m − z_c)</c> with
/// <c>m = max z</c> and <c>s = Σ exp(z − m)</c>, which cannot overflow and never builds a one-hot or smoothed row.</item>
/// <item>probability target <c>t</c> (entries ≥ 0): <c>t' = S(t) = (1 − α)·t + α·U·t</c> and <c>l_i = −Σ_c w_c·t'_c·lp_c</c>.</item>
/// <item>gradient of <c>l_i</c>: index <c>p_k·[(1 − α)·w_y + α·Σ_c u_c w_c] − (1 − α)·w_y·[k = y] − α·u_k·w_k</c>; probability
/// <c>p_k·Σ_c w_c t'_c − w_k t'_k</c> (<c>p − t'</c> when unweighted and normalised).</item>
/// <item><see cref="Reduction.Mean"/> divides by <c>Σ_{i not ignored} w[y_i]</c> for index targets and by <c>N</c> for probability targets
/// (PyTorch's own convention, pytorch#107680); a mean over zero total weight (empty batch, every label ignored) is 0 with a zero
/// gradient, where PyTorch returns NaN.</item>
/// </list>
/// <para>Differences from PyTorch, all deliberate: the all-ignored mean above; <c>α</c> NaN or negative is rejected (PyTorch silently
/// treats it as 0); a probability row that does not sum to 1 receives smoothing mass <c>α·Σt</c> (PyTorch adds <c>α/K</c> whatever the
/// sum; the two agree on normalised rows).</para>
/// <para>NaN and infinity: a NaN or +∞ logit makes its sample's loss and gradient NaN (as PyTorch); −∞ logits are exact zeros of
/// probability and give an infinite loss when they carry target or smoothing mass. Finite logits never overflow: ±1e4 in float and
/// ±1e300 in double give finite results whenever the exact result is finite.</para>
/// <para>Overloads with a leading <c>shape</c> take dense-prediction inputs <c>(N, C, d1, …, dk)</c> as PyTorch does; MathNet
/// <c>Matrix&lt;T&gt;</c> overloads take one row per sample; <see cref="TotalWeight{T}"/> and the divisor overloads of
/// <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, T)"/> split a batch into chunks or shards; the KL form
/// (<see cref="KLDivergence"/>) reports the loss relative to its optimum.</para>
/// <para>Instances are immutable and thread-safe. Every method validates all of its arguments before it writes any output, and
/// never modifies its inputs. Outputs may alias an input only exactly (same start and length).</para>
/// </remarks>
public sealed class CrossEntropyLoss
{
    private readonly LossPlan _plan;
    private readonly double[]? _classWeights;
    private readonly int _maxDegreeOfParallelism = -1;

    /// <summary>Creates the loss.</summary>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1; ≥ 2 for <see cref="SmoothingPrior.UniformOthers"/> and
    /// <see cref="SmoothingPrior.Ordinal"/>).</param>
    /// <param name="labelSmoothing">The smoothing <c>α ∈ [0, 1]</c> (PyTorch <c>label_smoothing</c>). 0 is plain cross-entropy.</param>
    /// <param name="reduction">How per-sample losses are combined (PyTorch <c>reduction</c>).</param>
    /// <param name="classWeights">Per-class weights <c>w</c> of length <c>K</c>, finite and ≥ 0 (PyTorch <c>weight</c>); copied. Null for 1.</param>
    /// <param name="ignoreIndex">The label whose samples are ignored (PyTorch <c>ignore_index</c>, default −100). It may be a pad id inside
    /// <c>[0, K)</c>: those samples are ignored, while the smoothing mass still reaches that class for the other samples (as PyTorch).</param>
    /// <param name="prior">Where the smoothing mass goes; <see cref="SmoothingPrior.Uniform"/> (PyTorch's choice) when null.</param>
    /// <param name="klDivergence">Report losses in the KL form (Wenet, old OpenNMT): <c>l_i − Σ_c w_c·h(t'_c)</c> with <c>h(x) = −x·log x</c>,
    /// so that the optimum of an unweighted sample is exactly 0. Gradients, divisors and ignored samples are unchanged.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1 (below 2 for priors that exclude the label);
    /// <paramref name="labelSmoothing"/> is NaN, negative or above 1; <paramref name="reduction"/> is not a defined value.</exception>
    /// <exception cref="ArgumentException"><paramref name="classWeights"/> does not have length <c>K</c> or holds a negative, NaN or
    /// infinite weight; a <see cref="SmoothingPrior.FromDistribution"/> prior does not have <c>K</c> entries (<c>prior</c>).</exception>
    public CrossEntropyLoss(
        int numClasses,
        double labelSmoothing = 0.0,
        Reduction reduction = Reduction.Mean,
        double[]? classWeights = null,
        int ignoreIndex = -100,
        SmoothingPrior? prior = null,
        bool klDivergence = false)
    {
        Guard.NumClasses(numClasses);
        Guard.Alpha(labelSmoothing, nameof(labelSmoothing));
        Guard.Reduction(reduction);
        _classWeights = Guard.Weights(classWeights, numClasses, nameof(classWeights), "classes");
        prior ??= SmoothingPrior.Uniform;
        prior.Validate(numClasses, nameof(prior));

        NumClasses = numClasses;
        LabelSmoothing = labelSmoothing;
        Reduction = reduction;
        IgnoreIndex = ignoreIndex;
        Prior = prior;
        KLDivergence = klDivergence;
        _plan = new LossPlan(numClasses, labelSmoothing, _classWeights, prior, klDivergence);
    }

    /// <summary>The number of classes <c>K</c>.</summary>
    public int NumClasses { get; }

    /// <summary>The smoothing <c>α ∈ [0, 1]</c> (PyTorch <c>label_smoothing</c>).</summary>
    public double LabelSmoothing { get; }

    /// <summary>How per-sample losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>The label of ignored samples (PyTorch <c>ignore_index</c>).</summary>
    public int IgnoreIndex { get; }

    /// <summary>Where the smoothing mass goes.</summary>
    public SmoothingPrior Prior { get; }

    /// <summary>
    /// Whether losses are reported in the KL form: <c>KL(t' ‖ softmax(z)) = l_i − Σ_c w_c·h(t'_c)</c>, <c>h(x) = −x·log x</c>, <c>h(0) = 0</c>
    /// (Wenet <c>LabelSmoothingLoss</c>, old OpenNMT-py). It differs from the cross-entropy by a constant per target, so gradients are the same;
    /// the minimum of an unweighted sample whose target sums to 1 is 0. Near that minimum the value is a difference of two close numbers,
    /// accurate to the absolute rounding of the cross-entropy (about 1e-16 in double, 1e-7 in float).
    /// </summary>
    public bool KLDivergence { get; }

    /// <summary>
    /// The most cores one call may use; −1 (the default) for all of them, 1 to stay on the calling thread. Batches of fewer than
    /// 2^17 logits always run on the calling thread. Results are bit-identical whatever the value: a large batch is cut into blocks that
    /// depend only on its shape, and their partial sums are added in block order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is 0 or below −1.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        init
        {
            if (value == 0 || value < -1)
            {
                ThrowHelper.ArgumentOutOfRange(nameof(value), value, "The degree of parallelism must be −1 (all cores) or at least 1.");
            }

            _maxDegreeOfParallelism = value;
        }
    }

    /// <summary>The class weights <c>w</c> (a copy taken at construction), or an empty span when the loss is unweighted.</summary>
    public ReadOnlySpan<double> ClassWeights => _classWeights;

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
        var layout = IndexLayout(logits.Length, labels.Length);
        Guard.Labels(labels, NumClasses, IgnoreIndex);
        return ReduceIndex(logits, labels, layout);
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
        var layout = IndexLayout(logits.Length, labels.Length);
        CheckLosses(logits, labels, losses, layout);
        Guard.Labels(labels, NumClasses, IgnoreIndex);
        KernelRunner.Index(_plan, IgnoreIndex, MaxDegreeOfParallelism, logits, labels, layout, losses, default, default, 0.0);
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
        var layout = IndexLayout(logits.Length, labels.Length);
        CheckGradient(logits, labels, gradient);
        Guard.Labels(labels, NumClasses, IgnoreIndex);
        return ForwardBackwardIndex(logits, labels, layout, gradient);
    }

    /// <summary>
    /// The total weight of a batch of index targets, <c>Σ_{i not ignored} w[y_i]</c> (the count of non-ignored samples when unweighted): the
    /// divisor of <see cref="Reduction.Mean"/>. Sum it over the chunks or shards of a batch and pass it to
    /// <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, T)"/> to get exactly the global mean and its gradient.
    /// </summary>
    /// <typeparam name="T">The element type of the result.</typeparam>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <returns>The total weight (accumulated in double).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    /// <remarks>PyTorch has no equivalent; it is the denominator of <c>F.cross_entropy(..., reduction='mean')</c>.</remarks>
    public T TotalWeight<T>(ReadOnlySpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Labels(labels, NumClasses, IgnoreIndex);
        return T.CreateTruncating(IndexDivisor(labels));
    }

    /// <summary>
    /// The fused forward and backward pass of one piece of a larger batch (a chunk of a batch too large for one span, or one shard of a
    /// data-parallel batch) for index targets: returns <c>Σ_i l_i / divisor</c> over this piece and writes its gradient, whatever the
    /// <see cref="Reduction"/>. With <paramref name="divisor"/> the <see cref="TotalWeight{T}"/> of the whole batch, the pieces' results add
    /// up to the global mean and each piece's gradient is its slice of the global gradient.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, K]</c> scores of the piece, <c>n = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample of the piece, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>. It may be <paramref name="logits"/> itself.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient (as a mean over zero weight).</param>
    /// <returns><c>Σ_i l_i / divisor</c> over the piece.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite; or a label is outside
    /// <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="gradient"/> overlaps an input other than exactly.</exception>
    /// <remarks>PyTorch: <c>F.cross_entropy(z, y, ..., reduction='sum') / divisor</c>, as fairseq and Megatron-LM normalise by a global token count.</remarks>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> gradient, T divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = IndexLayout(logits.Length, labels.Length);
        CheckGradient(logits, labels, gradient);
        double value = CheckDivisor(divisor);
        Guard.Labels(labels, NumClasses, IgnoreIndex);
        if (value == 0.0)
        {
            gradient.Clear();
            return T.Zero;
        }

        double total = KernelRunner.Index(_plan, IgnoreIndex, MaxDegreeOfParallelism, logits, labels, layout, default, gradient, default, 1.0 / value);
        return T.CreateTruncating(total / value);
    }

    /// <summary>
    /// As <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, T)"/> for probability targets: the global divisor of a
    /// mean is the global row count.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, K]</c> scores of the piece.</param>
    /// <param name="targets">The row-major <c>[n, K]</c> target distributions of the piece: finite, ≥ 0.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>. It may be <paramref name="logits"/> or <paramref name="targets"/> itself.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    /// <returns><c>Σ_i l_i / divisor</c> over the piece.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite.</exception>
    /// <exception cref="ArgumentException">A length does not match, a target is negative or not finite, or <paramref name="gradient"/>
    /// overlaps an input other than exactly.</exception>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient, T divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = ProbabilityLayout(logits.Length, targets.Length);
        CheckGradient(logits, targets, gradient);
        double value = CheckDivisor(divisor);
        Guard.Probabilities(targets);
        if (value == 0.0)
        {
            gradient.Clear();
            return T.Zero;
        }

        double total = KernelRunner.Probability(_plan, MaxDegreeOfParallelism, logits, targets, layout, default, gradient, default, 1.0 / value);
        return T.CreateTruncating(total / value);
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
        var layout = IndexLayout(logits.Length, labels.Length);
        CheckUpstream(upstream, layout);
        CheckGradient(logits, labels, gradient);
        Guard.NoPartialOverlap(upstream, nameof(upstream), gradient, nameof(gradient));
        Guard.Labels(labels, NumClasses, IgnoreIndex);
        BackwardIndex(logits, labels, layout, upstream, gradient);
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
        var layout = ProbabilityLayout(logits.Length, targets.Length);
        Guard.Probabilities(targets);
        return ReduceProbability(logits, targets, layout);
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
        var layout = ProbabilityLayout(logits.Length, targets.Length);
        CheckLosses(logits, targets, losses, layout);
        Guard.Probabilities(targets);
        KernelRunner.Probability(_plan, MaxDegreeOfParallelism, logits, targets, layout, losses, default, default, 0.0);
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
        var layout = ProbabilityLayout(logits.Length, targets.Length);
        CheckGradient(logits, targets, gradient);
        Guard.Probabilities(targets);
        return ForwardBackwardProbability(logits, targets, layout, gradient);
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
        var layout = ProbabilityLayout(logits.Length, targets.Length);
        CheckUpstream(upstream, layout);
        CheckGradient(logits, targets, gradient);
        Guard.NoPartialOverlap(upstream, nameof(upstream), gradient, nameof(gradient));
        Guard.Probabilities(targets);
        BackwardProbability(logits, targets, layout, upstream, gradient);
    }

    /// <summary>
    /// The reduced loss for index targets on a dense-prediction input (segmentation, per-token scores) laid out as PyTorch takes it:
    /// logits shaped <c>(N, C, d1, …, dk)</c> with the class axis second, labels shaped <c>(N, d1, …, dk)</c>, both flattened row-major.
    /// Every position is a sample; the mean divides by the total weight of the non-ignored positions.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="shape">The logits' shape <c>(N, C, d1, …, dk)</c>, <c>k ≥ 0</c>, with <c>C</c> = <see cref="NumClasses"/>.</param>
    /// <param name="logits">The scores, <c>N·C·d1·…·dk</c> elements; element <c>(n, c, s)</c> is at <c>(n·C + c)·S + s</c>, <c>S = d1·…·dk</c>.</param>
    /// <param name="labels">The class of each position, <c>N·d1·…·dk</c> elements, in <c>[0, C)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="shape"/> has fewer than two dimensions, a negative dimension, or <c>shape[1] ≠ C</c>;
    /// a length does not match the shape (the span is named).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, C)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    /// <remarks>PyTorch: <c>F.cross_entropy(z, y, ...)</c> with <c>z</c> of shape <c>(N, C, d1, …, dk)</c>. Dense inputs run on the strided
    /// reference kernel, which builds no <c>[N, C, S]</c> temporary; <c>k = 0</c> is the flat layout and runs on the fused kernels.</remarks>
    public T Forward<T>(ReadOnlySpan<int> shape, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireScalarReduction();
        var layout = DenseIndexLayout(shape, logits.Length, labels.Length);
        Guard.Labels(labels, NumClasses, IgnoreIndex);
        return ReduceIndex(logits, labels, layout);
    }

    /// <summary>The per-position losses for index targets on a dense-prediction input (see <see cref="Forward{T}(ReadOnlySpan{int}, ReadOnlySpan{T}, ReadOnlySpan{int})"/>).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="shape">The logits' shape <c>(N, C, d1, …, dk)</c>.</param>
    /// <param name="logits">The scores, <c>N·C·d1·…·dk</c> elements.</param>
    /// <param name="labels">The class of each position, <c>N·d1·…·dk</c> elements.</param>
    /// <param name="losses">Receives the losses, shaped <c>(N, d1, …, dk)</c> (PyTorch <c>reduction='none'</c>).</param>
    /// <exception cref="ArgumentException">The shape is invalid, a length does not match, or <paramref name="losses"/> overlaps an input other than exactly.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, C)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    public void Forward<T>(ReadOnlySpan<int> shape, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = DenseIndexLayout(shape, logits.Length, labels.Length);
        CheckLosses(logits, labels, losses, layout);
        Guard.Labels(labels, NumClasses, IgnoreIndex);
        KernelRunner.Index(_plan, IgnoreIndex, MaxDegreeOfParallelism, logits, labels, layout, losses, default, default, 0.0);
    }

    /// <summary>The fused forward and backward pass for index targets on a dense-prediction input.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="shape">The logits' shape <c>(N, C, d1, …, dk)</c>.</param>
    /// <param name="logits">The scores, <c>N·C·d1·…·dk</c> elements.</param>
    /// <param name="labels">The class of each position, <c>N·d1·…·dk</c> elements.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c> in the logits' layout. It may be <paramref name="logits"/> itself.</param>
    /// <returns>The reduced loss (<see cref="Reduction.None"/>: <c>Σ l</c>).</returns>
    /// <exception cref="ArgumentException">The shape is invalid, a length does not match, or <paramref name="gradient"/> overlaps an input other than exactly.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, C)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    public T ForwardBackward<T>(ReadOnlySpan<int> shape, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = DenseIndexLayout(shape, logits.Length, labels.Length);
        CheckGradient(logits, labels, gradient);
        Guard.Labels(labels, NumClasses, IgnoreIndex);
        return ForwardBackwardIndex(logits, labels, layout, gradient);
    }

    /// <summary>The backward pass for index targets with an upstream gradient on a dense-prediction input.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="shape">The logits' shape <c>(N, C, d1, …, dk)</c>.</param>
    /// <param name="logits">The scores, <c>N·C·d1·…·dk</c> elements.</param>
    /// <param name="labels">The class of each position, <c>N·d1·…·dk</c> elements.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum) or one per position (None).</param>
    /// <param name="gradient">Receives <c>dL/dz</c> in the logits' layout. It may be <paramref name="logits"/> itself.</param>
    /// <exception cref="ArgumentException">The shape is invalid, a length does not match, or <paramref name="gradient"/> overlaps an input other than exactly.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, C)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    public void Backward<T>(ReadOnlySpan<int> shape, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> upstream, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = DenseIndexLayout(shape, logits.Length, labels.Length);
        CheckUpstream(upstream, layout);
        CheckGradient(logits, labels, gradient);
        Guard.NoPartialOverlap(upstream, nameof(upstream), gradient, nameof(gradient));
        Guard.Labels(labels, NumClasses, IgnoreIndex);
        BackwardIndex(logits, labels, layout, upstream, gradient);
    }

    /// <summary>
    /// The reduced loss for probability targets on a dense-prediction input: logits and targets both shaped <c>(N, C, d1, …, dk)</c>; the
    /// mean divides by <c>N·d1·…·dk</c> (PyTorch).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="shape">The shape <c>(N, C, d1, …, dk)</c> of both spans.</param>
    /// <param name="logits">The scores.</param>
    /// <param name="targets">The target distributions along the class axis: finite, ≥ 0.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException">The shape is invalid, a length does not match, or a target is negative or not finite.</exception>
    public T Forward<T>(ReadOnlySpan<int> shape, ReadOnlySpan<T> logits, ReadOnlySpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireScalarReduction();
        var layout = DenseProbabilityLayout(shape, logits.Length, targets.Length);
        Guard.Probabilities(targets);
        return ReduceProbability(logits, targets, layout);
    }

    /// <summary>The per-position losses for probability targets on a dense-prediction input.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="shape">The shape <c>(N, C, d1, …, dk)</c> of both spans.</param>
    /// <param name="logits">The scores.</param>
    /// <param name="targets">The target distributions along the class axis: finite, ≥ 0.</param>
    /// <param name="losses">Receives the losses, shaped <c>(N, d1, …, dk)</c>.</param>
    /// <exception cref="ArgumentException">The shape is invalid, a length does not match, a target is negative or not finite, or
    /// <paramref name="losses"/> overlaps an input other than exactly.</exception>
    public void Forward<T>(ReadOnlySpan<int> shape, ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = DenseProbabilityLayout(shape, logits.Length, targets.Length);
        CheckLosses(logits, targets, losses, layout);
        Guard.Probabilities(targets);
        KernelRunner.Probability(_plan, MaxDegreeOfParallelism, logits, targets, layout, losses, default, default, 0.0);
    }

    /// <summary>The fused forward and backward pass for probability targets on a dense-prediction input.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="shape">The shape <c>(N, C, d1, …, dk)</c> of both spans.</param>
    /// <param name="logits">The scores.</param>
    /// <param name="targets">The target distributions along the class axis: finite, ≥ 0.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>. It may be <paramref name="logits"/> or <paramref name="targets"/> itself.</param>
    /// <returns>The reduced loss (<see cref="Reduction.None"/>: <c>Σ l</c>).</returns>
    /// <exception cref="ArgumentException">The shape is invalid, a length does not match, a target is negative or not finite, or
    /// <paramref name="gradient"/> overlaps an input other than exactly.</exception>
    public T ForwardBackward<T>(ReadOnlySpan<int> shape, ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = DenseProbabilityLayout(shape, logits.Length, targets.Length);
        CheckGradient(logits, targets, gradient);
        Guard.Probabilities(targets);
        return ForwardBackwardProbability(logits, targets, layout, gradient);
    }

    /// <summary>The backward pass for probability targets with an upstream gradient on a dense-prediction input.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="shape">The shape <c>(N, C, d1, …, dk)</c> of both spans.</param>
    /// <param name="logits">The scores.</param>
    /// <param name="targets">The target distributions along the class axis: finite, ≥ 0.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum) or one per position (None).</param>
    /// <param name="gradient">Receives <c>dL/dz</c>. It may be <paramref name="logits"/> or <paramref name="targets"/> itself.</param>
    /// <exception cref="ArgumentException">The shape is invalid, a length does not match, a target is negative or not finite, or
    /// <paramref name="gradient"/> overlaps an input other than exactly.</exception>
    public void Backward<T>(ReadOnlySpan<int> shape, ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> upstream, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = DenseProbabilityLayout(shape, logits.Length, targets.Length);
        CheckUpstream(upstream, layout);
        CheckGradient(logits, targets, gradient);
        Guard.NoPartialOverlap(upstream, nameof(upstream), gradient, nameof(gradient));
        Guard.Probabilities(targets);
        BackwardProbability(logits, targets, layout, upstream, gradient);
    }

    /// <summary>The reduced loss for index targets on a MathNet matrix with one row per sample and one column per class.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="logits">An <c>N × K</c> matrix of scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <returns>The reduced loss, as <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int})"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is not <c>labels.Length × K</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    public T Forward<T>(Matrix<T> logits, ReadOnlySpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireScalarReduction();
        var layout = MatrixLayout(logits, labels.Length, nameof(logits));
        Guard.Labels(labels, NumClasses, IgnoreIndex);
        return ReduceIndex<T>(MatrixStorage.Read(logits), labels, layout);
    }

    /// <summary>The per-sample losses for index targets on a MathNet matrix (one row per sample).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="losses">Receives the <c>N</c> per-sample losses.</param>
    /// <exception cref="ArgumentNullException"><paramref name="logits"/> is null.</exception>
    /// <exception cref="ArgumentException">A shape or length does not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    public void Forward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = MatrixLayout(logits, labels.Length, nameof(logits));
        Guard.Length(losses.Length, layout.Samples, nameof(losses), "logits.RowCount");
        Guard.NoOverlap(labels, nameof(labels), losses, nameof(losses));
        Guard.Labels(labels, NumClasses, IgnoreIndex);
        KernelRunner.Index<T>(_plan, IgnoreIndex, MaxDegreeOfParallelism, MatrixStorage.Read(logits), labels, layout, losses, default, default, 0.0);
    }

    /// <summary>The fused forward and backward pass for index targets on MathNet matrices (one row per sample).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="gradient">An <c>N × K</c> matrix receiving <c>d(returned loss)/dz</c>; may be <paramref name="logits"/>.</param>
    /// <returns>The reduced loss (<see cref="Reduction.None"/>: <c>Σ l_i</c>).</returns>
    /// <exception cref="ArgumentNullException">A matrix is null.</exception>
    /// <exception cref="ArgumentException">A shape does not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    public T ForwardBackward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, Matrix<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = MatrixLayout(logits, labels.Length, nameof(logits));
        MatrixStorage.NotNull(gradient, nameof(gradient));
        MatrixStorage.Shape(gradient, layout.Samples, NumClasses, nameof(gradient));
        Guard.Labels(labels, NumClasses, IgnoreIndex);
        T[] input = MatrixStorage.Read(logits);
        T[] output = MatrixStorage.Writable(gradient);
        T loss = ForwardBackwardIndex<T>(input, labels, layout, output);
        MatrixStorage.Commit(gradient, output);
        return loss;
    }

    /// <summary>The backward pass for index targets with an upstream gradient on MathNet matrices (one row per sample).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum) or <c>N</c> values (None).</param>
    /// <param name="gradient">An <c>N × K</c> matrix receiving <c>dL/dz</c>; may be <paramref name="logits"/>.</param>
    /// <exception cref="ArgumentNullException">A matrix is null.</exception>
    /// <exception cref="ArgumentException">A shape or length does not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    public void Backward<T>(Matrix<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> upstream, Matrix<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = MatrixLayout(logits, labels.Length, nameof(logits));
        CheckUpstream(upstream, layout);
        MatrixStorage.NotNull(gradient, nameof(gradient));
        MatrixStorage.Shape(gradient, layout.Samples, NumClasses, nameof(gradient));
        Guard.Labels(labels, NumClasses, IgnoreIndex);
        T[] input = MatrixStorage.Read(logits);
        T[] output = MatrixStorage.Writable(gradient);
        BackwardIndex<T>(input, labels, layout, upstream, output);
        MatrixStorage.Commit(gradient, output);
    }

    /// <summary>The reduced loss for probability targets on MathNet matrices (one row per sample, one column per class).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
    /// <param name="targets">An <c>N × K</c> matrix of target distributions: finite, ≥ 0.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentNullException">A matrix is null.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException">A shape does not match, or a target is negative or not finite.</exception>
    public T Forward<T>(Matrix<T> logits, Matrix<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireScalarReduction();
        var (layout, input, target) = ReadProbabilityMatrices(logits, targets);
        return ReduceProbability<T>(input, target, layout);
    }

    /// <summary>The per-sample losses for probability targets on MathNet matrices (one row per sample).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
    /// <param name="targets">An <c>N × K</c> matrix of target distributions: finite, ≥ 0.</param>
    /// <param name="losses">Receives the <c>N</c> per-sample losses.</param>
    /// <exception cref="ArgumentNullException">A matrix is null.</exception>
    /// <exception cref="ArgumentException">A shape or length does not match, or a target is negative or not finite.</exception>
    public void Forward<T>(Matrix<T> logits, Matrix<T> targets, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (layout, input, target) = ReadProbabilityMatrices(logits, targets);
        Guard.Length(losses.Length, layout.Samples, nameof(losses), "logits.RowCount");
        KernelRunner.Probability<T>(_plan, MaxDegreeOfParallelism, input, target, layout, losses, default, default, 0.0);
    }

    /// <summary>The fused forward and backward pass for probability targets on MathNet matrices (one row per sample).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
    /// <param name="targets">An <c>N × K</c> matrix of target distributions: finite, ≥ 0.</param>
    /// <param name="gradient">An <c>N × K</c> matrix receiving <c>d(returned loss)/dz</c>; may be <paramref name="logits"/> or <paramref name="targets"/>.</param>
    /// <returns>The reduced loss (<see cref="Reduction.None"/>: <c>Σ l_i</c>).</returns>
    /// <exception cref="ArgumentNullException">A matrix is null.</exception>
    /// <exception cref="ArgumentException">A shape does not match, or a target is negative or not finite.</exception>
    public T ForwardBackward<T>(Matrix<T> logits, Matrix<T> targets, Matrix<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (layout, input, target) = ReadProbabilityMatrices(logits, targets);
        MatrixStorage.NotNull(gradient, nameof(gradient));
        MatrixStorage.Shape(gradient, layout.Samples, NumClasses, nameof(gradient));
        T[] output = MatrixStorage.Writable(gradient);
        T loss = ForwardBackwardProbability<T>(input, target, layout, output);
        MatrixStorage.Commit(gradient, output);
        return loss;
    }

    /// <summary>The backward pass for probability targets with an upstream gradient on MathNet matrices (one row per sample).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="logits">An <c>N × K</c> matrix of scores.</param>
    /// <param name="targets">An <c>N × K</c> matrix of target distributions: finite, ≥ 0.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum) or <c>N</c> values (None).</param>
    /// <param name="gradient">An <c>N × K</c> matrix receiving <c>dL/dz</c>; may be <paramref name="logits"/> or <paramref name="targets"/>.</param>
    /// <exception cref="ArgumentNullException">A matrix is null.</exception>
    /// <exception cref="ArgumentException">A shape or length does not match, or a target is negative or not finite.</exception>
    public void Backward<T>(Matrix<T> logits, Matrix<T> targets, ReadOnlySpan<T> upstream, Matrix<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (layout, input, target) = ReadProbabilityMatrices(logits, targets);
        CheckUpstream(upstream, layout);
        MatrixStorage.NotNull(gradient, nameof(gradient));
        MatrixStorage.Shape(gradient, layout.Samples, NumClasses, nameof(gradient));
        T[] output = MatrixStorage.Writable(gradient);
        BackwardProbability<T>(input, target, layout, upstream, output);
        MatrixStorage.Commit(gradient, output);
    }

    /// <summary>The mean divisor of index targets: <c>Σ_{i not ignored} w[y_i]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double IndexDivisor(ReadOnlySpan<int> labels)
    {
        double total = 0.0;
        foreach (int label in labels)
        {
            if (label != IgnoreIndex)
            {
                total += _plan.Weight(label);
            }
        }

        return total;
    }

    /// <summary>
    /// The mean's divisor as <see cref="TotalWeight{T}"/> returns it (rounded to <typeparamref name="T"/>), so that a batch cut into
    /// pieces with the divisor overload gets bit-for-bit the unsplit gradient in every element type.
    /// </summary>
    private double MeanDivisor<T>(ReadOnlySpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        double.CreateTruncating(T.CreateTruncating(IndexDivisor(labels)));

    private T ReduceIndex<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ClassLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double divisor = Reduction == Reduction.Mean ? MeanDivisor<T>(labels) : 1.0;
        if (divisor == 0.0)
        {
            return T.Zero;
        }

        double total = KernelRunner.Index(_plan, IgnoreIndex, MaxDegreeOfParallelism, logits, labels, layout, default, default, default, 0.0);
        return T.CreateTruncating(total / divisor);
    }

    private T ForwardBackwardIndex<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ClassLayout layout, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double divisor = Reduction == Reduction.Mean ? MeanDivisor<T>(labels) : 1.0;
        if (divisor == 0.0)
        {
            gradient.Clear();
            return T.Zero;
        }

        double total = KernelRunner.Index(_plan, IgnoreIndex, MaxDegreeOfParallelism, logits, labels, layout, default, gradient, default, 1.0 / divisor);
        return T.CreateTruncating(total / divisor);
    }

    private void BackwardIndex<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ClassLayout layout, ReadOnlySpan<T> upstream, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double divisor = Reduction == Reduction.Mean ? MeanDivisor<T>(labels) : 1.0;
        if (divisor == 0.0)
        {
            gradient.Clear();
            return;
        }

        KernelRunner.Index(_plan, IgnoreIndex, MaxDegreeOfParallelism, logits, labels, layout, default, gradient, upstream, 1.0 / divisor);
    }

    private T ReduceProbability<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ClassLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double divisor = Reduction == Reduction.Mean ? layout.Samples : 1.0;
        if (divisor == 0.0)
        {
            return T.Zero;
        }

        double total = KernelRunner.Probability(_plan, MaxDegreeOfParallelism, logits, targets, layout, default, default, default, 0.0);
        return T.CreateTruncating(total / divisor);
    }

    private T ForwardBackwardProbability<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ClassLayout layout, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double divisor = Reduction == Reduction.Mean ? layout.Samples : 1.0;
        if (divisor == 0.0)
        {
            return T.Zero;
        }

        double total = KernelRunner.Probability(_plan, MaxDegreeOfParallelism, logits, targets, layout, default, gradient, default, 1.0 / divisor);
        return T.CreateTruncating(total / divisor);
    }

    private void BackwardProbability<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ClassLayout layout, ReadOnlySpan<T> upstream, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double divisor = Reduction == Reduction.Mean ? layout.Samples : 1.0;
        if (divisor == 0.0)
        {
            return;
        }

        KernelRunner.Probability(_plan, MaxDegreeOfParallelism, logits, targets, layout, default, gradient, upstream, 1.0 / divisor);
    }

    /// <summary>Validates a divisor and returns it as a double.</summary>
    private static double CheckDivisor<T>(T divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double value = double.CreateTruncating(divisor);
        if (!(value >= 0.0 && double.IsFinite(value)))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(divisor), divisor, "The divisor must be finite and ≥ 0.");
        }

        return value;
    }

    private void RequireScalarReduction()
    {
        if (Reduction == Reduction.None)
        {
            ThrowHelper.InvalidOperation("Reduction is None: there is no scalar loss. Use the overload that writes the per-sample losses.");
        }
    }

    private ClassLayout IndexLayout(int logitsLength, int samples)
    {
        Guard.Length(logitsLength, (long)samples * NumClasses, "logits", "labels.Length × NumClasses");
        return ClassLayout.RowMajor(samples, NumClasses);
    }

    private ClassLayout ProbabilityLayout(int logitsLength, int targetsLength)
    {
        int rows = Guard.Rows(logitsLength, NumClasses, "logits");
        Guard.Length(targetsLength, logitsLength, "targets", "logits.Length");
        return ClassLayout.RowMajor(rows, NumClasses);
    }

    /// <summary>The layout of a <c>(N, C, d1, …, dk)</c> input: <c>Outer = N</c>, <c>Inner = d1·…·dk</c>.</summary>
    private ClassLayout DenseLayout(ReadOnlySpan<int> shape, int logitsLength)
    {
        if (shape.Length < 2)
        {
            ThrowHelper.Argument(nameof(shape), $"The shape must be (N, C, d1, ..., dk): at least two dimensions, not {shape.Length}.");
        }

        long inner = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0)
            {
                ThrowHelper.Argument(nameof(shape), FormattableString.Invariant($"shape[{i}] = {shape[i]} is negative."));
            }

            if (i >= 2)
            {
                inner = Math.Min(inner * shape[i], (long)int.MaxValue + 1);
            }
        }

        if (shape[1] != NumClasses)
        {
            ThrowHelper.Argument(nameof(shape), FormattableString.Invariant($"shape[1] = {shape[1]} is not the number of classes ({NumClasses})."));
        }

        long samples = shape[0] * inner;
        if (inner > int.MaxValue || samples > int.MaxValue)
        {
            ThrowHelper.Argument(nameof(shape), "The shape has more positions than a span can hold.");
        }

        Guard.Length(logitsLength, samples * NumClasses, "logits", "the product of the shape");
        return new ClassLayout(shape[0], NumClasses, (int)inner);
    }

    private ClassLayout DenseIndexLayout(ReadOnlySpan<int> shape, int logitsLength, int labelsLength)
    {
        var layout = DenseLayout(shape, logitsLength);
        Guard.Length(labelsLength, layout.Samples, "labels", "N·d1·…·dk");
        return layout;
    }

    private ClassLayout DenseProbabilityLayout(ReadOnlySpan<int> shape, int logitsLength, int targetsLength)
    {
        var layout = DenseLayout(shape, logitsLength);
        Guard.Length(targetsLength, logitsLength, "targets", "logits.Length");
        return layout;
    }

    private ClassLayout MatrixLayout<T>(Matrix<T> matrix, int rows, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        MatrixStorage.NotNull(matrix, paramName);
        MatrixStorage.Shape(matrix, rows, NumClasses, paramName);
        return ClassLayout.ColumnMajor(rows, NumClasses);
    }

    private (ClassLayout Layout, T[] Logits, T[] Targets) ReadProbabilityMatrices<T>(Matrix<T> logits, Matrix<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        MatrixStorage.NotNull(logits, nameof(logits));
        var layout = MatrixLayout(logits, logits.RowCount, nameof(logits));
        MatrixStorage.NotNull(targets, nameof(targets));
        MatrixStorage.Shape(targets, layout.Samples, NumClasses, nameof(targets));
        T[] target = MatrixStorage.Read(targets);
        Guard.Probabilities<T>(target, nameof(targets));
        return (layout, MatrixStorage.Read(logits), target);
    }

    private void CheckUpstream<T>(ReadOnlySpan<T> upstream, ClassLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool perSample = Reduction == Reduction.None;
        Guard.Length(upstream.Length, perSample ? layout.Samples : 1, nameof(upstream), perSample ? "N (Reduction.None)" : "1 (Reduction.Mean or Sum)");
    }

    private static void CheckLosses<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> losses, ClassLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(losses.Length, layout.Samples, nameof(losses), "labels.Length");
        Guard.NoPartialOverlap(logits, nameof(logits), losses, nameof(losses));
        Guard.NoOverlap(labels, nameof(labels), losses, nameof(losses));
    }

    private static void CheckLosses<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> losses, ClassLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(losses.Length, layout.Samples, nameof(losses), "logits.Length / NumClasses");
        Guard.NoPartialOverlap(logits, nameof(logits), losses, nameof(losses));
        Guard.NoPartialOverlap(targets, nameof(targets), losses, nameof(losses));
    }

    private static void CheckGradient<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(gradient.Length, logits.Length, nameof(gradient), "logits.Length");
        Guard.NoPartialOverlap(logits, nameof(logits), gradient, nameof(gradient));
        Guard.NoOverlap(labels, nameof(labels), gradient, nameof(gradient));
    }

    private static void CheckGradient<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(gradient.Length, logits.Length, nameof(gradient), "logits.Length");
        Guard.NoPartialOverlap(logits, nameof(logits), gradient, nameof(gradient));
        Guard.NoPartialOverlap(targets, nameof(targets), gradient, nameof(gradient));
    }
}
