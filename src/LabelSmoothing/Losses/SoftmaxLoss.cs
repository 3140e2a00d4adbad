namespace LabelSmoothing;

/// <summary>
/// A loss on the softmax of each sample's logits with a class index as its target: the common type of <see cref="CrossEntropyLoss"/>,
/// <see cref="PolyLoss"/>, <see cref="FocalLoss"/>, <see cref="LabelRelaxationLoss"/> and <see cref="ConfidencePenaltyLoss"/>, so that
/// <c>SoftmaxLoss loss = focal ? new FocalLoss(K, 2.0) : new CrossEntropyLoss(K, 0.1);</c> is a complete training call site.
/// </summary>
/// <remarks>
/// <para>Every entry point comes through every door onto one call path: flat row-major spans (sample <c>i</c> owns
/// <c>logits[i·K .. i·K + K)</c>); .NET tensors (<c>ReadOnlyTensorSpan&lt;T&gt;</c>, <c>TensorSpan&lt;T&gt;</c>, <c>Tensor&lt;T&gt;</c>) of shape
/// <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c> with any strides, labels <c>(N[, d1, …, dk])</c>, as PyTorch takes dense-prediction inputs; and
/// MathNet <c>Matrix&lt;T&gt;</c> (one row per sample, read in place) through the <c>LabelSmoothing.MathNet</c> package. Each subclass
/// defines its per-sample loss <c>l_i</c> (0 with a zero gradient row for a sample labelled <see cref="IgnoreIndex"/>); this class defines
/// how they are reduced:</para>
/// <list type="bullet">
/// <item><see cref="Reduction.Mean"/>: <c>Σ_i s_i·l_i / D</c> with <c>D = </c><see cref="TotalWeight(ReadOnlySpan{int})"/> (<c>s_i = 1</c> without sample
/// weights); 0 with a zero gradient when <c>D = 0</c> (an empty batch, every label ignored), where PyTorch returns NaN.</item>
/// <item><see cref="Reduction.Sum"/>: <c>Σ_i s_i·l_i</c>; <see cref="Reduction.None"/>: the per-sample losses (a scalar entry point returns
/// <c>Σ_i s_i·l_i</c> with its gradient, or throws where there is no gradient).</item>
/// <item>a divisor <c>d</c> (a chunk of a batch too large for one call, or one data-parallel shard): <c>Σ_i s_i·l_i / d</c> whatever the
/// reduction; with <c>d</c> the sum of every chunk's <see cref="TotalWeight(ReadOnlySpan{int})"/>, the chunks add up to the global mean and each
/// chunk's gradient is its slice of the global gradient.</item>
/// </list>
/// <para>Element types: <see cref="float"/> and <see cref="double"/> are fast; <see cref="Half"/> is computed in float and exact to its
/// precision. Instances are immutable and thread-safe. Every method validates all of its arguments before it writes any output, and
/// never modifies its inputs; an output may alias an input only exactly (same memory, same strides). The library's losses are the only
/// subclasses.</para>
/// </remarks>
public abstract partial class SoftmaxLoss
{
    private readonly int _maxDegreeOfParallelism = -1;

    /// <summary>Checks and stores the options every softmax loss has.</summary>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <param name="reduction">How per-sample losses are combined.</param>
    /// <param name="ignoreIndex">The label of ignored samples.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1; <paramref name="reduction"/> is not a defined value.</exception>
    private protected SoftmaxLoss(int numClasses, Reduction reduction, int ignoreIndex)
    {
        Guard.NumClasses(numClasses);
        Guard.Reduction(reduction);
        NumClasses = numClasses;
        Reduction = reduction;
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>The number of classes <c>K</c>.</summary>
    public int NumClasses { get; }

    /// <summary>How per-sample losses are combined (PyTorch <c>reduction</c>).</summary>
    public Reduction Reduction { get; }

    /// <summary>
    /// The label of ignored samples (PyTorch <c>ignore_index</c>, default −100). It may be a pad id inside <c>[0, K)</c>: those samples are
    /// ignored, while a smoothed target still gives that class its share for the other samples (as PyTorch).
    /// </summary>
    public int IgnoreIndex { get; }

    /// <summary>
    /// The most cores one call may use; −1 (the default) for all of them, 1 to stay on the calling thread. Batches of fewer than 2^17 logits
    /// always run on the calling thread. Results are bit-identical whatever the value: a large batch is cut into blocks that depend only on
    /// its shape, and their partial sums are added in block order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is 0 or below −1 (<c>MaxDegreeOfParallelism</c>).</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        init => _maxDegreeOfParallelism = Guard.Parallelism(value);
    }

    /// <summary>The class weights a mean divides by (<c>Σ s_i·w_{y_i}</c>), or null when it divides by the count.</summary>
    private protected virtual double[]? DivisorWeights => null;

