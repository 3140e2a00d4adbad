using System;
using System.Linq;
using FluentAssertions;

namespace LabelSmoothing.Tests.Support;

/// <summary>The smoothing priors the gradient and property tests run over.</summary>
public enum PriorKind
{
    Uniform,
    UniformOthers,
    FromDistribution,
    OrdinalNarrow,
    OrdinalWide,
}

/// <summary>Which samples of an index-target batch are ignored.</summary>
public enum IgnoreMode
{
    NoneIgnored,
    DefaultIgnoreIndex,
    PadIdInsideRange,
}

/// <summary>
/// A smoothing prior described independently of the library: <see cref="Distribution"/> computes <c>u(y)</c> from the definitions in
/// the <see cref="SmoothingPrior"/> docs, <see cref="Create"/> builds the library's prior.
/// </summary>
public sealed record PriorSpec(PriorKind Kind, double[] Masses)
{
    public const double NarrowScale = 0.7;
    public const double WideScale = 4.0;

    public static PriorSpec Random(PriorKind kind, int numClasses, Random random) =>
        new(kind, kind == PriorKind.FromDistribution ? GradientCheckSupport.Normalised(random, numClasses, 0.05) : []);

    public SmoothingPrior Create() => Kind switch
    {
        PriorKind.Uniform => SmoothingPrior.Uniform,
        PriorKind.UniformOthers => SmoothingPrior.UniformOthers,
        PriorKind.FromDistribution => SmoothingPrior.FromDistribution(Masses),
        PriorKind.OrdinalNarrow => SmoothingPrior.Ordinal(NarrowScale),
        _ => SmoothingPrior.Ordinal(WideScale),
    };

    /// <summary><c>u(y)</c>: where the smoothing mass of label <paramref name="label"/> goes.</summary>
    public double[] Distribution(int numClasses, int label)
    {
        var u = new double[numClasses];
        for (int k = 0; k < numClasses; k++)
        {
            u[k] = Kind switch
            {
                PriorKind.Uniform => 1.0 / numClasses,
                PriorKind.UniformOthers => k == label ? 0.0 : 1.0 / (numClasses - 1),
                PriorKind.FromDistribution => Masses[k],
                PriorKind.OrdinalNarrow => k == label ? 0.0 : Math.Exp(-Math.Abs(k - label) / NarrowScale),
                _ => k == label ? 0.0 : Math.Exp(-Math.Abs(k - label) / WideScale),
            };
        }

        double sum = u.Sum();
        return u.Select(m => m / sum).ToArray();
    }

    public override string ToString() =>
        Kind == PriorKind.FromDistribution ? $"FromDistribution([{string.Join(", ", Masses.Select(m => m.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}])" : Kind.ToString();
}

/// <summary>
/// Random problems, an independent reference of the loss written from the README's "Semantics", and central finite differences.
/// </summary>
public static class GradientCheckSupport
{
    public static double[] Uniform(Random random, int count, double low, double high) =>
        Enumerable.Range(0, count).Select(_ => low + ((high - low) * random.NextDouble())).ToArray();

    /// <summary>A probability vector with every entry at least <paramref name="floor"/> before normalising.</summary>
    public static double[] Normalised(Random random, int count, double floor)
    {
        double[] raw = Uniform(random, count, floor, 1.0);
        double sum = raw.Sum();
        return raw.Select(x => x / sum).ToArray();
    }

    /// <summary>Class weights in [0.2, 2.5]; with three or more classes one class gets weight 0.</summary>
    public static double[] Weights(Random random, int numClasses)
    {
        double[] weights = Uniform(random, numClasses, 0.2, 2.5);
        if (numClasses >= 3)
        {
            weights[random.Next(numClasses)] = 0.0;
        }

        return weights;
    }

    /// <summary>Labels in [0, K), some replaced by the ignore index; at least one sample stays labelled.</summary>
    public static (int[] Labels, int IgnoreIndex) Labels(Random random, int samples, int numClasses, IgnoreMode mode)
    {
        int ignoreIndex = mode == IgnoreMode.PadIdInsideRange ? random.Next(numClasses) : -100;
        var labels = new int[samples];
        for (int i = 0; i < samples; i++)
        {
            do
            {
                labels[i] = random.Next(numClasses);
            }
            while (labels[i] == ignoreIndex);
        }

        if (mode != IgnoreMode.NoneIgnored)
        {
            for (int i = 1; i < samples; i += 2)
            {
                labels[i] = ignoreIndex;
            }
        }

        return (labels, ignoreIndex);
    }

    /// <summary>Probability targets: rows summing to 1 with some exact zeros, or arbitrary non-negative rows (one of them all zero).</summary>
    public static double[] Targets(Random random, int samples, int numClasses, bool normalised)
    {
        var targets = new double[samples * numClasses];
        for (int i = 0; i < samples; i++)
        {
            double[] row = normalised ? Normalised(random, numClasses, 0.0) : Uniform(random, numClasses, 0.0, 2.0);
            if (!normalised && i == samples - 1 && samples > 1)
            {
                Array.Clear(row);
            }

            row.CopyTo(targets, i * numClasses);
        }

        return targets;
    }

