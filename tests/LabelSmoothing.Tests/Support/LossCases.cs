using System;
using System.Linq;
using Xunit;

namespace LabelSmoothing.Tests.Support;

/// <summary>A softmax loss the contracts run: a name, a factory and the class weights its mean divides by (cross-entropy only).</summary>
/// <param name="Name">A short name for the theory rows.</param>
/// <param name="Create">The loss for <c>(K, reduction, MaxDegreeOfParallelism)</c>.</param>
/// <param name="DivisorWeights">The weights <c>w_y</c> of <c>TotalWeight = Σ s_i·w_{y_i}</c> for K classes, or null (the count).</param>
internal sealed record SoftmaxCase(string Name, Func<int, Reduction, int, SoftmaxLoss> Create, Func<int, double[]>? DivisorWeights = null)
{
    public SoftmaxLoss Loss(int numClasses, Reduction reduction = Reduction.Mean, int maxDegreeOfParallelism = -1) =>
        Create(numClasses, reduction, maxDegreeOfParallelism);

    public override string ToString() => Name;
}

/// <summary>A sigmoid or distillation loss the contracts run, and how to make a batch for it.</summary>
/// <param name="Name">A short name for the theory rows.</param>
/// <param name="Create">The loss for <c>(K or M, reduction, MaxDegreeOfParallelism)</c>.</param>
/// <param name="Distillation">True for the distillation loss (teacher logits, per-sample losses), false for a sigmoid loss (targets).</param>
internal sealed record PairCase(string Name, Func<int, Reduction, int, object> Create, bool Distillation)
{
    internal PairLoss Loss(int width, Reduction reduction = Reduction.Mean, int maxDegreeOfParallelism = -1) =>
        Create(width, reduction, maxDegreeOfParallelism) is DistillationLoss distillation
            ? PairLoss.Of(distillation)
            : PairLoss.Of((SigmoidLoss)Create(width, reduction, maxDegreeOfParallelism));

    internal LossBatch<T> Batch<T>(int[] shape, int seed)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        Distillation ? LossBatch<T>.Paired(shape, seed) : LossBatch<T>.Targeted(shape, seed);

    public override string ToString() => Name;
}

/// <summary>
/// The losses every contract runs: each softmax loss with the options that change its path, the sigmoid losses and the
/// distillation loss.
/// </summary>
internal static class LossCases
{
    /// <summary>
    /// Cross-entropy plain, smoothed with a distribution prior, with class weights, with z-loss and a soft cap, in KL form; Poly-1; focal with
    /// γ = 2 and class weights, and with γ = 0.7 (the non-integer path) and a prior; label relaxation; confidence penalty.
    /// </summary>
    public static readonly SoftmaxCase[] Softmax =
    [
        new("cross-entropy", (k, r, m) => new CrossEntropyLoss(k, reduction: r) { MaxDegreeOfParallelism = m }),
        new("cross-entropy prior", (k, r, m) => new CrossEntropyLoss(k, 0.1, r, prior: Prior(k)) { MaxDegreeOfParallelism = m }),
        new("cross-entropy class weights", (k, r, m) => new CrossEntropyLoss(k, 0.1, r, ClassWeights(k)) { MaxDegreeOfParallelism = m }, ClassWeights),
        new("cross-entropy z-loss soft cap", (k, r, m) => new CrossEntropyLoss(k, 0.1, r, zLoss: 1e-3, logitSoftcap: 5.0) { MaxDegreeOfParallelism = m }),
        new("cross-entropy KL", (k, r, m) => new CrossEntropyLoss(k, 0.2, r, klDivergence: true) { MaxDegreeOfParallelism = m }),
        new("poly", (k, r, m) => new PolyLoss(k, 2.0, 0.1, r) { MaxDegreeOfParallelism = m }),
        new("focal γ 2 class weights", (k, r, m) => new FocalLoss(k, 2.0, 0.1, r, ClassWeights(k)) { MaxDegreeOfParallelism = m }),
        new("focal γ 0.7 prior", (k, r, m) => new FocalLoss(k, 0.7, 0.1, r, prior: Prior(k)) { MaxDegreeOfParallelism = m }),
        new("label relaxation", (k, r, m) => new LabelRelaxationLoss(k, 0.1, r) { MaxDegreeOfParallelism = m }),
        new("confidence penalty", (k, r, m) => new ConfidencePenaltyLoss(k, 0.5, 0.1, r) { MaxDegreeOfParallelism = m }),
    ];

