using System;
using System.Numerics;
using LabelSmoothing.Internal;
using LabelSmoothing.Internal.Binary;
using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing;

/// <summary>
/// Sigmoid plus binary cross-entropy on logits for binary and multi-label targets, with Keras's label smoothing and PyTorch's
/// per-label positive weights, and analytic gradients: PyTorch's <c>F.binary_cross_entropy_with_logits(z, t', pos_weight=w, reduction=r)</c>
/// on the smoothed target <c>t'</c>, which is Keras's <c>BinaryCrossentropy(from_logits=True, label_smoothing=α)</c> when unweighted.
/// </summary>
/// <remarks>
/// <para>Logits and targets are row-major <c>[N, M]</c> blocks: sample <c>i</c> owns <c>logits[i·M .. i·M + M)</c>, one logit per label
/// (<c>M = 1</c> is plain binary classification); or tensors <c>(N, M)</c> or <c>(N, M, d1, …, dk)</c> of any strides, the labels on
/// axis 1 as the classes of <see cref="CrossEntropyLoss"/>; or MathNet matrices through the <c>LabelSmoothing.MathNet</c> package. Each element is an independent binary problem. With <c>α</c> the smoothing and
/// <c>w_c</c> the positive weight of label <c>c</c> (1 when not given):</para>
/// <list type="bullet">
/// <item>smoothed target (Keras): <c>t' = t·(1 − α) + α/2</c>, so with <c>α = 0.1</c> the hard targets 1 and 0 become 0.95 and 0.05;</item>
/// <item>per element: <c>l = w_c·t'·softplus(−z) + (1 − t')·softplus(z)</c>, i.e. <c>−[w_c·t'·log σ(z) + (1 − t')·log(1 − σ(z))]</c>,
/// computed as <c>softplus(x) = max(x, 0) + log1p(exp(−|x|))</c>, never as <c>log(sigmoid(z))</c>;</item>
/// <item>gradient: <c>dl/dz = σ(z)·(1 + (w_c − 1)·t') − w_c·t'</c>, evaluated as <c>(1 − t')·σ(z) − w_c·t'·σ(−z)</c> with a stable
/// <c>σ</c>; unweighted it is <c>σ(z) − t'</c>;</item>
/// <item><see cref="Reduction.Mean"/> divides <c>Σ l</c> by <c>N·M</c> (PyTorch; Keras's mean over labels then over samples is the same
/// number); over an empty batch it is 0 with a zero gradient, where PyTorch returns NaN. <see cref="Reduction.Sum"/> is <c>Σ l</c>.</item>
/// </list>
/// <para>With <c>α &gt; 0</c> the loss of a single target 1 is smallest at <c>z = log(2/α − 1)</c> (<c>σ(z) = 1 − α/2</c>): smoothing
/// bounds the logits, as in the multi-class case.</para>
/// <para>NaN and infinity: a NaN logit gives a NaN loss and gradient (as PyTorch). Finite logits never overflow: <c>z = ±1e4</c> gives the
/// exact finite loss (e.g. <c>l = 10⁴</c> for <c>z = 10⁴</c>, <c>t' = 0</c>) in float and double. An infinite logit gives the limits
/// <c>σ(+∞) = 1</c>, <c>σ(−∞) = 0</c>: the loss is +∞ when the side it points away from carries mass and 0 when it does not, and the
/// gradient is <c>1 − t'</c> at +∞ and <c>−w_c·t'</c> at −∞ (PyTorch returns NaN for most infinite logits).</para>
/// <para>Precision: every element is computed in double whatever <c>T</c> (vectorised; <see cref="float"/> and <see cref="Half"/> are
/// widened on load and rounded once on store) and sums are accumulated in double, so a float result is the double result rounded to float.
/// Without AVX-512, <c>exp(−|z|)</c> flushes to 0 for <c>|z| &gt; 708</c>, so element results below about 1e-308 may come out as 0.</para>
/// <para>Differences from PyTorch and Keras, all deliberate: the empty mean above; smoothing is built in (PyTorch's
/// <c>BCEWithLogitsLoss</c> has no <c>label_smoothing</c>, pytorch#91545); targets outside <c>[0, 1]</c> and <c>α</c> outside
/// <c>[0, 1]</c> are rejected (Keras applies any <c>α</c>).</para>
/// <para>Instances are immutable and thread-safe. Every method validates all of its arguments before it writes any output, and never
/// modifies its inputs. Outputs may alias an input only exactly (same start and length).</para>
/// </remarks>
public sealed partial class BinaryCrossEntropyLoss
{
    private readonly double[]? _positiveWeights;
    private readonly BinaryLabelWeights _weights;