    /// <summary>What the call path needs to know of this loss besides its kernel.</summary>
    private protected LossSettings Settings => new(NumClasses, Reduction, IgnoreIndex, DivisorWeights, MaxDegreeOfParallelism);

    /// <summary>
    /// The reduced loss: <c>Σ_i l_i / </c><see cref="TotalWeight(ReadOnlySpan{int})"/> (<see cref="Reduction.Mean"/>) or <c>Σ_i l_i</c>
    /// (<see cref="Reduction.Sum"/>).
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/> and <see cref="double"/> are fast, <see cref="Half"/> is exact to its precision.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <returns>The reduced loss (NaN when a counted sample has a NaN or +∞ logit).</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>: use the overload with <c>losses</c>.</exception>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is not a whole number of rows of <c>K</c> (<c>logits</c>), or not
    /// <c>labels.Length</c> of them (<c>labels</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/> (<c>labels</c>;
    /// the message names the sample and the value).</exception>
    /// <remarks>PyTorch: <c>loss(z, y)</c> with the subclass's formula, e.g. <c>F.cross_entropy(z, y, ...)</c>.</remarks>
    public T Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ScalarReduction(Reduction);
        return Run(LossRequest<T>.Labelled(NumClasses, logits, labels));
    }

    /// <summary>The per-sample losses: <c>losses[i] = l_i</c> (0 for ignored samples), whatever the <see cref="Reduction"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="losses">Receives the <c>N</c> per-sample losses.</param>
    /// <exception cref="ArgumentException">A length does not match (the span is named), or <paramref name="losses"/> overlaps an input.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    /// <remarks>PyTorch: <c>reduction='none'</c>.</remarks>
    public void Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetLosses(losses);
        Run(request);
    }

    /// <summary>
    /// One chunk's share of a global loss, without a gradient buffer: <c>Σ_i l_i / divisor</c> over this chunk, whatever the
    /// <see cref="Reduction"/>. With <paramref name="divisor"/> the sum of every chunk's <see cref="TotalWeight(ReadOnlySpan{int})"/>, the chunks add
    /// up to the global mean (an evaluation loop over a batch too large for one call).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, K]</c> scores of the chunk, <c>n = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample of the chunk, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0.</param>
    /// <returns><c>Σ_i l_i / divisor</c> over the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite; or a label is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    /// <remarks>PyTorch: <c>loss(z, y, reduction='sum') / divisor</c>.</remarks>
    public T Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <summary>
    /// As <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, double)"/> with a weight <c>s_i</c> per sample: <c>Σ_i s_i·l_i / divisor</c>
    /// (a weighted evaluation needs no gradient buffer). The divisor of a weighted mean is the sum of every chunk's
    /// <see cref="TotalWeight{T}(ReadOnlySpan{int}, ReadOnlySpan{T})"/>.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, K]</c> scores of the chunk, <c>n = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample of the chunk, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="sampleWeights">The <c>n</c> sample weights, finite and ≥ 0 (0 masks a sample out).</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0.</param>
    /// <returns><c>Σ_i s_i·l_i / divisor</c> over the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite; or a label is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match, or a sample weight is negative, NaN or infinite (<c>sampleWeights</c>).</exception>
    public T Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> sampleWeights, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetSampleWeights(sampleWeights);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <summary>
    /// The fused forward and backward pass: returns the reduced loss (<see cref="Reduction.None"/>: <c>Σ l_i</c>) and writes its gradient
    /// with respect to the logits, in one pass.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, length <c>N·K</c>. It may be <paramref name="logits"/> itself.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="gradient"/> overlaps <paramref name="logits"/> other than exactly.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    /// <remarks>PyTorch: <c>l = loss(z, y); l.backward()</c> (<c>l.sum()</c> for <c>'none'</c>); the gradient is <c>z.grad</c>.</remarks>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetGradient(gradient);
        return Run(request);
    }

    /// <summary>
    /// The fused pass of one chunk or data-parallel shard of a larger batch: returns <c>Σ_i l_i / divisor</c> over the chunk and writes its
    /// gradient, whatever the <see cref="Reduction"/>. With <paramref name="divisor"/> the sum of every chunk's
    /// <see cref="TotalWeight(ReadOnlySpan{int})"/>, the chunks add up to the global mean and each gradient is its slice of the global one.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, K]</c> scores of the chunk, <c>n = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample of the chunk, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>. It may be <paramref name="logits"/> itself.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    /// <returns><c>Σ_i l_i / divisor</c> over the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite; or a label is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="gradient"/> overlaps an input other than exactly.</exception>
    /// <remarks>PyTorch: <c>loss(z, y, reduction='sum') / divisor</c>, as fairseq and Megatron-LM normalise by a global token count.</remarks>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetGradient(gradient);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <summary>
    /// The fused pass with a weight <c>s_i</c> per sample (a per-token loss mask, T5X <c>weights</c>): returns
    /// <c>Σ_i s_i·l_i / </c><see cref="TotalWeight{T}(ReadOnlySpan{int}, ReadOnlySpan{T})"/> (<see cref="Reduction.Mean"/>; 0 with a zero
    /// gradient when that is 0) or <c>Σ_i s_i·l_i</c> (<see cref="Reduction.Sum"/>, <see cref="Reduction.None"/>), and writes its gradient. It
    /// equals <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/> followed by
    /// <see cref="Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T})"/> with the upstream <c>s_i</c> divided by the mean's
    /// total, in one pass.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="sampleWeights">The <c>N</c> sample weights, finite and ≥ 0 (0 masks a sample out, as an ignored label does).</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>, length <c>N·K</c>. It may be <paramref name="logits"/> itself.</param>
    /// <returns>The weighted reduced loss.</returns>
    /// <exception cref="ArgumentException">A length does not match; a sample weight is negative, NaN or infinite (<c>sampleWeights</c>);
    /// <paramref name="gradient"/> overlaps <paramref name="logits"/> other than exactly, or overlaps <paramref name="sampleWeights"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    /// <remarks>PyTorch: <c>l = loss(z, y, reduction='none'); (s * l).sum() / TotalWeight</c>.</remarks>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> sampleWeights, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetSampleWeights(sampleWeights);
        request.SetGradient(gradient);
        return Run(request);
    }

    /// <summary>
    /// As <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T})"/> on one chunk of a larger batch: returns
    /// <c>Σ_i s_i·l_i / divisor</c> whatever the <see cref="Reduction"/> (Hugging Face's <c>num_items_in_batch</c>, T5X's
    /// <c>loss_normalizing_factor</c>).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, K]</c> scores of the chunk, <c>n = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample of the chunk, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="sampleWeights">The <c>n</c> sample weights, finite and ≥ 0.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>. It may be <paramref name="logits"/> itself.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 and a zero gradient.</param>
    /// <returns><c>Σ_i s_i·l_i / divisor</c> over the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite; or a label is out of range.</exception>
    /// <exception cref="ArgumentException">As the overload without a divisor.</exception>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> sampleWeights, Span<T> gradient, double divisor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetSampleWeights(sampleWeights);
        request.SetGradient(gradient);
        request.SetDivisor(divisor);
        return Run(request);
    }

    /// <summary>
    /// The backward pass with an upstream gradient: writes <c>upstream[0]·d(reduced loss)/dz</c> (<see cref="Reduction.Mean"/>,
    /// <see cref="Reduction.Sum"/>) or <c>Σ_i upstream[i]·dl_i/dz</c> (<see cref="Reduction.None"/>).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum) or <c>N</c> values <c>dL/dl_i</c> (None).</param>
    /// <param name="gradient">Receives <c>dL/dz</c>, length <c>N·K</c>. It may be <paramref name="logits"/> itself.</param>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="gradient"/> overlaps an input other than exactly.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    /// <remarks>PyTorch: <c>loss(z, y).backward(upstream)</c>.</remarks>
    public void Backward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> upstream, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetUpstream(upstream, Reduction);
        request.SetGradient(gradient);
        Run(request);
    }

    /// <summary>
    /// This loss's <see cref="Reduction.Mean"/> divisor for these labels: the number of samples not labelled <see cref="IgnoreIndex"/>
    /// (<see cref="CrossEntropyLoss"/> with class weights: <c>Σ_{i not ignored} w[y_i]</c>). Sum it over the chunks or shards of a batch and
    /// pass it as the divisor to get exactly the global mean and its gradient. A double whatever the element type of the logits (a
    /// <see cref="Half"/> would overflow at 65 504 samples).
    /// </summary>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <returns>The total weight, accumulated in double.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    /// <remarks>PyTorch has no equivalent; it is the denominator of <c>reduction='mean'</c>.</remarks>
    public double TotalWeight(ReadOnlySpan<int> labels) => LossRunner.TotalWeight<float>(Settings, Operand<int>.Of(labels), default);

    /// <summary>
    /// This loss's divisor of a weighted <see cref="Reduction.Mean"/>: <c>Σ_{i not ignored} s_i</c> (<see cref="CrossEntropyLoss"/> with class
    /// weights: <c>Σ_{i not ignored} s_i·w[y_i]</c>). Sum it over the chunks of a batch and pass it as the divisor.
    /// </summary>
    /// <typeparam name="T">The element type of the sample weights.</typeparam>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="sampleWeights">One weight per label, finite and ≥ 0.</param>
    /// <returns>The total weight, accumulated in double.</returns>
    /// <exception cref="ArgumentException"><c>sampleWeights.Length ≠ labels.Length</c>, or a sample weight is negative, NaN or infinite
    /// (<c>sampleWeights</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    public double TotalWeight<T>(ReadOnlySpan<int> labels, ReadOnlySpan<T> sampleWeights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(sampleWeights.Length, labels.Length, nameof(sampleWeights), "labels.Length");
        return LossRunner.TotalWeight(Settings, Operand<int>.Of(labels), Operand<T>.Of(sampleWeights));
    }

    /// <summary>
    /// As <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int})"/>, and adds the batch's <see cref="TokenStatistics"/> (unsmoothed NLL,
    /// token accuracy, log-sum-exp of the logits, whatever the loss) to <paramref name="statistics"/> in the same pass: an evaluation loop's
    /// loss and perplexity at once.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="statistics">Receives the statistics of the non-ignored samples, added to what it holds.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    public T Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ScalarReduction(Reduction);
        return Run(LossRequest<T>.Labelled(NumClasses, logits, labels), ref statistics);
    }

    /// <summary>
    /// As <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/>, and adds the batch's <see cref="TokenStatistics"/> to
    /// <paramref name="statistics"/> in the same pass.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c> or equal to <see cref="IgnoreIndex"/>.</param>
    /// <param name="gradient">Receives <c>d(returned loss)/dz</c>. It may be <paramref name="logits"/> itself.</param>
    /// <param name="statistics">Receives the statistics of the non-ignored samples, added to what it holds.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="gradient"/> overlaps <paramref name="logits"/> other than exactly.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, K)</c> and is not <see cref="IgnoreIndex"/>.</exception>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> gradient, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetGradient(gradient);
        return Run(request, ref statistics);
    }

    /// <summary>
    /// As <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, double)"/> on one chunk of a batch, and adds the chunk's
    /// <see cref="TokenStatistics"/> to <paramref name="statistics"/> in the same pass: pass the same variable for every chunk.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, K]</c> scores of the chunk.</param>
    /// <param name="labels">The class of each sample of the chunk.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>. It may be <paramref name="logits"/> itself.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0.</param>
    /// <param name="statistics">Receives the statistics of the chunk's non-ignored samples, added to what it holds.</param>
    /// <returns><c>Σ_i l_i / divisor</c> over the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite, or a label is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match, or <paramref name="gradient"/> overlaps <paramref name="logits"/> other than exactly.</exception>
    public T ForwardBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> gradient, double divisor, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetGradient(gradient);
        request.SetDivisor(divisor);
        return Run(request, ref statistics);
    }

    /// <summary>
    /// As <see cref="ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T}, double)"/>, and adds the chunk's
    /// <see cref="TokenStatistics"/>, each sample weighted by its sample weight, to <paramref name="statistics"/> in the same pass.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major <c>[n, K]</c> scores of the chunk.</param>
    /// <param name="labels">The class of each sample of the chunk.</param>
    /// <param name="sampleWeights">The <c>n</c> sample weights, finite and ≥ 0.</param>
    /// <param name="gradient">Receives <c>d(returned value)/dz</c>. It may be <paramref name="logits"/> itself.</param>
    /// <param name="divisor">The global divisor: finite and ≥ 0.</param>
    /// <param name="statistics">Receives the weighted statistics of the chunk, added to what it holds.</param>
    /// <returns><c>Σ_i s_i·l_i / divisor</c> over the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is negative, NaN or infinite, or a label is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match, a sample weight is negative or not finite, or an output overlaps an input.</exception>
    public T ForwardBackward<T>(
        ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> sampleWeights, Span<T> gradient, double divisor, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetSampleWeights(sampleWeights);
        request.SetGradient(gradient);
        request.SetDivisor(divisor);
        return Run(request, ref statistics);
    }

    /// <summary>
    /// As <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, double)"/>, adding the chunk's statistics to <paramref name="statistics"/>
    /// (the fused linear head's evaluation of one chunk).
    /// </summary>
    internal T Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, double divisor, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var request = LossRequest<T>.Labelled(NumClasses, logits, labels);
        request.SetDivisor(divisor);
        return Run(request, ref statistics);
    }

    /// <summary>The one hook of a subclass: runs a request through <see cref="LossRunner"/> with the loss's kernel.</summary>
    private protected abstract T Run<T>(scoped in LossRequest<T> request)
        where T : unmanaged, IFloatingPointIeee754<T>;


    /// <summary>Runs <paramref name="request"/>, adding its statistics to <paramref name="statistics"/>.</summary>
    private protected unsafe T Run<T>(scoped in LossRequest<T> request, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (TokenStatistics* pinned = &statistics)
        {
            LossRequest<T> withStatistics = request;
            withStatistics.Statistics = pinned;
            return Run(withStatistics);
        }
    }
}
