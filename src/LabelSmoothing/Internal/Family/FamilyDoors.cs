using System;
using System.Numerics;
using System.Numerics.Tensors;
using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing.Internal.Family;

/// <summary>
/// The doors of the softmax family: each public method of <see cref="PolyLoss"/>, <see cref="FocalLoss"/>, <see cref="LabelRelaxationLoss"/>,
/// <see cref="ConfidencePenaltyLoss"/> and <see cref="DistillationLoss"/> is one call here with its loss's plan and row struct. A door checks
/// the lengths or shapes of its operands (naming them), builds a <see cref="FamilyRequest{T}"/> and hands it to <see cref="FamilyRunner"/>.
/// Flat spans are row-major <c>[N, K]</c>; tensors are <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c> with per-sample operands
/// <c>(N, d1, …, dk)</c>, any strides.
/// </summary>
internal static class FamilyDoors
{
    private const string Logits = "logits";
    private const string StudentLogits = "studentLogits";
    private const string TeacherLogits = "teacherLogits";

    public static T Reduced<T, TRow>(FamilyPlan plan, in TRow row, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        RequireScalarReduction(plan);
        return FamilyRunner.Run(plan, row, Labelled(plan, logits, labels));
    }

    public static void PerSample<T, TRow>(FamilyPlan plan, in TRow row, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        var request = Labelled(plan, logits, labels);
        request.Losses = Losses(losses, labels.Length, "labels.Length");
        FamilyRunner.Run(plan, row, request);
    }

    public static T WithGradient<T, TRow>(FamilyPlan plan, in TRow row, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        var request = Labelled(plan, logits, labels);
        request.Gradient = Gradient(plan, gradient, logits.Length);
        return FamilyRunner.Run(plan, row, request);
    }

    public static T Reduced<T, TRow>(FamilyPlan plan, in TRow row, in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        RequireScalarReduction(plan);
        return FamilyRunner.Run(plan, row, Labelled(plan, logits, labels));
    }

    public static void PerSample<T, TRow>(FamilyPlan plan, in TRow row, in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<int> labels, in TensorSpan<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        var request = Labelled(plan, logits, labels);
        request.Losses = Losses(losses, request.Logits.Shape);
        FamilyRunner.Run(plan, row, request);
    }

    public static T WithGradient<T, TRow>(FamilyPlan plan, in TRow row, in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<int> labels, in TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        var request = Labelled(plan, logits, labels);
        request.Gradient = Gradient(gradient, request.Logits.Shape);
        return FamilyRunner.Run(plan, row, request);
    }

