using System.Runtime.InteropServices;

namespace LabelSmoothing.Internal.CallPath;

/// <summary>
/// The one call path of every loss: every door builds a <see cref="LossRequest{T}"/> and comes here with the loss's
/// <see cref="LossSettings"/> and kernel. Lays the operands out (<see cref="BatchLayout"/>), checks the overlaps of the outputs with the
/// inputs and the values of the labels, targets and sample weights before anything is written, works out the divisor of the reduction,
/// pins the operands, and lets the kernel pick its piece kernel, which <see cref="BlockScheduler{T}"/> runs over the blocks.
/// </summary>
internal static unsafe class LossRunner
{
    /// <summary>Runs <paramref name="request"/> and returns the reduced loss (or, with an explicit divisor, <c>Σ l_i / divisor</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Run<T, TKernel>(in LossSettings settings, in TKernel kernel, scoped in LossRequest<T> request)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, ILossKernel
    {
        BatchLayout layout = Layout(settings, request);
        CheckOutput(request.Losses, "losses", request);
        CheckOutput(request.Gradient, "gradient", request);
        CheckValues(settings, request, layout);

        double divisor = Divisor(settings, request, layout);
        bool wantsGradient = request.Gradient.IsPresent;
        if (divisor == 0.0 && !request.Losses.IsPresent && request.Statistics is null)
        {
            if (wantsGradient)
            {
                Clear(request.Gradient, layout, OperandRole.Gradient);
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
                LogitsStride = layout.SampleStride(OperandRole.Logits),
                LogitsClassStride = layout.ClassStride(OperandRole.Logits),
                Labels = request.Labels.IsPresent ? labels : null,
                LabelsStride = layout.SampleStride(OperandRole.Labels),
                Targets = request.Targets.IsPresent ? targets : null,
                TargetsStride = layout.SampleStride(OperandRole.Targets),
                TargetsClassStride = layout.ClassStride(OperandRole.Targets),
                Losses = request.Losses.IsPresent ? losses : null,
                LossesStride = layout.SampleStride(OperandRole.Losses),
                LossesClassStride = layout.ClassStride(OperandRole.Losses),
                Gradient = wantsGradient ? gradient : null,
                GradientStride = layout.SampleStride(OperandRole.Gradient),
                GradientClassStride = layout.ClassStride(OperandRole.Gradient),
                Upstream = request.Upstream.IsPresent ? upstream : request.SampleWeights.IsPresent ? sampleWeights : null,
                UpstreamStride = layout.SampleStride(OperandRole.Upstream),
                UpstreamClassStride = layout.ClassStride(OperandRole.Upstream),
                WeightsLosses = request.SampleWeights.IsPresent,
                SumsLosses = !request.Upstream.IsPresent,
                ElementWise = settings.ElementWise,
                Statistics = request.Statistics,
                GradientFactor = divisor == 0.0 ? 0.0 : 1.0 / divisor,
                NumClasses = settings.NumClasses,
                Count = layout.Samples,
            };
            double total = layout.Samples == 0 ? 0.0 : kernel.Run(origin, new BlockScheduler<T>(layout, origin, settings.MaxDegreeOfParallelism));
            if (divisor == 0.0 && wantsGradient)
            {
                Clear(request.Gradient, layout, OperandRole.Gradient);
            }

            return divisor == 0.0 || request.Upstream.IsPresent ? T.Zero : T.CreateTruncating(total / divisor);
        }
    }

    /// <summary>As <see cref="Run{T, TKernel}(in LossSettings, in TKernel, in LossRequest{T})"/>, adding the call's statistics to <paramref name="statistics"/>.</summary>
    public static T Run<T, TKernel>(in LossSettings settings, in TKernel kernel, scoped in LossRequest<T> request, ref TokenStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, ILossKernel
    {
        fixed (TokenStatistics* pinned = &statistics)
        {
            LossRequest<T> withStatistics = request;
            withStatistics.Statistics = pinned;
            return Run(settings, kernel, withStatistics);
        }
    }

    /// <summary>
    /// The divisor of a mean over index targets with sample weights <paramref name="sampleWeights"/> (shaped like the labels; absent: every
    /// <c>s_i = 1</c>): <c>Σ_{i not ignored} s_i·w[y_i]</c>, <c>w</c> the loss's <see cref="LossSettings.DivisorWeights"/>.
    /// </summary>
    public static double TotalWeight<T>(in LossSettings settings, scoped in Operand<int> labels, scoped in Operand<T> sampleWeights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // The labels' own axes stand for the sample axes; a class axis of length 1 is inserted so that BatchLayout can read them.
        var layout = BatchLayout.OfSamples(labels.Shape);
        AddIfPresent(ref layout, OperandRole.Upstream, sampleWeights.Shape);
        layout.Merge();
        Guard.Labels(labels, layout, settings.NumClasses, settings.IgnoreIndex);
        if (sampleWeights.IsPresent)
        {
            Guard.SampleWeights(sampleWeights, layout, OperandRole.Upstream, "sampleWeights");
        }

        return SumWeights(settings, labels, sampleWeights, layout);
    }

    private static BatchLayout Layout<T>(in LossSettings settings, scoped in LossRequest<T> request)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        OperandShape logits = request.Logits.Shape;
        var layout = BatchLayout.Of(logits, checked((int)(logits.Count / settings.NumClasses)));
        AddIfPresent(ref layout, OperandRole.Labels, request.Labels.Shape);
        AddIfPresent(ref layout, OperandRole.Targets, request.Targets.Shape);
        AddIfPresent(ref layout, OperandRole.Gradient, request.Gradient.Shape);
        if (request.Losses.IsPresent)
        {
            layout.Add(OperandRole.Losses, request.Losses.Shape, settings.ElementWise);
        }

        if (request.Upstream.IsPresent)
        {
            if (settings.Reduction == Reduction.None && request.Divisor is null)
            {
                layout.Add(OperandRole.Upstream, request.Upstream.Shape, settings.ElementWise);
            }
            else
            {
                layout.AddShared(OperandRole.Upstream);
            }
        }
        else
        {
            AddIfPresent(ref layout, OperandRole.Upstream, request.SampleWeights.Shape);
        }

        layout.Merge();
        return layout;
    }

