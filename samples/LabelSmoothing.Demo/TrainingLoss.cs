using System;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing.Demo;

/// <summary>
/// The objective of one training run: any <see cref="SoftmaxLoss"/> of the library, called on the batch's MathNet matrix of logits (rows =
/// samples) through the <c>LabelSmoothing.MathNet</c> extension members every softmax loss has — the matrix's column-major storage is read
/// and written in place.
/// </summary>
/// <param name="name">The loss's <c>--loss</c> name.</param>
/// <param name="description">The loss and its setting, for tables.</param>
/// <param name="loss">The loss.</param>
public sealed class TrainingLoss(string name, string description, SoftmaxLoss loss)
{
    /// <summary>The names <c>--loss</c> takes.</summary>
    public static readonly string[] Names = ["ce", "poly", "focal", "relaxation", "penalty"];

    /// <summary>The loss's <c>--loss</c> name.</summary>
    public string Name { get; } = name;

    /// <summary>The loss and its setting, for tables: <c>Poly-1 (ε = 2, α = 0.1)</c>.</summary>
    public string Description { get; } = description;

    /// <summary>
    /// The loss <paramref name="name"/> with smoothing <paramref name="alpha"/> towards <paramref name="prior"/> (label relaxation: its relaxation
    /// α, without a prior): Poly-1 with ε = 2, focal with γ = 2, confidence penalty with β = 0.1, the defaults of their papers and of the library.
    /// </summary>
    public static TrainingLoss Create(string name, double alpha, SmoothingPrior prior)
    {
        const int K = DigitsDataset.Classes;
        string a = FormattableString.Invariant($"α = {alpha:0.###}");
        return name switch
        {
            "ce" => new(name, alpha == 0.0 ? "cross-entropy" : $"label smoothing ({a})", new CrossEntropyLoss(K, alpha, prior: prior)),
            "poly" => new(name, $"Poly-1 (ε = 2, {a})", new PolyLoss(K, 2.0, alpha, prior: prior)),
            "focal" => new(name, $"focal (γ = 2, {a})", new FocalLoss(K, 2.0, alpha, prior: prior)),
            "relaxation" => new(name, $"label relaxation ({a})", new LabelRelaxationLoss(K, alpha)),
            "penalty" => new(name, $"confidence penalty (β = 0.1, {a})", new ConfidencePenaltyLoss(K, 0.1, alpha, prior: prior)),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "--loss must be one of " + string.Join(", ", Names) + "."),
        };
    }

    /// <summary>Writes the gradient of the mean loss over the batch into <paramref name="gradient"/> and returns that loss.</summary>
    public float ForwardBackward(Matrix<float> logits, int[] labels, Matrix<float> gradient) => loss.ForwardBackward(logits, labels, gradient);
}