    public static double[] LogSoftmaxRow(ReadOnlySpan<double> z)
    {
        double max = double.NegativeInfinity;
        foreach (double x in z)
        {
            max = Math.Max(max, x);
        }

        double sum = 0.0;
        foreach (double x in z)
        {
            sum += Math.Exp(x - max);
        }

        double logSum = max + Math.Log(sum);
        var lp = new double[z.Length];
        for (int k = 0; k < z.Length; k++)
        {
            lp[k] = z[k] - logSum;
        }

        return lp;
    }

    /// <summary><c>l_i = −Σ_c w_c·q_c·lp_c</c> with <c>q = (1 − α)·e_y + α·u(y)</c>; 0 for ignored samples.</summary>
    public static double[] ReferenceIndexLosses(double[] logits, int[] labels, int numClasses, double alpha, double[]? weights, int ignoreIndex, PriorSpec prior)
    {
        var losses = new double[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] == ignoreIndex)
            {
                continue;
            }

            double[] u = prior.Distribution(numClasses, labels[i]);
            var q = u.Select(m => alpha * m).ToArray();
            q[labels[i]] += 1.0 - alpha;
            losses[i] = CrossEntropyRow(logits.AsSpan(i * numClasses, numClasses), q, weights);
        }

        return losses;
    }

    /// <summary><c>l_i = −Σ_c w_c·t'_c·lp_c</c> with <c>t' = (1 − α)·t + α·Σ_y t_y·u(y)</c>.</summary>
    public static double[] ReferenceProbabilityLosses(double[] logits, double[] targets, int numClasses, double alpha, double[]? weights, PriorSpec prior)
    {
        int samples = targets.Length / numClasses;
        var losses = new double[samples];
        for (int i = 0; i < samples; i++)
        {
            var q = new double[numClasses];
            for (int y = 0; y < numClasses; y++)
            {
                double t = targets[(i * numClasses) + y];
                double[] u = prior.Distribution(numClasses, y);
                q[y] += (1.0 - alpha) * t;
                for (int k = 0; k < numClasses; k++)
                {
                    q[k] += alpha * t * u[k];
                }
            }

            losses[i] = CrossEntropyRow(logits.AsSpan(i * numClasses, numClasses), q, weights);
        }

        return losses;
    }

    /// <summary>The PyTorch reduction: Mean divides index losses by <c>Σ_{not ignored} w_y</c> (0 over zero weight), Sum adds.</summary>
    public static double ReduceIndex(double[] losses, int[] labels, double[]? weights, int ignoreIndex, Reduction reduction)
    {
        double total = losses.Sum();
        if (reduction != Reduction.Mean)
        {
            return total;
        }

        double divisor = labels.Where(y => y != ignoreIndex).Sum(y => weights is null ? 1.0 : weights[y]);
        return divisor == 0.0 ? 0.0 : total / divisor;
    }

    public static double ReduceProbability(double[] losses, Reduction reduction) =>
        reduction == Reduction.Mean ? (losses.Length == 0 ? 0.0 : losses.Average()) : losses.Sum();

    /// <summary>
    /// Central differences <c>(f(z + h·e_j) − f(z − h·e_j)) / (2h)</c> with <c>h = 1e-6·max(1, |z_j|)</c>, divided by the step actually taken.
    /// </summary>
    public static double[] CentralDifference(Func<double[], double> objective, double[] z)
    {
        var point = (double[])z.Clone();
        var gradient = new double[z.Length];
        for (int j = 0; j < z.Length; j++)
        {
            double h = 1e-6 * Math.Max(1.0, Math.Abs(z[j]));
            double plus = z[j] + h;
            double minus = z[j] - h;
            point[j] = plus;
            double up = objective(point);
            point[j] = minus;
            double down = objective(point);
            point[j] = z[j];
            gradient[j] = (up - down) / (plus - minus);
        }

        return gradient;
    }

    /// <summary>Every entry within <paramref name="relativeTolerance"/>·max(‖analytic‖∞, ‖numeric‖∞).</summary>
    public static void ShouldMatchNumericGradient(double[] analytic, double[] numeric, double relativeTolerance, string because)
    {
        analytic.Should().HaveSameCount(numeric);
        double scale = Math.Max(MaxAbs(analytic), MaxAbs(numeric));
        double tolerance = relativeTolerance * scale;
        for (int j = 0; j < analytic.Length; j++)
        {
            analytic[j].Should().BeApproximately(numeric[j], tolerance, "entry {0} of the gradient ({1}; scale {2:G3})", j, because, scale);
        }
    }

    public static double MaxAbs(ReadOnlySpan<double> values)
    {
        double max = 0.0;
        foreach (double x in values)
        {
            max = Math.Max(max, Math.Abs(x));
        }

        return max;
    }

    private static double CrossEntropyRow(ReadOnlySpan<double> z, double[] q, double[]? weights)
    {
        double[] lp = LogSoftmaxRow(z);
        double loss = 0.0;
        for (int k = 0; k < z.Length; k++)
        {
            if (q[k] != 0.0)
            {
                loss -= (weights is null ? 1.0 : weights[k]) * q[k] * lp[k];
            }
        }

        return loss;
    }
}
