using System;

namespace LabelSmoothing.Distributed;

/// <summary>
/// What every rank trains, drawn from one seed so that every rank holds the same numbers without communicating: fixed inputs
/// <c>X [N, H]</c>, labels from a random linear teacher (a few of them ignored), the initial head and the loss with its options.
/// </summary>
public sealed class TrainingProblem
{
    /// <summary>The seed of every random number.</summary>
    public const int Seed = 2026;

    /// <summary>The number of samples <c>N</c> of the batch (odd: the rows do not split evenly over two ranks).</summary>
    public const int Samples = 63;

    /// <summary>The number of input features <c>H</c>.</summary>
    public const int Features = 16;

    /// <summary>The number of classes <c>K</c> (prime: the classes do not split evenly over any number of ranks from 2 to 40).</summary>
    public const int Classes = 41;

    /// <summary>The number of SGD steps.</summary>
    public const int Steps = 6;

    /// <summary>The SGD step size.</summary>
    public const double LearningRate = 2.0;

    /// <summary>The label smoothing <c>α</c>.</summary>
    public const double LabelSmoothing = 0.1;

    /// <summary>The scale of the ordinal smoothing prior: <c>u_k ∝ exp(−|k − y| / scale)</c> for <c>k ≠ y</c>.</summary>
    public const double OrdinalScale = 2.0;

    /// <summary>The z-loss coefficient <c>λ</c>.</summary>
    public const double ZLoss = 1e-3;

    /// <summary>Every sample <c>i</c> with <c>i mod IgnoredEvery = IgnoredEvery − 1</c> is labelled <see cref="IgnoreIndex"/>.</summary>
    public const int IgnoredEvery = 9;

    /// <summary>The ignored label.</summary>
    public const int IgnoreIndex = -100;

    private readonly double[] _inputs;
    private readonly int[] _labels;
    private readonly double[] _classWeights;
    private readonly double[] _initialWeights;

    /// <summary>Draws the problem from <see cref="Seed"/>.</summary>
    public TrainingProblem()
    {
        var random = new Random(Seed);
        _inputs = Gaussian(random, Samples * Features, 1.0);
        double[] teacher = Gaussian(random, Classes * Features, 1.0);
        _classWeights = new double[Classes];
        for (int k = 0; k < Classes; k++)
        {
            _classWeights[k] = 0.5 + random.NextDouble();
        }

        _initialWeights = Gaussian(random, Classes * Features, 0.1);
        _labels = new int[Samples];
        var teacherHead = new LinearHead(teacher, new double[Classes]);
        double[] scores = new double[Samples * Classes];
        teacherHead.Logits(_inputs, scores);
        for (int i = 0; i < Samples; i++)
        {
            _labels[i] = i % IgnoredEvery == IgnoredEvery - 1 ? IgnoreIndex : ArgMax(scores.AsSpan(i * Classes, Classes));
        }

        Loss = new CrossEntropyLoss(
            Classes,
            labelSmoothing: LabelSmoothing,
            classWeights: _classWeights,
            ignoreIndex: IgnoreIndex,
            prior: SmoothingPrior.Ordinal(OrdinalScale),
            zLoss: ZLoss);
    }

    /// <summary>The row-major <c>[N, H]</c> inputs.</summary>
    public ReadOnlySpan<double> Inputs => _inputs;

    /// <summary>The <c>N</c> labels, in <c>[0, K)</c> or <see cref="IgnoreIndex"/>.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>The class weights, drawn in <c>[0.5, 1.5)</c>.</summary>
    public ReadOnlySpan<double> ClassWeights => _classWeights;

    /// <summary>
    /// The loss: mean reduction over the class weights of the non-ignored labels, smoothing <see cref="LabelSmoothing"/> with the ordinal
    /// prior, class weights, the ignore index and z-loss. The same object serves the three modes.
    /// </summary>
    public CrossEntropyLoss Loss { get; }

    /// <summary>The number of ignored labels.</summary>
    public int IgnoredCount => Samples / IgnoredEvery;

    /// <summary>The inputs of a block of samples.</summary>
    /// <param name="samples">The block.</param>
    /// <returns>Its row-major <c>[Count, H]</c> inputs.</returns>
    public ReadOnlySpan<double> InputsOf(Block samples) => _inputs.AsSpan(samples.Offset * Features, samples.Count * Features);

    /// <summary>The labels of a block of samples.</summary>
    /// <param name="samples">The block.</param>
    /// <returns>Its labels.</returns>
    public ReadOnlySpan<int> LabelsOf(Block samples) => _labels.AsSpan(samples.Offset, samples.Count);

    /// <summary>A new head of all <c>K</c> classes with the initial parameters: weights drawn from N(0, 0.1²), zero biases.</summary>
    /// <returns>The head.</returns>
    public LinearHead InitialHead() => new(_initialWeights, new double[Classes]);

    private static double[] Gaussian(Random random, int count, double deviation)
    {
        double[] values = new double[count];
        for (int j = 0; j < count; j++)
        {
            // Box–Muller; 1 − NextDouble() lies in (0, 1], so the logarithm is finite.
            double radius = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble()));
            values[j] = deviation * radius * Math.Cos(2.0 * Math.PI * random.NextDouble());
        }

        return values;
    }

    private static int ArgMax(ReadOnlySpan<double> values)
    {
        int best = 0;
        for (int k = 1; k < values.Length; k++)
        {
            if (values[k] > values[best])
            {
                best = k;
            }
        }

        return best;
    }
}
