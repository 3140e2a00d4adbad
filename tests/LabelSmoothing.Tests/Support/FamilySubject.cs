using System;
using System.IO;
using System.Numerics;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// One loss of the family and its inputs in <typeparamref name="T"/>, with the span entry points the golden, property and finite-difference
/// tests call (reduced <c>Forward</c>, per-sample <c>Forward</c>, <c>ForwardBackward</c>) through the loss's base (<see cref="SoftmaxLoss"/>) or
/// <see cref="PairLoss"/>, so that tests run every loss alike. The second input is the labels (index losses), the targets (binary focal) or
/// the teacher's logits (distillation).
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

    public T Forward(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> second) =>
        Loss is SoftmaxLoss softmax ? softmax.Forward(logits, labels) : Pair.Forward(logits, second);

    public T[] Losses()
    {
        var losses = Filled(LossCount);
        Losses(Logits, Labels, Second, losses);
        return losses;
    }

    public void Losses(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> second, Span<T> losses)
    {
        if (Loss is SoftmaxLoss softmax)
        {
            softmax.Forward(logits, labels, losses);
        }
        else
        {
            Pair.Forward(logits, second, losses);
        }
    }

    public (T Loss, T[] Gradient) ForwardBackward()
    {
        var gradient = Filled(Logits.Length);
        T loss = ForwardBackward(Logits, Labels, Second, gradient);
        return (loss, gradient);
    }

    public T ForwardBackward(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, ReadOnlySpan<T> second, Span<T> gradient) =>
        Loss is SoftmaxLoss softmax ? softmax.ForwardBackward(logits, labels, gradient) : Pair.ForwardBackward(logits, second, gradient);

    /// <summary>The sigmoid or distillation loss as a <see cref="PairLoss"/>.</summary>
    private PairLoss Pair => Loss is DistillationLoss distillation ? PairLoss.Of(distillation) : PairLoss.Of((SigmoidLoss)Loss);
}