    /// <summary>Creates the loss.</summary>
    /// <param name="numLabels">The number of labels <c>M</c> per sample (≥ 1).</param>
    /// <param name="labelSmoothing">The smoothing <c>α ∈ [0, 1]</c>: targets become <c>t·(1 − α) + α/2</c> (Keras <c>label_smoothing</c>).
    /// 0 is plain binary cross-entropy; 1 makes every target 1/2.</param>
    /// <param name="reduction">How element losses are combined (PyTorch <c>reduction</c>).</param>
    /// <param name="positiveWeights">The weight <c>w_c</c> of the positive term of each label, length <c>M</c>, finite and ≥ 0 (PyTorch
    /// <c>pos_weight</c>); copied. Null for 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numLabels"/> is below 1; <paramref name="labelSmoothing"/> is NaN,
    /// negative or above 1; <paramref name="reduction"/> is not a defined value.</exception>
    /// <exception cref="ArgumentException"><paramref name="positiveWeights"/> does not have length <c>M</c> or holds a negative, NaN or
    /// infinite weight.</exception>
    public BinaryCrossEntropyLoss(int numLabels, double labelSmoothing = 0.0, Reduction reduction = Reduction.Mean, double[]? positiveWeights = null)
    {
        Guard.NumLabels(numLabels);
        Guard.Alpha(labelSmoothing, nameof(labelSmoothing));
        Guard.Reduction(reduction);
        _positiveWeights = Guard.Weights(positiveWeights, numLabels, nameof(positiveWeights), "labels");
        _weights = new BinaryLabelWeights(_positiveWeights, numLabels);

        NumLabels = numLabels;
        LabelSmoothing = labelSmoothing;
        Reduction = reduction;
    }

    /// <summary>The number of labels <c>M</c> per sample.</summary>
    public int NumLabels { get; }

    /// <summary>The smoothing <c>α ∈ [0, 1]</c> (Keras <c>label_smoothing</c>): targets become <c>t·(1 − α) + α/2</c>.</summary>
    public double LabelSmoothing { get; }

    /// <summary>How element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>The positive weights <c>w</c> (PyTorch <c>pos_weight</c>; a copy taken at construction), or an empty span when none were given.</summary>
    public ReadOnlySpan<double> PositiveWeights => _positiveWeights;

