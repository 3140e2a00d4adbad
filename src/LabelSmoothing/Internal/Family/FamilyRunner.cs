using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using LabelSmoothing.Internal.CrossEntropy;
using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing.Internal.Family;

/// <summary>
/// The one call path of the softmax family (<see cref="PolyLoss"/>, <see cref="FocalLoss"/>, <see cref="LabelRelaxationLoss"/>,
/// <see cref="ConfidencePenaltyLoss"/>, <see cref="DistillationLoss"/>): every door builds a <see cref="FamilyRequest{T}"/> and comes here
/// with the loss's row struct. Checks the overlaps of the outputs with the inputs and the labels before anything is written, works out
/// the divisor of the reduction (the count of non-ignored samples, or <c>N</c> without labels), cuts the batch into blocks (on several
/// cores above <see cref="BlockRunner.ParallelThreshold"/> logits, by <see cref="BlockRunner"/>) and each block into pieces of one segment, and runs each piece on
/// contiguous rows: in place when its rows are contiguous <see cref="float"/> or <see cref="double"/>, staged otherwise.
/// </summary>
internal static unsafe class FamilyRunner
{
    /// <summary>Runs <paramref name="request"/> and returns the reduced loss (<see cref="Reduction.None"/>: <c>Σ l_i</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Run<T, TRow>(FamilyPlan plan, in TRow row, scoped in FamilyRequest<T> request)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        BatchLayout layout = Layout(plan, request);
        CheckOutput(request.Losses, "losses", request);
        CheckOutput(request.Gradient, "gradient", request);
        if (request.Labels.IsPresent)
        {
            Guard.Labels(request.Labels, layout, plan.NumClasses, plan.IgnoreIndex);
        }

        double divisor = plan.Reduction != Reduction.Mean ? 1.0 : request.Labels.IsPresent ? Counted(plan, request.Labels, layout) : layout.Samples;
        fixed (T* logits = &request.Logits.Origin)
        fixed (int* labels = &request.Labels.Origin)
        fixed (T* teacher = &request.Teacher.Origin)
        fixed (T* losses = &request.Losses.Origin)
        fixed (T* gradient = &request.Gradient.Origin)
        {
            var origin = new BatchArguments<T>
            {
                Logits = logits,
                LogitsStride = layout.SampleStride(Slot.Logits),
                LogitsClassStride = layout.ClassStride(Slot.Logits),
                Labels = request.Labels.IsPresent ? labels : null,
                LabelsStride = layout.SampleStride(Slot.Labels),
                Targets = request.Teacher.IsPresent ? teacher : null,
                TargetsStride = layout.SampleStride(Slot.Targets),
                TargetsClassStride = layout.ClassStride(Slot.Targets),
                Losses = request.Losses.IsPresent ? losses : null,
                LossesStride = layout.SampleStride(Slot.Losses),
                Gradient = request.Gradient.IsPresent ? gradient : null,
                GradientStride = layout.SampleStride(Slot.Gradient),
                GradientClassStride = layout.ClassStride(Slot.Gradient),
                GradientFactor = divisor == 0.0 ? 0.0 : 1.0 / divisor,
                NumClasses = plan.NumClasses,
                Count = layout.Samples,
            };

            // With a divisor of 0 every sample is ignored (or there is none): the rows write their zero losses and gradient.
            double total = layout.Samples == 0 ? 0.0 : BlockRunner.Run(new PieceJob<T, TRow>(plan, row, layout, origin), layout.Samples, layout.NumClasses, plan.MaxDegreeOfParallelism);
            return divisor == 0.0 ? T.Zero : T.CreateTruncating(total / divisor);
        }
    }

    private static BatchLayout Layout<T>(FamilyPlan plan, scoped in FamilyRequest<T> request)
    {
        OperandShape logits = request.Logits.Shape;
        var layout = BatchLayout.Of(logits, checked((int)(logits.Count / plan.NumClasses)));
        AddIfPresent(ref layout, Slot.Labels, request.Labels.Shape);
        AddIfPresent(ref layout, Slot.Targets, request.Teacher.Shape);
        AddIfPresent(ref layout, Slot.Losses, request.Losses.Shape);
        AddIfPresent(ref layout, Slot.Gradient, request.Gradient.Shape);
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
    private static void CheckOutput<T>(scoped in Operand<T> output, string name, scoped in FamilyRequest<T> request)
        where T : unmanaged
    {
        if (!output.IsPresent)
        {
            return;
        }

        Guard.Output(output, name);
        Guard.NoPartialOverlap(request.Logits, request.LogitsName, output, name);
        Guard.NoPartialOverlap(request.Teacher, "teacherLogits", output, name);
        Guard.NoOverlap(request.Labels, "labels", output, name);
    }

    /// <summary>The number of samples whose label is not the ignore index.</summary>
    private static double Counted(FamilyPlan plan, scoped in Operand<int> labels, in BatchLayout layout)
    {
        int ignoreIndex = plan.IgnoreIndex!.Value;
        int counted = 0;
        for (var cursor = new SampleCursor(layout); cursor.MoveNext();)
        {
            if (Unsafe.Add(ref labels.Origin, cursor.Offset(Slot.Labels)) != ignoreIndex)
            {
                counted++;
            }
        }

        return counted;
    }

    /// <summary>A loss bound to its operands: runs the pieces (runs within one segment) of a range of samples.</summary>
    private readonly struct PieceJob<T, TRow>(FamilyPlan plan, TRow row, BatchLayout layout, BatchArguments<T> origin) : IBlockJob
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public double Run(int first, int end)
        {
            int segment = layout.SegmentLength;
            double total = 0.0;
            for (int i = first; i < end;)
            {
                int count = Math.Min(segment - (i % segment), end - i);
                BatchArguments<T> piece = origin.Piece(layout, i, count);
                total += typeof(T) != typeof(Half) && piece.RowsContiguous
                    ? FamilyRows.Run(plan, row, piece)
                    : FamilyStaging.Run(plan, row, piece);
                i += count;
            }

            return total;
        }
    }
}