    /// <summary>Binary cross-entropy plain and with smoothing and positive weights; binary focal with γ = 2, α = 0.25 and with γ = 1.5, no α.</summary>
    public static readonly PairCase[] Sigmoid =
    [
        new("binary cross-entropy", (m, r, d) => new BinaryCrossEntropyLoss(m, reduction: r) { MaxDegreeOfParallelism = d }, false),
        new("binary cross-entropy positive weights", (m, r, d) => new BinaryCrossEntropyLoss(m, 0.1, r, PositiveWeights(m)) { MaxDegreeOfParallelism = d }, false),
        new("binary focal", (m, r, d) => new BinaryFocalLoss(m, 2.0, 0.25, 0.1, r) { MaxDegreeOfParallelism = d }, false),
        new("binary focal γ 1.5 no α", (m, r, d) => new BinaryFocalLoss(m, 1.5, -1.0, 0.0, r) { MaxDegreeOfParallelism = d }, false),
    ];

    /// <summary>Distillation at T = 2 scaled by T², and at T = 1 unscaled.</summary>
    public static readonly PairCase[] Distillation =
    [
        new("distillation T 2", (k, r, d) => new DistillationLoss(k, 2.0, true, r) { MaxDegreeOfParallelism = d }, true),
        new("distillation T 1 unscaled", (k, r, d) => new DistillationLoss(k, 1.0, false, r) { MaxDegreeOfParallelism = d }, true),
    ];

    /// <summary>The name of every loss, softmax and pair.</summary>
    public static string[] AllNames => [.. Softmax.Select(c => c.Name), .. Sigmoid.Select(c => c.Name), .. Distillation.Select(c => c.Name)];

    /// <summary>The loss named <paramref name="name"/> (softmax or pair) for <paramref name="width"/> classes or labels.</summary>
    public static LossSubject Subject(string name, int width, Reduction reduction = Reduction.Mean, int maxDegreeOfParallelism = -1) =>
        Array.Find(Softmax, c => c.Name == name) is { } softmax
            ? new LossSubject(softmax.Loss(width, reduction, maxDegreeOfParallelism))
            : new LossSubject(PairNamed(name).Loss(width, reduction, maxDegreeOfParallelism));

    /// <summary>A batch of <paramref name="shape"/> for the loss named <paramref name="name"/>.</summary>
    public static LossBatch<T> Batch<T>(string name, int[] shape, int seed)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        Array.Exists(Softmax, c => c.Name == name) ? LossBatch<T>.Labelled(shape, seed) : PairNamed(name).Batch<T>(shape, seed);

    /// <summary>Class weights 0.5, 1, 1.5, 2, 0.5, …</summary>
    public static double[] ClassWeights(int numClasses) => Enumerable.Range(0, numClasses).Select(k => 0.5 * (1 + (k % 4))).ToArray();

    /// <summary>Positive weights 2, 0.5, 1, 2, …</summary>
    public static double[] PositiveWeights(int numLabels) => Enumerable.Range(0, numLabels).Select(k => (k % 3) switch { 0 => 2.0, 1 => 0.5, _ => 1.0 }).ToArray();

    /// <summary>A prior <c>u_c ∝ c + 1</c>.</summary>
    public static SmoothingPrior Prior(int numClasses)
    {
        double total = numClasses * (numClasses + 1) / 2.0;
        return SmoothingPrior.FromDistribution(Enumerable.Range(1, numClasses).Select(c => c / total).ToArray());
    }

    public static SoftmaxCase SoftmaxNamed(string name) => Array.Find(Softmax, c => c.Name == name)!;

    public static PairCase PairNamed(string name) => Array.Find([.. Sigmoid, .. Distillation], c => c.Name == name)!;

    /// <summary>The name of every softmax case.</summary>
    public static TheoryData<string> SoftmaxNames() => new(Softmax.Select(c => c.Name));

    /// <summary>Each name with each door.</summary>
    public static TheoryData<string, string> Cross(System.Collections.Generic.IEnumerable<string> names, Door[] doors)
    {
        var data = new TheoryData<string, string>();
        foreach (string name in names)
        {
            foreach (var door in doors)
            {
                data.Add(name, door.Name);
            }
        }

        return data;
    }
}