    /// <summary>The reduced loss: <c>Σ l / (N·M)</c> (<see cref="Reduction.Mean"/>, 0 when <c>N = 0</c>) or <c>Σ l</c> (<see cref="Reduction.Sum"/>).</summary>
    /// <typeparam name="T">The element type: <see cref="float"/> and <see cref="double"/>, or <see cref="Half"/>; computed in double.</typeparam>
    /// <param name="logits">The row-major <c>[N, M]</c> logits.</param>
    /// <param name="targets">The row-major <c>[N, M]</c> targets, each in <c>[0, 1]</c> (hard 0/1 or soft).</param>
    /// <returns>The reduced loss (NaN when a logit is NaN).</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>: use the overload with <c>losses</c>.</exception>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is not a whole number of rows of <c>M</c>; <paramref name="targets"/> has
    /// another length or an entry outside <c>[0, 1]</c> or NaN (<c>targets</c>; the message names the index and the value).</exception>
    /// <remarks>PyTorch: <c>F.binary_cross_entropy_with_logits(z, t', pos_weight=w, reduction=r)</c>; Keras (unweighted):
    /// <c>BinaryCrossentropy(from_logits=True, label_smoothing=α)(t, z)</c>.</remarks>
    public T Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireScalarReduction();
        return BinaryRunner.Run(_weights, LabelSmoothing, Reduction, SpanRequest(logits, targets));
    }

    /// <summary>The element losses: <c>losses[j] = l_j</c> for every one of the <c>N·M</c> elements, whatever the <see cref="Reduction"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, M]</c> logits.</param>
    /// <param name="targets">The row-major <c>[N, M]</c> targets, each in <c>[0, 1]</c>.</param>
    /// <param name="losses">Receives the <c>N·M</c> element losses. It may be <paramref name="logits"/> or <paramref name="targets"/> itself.</param>
    /// <exception cref="ArgumentException">A length does not match (the span is named), a target is outside <c>[0, 1]</c> or NaN, or
    /// <paramref name="losses"/> overlaps an input other than exactly.</exception>
    /// <remarks>PyTorch: <c>F.binary_cross_entropy_with_logits(z, t', pos_weight=w, reduction='none')</c>.</remarks>
    public void Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = SpanRequest(logits, targets);
        request.Losses = Output(losses, logits.Length, nameof(losses));
        BinaryRunner.Run(_weights, LabelSmoothing, Reduction, request);
    }

    /// <summary>
    /// The fused forward and backward pass: returns the reduced loss (<see cref="Reduction.None"/>: <c>Σ l</c>) and writes its gradient
    /// with respect to the logits, <c>s·[σ(z)·(1 + (w_c − 1)·t') − w_c·t']</c> with <c>s = 1/(N·M)</c> for <see cref="Reduction.Mean"/>
    /// and 1 otherwise.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, M]</c> logits.</param>
    /// <param name="targets">The row-major <c>[N, M]</c> targets, each in <c>[0, 1]</c>.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, length <c>N·M</c>. It may be <paramref name="logits"/> or
    /// <paramref name="targets"/> itself.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException">A length does not match, a target is outside <c>[0, 1]</c> or NaN, or <paramref name="gradient"/>
    /// overlaps an input other than exactly.</exception>
    /// <remarks>PyTorch: <c>loss = F.binary_cross_entropy_with_logits(z, t', pos_weight=w, reduction=r); loss.backward()</c>
    /// (<c>loss.sum()</c> for <c>'none'</c>); the gradient is <c>z.grad</c>.</remarks>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = SpanRequest(logits, targets);
        request.Gradient = Output(gradient, logits.Length, nameof(gradient));
        return BinaryRunner.Run(_weights, LabelSmoothing, Reduction, request);
    }

    /// <summary>
    /// The fused forward and backward pass of one chunk or shard of a larger batch: returns <c>Σ l / divisor</c> over this chunk and writes its
    /// gradient, whatever the <see cref="Reduction"/>. With <paramref name="divisor"/> the element count <c>N·M</c> of the whole batch, the chunks
    /// add up to the global mean and each chunk's gradient is its slice of the global gradient.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, M]</c> logits of the chunk.</param>
    /// <param name="targets">The row-major <c>[n, M]</c> targets of the chunk, each in <c>[0, 1]</c>.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>. It may be <paramref name="logits"/> or <paramref name="targets"/> itself.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    /// <returns><c>Σ l / divisor</c> over the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite.</exception>
    /// <exception cref="ArgumentException">As <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>.</exception>
    /// <remarks>PyTorch: <c>F.binary_cross_entropy_with_logits(z, t', pos_weight=w, reduction='sum') / divisor</c>.</remarks>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = SpanRequest(logits, targets);
        request.Gradient = Output(gradient, logits.Length, nameof(gradient));
        request.Divisor = Guard.Divisor(divisor);
        return BinaryRunner.Run(_weights, LabelSmoothing, Reduction, request);
    }

    /// <summary>
    /// The backward pass with an upstream gradient: writes <c>upstream[0]·d(reduced loss)/dz</c> (<see cref="Reduction.Mean"/>,
    /// <see cref="Reduction.Sum"/>) or <c>upstream[j]·dl_j/dz_j</c> (<see cref="Reduction.None"/>).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, M]</c> logits.</param>
    /// <param name="targets">The row-major <c>[N, M]</c> targets, each in <c>[0, 1]</c>.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum) or <c>N·M</c> values <c>dL/dl_j</c> (None).</param>
    /// <param name="gradient">Receives <c>dL/dz</c>, length <c>N·M</c>. It may be <paramref name="logits"/>, <paramref name="targets"/> or
    /// (None) <paramref name="upstream"/> itself.</param>
    /// <exception cref="ArgumentException">A length does not match, a target is outside <c>[0, 1]</c> or NaN, or <paramref name="gradient"/>
    /// overlaps an input other than exactly.</exception>
    /// <remarks>PyTorch: <c>loss.backward(upstream)</c>.</remarks>
    public void Backward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> upstream, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = SpanRequest(logits, targets);
        bool perElement = Reduction == Reduction.None;
        Guard.Length(upstream.Length, perElement ? logits.Length : 1, nameof(upstream), perElement ? "logits.Length (Reduction.None)" : "1 (Reduction.Mean or Sum)");
        request.Upstream = perElement ? Operand<T>.Of(upstream, logits.Length / NumLabels, NumLabels) : Operand<T>.Of(upstream);
        request.Gradient = Output(gradient, logits.Length, nameof(gradient));
        BinaryRunner.Run(_weights, LabelSmoothing, Reduction, request);
    }

    private void RequireScalarReduction()
    {
        if (Reduction == Reduction.None)
        {
            ThrowHelper.InvalidOperation("Reduction is None: there is no scalar loss. Use the overload that writes the element losses.");
        }
    }

    private BinaryRequest<T> SpanRequest<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = Guard.Rows(logits.Length, NumLabels, nameof(logits), "labels");
        Guard.Length(targets.Length, logits.Length, nameof(targets), "logits.Length");
        return new BinaryRequest<T> { Logits = Operand<T>.Of(logits, rows, NumLabels), Targets = Operand<T>.Of(targets, rows, NumLabels) };
    }

    private Operand<T> Output<T>(Span<T> output, int logitsLength, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(output.Length, logitsLength, paramName, "logits.Length");
        return Operand<T>.Of(output, logitsLength / NumLabels, NumLabels);
    }
}
