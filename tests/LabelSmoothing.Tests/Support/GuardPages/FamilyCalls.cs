using System;
using System.Collections.Generic;
using System.Numerics;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>
/// Every span method of the loss family (<see cref="PolyLoss"/>, <see cref="FocalLoss"/>, <see cref="LabelRelaxationLoss"/>,
/// <see cref="ConfidencePenaltyLoss"/>, <see cref="DistillationLoss"/>, <see cref="BinaryFocalLoss"/>), with an ignored label, the gradient in
/// place of the logits, a smoothing prior where the loss takes one, and <see cref="Reduction.None"/> for the per-sample losses.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal static class FamilyCalls<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static IReadOnlyList<CallSetting<T>> All(int numClasses) =>
    [
        new("Poly-1 ε = 2, α = 0.1, uniform others (K > 1)", Indexed(
            new PolyLoss(numClasses, 2.0, 0.1, prior: numClasses > 1 ? SmoothingPrior.UniformOthers : null),
            (loss, z, y) => loss.Forward<T>(z, y), (loss, z, y, l) => loss.Forward<T>(z, y, l), (loss, z, y, g) => loss.ForwardBackward<T>(z, y, g))),
        new("focal γ = 2, α = 0.1, ordinal (K > 1)", Indexed(
            new FocalLoss(numClasses, 2.0, 0.1, prior: numClasses > 1 ? SmoothingPrior.Ordinal(2.0) : null),
            (loss, z, y) => loss.Forward<T>(z, y), (loss, z, y, l) => loss.Forward<T>(z, y, l), (loss, z, y, g) => loss.ForwardBackward<T>(z, y, g))),
        new("label relaxation α = 0.1", Indexed(
            new LabelRelaxationLoss(numClasses, 0.1),
            (loss, z, y) => loss.Forward<T>(z, y), (loss, z, y, l) => loss.Forward<T>(z, y, l), (loss, z, y, g) => loss.ForwardBackward<T>(z, y, g))),
        new("confidence penalty β = 0.1, α = 0.1", Indexed(
            new ConfidencePenaltyLoss(numClasses, 0.1, 0.1),
            (loss, z, y) => loss.Forward<T>(z, y), (loss, z, y, l) => loss.Forward<T>(z, y, l), (loss, z, y, g) => loss.ForwardBackward<T>(z, y, g))),
        new("distillation T = 2", Paired(
            new DistillationLoss(numClasses, temperature: 2.0),
            (loss, z, t) => loss.Forward<T>(z, t), (loss, z, t, l) => loss.Forward<T>(z, t, l), (loss, z, t, g) => loss.ForwardBackward<T>(z, t, g))),
        new("binary focal γ = 2, α = 0.1", Paired(
            new BinaryFocalLoss(numClasses, 2.0, labelSmoothing: 0.1),
            (loss, z, t) => loss.Forward<T>(z, t), (loss, z, t, l) => loss.Forward<T>(z, t, l), (loss, z, t, g) => loss.ForwardBackward<T>(z, t, g))),
    ];

    private delegate T Total<TLoss, TTarget>(TLoss loss, ReadOnlySpan<T> logits, ReadOnlySpan<TTarget> targets);

    private delegate void Losses<TLoss, TTarget>(TLoss loss, ReadOnlySpan<T> logits, ReadOnlySpan<TTarget> targets, Span<T> losses);

    private delegate T Gradient<TLoss, TTarget>(TLoss loss, ReadOnlySpan<T> logits, ReadOnlySpan<TTarget> targets, Span<T> gradient);

    /// <summary>Index targets, one of them ignored.</summary>
    private static List<GuardedCall<T>> Indexed<TLoss>(TLoss loss, Total<TLoss, int> total, Losses<TLoss, int> losses, Gradient<TLoss, int> gradient) =>
    [
        new("Forward(logits, labels)", (x, o) => o.Returned(total(loss, o.Input(x.Logits), o.Input(x.LabelsWithIgnored)))),
        new("Forward(logits, labels, losses)", (x, o) => losses(loss, o.Input(x.Logits), o.Input(x.LabelsWithIgnored), o.Output<T>(x.Rows))),
        new("ForwardBackward(logits, labels, gradient)", (x, o) => o.Returned(gradient(loss, o.Input(x.Logits), o.Input(x.LabelsWithIgnored), o.Output<T>(x.Elements)))),
        new("ForwardBackward(logits, labels, gradient = logits)", (x, o) =>
        {
            Span<T> logits = o.InPlace(x.Logits);
            o.Returned(gradient(loss, logits, o.Input(x.Labels), logits));
        }),
    ];

    /// <summary>Element targets: the teacher's logits (distillation) or probabilities in [0, 1] (binary focal).</summary>
    private static List<GuardedCall<T>> Paired<TLoss>(TLoss loss, Total<TLoss, T> total, Losses<TLoss, T> losses, Gradient<TLoss, T> gradient) =>
    [
        new("Forward(logits, targets)", (x, o) => o.Returned(total(loss, o.Input(x.Logits), o.Input(x.Targets)))),
        new("Forward(logits, targets, losses)", (x, o) => losses(loss, o.Input(x.Logits), o.Input(x.Targets), o.Output<T>(loss is BinaryFocalLoss ? x.Elements : x.Rows))),
        new("ForwardBackward(logits, targets, gradient)", (x, o) => o.Returned(gradient(loss, o.Input(x.Logits), o.Input(x.Targets), o.Output<T>(x.Elements)))),
        new("ForwardBackward(logits, targets, gradient = logits)", (x, o) =>
        {
            Span<T> logits = o.InPlace(x.Logits);
            o.Returned(gradient(loss, logits, o.Input(x.Targets), logits));
        }),
    ];
}
