using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Numerics.Tensors;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>
/// Every span and tensor-span method of <see cref="CrossEntropyLoss"/>, with the in-place forms its aliasing rule allows (an output exactly
/// an input), under settings that reach every kernel variant: no smoothing, a constant smoothing coefficient (uniform, uniform-others), a
/// coefficient per class (class weights, a distribution prior), the ordinal prior with and without weights, the KL form, an ignore index
/// both outside <c>[0, K)</c> and inside it, all three reductions (so both a shared and a per-sample upstream gradient), label logits of −∞
/// (which the fused kernels hand to the element-by-element kernel row by row), sample weights (some 0) with and without a divisor, and the
/// language-model options: a z-loss (a row term of the fused kernels) and a logit soft cap (a transform on the staged path, see
/// <see cref="SoftCap"/>).
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal static class CrossEntropyLossCalls<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Divisor = 3.0;

    public static IReadOnlyList<CallSetting<T>> IndexTargets(int numClasses) =>
        [.. Losses(numClasses).Select(setting => new CallSetting<T>(setting.Name, IndexCalls(setting.Loss)))];

    public static IReadOnlyList<CallSetting<T>> ProbabilityTargets(int numClasses) =>
        [.. Losses(numClasses).Select(setting => new CallSetting<T>(setting.Name, ProbabilityCalls(setting.Loss)))];

    /// <summary>
    /// The tensor-span overloads on dense <c>(n, C, d)</c> tensors over the same elements (see <see cref="SweepLayout"/>): samples contiguous
    /// within a segment and classes strided by <c>d</c>, which take the class-major kernel (or, for segments shorter than a vector, the staged
    /// one). Three settings between them reach both upstream forms, the ignore index, the ordinal prior's spread (staged), a per-class
    /// coefficient and the z-loss; each runs in both layouts.
    /// </summary>
    public static IReadOnlyList<CallSetting<T>> TensorTargets(int numClasses) =>
    [
        .. Enum.GetValues<SweepLayout>().SelectMany(layout => TensorLosses(numClasses).Select(setting =>
            new CallSetting<T>($"{Describe(layout)}, {setting.Name}", [.. TensorIndexCalls(setting.Loss, layout), .. TensorProbabilityCalls(setting.Loss, layout)]))),
    ];

    /// <summary>
    /// The logit soft cap, which takes every call through the staged kernel (row-major scratch from spans and from the ordinal prior,
    /// class-major scratch from a one-segment tensor of at least 16 samples): alone, and with a z-loss, class weights and a pad id, and with a
    /// z-loss and the ordinal prior in the KL form. Every span method with index and probability targets, and the fused tensor-span methods
    /// on <see cref="SweepLayout.OneSegment"/>; <see cref="SoftCapCallCount"/> calls for every class count.
    /// </summary>
    public static IReadOnlyList<CallSetting<T>> SoftCap(int numClasses) =>
    [
        .. SoftCapLosses(numClasses).Select(setting =>
            new CallSetting<T>(setting.Name, [.. IndexCalls(setting.Loss), .. ProbabilityCalls(setting.Loss), .. OneSegmentTensorCalls(setting.Loss)])),
    ];

    /// <summary>The number of calls of <see cref="SoftCap"/>, the same for every class count.</summary>
    public static int SoftCapCallCount { get; } = SoftCap(1).Sum(setting => setting.Calls.Count);

    private static IEnumerable<(string Name, CrossEntropyLoss Loss)> Losses(int numClasses)
    {
        double[] weights = SweepParameters.Weights(numClasses);
        double[] distribution = SweepParameters.Distribution(numClasses);
        yield return ("α = 0, Mean", new CrossEntropyLoss(numClasses));
        yield return ("α = 0.1, Sum", new CrossEntropyLoss(numClasses, 0.1, Reduction.Sum));
        yield return ("α = 0.1, class weights, pad id 0 ignored, None", new CrossEntropyLoss(numClasses, 0.1, Reduction.None, weights, ignoreIndex: 0));
        yield return ("α = 0.1, FromDistribution, KL, Mean", new CrossEntropyLoss(numClasses, 0.1, Reduction.Mean, prior: SmoothingPrior.FromDistribution(distribution), klDivergence: true));
        yield return ("α = 0.1, class weights, z-loss 1e-3, Mean", new CrossEntropyLoss(numClasses, 0.1, Reduction.Mean, weights, zLoss: 1e-3));
        if (numClasses >= 2)
        {
            yield return ("α = 0.1, UniformOthers, Sum", new CrossEntropyLoss(numClasses, 0.1, Reduction.Sum, prior: SmoothingPrior.UniformOthers));
            yield return ("α = 0.1, Ordinal(1.5), Mean", new CrossEntropyLoss(numClasses, 0.1, Reduction.Mean, prior: SmoothingPrior.Ordinal(1.5)));
            yield return ("α = 0.2, Ordinal(0.7), class weights, KL, None", new CrossEntropyLoss(numClasses, 0.2, Reduction.None, weights, prior: SmoothingPrior.Ordinal(0.7), klDivergence: true));
        }
    }

    private static IEnumerable<(string Name, CrossEntropyLoss Loss)> TensorLosses(int numClasses)
    {
        yield return ("α = 0.1, class weights, pad id 0 ignored, None", new CrossEntropyLoss(numClasses, 0.1, Reduction.None, SweepParameters.Weights(numClasses), ignoreIndex: 0));
        yield return ("α = 0, z-loss 1e-3, Sum", new CrossEntropyLoss(numClasses, 0.0, Reduction.Sum, zLoss: 1e-3));
        if (numClasses >= 2)
        {
            yield return ("α = 0.1, Ordinal(1.5), Mean", new CrossEntropyLoss(numClasses, 0.1, Reduction.Mean, prior: SmoothingPrior.Ordinal(1.5)));
        }
    }

    /// <summary>Three settings for every class count (for <c>K</c> = 1 the third without the ordinal prior, which needs two classes).</summary>
    private static IEnumerable<(string Name, CrossEntropyLoss Loss)> SoftCapLosses(int numClasses)
    {
        yield return ("softcap 3, Sum", new CrossEntropyLoss(numClasses, 0.0, Reduction.Sum, logitSoftcap: 3.0));
        yield return ("α = 0.1, class weights, pad id 0 ignored, z-loss 1e-3, softcap 3, None",
            new CrossEntropyLoss(numClasses, 0.1, Reduction.None, SweepParameters.Weights(numClasses), ignoreIndex: 0, zLoss: 1e-3, logitSoftcap: 3.0));
        yield return numClasses >= 2
            ? ("α = 0.1, Ordinal(1.5), z-loss 1e-3, softcap 3, KL, Mean",
                new CrossEntropyLoss(numClasses, 0.1, Reduction.Mean, prior: SmoothingPrior.Ordinal(1.5), klDivergence: true, zLoss: 1e-3, logitSoftcap: 3.0))
            : ("α = 0.1, z-loss 1e-3, softcap 3, KL, Mean", new CrossEntropyLoss(numClasses, 0.1, Reduction.Mean, klDivergence: true, zLoss: 1e-3, logitSoftcap: 3.0));
    }

    private static List<GuardedCall<T>> IndexCalls(CrossEntropyLoss loss)
    {
        List<GuardedCall<T>> calls =
        [
            new("Forward(logits, labels, losses)", (x, o) => loss.Forward<T>(o.Input(x.Logits), o.Input(Labels(x, loss)), o.Output<T>(x.Rows))),
            new("ForwardBackward(logits, labels, gradient)", (x, o) => o.Returned(loss.ForwardBackward<T>(o.Input(x.Logits), o.Input(Labels(x, loss)), o.Output<T>(x.Elements)))),
            new("ForwardBackward(logits, labels, gradient = logits)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                o.Returned(loss.ForwardBackward<T>(logits, o.Input(Labels(x, loss)), logits));
            }),
            new("ForwardBackward(logits, labels, gradient, divisor)", (x, o) => o.Returned(loss.ForwardBackward<T>(o.Input(x.Logits), o.Input(Labels(x, loss)), o.Output<T>(x.Elements), Divisor))),
            new("Backward(logits, labels, upstream, gradient)", (x, o) => loss.Backward<T>(o.Input(x.Logits), o.Input(Labels(x, loss)), o.Input(Upstream(x, loss)), o.Output<T>(x.Elements))),
            new("Backward(logits, labels, upstream, gradient = logits)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                loss.Backward<T>(logits, o.Input(Labels(x, loss)), o.Input(Upstream(x, loss)), logits);
            }),
            new("ForwardBackward(logits, labels, sampleWeights, gradient)", (x, o) =>
                o.Returned(loss.ForwardBackward<T>(o.Input(x.Logits), o.Input(Labels(x, loss)), o.Input(x.SampleWeights), o.Output<T>(x.Elements)))),
            new("ForwardBackward(logits, labels, sampleWeights, gradient = logits)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                o.Returned(loss.ForwardBackward<T>(logits, o.Input(Labels(x, loss)), o.Input(x.SampleWeights), logits));
            }),
            new("ForwardBackward(logits, labels, sampleWeights, gradient, divisor)", (x, o) =>
                o.Returned(loss.ForwardBackward<T>(o.Input(x.Logits), o.Input(Labels(x, loss)), o.Input(x.SampleWeights), o.Output<T>(x.Elements), Divisor))),
            new("TotalWeight(labels)", (x, o) => o.Returned(loss.TotalWeight(o.Input(Labels(x, loss))))),
            new("TotalWeight(labels, sampleWeights)", (x, o) => o.Returned(loss.TotalWeight<T>(o.Input(Labels(x, loss)), o.Input(x.SampleWeights)))),
            new("Forward(logits with −∞ label logits, labels, losses)", (x, o) =>
                loss.Forward<T>(o.Input(x.LogitsWithNegativeInfinityAtLabels), o.Input(Labels(x, loss)), o.Output<T>(x.Rows))),
            new("ForwardBackward(logits with −∞ label logits, labels, gradient)", (x, o) =>
                o.Returned(loss.ForwardBackward<T>(o.Input(x.LogitsWithNegativeInfinityAtLabels), o.Input(Labels(x, loss)), o.Output<T>(x.Elements)))),
        ];
        if (loss.Reduction != Reduction.None)
        {
            calls.Add(new("Forward(logits, labels)", (x, o) => o.Returned(loss.Forward<T>(o.Input(x.Logits), o.Input(Labels(x, loss))))));
        }

        return calls;
    }

    private static List<GuardedCall<T>> ProbabilityCalls(CrossEntropyLoss loss)
    {
        List<GuardedCall<T>> calls =
        [
            new("Forward(logits, targets, losses)", (x, o) => loss.Forward<T>(o.Input(x.Logits), o.Input(x.Targets), o.Output<T>(x.Rows))),
            new("ForwardBackward(logits, targets, gradient)", (x, o) => o.Returned(loss.ForwardBackward<T>(o.Input(x.Logits), o.Input(x.Targets), o.Output<T>(x.Elements)))),
            new("ForwardBackward(logits, targets, gradient = logits)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                o.Returned(loss.ForwardBackward<T>(logits, o.Input(x.Targets), logits));
            }),
            new("ForwardBackward(logits, targets, gradient = targets)", (x, o) =>
            {
                Span<T> targets = o.InPlace(x.Targets);
                o.Returned(loss.ForwardBackward<T>(o.Input(x.Logits), targets, targets));
            }),
            new("ForwardBackward(logits, targets, gradient, divisor)", (x, o) => o.Returned(loss.ForwardBackward<T>(o.Input(x.Logits), o.Input(x.Targets), o.Output<T>(x.Elements), Divisor))),
            new("Backward(logits, targets, upstream, gradient)", (x, o) => loss.Backward<T>(o.Input(x.Logits), o.Input(x.Targets), o.Input(Upstream(x, loss)), o.Output<T>(x.Elements))),
            new("Backward(logits, targets, upstream, gradient = logits)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                loss.Backward<T>(logits, o.Input(x.Targets), o.Input(Upstream(x, loss)), logits);
            }),
            new("Backward(logits, targets, upstream, gradient = targets)", (x, o) =>
            {
                Span<T> targets = o.InPlace(x.Targets);
                loss.Backward<T>(o.Input(x.Logits), targets, o.Input(Upstream(x, loss)), targets);
            }),
        ];
        if (loss.Reduction != Reduction.None)
        {
            calls.Add(new("Forward(logits, targets)", (x, o) => o.Returned(loss.Forward<T>(o.Input(x.Logits), o.Input(x.Targets)))));
        }

        return calls;
    }

    private static List<GuardedCall<T>> TensorIndexCalls(CrossEntropyLoss loss, SweepLayout layout)
    {
        List<GuardedCall<T>> calls =
        [
            new("Forward(logits, labels, losses)", (x, o) =>
                loss.Forward(Logits(x, o, layout), TensorLabels(x, o, loss, layout), PerSample(o.Output<T>(x.Rows), x, layout))),
            new("ForwardBackward(logits, labels, gradient)", (x, o) =>
                o.Returned(loss.ForwardBackward(Logits(x, o, layout), TensorLabels(x, o, loss, layout), LikeLogits(o.Output<T>(x.Elements), x, layout)))),
            new("ForwardBackward(logits, labels, gradient = logits)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                o.Returned(loss.ForwardBackward(LikeLogits(logits, x, layout), TensorLabels(x, o, loss, layout), LikeLogits(logits, x, layout)));
            }),
            new("ForwardBackward(logits, labels, gradient, divisor)", (x, o) =>
                o.Returned(loss.ForwardBackward(Logits(x, o, layout), TensorLabels(x, o, loss, layout), LikeLogits(o.Output<T>(x.Elements), x, layout), Divisor))),
            new("Backward(logits, labels, upstream, gradient)", (x, o) =>
                loss.Backward(Logits(x, o, layout), TensorLabels(x, o, loss, layout), TensorUpstream(x, o, loss, layout), LikeLogits(o.Output<T>(x.Elements), x, layout))),
            new("Backward(logits, labels, upstream, gradient = logits)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                loss.Backward(LikeLogits(logits, x, layout), TensorLabels(x, o, loss, layout), TensorUpstream(x, o, loss, layout), LikeLogits(logits, x, layout));
            }),
            new("ForwardBackward(logits, labels, sampleWeights, gradient)", (x, o) =>
                o.Returned(loss.ForwardBackward(
                    Logits(x, o, layout), TensorLabels(x, o, loss, layout), SampleWeights(x, o, layout), LikeLogits(o.Output<T>(x.Elements), x, layout)))),
            new("ForwardBackward(logits, labels, sampleWeights, gradient = logits)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                o.Returned(loss.ForwardBackward(LikeLogits(logits, x, layout), TensorLabels(x, o, loss, layout), SampleWeights(x, o, layout), LikeLogits(logits, x, layout)));
            }),
            new("ForwardBackward(logits, labels, sampleWeights, gradient, divisor)", (x, o) =>
                o.Returned(loss.ForwardBackward(
                    Logits(x, o, layout), TensorLabels(x, o, loss, layout), SampleWeights(x, o, layout), LikeLogits(o.Output<T>(x.Elements), x, layout), Divisor))),
            new("TotalWeight(labels)", (x, o) => o.Returned(loss.TotalWeight(TensorLabels(x, o, loss, layout)))),
            new("TotalWeight(labels, sampleWeights)", (x, o) => o.Returned(loss.TotalWeight(TensorLabels(x, o, loss, layout), SampleWeights(x, o, layout)))),
            new("ForwardBackward(logits with −∞ label logits, labels, gradient)", (x, o) =>
                o.Returned(loss.ForwardBackward(
                    In(o.Input(x.LogitsWithNegativeInfinityAtLabels), x.TensorLengths(layout)), TensorLabels(x, o, loss, layout),
                    LikeLogits(o.Output<T>(x.Elements), x, layout)))),
        ];
        if (loss.Reduction != Reduction.None)
        {
            calls.Add(new("Forward(logits, labels)", (x, o) => o.Returned(loss.Forward(Logits(x, o, layout), TensorLabels(x, o, loss, layout)))));
        }

        return calls;
    }

    private static List<GuardedCall<T>> TensorProbabilityCalls(CrossEntropyLoss loss, SweepLayout layout)
    {
        List<GuardedCall<T>> calls =
        [
            new("Forward(logits, targets, losses)", (x, o) => loss.Forward(Logits(x, o, layout), Targets(x, o, layout), PerSample(o.Output<T>(x.Rows), x, layout))),
            new("ForwardBackward(logits, targets, gradient)", (x, o) =>
                o.Returned(loss.ForwardBackward(Logits(x, o, layout), Targets(x, o, layout), LikeLogits(o.Output<T>(x.Elements), x, layout)))),
            new("ForwardBackward(logits, targets, gradient = logits)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                o.Returned(loss.ForwardBackward(LikeLogits(logits, x, layout), Targets(x, o, layout), LikeLogits(logits, x, layout)));
            }),
            new("ForwardBackward(logits, targets, gradient = targets)", (x, o) =>
            {
                Span<T> targets = o.InPlace(x.Targets);
                o.Returned(loss.ForwardBackward(Logits(x, o, layout), LikeLogits(targets, x, layout), LikeLogits(targets, x, layout)));
            }),
            new("ForwardBackward(logits, targets, gradient, divisor)", (x, o) =>
                o.Returned(loss.ForwardBackward(Logits(x, o, layout), Targets(x, o, layout), LikeLogits(o.Output<T>(x.Elements), x, layout), Divisor))),
            new("Backward(logits, targets, upstream, gradient)", (x, o) =>
                loss.Backward(Logits(x, o, layout), Targets(x, o, layout), TensorUpstream(x, o, loss, layout), LikeLogits(o.Output<T>(x.Elements), x, layout))),
            new("Backward(logits, targets, upstream, gradient = logits)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                loss.Backward(LikeLogits(logits, x, layout), Targets(x, o, layout), TensorUpstream(x, o, loss, layout), LikeLogits(logits, x, layout));
            }),
            new("Backward(logits, targets, upstream, gradient = targets)", (x, o) =>
            {
                Span<T> targets = o.InPlace(x.Targets);
                loss.Backward(Logits(x, o, layout), LikeLogits(targets, x, layout), TensorUpstream(x, o, loss, layout), LikeLogits(targets, x, layout));
            }),
        ];
        if (loss.Reduction != Reduction.None)
        {
            calls.Add(new("Forward(logits, targets)", (x, o) => o.Returned(loss.Forward(Logits(x, o, layout), Targets(x, o, layout)))));
        }

        return calls;
    }

    /// <summary>The fused tensor-span calls of a soft-cap setting on <see cref="SweepLayout.OneSegment"/>.</summary>
    private static GuardedCall<T>[] OneSegmentTensorCalls(CrossEntropyLoss loss)
    {
        const SweepLayout layout = SweepLayout.OneSegment;
        return
        [
            new("(1, K, N) Forward(logits, labels, losses)", (x, o) =>
                loss.Forward(Logits(x, o, layout), TensorLabels(x, o, loss, layout), PerSample(o.Output<T>(x.Rows), x, layout))),
            new("(1, K, N) ForwardBackward(logits, labels, gradient = logits)", (x, o) =>
            {
                Span<T> logits = o.InPlace(x.Logits);
                o.Returned(loss.ForwardBackward(LikeLogits(logits, x, layout), TensorLabels(x, o, loss, layout), LikeLogits(logits, x, layout)));
            }),
            new("(1, K, N) ForwardBackward(logits, labels, sampleWeights, gradient, divisor)", (x, o) =>
                o.Returned(loss.ForwardBackward(
                    Logits(x, o, layout), TensorLabels(x, o, loss, layout), SampleWeights(x, o, layout), LikeLogits(o.Output<T>(x.Elements), x, layout), Divisor))),
            new("(1, K, N) ForwardBackward(logits, targets, gradient)", (x, o) =>
                o.Returned(loss.ForwardBackward(Logits(x, o, layout), Targets(x, o, layout), LikeLogits(o.Output<T>(x.Elements), x, layout)))),
            new("(1, K, N) Backward(logits, targets, upstream, gradient = targets)", (x, o) =>
            {
                Span<T> targets = o.InPlace(x.Targets);
                loss.Backward(Logits(x, o, layout), LikeLogits(targets, x, layout), TensorUpstream(x, o, loss, layout), LikeLogits(targets, x, layout));
            }),
        ];
    }

    private static string Describe(SweepLayout layout) => layout == SweepLayout.OneSegment ? "(1, K, N)" : "(N/d, K, d)";

    /// <summary>The labels of a loss: some samples carry its ignore index (the pad id 0 occurs among the classes).</summary>
    private static ReadOnlySpan<int> Labels(SweepInputs<T> inputs, CrossEntropyLoss loss) =>
        loss.IgnoreIndex == SweepInputs<T>.DefaultIgnoreIndex ? inputs.LabelsWithIgnored : inputs.Labels;

    /// <summary>One upstream gradient per sample for <see cref="Reduction.None"/>, one in all otherwise.</summary>
    private static ReadOnlySpan<T> Upstream(SweepInputs<T> inputs, CrossEntropyLoss loss) =>
        loss.Reduction == Reduction.None ? inputs.SampleUpstream : inputs.SharedUpstream;

    private static ReadOnlyTensorSpan<T> Logits(SweepInputs<T> inputs, CallOperands operands, SweepLayout layout) =>
        In(operands.Input(inputs.Logits), inputs.TensorLengths(layout));

    private static ReadOnlyTensorSpan<T> Targets(SweepInputs<T> inputs, CallOperands operands, SweepLayout layout) =>
        In(operands.Input(inputs.Targets), inputs.TensorLengths(layout));

    private static ReadOnlyTensorSpan<int> TensorLabels(SweepInputs<T> inputs, CallOperands operands, CrossEntropyLoss loss, SweepLayout layout) =>
        In(operands.Input(Labels(inputs, loss)), inputs.SampleLengths(layout));

    private static ReadOnlyTensorSpan<T> SampleWeights(SweepInputs<T> inputs, CallOperands operands, SweepLayout layout) =>
        In(operands.Input(inputs.SampleWeights), inputs.SampleLengths(layout));

    /// <summary>Shaped like the labels for <see cref="Reduction.None"/>, one value (a tensor of length 1) otherwise.</summary>
    private static ReadOnlyTensorSpan<T> TensorUpstream(SweepInputs<T> inputs, CallOperands operands, CrossEntropyLoss loss, SweepLayout layout) =>
        loss.Reduction == Reduction.None
            ? In(operands.Input(inputs.SampleUpstream), inputs.SampleLengths(layout))
            : new ReadOnlyTensorSpan<T>(operands.Input(inputs.SharedUpstream));

    private static TensorSpan<T> LikeLogits(Span<T> data, SweepInputs<T> inputs, SweepLayout layout) => new(data, inputs.TensorLengths(layout));

    private static TensorSpan<T> PerSample(Span<T> data, SweepInputs<T> inputs, SweepLayout layout) => new(data, inputs.SampleLengths(layout));

    private static ReadOnlyTensorSpan<TElement> In<TElement>(ReadOnlySpan<TElement> data, nint[] lengths) => new(data, lengths);
}
