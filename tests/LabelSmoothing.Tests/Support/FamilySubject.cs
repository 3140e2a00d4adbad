using System;
using System.IO;
using System.Numerics;
using System.Numerics.Tensors;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// One loss of the family and its inputs in <typeparamref name="T"/>, with one method per door (spans, tensor spans, <see cref="Tensor{T}"/>)
/// and entry point (reduced <c>Forward</c>, per-sample <c>Forward</c>, <c>ForwardBackward</c>), so that tests run every loss alike. The
/// second input is the labels (index losses), the targets (binary focal) or the teacher's logits (distillation).
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class FamilySubject<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public FamilySubject(object loss, T[] logits, int[]? labels = null, T[]? second = null)
    {
        Loss = loss;
        Logits = logits;
        Labels = labels;
        Second = second;
    }

    public object Loss { get; }

    public T[] Logits { get; }

    public int[]? Labels { get; }

    public T[]? Second { get; }

    /// <summary>The length of the per-sample (per-element for binary focal) losses.</summary>
    public int LossCount => Loss is BinaryFocalLoss ? Logits.Length : Labels?.Length ?? Logits.Length / ((DistillationLoss)Loss).NumClasses;

    /// <summary>The loss and inputs of a golden case.</summary>
    public static FamilySubject<T> Of(FamilyGoldenCase golden)
    {
        var p = golden.Parameters;
        var reduction = golden.ParsedReduction;
        SmoothingPrior? prior = golden.Prior?.Create(golden.K);
        object loss = golden.LossType switch
        {
            "poly" => new PolyLoss(golden.K, p.Epsilon!.Value, p.LabelSmoothing!.Value, reduction, golden.IgnoreIndex, prior),
            "focal" => new FocalLoss(golden.K, p.Gamma!.Value, p.LabelSmoothing!.Value, reduction, golden.Weights, golden.IgnoreIndex, prior),
            "binary_focal" => new BinaryFocalLoss(golden.K, p.Gamma!.Value, p.Alpha!.Value, p.LabelSmoothing!.Value, reduction),
            "relaxation" => new LabelRelaxationLoss(golden.K, p.Alpha!.Value, reduction, golden.IgnoreIndex),
            "penalty" => new ConfidencePenaltyLoss(golden.K, p.Beta!.Value, p.LabelSmoothing!.Value, reduction, golden.IgnoreIndex, prior),
            "distillation" => new DistillationLoss(golden.K, p.Temperature!.Value, p.ScaleByTemperatureSquared!.Value, reduction),
            _ => throw new InvalidDataException($"{golden.Name}: unknown loss type '{golden.LossType}'."),
        };
        double[]? second = golden.Targets ?? golden.TeacherLogits;
        return new FamilySubject<T>(loss, Convert(golden.Logits), golden.Labels, second is null ? null : Convert(second));
    }

    public static T[] Convert(double[] values) => Array.ConvertAll(values, T.CreateTruncating);

    /// <summary>An output pre-filled with NaN, so an entry the library fails to write cannot pass as a number.</summary>
    public static T[] Filled(int length)
    {
        var buffer = new T[length];
        Array.Fill(buffer, T.NaN);
        return buffer;
    }

    public T Forward() => Forward(Logits, Labels, Second);

    public T Forward(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> second) => Loss switch
    {
        PolyLoss l => l.Forward(logits, labels),
        FocalLoss l => l.Forward(logits, labels),
        LabelRelaxationLoss l => l.Forward(logits, labels),
        ConfidencePenaltyLoss l => l.Forward(logits, labels),
        BinaryFocalLoss l => l.Forward(logits, second),
        DistillationLoss l => l.Forward(logits, second),
        _ => throw new InvalidOperationException(),
    };

    public T[] Losses()
    {
        var losses = Filled(LossCount);
        Losses(Logits, Labels, Second, losses);
        return losses;
    }

    public void Losses(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> second, Span<T> losses)
    {
        switch (Loss)
        {
            case PolyLoss l:
                l.Forward(logits, labels, losses);
                break;
            case FocalLoss l:
                l.Forward(logits, labels, losses);
                break;
            case LabelRelaxationLoss l:
                l.Forward(logits, labels, losses);
                break;
            case ConfidencePenaltyLoss l:
                l.Forward(logits, labels, losses);
                break;
            case BinaryFocalLoss l:
                l.Forward(logits, second, losses);
                break;
            case DistillationLoss l:
                l.Forward(logits, second, losses);
                break;
            default:
                throw new InvalidOperationException();
        }
    }

    public (T Loss, T[] Gradient) ForwardBackward()
    {
        var gradient = Filled(Logits.Length);
        T loss = ForwardBackward(Logits, Labels, Second, gradient);
        return (loss, gradient);
    }

    public T ForwardBackward(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> second, Span<T> gradient) => Loss switch
    {
        PolyLoss l => l.ForwardBackward(logits, labels, gradient),
        FocalLoss l => l.ForwardBackward(logits, labels, gradient),
        LabelRelaxationLoss l => l.ForwardBackward(logits, labels, gradient),
        ConfidencePenaltyLoss l => l.ForwardBackward(logits, labels, gradient),
        BinaryFocalLoss l => l.ForwardBackward(logits, second, gradient),
        DistillationLoss l => l.ForwardBackward(logits, second, gradient),
        _ => throw new InvalidOperationException(),
    };

    public T Forward(in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<int> labels, in ReadOnlyTensorSpan<T> second) => Loss switch
    {
        PolyLoss l => l.Forward(logits, labels),
        FocalLoss l => l.Forward(logits, labels),
        LabelRelaxationLoss l => l.Forward(logits, labels),
        ConfidencePenaltyLoss l => l.Forward(logits, labels),
        BinaryFocalLoss l => l.Forward(logits, second),
        DistillationLoss l => l.Forward(logits, second),
        _ => throw new InvalidOperationException(),
    };

    public void Losses(in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<int> labels, in ReadOnlyTensorSpan<T> second, in TensorSpan<T> losses)
    {
        switch (Loss)
        {
            case PolyLoss l:
                l.Forward(logits, labels, losses);
                break;
            case FocalLoss l:
                l.Forward(logits, labels, losses);
                break;
            case LabelRelaxationLoss l:
                l.Forward(logits, labels, losses);
                break;
            case ConfidencePenaltyLoss l:
                l.Forward(logits, labels, losses);
                break;
            case BinaryFocalLoss l:
                l.Forward(logits, second, losses);
                break;
            case DistillationLoss l:
                l.Forward(logits, second, losses);
                break;
            default:
                throw new InvalidOperationException();
        }
    }

    public T ForwardBackward(in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<int> labels, in ReadOnlyTensorSpan<T> second, in TensorSpan<T> gradient) => Loss switch
    {
        PolyLoss l => l.ForwardBackward(logits, labels, gradient),
        FocalLoss l => l.ForwardBackward(logits, labels, gradient),
        LabelRelaxationLoss l => l.ForwardBackward(logits, labels, gradient),
        ConfidencePenaltyLoss l => l.ForwardBackward(logits, labels, gradient),
        BinaryFocalLoss l => l.ForwardBackward(logits, second, gradient),
        DistillationLoss l => l.ForwardBackward(logits, second, gradient),
        _ => throw new InvalidOperationException(),
    };

    public T Forward(Tensor<T> logits, Tensor<int>? labels, Tensor<T>? second) => Loss switch
    {
        PolyLoss l => l.Forward(logits, labels!),
        FocalLoss l => l.Forward(logits, labels!),
        LabelRelaxationLoss l => l.Forward(logits, labels!),
        ConfidencePenaltyLoss l => l.Forward(logits, labels!),
        BinaryFocalLoss l => l.Forward(logits, second!),
        DistillationLoss l => l.Forward(logits, second!),
        _ => throw new InvalidOperationException(),
    };

    public void Losses(Tensor<T> logits, Tensor<int>? labels, Tensor<T>? second, Tensor<T> losses)
    {
        switch (Loss)
        {
            case PolyLoss l:
                l.Forward(logits, labels!, losses);
                break;
            case FocalLoss l:
                l.Forward(logits, labels!, losses);
                break;
            case LabelRelaxationLoss l:
                l.Forward(logits, labels!, losses);
                break;
            case ConfidencePenaltyLoss l:
                l.Forward(logits, labels!, losses);
                break;
            case BinaryFocalLoss l:
                l.Forward(logits, second!, losses);
                break;
            case DistillationLoss l:
                l.Forward(logits, second!, losses);
                break;
            default:
                throw new InvalidOperationException();
        }
    }

    public T ForwardBackward(Tensor<T> logits, Tensor<int>? labels, Tensor<T>? second, Tensor<T> gradient) => Loss switch
    {
        PolyLoss l => l.ForwardBackward(logits, labels!, gradient),
        FocalLoss l => l.ForwardBackward(logits, labels!, gradient),
        LabelRelaxationLoss l => l.ForwardBackward(logits, labels!, gradient),
        ConfidencePenaltyLoss l => l.ForwardBackward(logits, labels!, gradient),
        BinaryFocalLoss l => l.ForwardBackward(logits, second!, gradient),
        DistillationLoss l => l.ForwardBackward(logits, second!, gradient),
        _ => throw new InvalidOperationException(),
    };
}
