using System;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing.Demo;

/// <summary>
/// The objective of one training run on a batch of logits held in a MathNet matrix (rows = samples): the cross-entropy through the
/// <c>LabelSmoothing.MathNet</c> matrix overload, the other losses of the family through their tensor doors on the matrix's own column-major
/// storage (an <c>(N, K)</c> view with strides <c>(1, N)</c>: no copy, no transpose).
/// </summary>
public sealed class TrainingLoss
{
    /// <summary>The names <c>--loss</c> takes.</summary>
    public static readonly string[] Names = ["ce", "poly", "focal", "relaxation", "penalty"];

    private readonly Func<Matrix<float>, int[], Matrix<float>, float> _forwardBackward;

    private TrainingLoss(string name, string description, Func<Matrix<float>, int[], Matrix<float>, float> forwardBackward)
    {
        Name = name;
        Description = description;
        _forwardBackward = forwardBackward;
    }

    /// <summary>The loss's <c>--loss</c> name.</summary>
    public string Name { get; }

    /// <summary>The loss and its setting, for tables: <c>Poly-1 (ε = 2, α = 0.1)</c>.</summary>
    public string Description { get; }

    /// <summary>
    /// The loss <paramref name="name"/> with smoothing <paramref name="alpha"/> towards <paramref name="prior"/> (label relaxation: its relaxation
    /// α, without a prior): Poly-1 with ε = 2, focal with γ = 2, confidence penalty with β = 0.1, the defaults of their papers and of the library.
    /// </summary>
    public static TrainingLoss Create(string name, double alpha, SmoothingPrior prior)
    {
        const int K = DigitsDataset.Classes;
        string a = FormattableString.Invariant($"α = {alpha:0.###}");
        switch (name)
        {
            case "ce":
                var crossEntropy = new CrossEntropyLoss(K, alpha, Reduction.Mean, prior: prior);
                return new(name, alpha == 0.0 ? "cross-entropy" : $"label smoothing ({a})", (z, y, g) => crossEntropy.ForwardBackward(z, y, g));
            case "poly":
                var poly = new PolyLoss(K, 2.0, alpha, Reduction.Mean, prior: prior);
                return new(name, $"Poly-1 (ε = 2, {a})", (z, y, g) => poly.ForwardBackward(Read(z), y, Write(g)));
            case "focal":
                var focal = new FocalLoss(K, 2.0, alpha, Reduction.Mean, prior: prior);
                return new(name, $"focal (γ = 2, {a})", (z, y, g) => focal.ForwardBackward(Read(z), y, Write(g)));
            case "relaxation":
                var relaxation = new LabelRelaxationLoss(K, alpha, Reduction.Mean);
                return new(name, $"label relaxation ({a})", (z, y, g) => relaxation.ForwardBackward(Read(z), y, Write(g)));
            case "penalty":
                var penalty = new ConfidencePenaltyLoss(K, 0.1, alpha, Reduction.Mean, prior: prior);
                return new(name, $"confidence penalty (β = 0.1, {a})", (z, y, g) => penalty.ForwardBackward(Read(z), y, Write(g)));
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "--loss must be one of " + string.Join(", ", Names) + ".");
        }
    }

    /// <summary>Writes the gradient of the mean loss over the batch into <paramref name="gradient"/> and returns that loss.</summary>
    public float ForwardBackward(Matrix<float> logits, int[] labels, Matrix<float> gradient) => _forwardBackward(logits, labels, gradient);

    private static ReadOnlyTensorSpan<float> Read(Matrix<float> matrix) => View(matrix);

    private static TensorSpan<float> Write(Matrix<float> matrix) => View(matrix);

    /// <summary>A dense matrix's column-major storage as an <c>(N, K)</c> tensor (strides <c>(1, N)</c>; a single row is contiguous).</summary>
    private static TensorSpan<float> View(Matrix<float> matrix)
    {
        float[] storage = matrix.AsColumnMajorArray() ?? throw new ArgumentException("The demo's matrices are dense.", nameof(matrix));
        return matrix.RowCount == 1
            ? new TensorSpan<float>(storage, [1, matrix.ColumnCount])
            : new TensorSpan<float>(storage, 0, [matrix.RowCount, matrix.ColumnCount], [1, matrix.RowCount]);
    }
}
