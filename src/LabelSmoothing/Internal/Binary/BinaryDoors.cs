using System;
using System.Numerics;
using System.Numerics.Tensors;
using LabelSmoothing.Internal.Layout;

namespace LabelSmoothing.Internal.Binary;

/// <summary>
/// The doors of an element-wise binary loss (<see cref="BinaryFocalLoss"/>): each checks the lengths or shapes of its operands (naming them),
/// builds a <see cref="BinaryRequest{T}"/> and hands it to <see cref="BinaryRunner"/> with the loss's element kernel. Flat spans are
/// row-major <c>[N, M]</c>; tensors <c>(N, M)</c> or <c>(N, M, d1, …, dk)</c>, any strides, every operand shaped like the logits.
/// </summary>
internal static class BinaryDoors
{
    public static T Reduced<T, TElements>(in TElements elements, int numLabels, Reduction reduction, ReadOnlySpan<T> logits, ReadOnlySpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TElements : struct, IElementKernel
    {
        RequireScalarReduction(reduction);
        return BinaryRunner.Run(elements, reduction, Request(numLabels, logits, targets));
    }

    public static void PerElement<T, TElements>(in TElements elements, int numLabels, Reduction reduction, ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TElements : struct, IElementKernel
    {
        var request = Request(numLabels, logits, targets);
        request.Losses = LikeLogits(losses, numLabels, logits.Length, "losses");
        BinaryRunner.Run(elements, reduction, request);
    }

    public static T WithGradient<T, TElements>(in TElements elements, int numLabels, Reduction reduction, ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TElements : struct, IElementKernel
    {
        var request = Request(numLabels, logits, targets);
        request.Gradient = LikeLogits(gradient, numLabels, logits.Length, "gradient");
        return BinaryRunner.Run(elements, reduction, request);
    }

    public static T Reduced<T, TElements>(in TElements elements, int numLabels, Reduction reduction, in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TElements : struct, IElementKernel
    {
        RequireScalarReduction(reduction);
        return BinaryRunner.Run(elements, reduction, Request(numLabels, logits, targets));
    }

    public static void PerElement<T, TElements>(in TElements elements, int numLabels, Reduction reduction, in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<T> targets, in TensorSpan<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TElements : struct, IElementKernel
    {
        var request = Request(numLabels, logits, targets);
        request.Losses = LikeLogits(losses, request.Logits.Shape, "losses");
        BinaryRunner.Run(elements, reduction, request);
    }

    public static T WithGradient<T, TElements>(in TElements elements, int numLabels, Reduction reduction, in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<T> targets, in TensorSpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TElements : struct, IElementKernel
    {
        var request = Request(numLabels, logits, targets);
        request.Gradient = LikeLogits(gradient, request.Logits.Shape, "gradient");
        return BinaryRunner.Run(elements, reduction, request);
    }

    private static void RequireScalarReduction(Reduction reduction)
    {
        if (reduction == Reduction.None)
        {
            ThrowHelper.InvalidOperation("Reduction is None: there is no scalar loss. Use the overload that writes the element losses.");
        }
    }

    private static BinaryRequest<T> Request<T>(int numLabels, ReadOnlySpan<T> logits, ReadOnlySpan<T> targets)
    {
        int rows = Guard.Rows(logits.Length, numLabels, "logits", "labels");
        Guard.Length(targets.Length, logits.Length, "targets", "logits.Length");
        return new BinaryRequest<T> { Logits = Operand<T>.Of(logits, rows, numLabels), Targets = Operand<T>.Of(targets, rows, numLabels) };
    }

    private static BinaryRequest<T> Request<T>(int numLabels, in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<T> targets)
    {
        var request = new BinaryRequest<T> { Logits = Operand<T>.Of(logits, "logits"), Targets = Operand<T>.Of(targets, "targets") };
        TensorShapes.Samples(request.Logits.Shape, numLabels);
        TensorShapes.LikeLogits(request.Targets.Shape, request.Logits.Shape, "targets");
        return request;
    }

    private static Operand<T> LikeLogits<T>(Span<T> output, int numLabels, int logitsLength, string paramName)
    {
        Guard.Length(output.Length, logitsLength, paramName, "logits.Length");
        return Operand<T>.Of(output, logitsLength / numLabels, numLabels);
    }

    private static Operand<T> LikeLogits<T>(in TensorSpan<T> output, scoped in OperandShape logits, string paramName)
    {
        var operand = Operand<T>.Of(output, paramName);
        TensorShapes.LikeLogits(operand.Shape, logits, paramName);
        return operand;
    }
}
