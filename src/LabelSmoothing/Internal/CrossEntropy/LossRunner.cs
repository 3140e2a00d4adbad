using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing.Internal.CrossEntropy;

/// <summary>
/// The one call path of <see cref="CrossEntropyLoss"/>: every door builds a <see cref="LossRequest{T}"/> and comes here. Checks the
/// label and target values, the overlaps of outputs with inputs, works out the divisor of the reduction, and runs the kernels.
/// </summary>
internal static unsafe class LossRunner
{
    /// <summary>Runs <paramref name="request"/> and returns the reduced loss (or, with an explicit divisor, <c>Σ l_i / divisor</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Run<T>(LossPlan plan, scoped in LossRequest<T> request)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        BatchLayout layout = Layout(plan, request);
        CheckOverlaps(request);
        CheckValues(plan, request, layout);

        double divisor = Divisor(plan, request, layout);
        bool wantsGradient = request.Gradient.IsPresent;
        bool wantsStatistics = request.Statistics is not null;
        if (divisor == 0.0 && !request.Losses.IsPresent && !wantsStatistics)
        {
            if (wantsGradient)
            {
                Clear(request.Gradient, layout, Slot.Gradient);
            }

            return T.Zero;
        }

        fixed (T* logits = &request.Logits.Origin)
        fixed (int* labels = &request.Labels.Origin)
        fixed (T* targets = &request.Targets.Origin)
        fixed (T* losses = &request.Losses.Origin)
        fixed (T* gradient = &request.Gradient.Origin)
        fixed (T* upstream = &request.Upstream.Origin)
        fixed (T* sampleWeights = &request.SampleWeights.Origin)
        {
            var origin = new BatchArguments<T>
            {
                Logits = logits,
                LogitsStride = layout.SampleStride(Slot.Logits),
                LogitsClassStride = layout.ClassStride(Slot.Logits),
                Labels = request.Labels.IsPresent ? labels : null,
                LabelsStride = layout.SampleStride(Slot.Labels),
                Targets = request.Targets.IsPresent ? targets : null,
                TargetsStride = layout.SampleStride(Slot.Targets),
                TargetsClassStride = layout.ClassStride(Slot.Targets),
                Losses = request.Losses.IsPresent ? losses : null,
                LossesStride = layout.SampleStride(Slot.Losses),
                Gradient = wantsGradient ? gradient : null,
                GradientStride = layout.SampleStride(Slot.Gradient),
                GradientClassStride = layout.ClassStride(Slot.Gradient),
                Upstream = request.Upstream.IsPresent ? upstream : request.SampleWeights.IsPresent ? sampleWeights : null,
                UpstreamStride = layout.SampleStride(Slot.Upstream),
                WeightsLosses = request.SampleWeights.IsPresent,
                Statistics = request.Statistics,
                GradientFactor = divisor == 0.0 ? 0.0 : 1.0 / divisor,
                NumClasses = plan.NumClasses,
                Count = layout.Samples,
            };
            double total = layout.Samples == 0 ? 0.0 : KernelRunner.Run(plan, layout, origin);
            if (divisor == 0.0 && wantsGradient)
            {
                Clear(request.Gradient, layout, Slot.Gradient);
            }

            return divisor == 0.0 ? T.Zero : T.CreateTruncating(total / divisor);
        }
    }

    /// <summary>As <see cref="Run{T}(LossPlan, in LossRequest{T})"/>, adding the call's statistics to <paramref name="statistics"/>.</summary>
    public static T Run<T>(LossPlan plan, scoped in LossRequest<T> request, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (TokenStatistics* pinned = &statistics)
        {
            LossRequest<T> withStatistics = request;
            withStatistics.Statistics = pinned;
            return Run(plan, withStatistics);
        }
    }

    /// <summary>
    /// <c>Σ_{i not ignored} w[y_i]</c> (the count of non-ignored samples when unweighted): the divisor of a mean over index targets.
    /// </summary>
    public static double TotalWeight(LossPlan plan, scoped in Operand<int> labels) => TotalWeight<float>(plan, labels, default);

    /// <summary>
    /// <c>Σ_{i not ignored} s_i·w[y_i]</c>: the divisor of a mean over index targets with sample weights <paramref name="sampleWeights"/>
    /// (shaped like the labels; absent: every <c>s_i = 1</c>).
    /// </summary>
    public static double TotalWeight<T>(LossPlan plan, scoped in Operand<int> labels, scoped in Operand<T> sampleWeights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // The labels' own axes stand for the sample axes; a class axis of length 1 is inserted so that BatchLayout can read them.
        var layout = BatchLayout.OfSamples(labels.Shape);
        AddIfPresent(ref layout, Slot.Upstream, sampleWeights.Shape);
        layout.Merge();
        Guard.Labels(labels, layout, plan.NumClasses, plan.IgnoreIndex);
        if (sampleWeights.IsPresent)
        {
            Guard.SampleWeights(sampleWeights, layout, Slot.Upstream, "sampleWeights");
        }

        return SumWeights(plan, labels, sampleWeights, layout);
    }

    private static BatchLayout Layout<T>(LossPlan plan, scoped in LossRequest<T> request)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        OperandShape logits = request.Logits.Shape;
        var layout = BatchLayout.Of(logits, checked((int)(logits.Count / plan.NumClasses)));
        AddIfPresent(ref layout, Slot.Labels, request.Labels.Shape);
        AddIfPresent(ref layout, Slot.Targets, request.Targets.Shape);
        AddIfPresent(ref layout, Slot.Losses, request.Losses.Shape);
        AddIfPresent(ref layout, Slot.Gradient, request.Gradient.Shape);
        if (request.Upstream.IsPresent)
        {
            if (plan.Reduction == Reduction.None && request.Divisor is null)
            {
                layout.Add(Slot.Upstream, request.Upstream.Shape);
            }
            else
            {
                layout.AddShared(Slot.Upstream);
            }
        }
        else
        {
            AddIfPresent(ref layout, Slot.Upstream, request.SampleWeights.Shape);
        }

        layout.Merge();
        return layout;
    }

    private static void AddIfPresent(ref BatchLayout layout, Slot slot, in OperandShape shape)
    {
        if (shape.Rank > 0)
        {
            layout.Add(slot, shape);
        }
    }

    /// <summary>Outputs may alias an input of their element type only exactly; labels never overlap an output; outputs never overlap themselves.</summary>
    private static void CheckOverlaps<T>(scoped in LossRequest<T> request)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckOutput(request.Losses, "losses", request);
        CheckOutput(request.Gradient, "gradient", request);
    }

    private static void CheckOutput<T>(scoped in Operand<T> output, string name, scoped in LossRequest<T> request)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!output.IsPresent)
        {
            return;
        }

        Guard.Output(output, name);
        Guard.NoPartialOverlap(request.Logits, "logits", output, name);
        Guard.NoPartialOverlap(request.Targets, "targets", output, name);
        Guard.NoPartialOverlap(request.Upstream, "upstream", output, name);
        Guard.NoOverlap(request.Labels, "labels", output, name);
        Guard.NoOverlap(request.SampleWeights, "sampleWeights", output, name);
    }

    private static void CheckValues<T>(LossPlan plan, scoped in LossRequest<T> request, in BatchLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (request.Labels.IsPresent)
        {
            Guard.Labels(request.Labels, layout, plan.NumClasses, plan.IgnoreIndex);
        }

        if (request.Targets.IsPresent)
        {
            Guard.Probabilities(request.Targets, layout, Slot.Targets, "targets");
        }

        if (request.SampleWeights.IsPresent)
        {
            Guard.SampleWeights(request.SampleWeights, layout, Slot.Upstream, "sampleWeights");
        }
    }

    private static double Divisor<T>(LossPlan plan, scoped in LossRequest<T> request, in BatchLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (request.Divisor is double divisor)
        {
            return divisor;
        }

        if (plan.Reduction != Reduction.Mean)
        {
            return 1.0;
        }

        return request.Labels.IsPresent ? SumWeights(plan, request.Labels, request.SampleWeights, layout) : layout.Samples;
    }

    /// <summary>How many of <paramref name="count"/> labels are <paramref name="ignoreIndex"/>: an integer count, without a chain of additions.</summary>
    private static int Ignored(ref int labels, nint stride, int count, int ignoreIndex)
    {
        if (stride == 1)
        {
            return MemoryMarshal.CreateReadOnlySpan(ref labels, count).Count(ignoreIndex);
        }

        int ignored = 0;
        for (int i = 0; i < count; i++)
        {
            ignored += Unsafe.Add(ref labels, i * stride) == ignoreIndex ? 1 : 0;
        }

        return ignored;
    }

    /// <summary><c>Σ_{i not ignored} s_i·w[y_i]</c>, <c>s_i = 1</c> when <paramref name="sampleWeights"/> is absent.</summary>
    private static double SumWeights<T>(LossPlan plan, scoped in Operand<int> labels, scoped in Operand<T> sampleWeights, in BatchLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int segment = layout.SegmentLength;
        nint stride = layout.SampleStride(Slot.Labels);
        nint weightStride = layout.SampleStride(Slot.Upstream);
        bool weighted = sampleWeights.IsPresent;
        double total = 0.0;
        for (int first = 0; first < layout.Samples; first += segment)
        {
            ref int start = ref Unsafe.Add(ref labels.Origin, layout.Offset(Slot.Labels, first));
            ref T weights = ref weighted ? ref Unsafe.Add(ref sampleWeights.Origin, layout.Offset(Slot.Upstream, first)) : ref Unsafe.NullRef<T>();
            int count = Math.Min(segment, layout.Samples - first);
            if (!weighted && plan.Weights is null)
            {
                total += count - Ignored(ref start, stride, count, plan.IgnoreIndex);
                continue;
            }

            for (int i = 0; i < count; i++)
            {
                int label = Unsafe.Add(ref start, i * stride);
                if (label != plan.IgnoreIndex)
                {
                    total += weighted ? double.CreateTruncating(Unsafe.Add(ref weights, i * weightStride)) * plan.Weight(label) : plan.Weight(label);
                }
            }
        }

        return total;
    }

    private static void Clear<T>(scoped in Operand<T> operand, in BatchLayout layout, Slot slot)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int segment = layout.SegmentLength;
        nint stride = layout.SampleStride(slot);
        nint classStride = layout.ClassStride(slot);
        for (int first = 0; first < layout.Samples; first += segment)
        {
            ref T start = ref Unsafe.Add(ref operand.Origin, layout.Offset(slot, first));
            int count = Math.Min(segment, layout.Samples - first);
            for (int i = 0; i < count; i++)
            {
                for (int k = 0; k < layout.NumClasses; k++)
                {
                    Unsafe.Add(ref start, (i * stride) + (k * classStride)) = T.Zero;
                }
            }
        }
    }
}