    public static T Reduced<T, TRow>(FamilyPlan plan, in TRow row, ReadOnlySpan<T> studentLogits, ReadOnlySpan<T> teacherLogits)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        RequireScalarReduction(plan);
        return FamilyRunner.Run(plan, row, Distilled(plan, studentLogits, teacherLogits));
    }

    public static void PerSample<T, TRow>(FamilyPlan plan, in TRow row, ReadOnlySpan<T> studentLogits, ReadOnlySpan<T> teacherLogits, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        var request = Distilled(plan, studentLogits, teacherLogits);
        request.Losses = Losses(losses, studentLogits.Length / plan.NumClasses, "studentLogits.Length / NumClasses");
        FamilyRunner.Run(plan, row, request);
    }

    public static T WithGradient<T, TRow>(FamilyPlan plan, in TRow row, ReadOnlySpan<T> studentLogits, ReadOnlySpan<T> teacherLogits, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        var request = Distilled(plan, studentLogits, teacherLogits);
        request.Gradient = Gradient(plan, gradient, studentLogits.Length, "studentLogits.Length");
        return FamilyRunner.Run(plan, row, request);
    }

    public static T Reduced<T, TRow>(FamilyPlan plan, in TRow row, in ReadOnlyTensorSpan<T> studentLogits, in ReadOnlyTensorSpan<T> teacherLogits)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        RequireScalarReduction(plan);
        return FamilyRunner.Run(plan, row, Distilled(plan, studentLogits, teacherLogits));
    }

    public static void PerSample<T, TRow>(FamilyPlan plan, in TRow row, in ReadOnlyTensorSpan<T> studentLogits, in ReadOnlyTensorSpan<T> teacherLogits, in TensorSpan<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        var request = Distilled(plan, studentLogits, teacherLogits);
        request.Losses = Losses(losses, request.Logits.Shape);
        FamilyRunner.Run(plan, row, request);
    }

    public static T WithGradient<T, TRow>(FamilyPlan plan, in TRow row, in ReadOnlyTensorSpan<T> studentLogits, in ReadOnlyTensorSpan<T> teacherLogits, in TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRow : struct, IFamilyRow
    {
        var request = Distilled(plan, studentLogits, teacherLogits);
        request.Gradient = Gradient(gradient, request.Logits.Shape);
        return FamilyRunner.Run(plan, row, request);
    }

    private static void RequireScalarReduction(FamilyPlan plan)
    {
        if (plan.Reduction == Reduction.None)
        {
            ThrowHelper.InvalidOperation("Reduction is None: there is no scalar loss. Use the overload that writes the per-sample losses.");
        }
    }

    private static FamilyRequest<T> Labelled<T>(FamilyPlan plan, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels)
    {
        Guard.Length(logits.Length, (long)labels.Length * plan.NumClasses, Logits, "labels.Length × NumClasses");
        return new FamilyRequest<T> { Logits = Operand<T>.Of(logits, labels.Length, plan.NumClasses), LogitsName = Logits, Labels = Operand<int>.Of(labels) };
    }

    private static FamilyRequest<T> Labelled<T>(FamilyPlan plan, in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<int> labels)
    {
        var request = new FamilyRequest<T> { Logits = Operand<T>.Of(logits, Logits), LogitsName = Logits, Labels = Operand<int>.Of(labels, "labels") };
        TensorShapes.Samples(request.Logits.Shape, plan.NumClasses);
        TensorShapes.PerSample(request.Labels.Shape, request.Logits.Shape, "labels");
        return request;
    }

    private static FamilyRequest<T> Distilled<T>(FamilyPlan plan, ReadOnlySpan<T> studentLogits, ReadOnlySpan<T> teacherLogits)
    {
        int rows = Guard.Rows(studentLogits.Length, plan.NumClasses, StudentLogits);
        Guard.Length(teacherLogits.Length, studentLogits.Length, TeacherLogits, "studentLogits.Length");
        return new FamilyRequest<T>
        {
            Logits = Operand<T>.Of(studentLogits, rows, plan.NumClasses),
            LogitsName = StudentLogits,
            Teacher = Operand<T>.Of(teacherLogits, rows, plan.NumClasses),
        };
    }

    private static FamilyRequest<T> Distilled<T>(FamilyPlan plan, in ReadOnlyTensorSpan<T> studentLogits, in ReadOnlyTensorSpan<T> teacherLogits)
    {
        var request = new FamilyRequest<T>
        {
            Logits = Operand<T>.Of(studentLogits, StudentLogits),
            LogitsName = StudentLogits,
            Teacher = Operand<T>.Of(teacherLogits, TeacherLogits),
        };
        TensorShapes.Samples(request.Logits.Shape, plan.NumClasses, StudentLogits);
        TensorShapes.LikeLogits(request.Teacher.Shape, request.Logits.Shape, TeacherLogits);
        return request;
    }

    private static Operand<T> Losses<T>(Span<T> losses, int samples, string expectation)
    {
        Guard.Length(losses.Length, samples, "losses", expectation);
        return Operand<T>.Of(losses);
    }

    private static Operand<T> Losses<T>(in TensorSpan<T> losses, scoped in OperandShape logits)
    {
        var operand = Operand<T>.Of(losses, "losses");
        TensorShapes.PerSample(operand.Shape, logits, "losses");
        return operand;
    }

    private static Operand<T> Gradient<T>(FamilyPlan plan, Span<T> gradient, int logitsLength, string expectation = "logits.Length")
    {
        Guard.Length(gradient.Length, logitsLength, "gradient", expectation);
        return Operand<T>.Of(gradient, logitsLength / plan.NumClasses, plan.NumClasses);
    }

    private static Operand<T> Gradient<T>(in TensorSpan<T> gradient, scoped in OperandShape logits)
    {
        var operand = Operand<T>.Of(gradient, "gradient");
        TensorShapes.LikeLogits(operand.Shape, logits, "gradient");
        return operand;
    }
}
