using System;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// Identities of the loss checked by FsCheck on <see cref="PropertyCaseGenerators.MaxTest"/> random cases each (fixed seeds).
/// Values are compared within <see cref="Tolerance"/> relative to the largest magnitude involved (at least 1 for a loss).
/// </summary>
public abstract class PropertyTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Relative tolerance: the library computes in double and rounds its outputs to <typeparamref name="T"/>.</summary>
    protected abstract double Tolerance { get; }

    [Fact]
    public void Shifting_each_row_of_logits_changes_neither_loss_nor_gradient_for_index_targets() =>
        PropertyCaseGenerators.Check(
            c =>
            {
                var loss = IndexLoss(c, c.Alpha, c.Prior.Create(), c.Reduction);
                T[] logits = ToT(c.Logits);
                T[] shifted = ToT(Shift(c.Logits, c.Shifts, c.NumClasses));
                var gradient = new T[logits.Length];
                var shiftedGradient = new T[logits.Length];
                T value = loss.ForwardBackward<T>(logits, c.Labels, gradient);
                T shiftedValue = loss.ForwardBackward<T>(shifted, c.Labels, shiftedGradient);

                ShouldBeClose(shiftedValue, value, "loss after the shift");
                ShouldBeClose(shiftedGradient, gradient, "gradient after the shift");
            },
            seed: 101);

    [Fact]
    public void Shifting_each_row_of_logits_changes_neither_loss_nor_gradient_for_probability_targets() =>
        PropertyCaseGenerators.Check(
            c =>
            {
                var loss = ProbabilityLoss(c, c.Alpha, c.Prior.Create(), c.Reduction);
                T[] logits = ToT(c.Logits);
                T[] shifted = ToT(Shift(c.Logits, c.Shifts, c.NumClasses));
                T[] targets = ToT(c.Targets);
                var gradient = new T[logits.Length];
                var shiftedGradient = new T[logits.Length];
                T value = loss.ForwardBackward<T>(logits, targets, gradient);
                T shiftedValue = loss.ForwardBackward<T>(shifted, targets, shiftedGradient);

                ShouldBeClose(shiftedValue, value, "loss after the shift");
                ShouldBeClose(shiftedGradient, gradient, "gradient after the shift");
            },
            seed: 102);

    [Fact]
    public void Alpha_zero_is_plain_weighted_cross_entropy() =>
        PropertyCaseGenerators.Check(
            c =>
            {
                var loss = IndexLoss(c, 0.0, c.Prior.Create(), c.Reduction);
                T[] logits = ToT(c.Logits);
                double[] z = ToDouble(logits);
                int k = c.NumClasses;
                var lp = new double[z.Length];
                LogSoftmax.Forward<double>(z, k, lp);

                var expectedLosses = new double[c.Samples];
                double divisor = 0.0;
                for (int i = 0; i < c.Samples; i++)
                {
                    int y = c.Labels[i];
                    if (y != c.IgnoreIndex)
                    {
                        expectedLosses[i] = -Weight(c, y) * lp[(i * k) + y];
                        divisor += Weight(c, y);
                    }
                }

                double scale = c.Reduction != Reduction.Mean ? 1.0 : divisor == 0.0 ? 0.0 : 1.0 / divisor;
                var expectedGradient = new double[z.Length];
                for (int i = 0; i < c.Samples; i++)
                {
                    int y = c.Labels[i];
                    for (int j = 0; y != c.IgnoreIndex && j < k; j++)
                    {
                        expectedGradient[(i * k) + j] = scale * Weight(c, y) * (Math.Exp(lp[(i * k) + j]) - (j == y ? 1.0 : 0.0));
                    }
                }

                var losses = new T[c.Samples];
                loss.Forward<T>(logits, c.Labels, losses);
                var gradient = new T[logits.Length];
                T reduced = loss.ForwardBackward<T>(logits, c.Labels, gradient);

                ShouldBeClose(losses, expectedLosses, "per-sample losses");
                ShouldBeClose(reduced, c.Reduction == Reduction.None ? expectedLosses.Sum() : scale * expectedLosses.Sum(), "reduced loss");
                ShouldBeClose(gradient, expectedGradient, "gradient");
                if (c.Reduction != Reduction.None)
                {
                    ShouldBeClose(loss.Forward<T>(logits, c.Labels), scale * expectedLosses.Sum(), "Forward");
                }
            },
            seed: 103);

    [Fact]
    public void Index_targets_equal_one_hot_probability_targets_for_None_and_Sum() =>
        PropertyCaseGenerators.Check(
            c =>
            {
                T[] logits = ToT(c.Logits);
                var oneHot = new T[logits.Length];
                for (int i = 0; i < c.Samples; i++)
                {
                    if (c.Labels[i] != c.IgnoreIndex)
                    {
                        oneHot[(i * c.NumClasses) + c.Labels[i]] = T.One;
                    }
                }

                foreach (var reduction in new[] { Reduction.None, Reduction.Sum })
                {
                    var loss = IndexLoss(c, c.Alpha, c.Prior.Create(), reduction);
                    var indexLosses = new T[c.Samples];
                    var probabilityLosses = new T[c.Samples];
                    loss.Forward<T>(logits, c.Labels, indexLosses);
                    loss.Forward<T>(logits, oneHot, probabilityLosses);
                    var indexGradient = new T[logits.Length];
                    var probabilityGradient = new T[logits.Length];
                    T indexValue = loss.ForwardBackward<T>(logits, c.Labels, indexGradient);
                    T probabilityValue = loss.ForwardBackward<T>(logits, oneHot, probabilityGradient);

                    ShouldBeClose(probabilityLosses, ToDouble(indexLosses), $"{reduction} per-sample losses (ignored samples are zero rows)");
                    ShouldBeClose(probabilityValue, double.CreateTruncating(indexValue), $"{reduction} reduced loss");
                    ShouldBeClose(probabilityGradient, ToDouble(indexGradient), $"{reduction} gradient");
                }
            },
            seed: 104);

    [Fact]
    public void Unweighted_loss_is_at_least_the_entropy_of_the_smoothed_target() =>
        PropertyCaseGenerators.Check(
            c =>
            {
                var loss = new CrossEntropyLoss(c.NumClasses, c.Alpha, Reduction.None, prior: c.Prior.Create());
                int[] labels = Labelled(c);
                var losses = new T[labels.Length];
                loss.Forward<T>(ToT(c.Logits), labels, losses);
                for (int i = 0; i < labels.Length; i++)
                {
                    double entropy = Entropy(SmoothedTarget(c, c.Alpha, labels[i]));
                    double.CreateTruncating(losses[i]).Should().BeGreaterThanOrEqualTo(
                        entropy - (Tolerance * Math.Max(1.0, entropy)), "sample {0}: cross-entropy ≥ H(S(e_y)) = {1}", i, entropy);
                }
            },
            seed: 105);

    [Fact]
    public void Unweighted_loss_equals_the_entropy_and_the_gradient_vanishes_at_logits_log_of_the_smoothed_target() =>
        PropertyCaseGenerators.Check(
            c =>
            {
                double alpha = 0.01 + (0.98 * c.Alpha);
                var loss = new CrossEntropyLoss(c.NumClasses, alpha, Reduction.None, prior: c.Prior.Create());
                int[] labels = Labelled(c);
                var optimum = new double[labels.Length * c.NumClasses];
                var entropies = new double[labels.Length];
                for (int i = 0; i < labels.Length; i++)
                {
                    double[] q = SmoothedTarget(c, alpha, labels[i]);
                    entropies[i] = Entropy(q);
                    q.Select(x => Math.Log(x)).ToArray().CopyTo(optimum, i * c.NumClasses);
                }

                var losses = new T[labels.Length];
                loss.Forward<T>(ToT(optimum), labels, losses);
                var gradient = new T[optimum.Length];
                loss.ForwardBackward<T>(ToT(optimum), labels, gradient);

                ShouldBeClose(losses, entropies, "losses at softmax(z) = S(e_y)");
                ShouldBeWithin(gradient, Tolerance, "gradient at the optimum");
            },
            seed: 106);

    [Fact]
    public void Unweighted_gradient_rows_sum_to_zero_for_index_targets() =>
        PropertyCaseGenerators.Check(
            c =>
            {
                var loss = new CrossEntropyLoss(c.NumClasses, c.Alpha, c.Reduction, ignoreIndex: c.IgnoreIndex, prior: c.Prior.Create());
                T[] logits = ToT(c.Logits);
                var gradient = new T[logits.Length];
                loss.ForwardBackward<T>(logits, c.Labels, gradient);
                RowsShouldSumToZero(gradient, c.NumClasses, "ForwardBackward");

                T[] upstream = ToT(c.Reduction == Reduction.None ? c.Upstream : c.Upstream[..1]);
                loss.Backward<T>(logits, c.Labels, upstream, gradient);
                RowsShouldSumToZero(gradient, c.NumClasses, "Backward");
            },
            seed: 107);

    [Fact]
    public void Unweighted_gradient_rows_sum_to_zero_for_normalised_probability_targets() =>
        PropertyCaseGenerators.Check(
            c =>
            {
                var loss = new CrossEntropyLoss(c.NumClasses, c.Alpha, c.Reduction, prior: c.Prior.Create());
                T[] logits = ToT(c.Logits);
                T[] targets = ToT(c.Targets);
                var gradient = new T[logits.Length];
                loss.ForwardBackward<T>(logits, targets, gradient);
                RowsShouldSumToZero(gradient, c.NumClasses, "ForwardBackward");

                T[] upstream = ToT(c.Reduction == Reduction.None ? c.Upstream : c.Upstream[..1]);
                loss.Backward<T>(logits, targets, upstream, gradient);
                RowsShouldSumToZero(gradient, c.NumClasses, "Backward");
            },
            seed: 108);

    [Fact]
    public void UniformOthers_with_alpha_equals_Uniform_with_alpha_K_over_K_minus_1() =>
        PropertyCaseGenerators.Check(
            c =>
            {
                int k = c.NumClasses;
                double alpha = c.Alpha * (k - 1) / k;
                double uniformAlpha = Math.Min(1.0, alpha * k / (k - 1));
                var others = IndexLoss(c, alpha, SmoothingPrior.UniformOthers, c.Reduction);
                var uniform = IndexLoss(c, uniformAlpha, SmoothingPrior.Uniform, c.Reduction);
                T[] logits = ToT(c.Logits);
                T[] targets = ToT(c.Targets);

                var expected = new T[logits.Length];
                var actual = new T[logits.Length];
                T uniformValue = uniform.ForwardBackward<T>(logits, c.Labels, expected);
                T othersValue = others.ForwardBackward<T>(logits, c.Labels, actual);
                ShouldBeClose(othersValue, double.CreateTruncating(uniformValue), "index-target loss");
                ShouldBeClose(actual, ToDouble(expected), "index-target gradient");

                uniformValue = uniform.ForwardBackward<T>(logits, targets, expected);
                othersValue = others.ForwardBackward<T>(logits, targets, actual);
                ShouldBeClose(othersValue, double.CreateTruncating(uniformValue), "probability-target loss");
                ShouldBeClose(actual, ToDouble(expected), "probability-target gradient");
            },
            seed: 109);

    private static CrossEntropyLoss IndexLoss(PropertyCase c, double alpha, SmoothingPrior prior, Reduction reduction) =>
        new(c.NumClasses, alpha, reduction, c.Weights, c.IgnoreIndex, prior);

    private static CrossEntropyLoss ProbabilityLoss(PropertyCase c, double alpha, SmoothingPrior prior, Reduction reduction) =>
        new(c.NumClasses, alpha, reduction, c.Weights, prior: prior);

    private static double Weight(PropertyCase c, int k) => c.Weights is null ? 1.0 : c.Weights[k];

    /// <summary>The labels with the ignored ones replaced by the class index they would otherwise hold (sample index mod K).</summary>
    private static int[] Labelled(PropertyCase c) =>
        c.Labels.Select((y, i) => y == c.IgnoreIndex ? i % c.NumClasses : y).ToArray();

    /// <summary><c>S(e_y) = (1 − α)·e_y + α·u(y)</c> from the independent prior definitions.</summary>
    private static double[] SmoothedTarget(PropertyCase c, double alpha, int label)
    {
        double[] q = c.Prior.Distribution(c.NumClasses, label).Select(u => alpha * u).ToArray();
        q[label] += 1.0 - alpha;
        return q;
    }

    private static double Entropy(double[] q) => -q.Where(x => x > 0.0).Sum(x => x * Math.Log(x));

    private static double[] Shift(double[] logits, double[] shifts, int numClasses) =>
        logits.Select((z, j) => z + shifts[j / numClasses]).ToArray();

    private static T[] ToT(double[] values) => values.Select(T.CreateTruncating).ToArray();

    private static double[] ToDouble(T[] values) => values.Select(double.CreateTruncating).ToArray();

    private void ShouldBeClose(T actual, double expected, string what) =>
        double.CreateTruncating(actual).Should().BeApproximately(expected, Tolerance * Math.Max(1.0, Math.Abs(expected)), what);

    private void ShouldBeClose(T actual, T expected, string what) => ShouldBeClose(actual, double.CreateTruncating(expected), what);

    private void ShouldBeClose(T[] actual, T[] expected, string what) => ShouldBeClose(actual, ToDouble(expected), what);

    private void ShouldBeClose(T[] actual, double[] expected, string what)
    {
        actual.Should().HaveSameCount(expected);
        double tolerance = Tolerance * Math.Max(GradientCheckSupport.MaxAbs(expected), GradientCheckSupport.MaxAbs(ToDouble(actual)));
        for (int j = 0; j < actual.Length; j++)
        {
            double.CreateTruncating(actual[j]).Should().BeApproximately(expected[j], tolerance, "{0}, entry {1}", what, j);
        }
    }

    private static void ShouldBeWithin(T[] actual, double bound, string what)
    {
        for (int j = 0; j < actual.Length; j++)
        {
            double.CreateTruncating(actual[j]).Should().BeApproximately(0.0, bound, "{0}, entry {1}", what, j);
        }
    }

    private void RowsShouldSumToZero(T[] gradient, int numClasses, string what)
    {
        for (int start = 0; start < gradient.Length; start += numClasses)
        {
            double[] row = ToDouble(gradient[start..(start + numClasses)]);
            double absoluteSum = row.Sum(Math.Abs);
            row.Sum().Should().BeApproximately(0.0, Tolerance * absoluteSum, "{0}: row {1} = [{2}]", what, start / numClasses, string.Join(", ", row));
        }
    }
}

public sealed class PropertyTestsSingle : PropertyTests<float>
{
    protected override double Tolerance => 1e-5;
}

public sealed class PropertyTestsDouble : PropertyTests<double>
{
    protected override double Tolerance => 1e-11;
}