    private static void AddIfPresent(ref BatchLayout layout, OperandRole role, in OperandShape shape)
    {
        if (shape.Rank > 0)
        {
            layout.Add(role, shape);
        }
    }

    /// <summary>Outputs may alias an input of their element type only exactly; labels and sample weights never overlap an output.</summary>
    private static void CheckOutput<T>(scoped in Operand<T> output, string name, scoped in LossRequest<T> request)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!output.IsPresent)
        {
            return;
        }

        Guard.Output(output, name);
        Guard.NoPartialOverlap(request.Logits, request.LogitsName, output, name);
        Guard.NoPartialOverlap(request.Targets, request.TargetsName, output, name);
        Guard.NoPartialOverlap(request.Upstream, "upstream", output, name);
        Guard.NoOverlap(request.Labels, "labels", output, name);
        Guard.NoOverlap(request.SampleWeights, "sampleWeights", output, name);
    }

    private static void CheckValues<T>(in LossSettings settings, scoped in LossRequest<T> request, in BatchLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (request.Labels.IsPresent)
        {
            Guard.Labels(request.Labels, layout, settings.NumClasses, settings.IgnoreIndex);
        }

        if (request.Targets.IsPresent && settings.Targets != TargetCheck.None)
        {
            Guard.Probabilities(request.Targets, layout, OperandRole.Targets, request.TargetsName, atMostOne: settings.Targets == TargetCheck.Probability);
        }

        if (request.SampleWeights.IsPresent)
        {
            Guard.SampleWeights(request.SampleWeights, layout, OperandRole.Upstream, "sampleWeights");
        }
    }

    private static double Divisor<T>(in LossSettings settings, scoped in LossRequest<T> request, in BatchLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (request.Divisor is double divisor)
        {
            return divisor;
        }

        if (settings.Reduction != Reduction.Mean)
        {
            return 1.0;
        }

        if (settings.ElementWise)
        {
            return (double)layout.Samples * layout.NumClasses;
        }

        return request.Labels.IsPresent ? SumWeights(settings, request.Labels, request.SampleWeights, layout) : layout.Samples;
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
    private static double SumWeights<T>(in LossSettings settings, scoped in Operand<int> labels, scoped in Operand<T> sampleWeights, in BatchLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int segment = layout.SegmentLength;
        int ignoreIndex = settings.IgnoreIndex ?? int.MinValue;
        nint stride = layout.SampleStride(OperandRole.Labels);
        nint weightStride = layout.SampleStride(OperandRole.Upstream);
        bool weighted = sampleWeights.IsPresent;
        double total = 0.0;
        for (int first = 0; first < layout.Samples; first += segment)
        {
            ref int start = ref Unsafe.Add(ref labels.Origin, layout.Offset(OperandRole.Labels, first));
            ref T weights = ref weighted ? ref Unsafe.Add(ref sampleWeights.Origin, layout.Offset(OperandRole.Upstream, first)) : ref Unsafe.NullRef<T>();
            int count = Math.Min(segment, layout.Samples - first);
            if (!weighted && settings.DivisorWeights is null)
            {
                total += count - Ignored(ref start, stride, count, ignoreIndex);
                continue;
            }

            for (int i = 0; i < count; i++)
            {
                int label = Unsafe.Add(ref start, i * stride);
                if (label != ignoreIndex)
                {
                    total += weighted ? double.CreateTruncating(Unsafe.Add(ref weights, i * weightStride)) * settings.Weight(label) : settings.Weight(label);
                }
            }
        }

        return total;
    }

    private static void Clear<T>(scoped in Operand<T> operand, in BatchLayout layout, OperandRole role)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int segment = layout.SegmentLength;
        nint stride = layout.SampleStride(role);
        nint classStride = layout.ClassStride(role);
        for (int first = 0; first < layout.Samples; first += segment)
        {
            ref T start = ref Unsafe.Add(ref operand.Origin, layout.Offset(role, first));
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
