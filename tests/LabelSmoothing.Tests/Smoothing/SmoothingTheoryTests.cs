using System;
using System.Numerics;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Smoothing;

/// <summary>
/// <see cref="SmoothingTheory"/>: the closed forms of the optimum of label-smoothed cross-entropy (<c>softmax(z) = S(e_y)</c>), checked against
/// the optimum <c>softmax(z) = q</c> (Müller, Kornblith &amp; Hinton 2019, "When does label smoothing help?", in closed form), against <see cref="SmoothingPrior.GetDistribution"/> for every prior, and against gradient
/// descent on the library's own <see cref="SoftmaxLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/> (the experiment
/// W9 of docs/worked-examples.md, and the Uniform prior with K = 10 and K = 1000); plus the error table.
/// </summary>
/// <typeparam name="T">The element type of the gradient-descent runs (the closed forms are double).</typeparam>
public abstract class SmoothingTheoryTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<string> LabelDependentPriors => new() { "FromDistribution", "FromDistributionWithZeros", "Ordinal(0.01)", "Ordinal(1)", "Ordinal(50)" };

    /// <summary>
    /// Where a gradient-descent run must end, from a random start: the gap within 1e-10 (double) or 1e-4 (float) of the closed form, the loss within
    /// 1e-12 (double) or 1e-6 (float) of <see cref="SmoothingTheory.MinimumLoss"/>. Measured: double ≤ 1e-13 in gap and loss; float gaps stall at
    /// 1.5e-5 (K = 10) and 1.8e-6 (K = 1000) and losses at 3e-8, where the float gradient's rounding balances the step.
    /// </summary>
    private static double GapTolerance => TestNumerics<T>.IsSingle ? 1e-4 : 1e-10;

    private static double LossTolerance => TestNumerics<T>.IsSingle ? 1e-6 : 1e-12;

    [Fact]
    public void Seeds000_eleven_classes_xi_tenth_UniformOthers_gap_is_ln90_and_minimum_loss_is_0_55534()
    {
        // docs/worked-examples.md, W9: K = 10 "other" classes (11 logits), α = 0.1 on the others; the tutorial prints 4.4995 and 0.5553.
        double gap = SmoothingTheory.OptimalLogitGap(11, 0.1, SmoothingPrior.UniformOthers);
        double minimum = SmoothingTheory.MinimumLoss(11, 0.1, SmoothingPrior.UniformOthers);

        gap.Should().BeApproximately(Math.Log(90.0), 1e-15);
        gap.Should().BeApproximately(4.49981, 5e-6);
        gap.Should().BeApproximately(4.4995, 5e-4, "the document prints 4.4995 after 40 000 steps");
        minimum.Should().BeApproximately(-(0.9 * Math.Log(0.9)) - (10 * 0.01 * Math.Log(0.01)), 1e-15);
        minimum.Should().BeApproximately(0.55534, 5e-6);
        minimum.Should().BeApproximately(0.5553, 5e-5, "the document prints 0.5553");
        for (int label = 0; label < 11; label++)
        {
            SmoothingTheory.OptimalLogitGap(11, 0.1, SmoothingPrior.UniformOthers, label).Should().BeApproximately(gap, 1e-15);
            SmoothingTheory.MinimumLoss(11, 0.1, SmoothingPrior.UniformOthers, label).Should().BeApproximately(minimum, 1e-15);
        }
    }

    [Fact]
    public void Seeds000_gradient_descent_on_the_library_loss_reaches_the_closed_forms()
    {
        // The document's experiment: 40 000 steps of plain gradient descent, lr 0.1, from random logits (torch.randn there), on
        // c(a) = (α/K)·Σ a_k + log(1 + Σ exp(−a_k)) over the 10 gaps a_k = z_y − z_k. Here on 11 logits with the library's own gradient.
        const int K = 11, Label = 0, Steps = 40_000;
        const double Xi = 0.1;
        var loss = new CrossEntropyLoss(K, Xi, prior: SmoothingPrior.UniformOthers);
        var (z, value) = Descend(loss, K, Label, learningRate: 0.1, Steps, seed: 2016);

        double gap = SmoothingTheory.OptimalLogitGap(K, Xi, SmoothingPrior.UniformOthers);
        double minimum = SmoothingTheory.MinimumLoss(K, Xi, SmoothingPrior.UniformOthers);
        double gapSum = 0.0, expSum = 0.0;
        for (int k = 0; k < K; k++)
        {
            if (k != Label)
            {
                double a = TestNumerics<T>.ToDouble(z[Label] - z[k]);
                a.Should().BeApproximately(gap, GapTolerance, $"gap to class {k}");
                a.Should().BeApproximately(4.4995, 5e-4, "the document prints 4.4995");
                gapSum += a;
                expSum += Math.Exp(-a);
            }
        }

        TestNumerics<T>.ToDouble(value).Should().BeApproximately(minimum, LossTolerance);
        TestNumerics<T>.ToDouble(value).Should().BeApproximately(0.5553, 5e-5, "the document prints 0.5553");

        // The document's reduced loss c(a) is the same function: evaluated at the final gaps it gives the library's value.
        double documentLoss = (Xi / 10 * gapSum) + Math.Log(1.0 + expSum);
        documentLoss.Should().BeApproximately(TestNumerics<T>.ToDouble(value), 10 * LossTolerance);
    }

    [Theory]
    [InlineData(10, 40_000, true)]
    [InlineData(1000, 300, false)]
    public void Gradient_descent_with_the_Uniform_prior_converges_to_OptimalLogitGap_and_MinimumLoss(int numClasses, int steps, bool randomStart)
    {
        // Plain gradient descent on the library's ForwardBackward. The Hessian diag(p) − ppᵀ has curvature p_k ≈ α/K along the directions
        // that move one other class, so the learning rate scales with K: lr = K/100 (0.1 for K = 10, the document's; 10 for K = 1000, which
        // the largest curvature, at most 1/4, still allows; lr = 50 diverges). From random logits K = 10 needs the document's 40 000 steps.
        // For K = 1000 the run starts from equal logits, where every other class moves together and only the gap mode (curvature ≈ 0.09) is
        // left: 300 steps suffice (from random logits the p_k ≈ 1e−4 modes would need 3·10^4 steps; see the Newton-like test below).
        const double Alpha = 0.1;
        const int Label = 3;
        var loss = new CrossEntropyLoss(numClasses, Alpha);
        var (z, value) = Descend(loss, numClasses, Label, learningRate: numClasses / 100.0, steps, seed: randomStart ? numClasses : null);

        double gap = SmoothingTheory.OptimalLogitGap(numClasses, Alpha);
        double minimum = SmoothingTheory.MinimumLoss(numClasses, Alpha);
        double worstGap = 0.0;
        for (int k = 0; k < numClasses; k++)
        {
            if (k != Label)
            {
                worstGap = Math.Max(worstGap, Math.Abs(TestNumerics<T>.ToDouble(z[Label] - z[k]) - gap));
            }
        }

        // The float loss adds the K smoothing terms α/K·(m − z_c), all ≈ α/K·gap here, per SIMD lane in float. On the narrowest vector
        // path (Vector128, 4 lanes: DOTNET_EnableAVX2=0) a lane adds K/4 of them, whose roundings share their sign, so the error reaches
        // the bound of recursive summation, (K/4 − 1)·u·α·gap with u = 2^−24 (1.4e-5 for K = 1000). Measured for K = 1000: 1.2e-7
        // (Vector512), 4.7e-7 (Vector256), 1.07e-6 (Vector128), 4e-9 (no SIMD: double sums); the loss in double at the same logits is
        // within 2e-13 of the minimum.
        double summationBound = ((numClasses / 4.0) - 1.0) * Math.Pow(2.0, -24) * Alpha * gap;
        double lossTolerance = TestNumerics<T>.IsSingle ? Math.Max(LossTolerance, summationBound) : LossTolerance;
        worstGap.Should().BeLessThanOrEqualTo(GapTolerance, $"every gap z_y − z_k converges to log(1 + K(1 − α)/α) = {gap}");
        TestNumerics<T>.ToDouble(value).Should().BeApproximately(minimum, lossTolerance, "the loss converges to H(S(e_y))");
        SmoothingTheory.OptimalLogitGap(numClasses, Alpha, SmoothingPrior.Uniform, Label).Should().Be(gap);
    }

    [Fact]
    public void Newton_like_steps_with_K_1000_from_random_logits_converge_to_OptimalLogitGap_and_MinimumLoss()
    {
        // The mirror-descent step of softmax cross-entropy, z ← z + η·log(1 − g/p) with the library's gradient g and p = softmax(z): unweighted,
        // g = p − q, so the step is η·(log q − log p) and log p approaches log q geometrically (factor 1 − η per step; η = 1 is the exact
        // minimiser, a Newton step in the softmax's natural coordinates). η = 1/2 and 60 steps from random logits in [−1, 1).
        const int K = 1000, Label = 3, Steps = 60;
        const double Alpha = 0.1;
        var loss = new CrossEntropyLoss(K, Alpha);
        T[] z = TestNumerics<T>.Random(K, -1.0, 1.0, seed: 1000);
        var gradient = new T[K];
        var p = new T[K];
        T half = TestNumerics<T>.Of(0.5);
        for (int step = 0; step < Steps; step++)
        {
            loss.ForwardBackward<T>(z, [Label], gradient);
            LogSoftmax.Softmax<T>(z, K, p);
            for (int k = 0; k < K; k++)
            {
                z[k] += half * T.Log(T.One - (gradient[k] / p[k]));
            }
        }

        T value = loss.ForwardBackward<T>(z, [Label], gradient);
        double gap = SmoothingTheory.OptimalLogitGap(K, Alpha);
        double worstGap = 0.0;
        for (int k = 0; k < K; k++)
        {
            if (k != Label)
            {
                worstGap = Math.Max(worstGap, Math.Abs(TestNumerics<T>.ToDouble(z[Label] - z[k]) - gap));
            }
        }

        gap.Should().BeApproximately(9.105, 5e-4);
        worstGap.Should().BeLessThanOrEqualTo(GapTolerance);
        TestNumerics<T>.ToDouble(value).Should().BeApproximately(SmoothingTheory.MinimumLoss(K, Alpha), LossTolerance);
        TestNumerics<T>.Doubles(gradient).Should().OnlyContain(g => Math.Abs(g) <= LossTolerance, "the gradient vanishes at the optimum");
    }

    [Fact]
    public void Closed_form_values_of_peers_section_7()
    {
        SmoothingTheory.OptimalLogitGap(10, 0.1).Should().BeApproximately(Math.Log(91.0), 1e-14);
        SmoothingTheory.OptimalLogitGap(10, 0.1).Should().BeApproximately(4.5109, 5e-5);
        SmoothingTheory.OptimalLogitGap(10, 0.1, SmoothingPrior.UniformOthers).Should().BeApproximately(Math.Log(81.0), 1e-14);
        SmoothingTheory.OptimalLogitGap(10, 0.1, SmoothingPrior.UniformOthers).Should().BeApproximately(4.3944, 5e-5);
        SmoothingTheory.OptimalLogitGap(1000, 0.1).Should().BeApproximately(9.105, 5e-4);
        SmoothingTheory.OptimalLogitGap(32000, 0.1).Should().BeApproximately(12.571, 5e-4);
        SmoothingTheory.MinimumLoss(10, 0.1).Should().BeApproximately(0.500, 5e-4);
        SmoothingTheory.MinimumLoss(1000, 0.1).Should().BeApproximately(1.015, 5e-4);
        SmoothingTheory.MinimumLoss(32000, 0.1).Should().BeApproximately(1.362, 5e-4);
    }

    [Theory]
    [InlineData(2, 1e-6)]
    [InlineData(2, 0.5)]
    [InlineData(3, 0.05)]
    [InlineData(10, 0.1)]
    [InlineData(10, 0.9)]
    [InlineData(1000, 0.1)]
    [InlineData(1000, 0.999)]
    [InlineData(32000, 0.1)]
    public void Uniform_and_UniformOthers_gaps_and_minimum_losses_match_the_formulas(int numClasses, double alpha)
    {
        double k = numClasses;
        SmoothingTheory.OptimalLogitGap(numClasses, alpha).Should().BeApproximately(Math.Log(1.0 + (k * (1.0 - alpha) / alpha)), 1e-13);
        SmoothingTheory.OptimalLogitGap(numClasses, alpha, SmoothingPrior.UniformOthers)
            .Should().BeApproximately(Math.Log((k - 1.0) * (1.0 - alpha) / alpha), 1e-13);

        // H(q): q_y = 1 − α + α/K and α/K elsewhere (Uniform); 1 − α and α/(K − 1) elsewhere (UniformOthers).
        double onLabel = 1.0 - alpha + (alpha / k);
        double uniform = -(onLabel * Math.Log(onLabel)) - ((k - 1.0) * (alpha / k) * Math.Log(alpha / k));
        double others = -((1.0 - alpha) * Math.Log(1.0 - alpha)) - (alpha * Math.Log(alpha / (k - 1.0)));
        // MinimumLoss adds K terms one by one: allow K·ε relative (observed 1.3e-13 at K = 32000).
        double sumTolerance = Math.Max(1e-13, numClasses * 1e-16);
        SmoothingTheory.MinimumLoss(numClasses, alpha).Should().BeApproximately(uniform, sumTolerance * Math.Max(1.0, uniform));
        SmoothingTheory.MinimumLoss(numClasses, alpha, SmoothingPrior.UniformOthers).Should().BeApproximately(others, sumTolerance * Math.Max(1.0, others));

        // Every label gives the same for these priors; null is Uniform.
        foreach (int label in new[] { 0, numClasses / 2, numClasses - 1 })
        {
            SmoothingTheory.OptimalLogitGap(numClasses, alpha, null, label).Should().Be(SmoothingTheory.OptimalLogitGap(numClasses, alpha));
            SmoothingTheory.OptimalLogitGap(numClasses, alpha, SmoothingPrior.UniformOthers, label)
                .Should().Be(SmoothingTheory.OptimalLogitGap(numClasses, alpha, SmoothingPrior.UniformOthers));
            SmoothingTheory.MinimumLoss(numClasses, alpha, null, label).Should().BeApproximately(uniform, sumTolerance * Math.Max(1.0, uniform), "the sum's order depends on the label");
        }

        SmoothingTheory.OptimalLogitGap(numClasses, alpha, null).Should().Be(SmoothingTheory.OptimalLogitGap(numClasses, alpha, SmoothingPrior.Uniform));
    }

    [Fact]
    public void Gap_is_infinite_and_minimum_loss_zero_at_alpha_zero_for_every_prior()
    {
        foreach (SmoothingPrior prior in new[] { SmoothingPrior.Uniform, SmoothingPrior.UniformOthers })
        {
            SmoothingTheory.OptimalLogitGap(5, 0.0, prior).Should().Be(double.PositiveInfinity);
        }

        foreach (SmoothingPrior prior in AllPriors(5))
        {
            for (int label = 0; label < 5; label++)
            {
                SmoothingTheory.OptimalLogitGap(5, 0.0, prior, label).Should().Be(double.PositiveInfinity, prior.ToString());
                SmoothingTheory.MinimumLoss(5, 0.0, prior, label).Should().Be(0.0, prior.ToString());
            }
        }

        // The other end, α = 1: Uniform puts 1/K everywhere (gap 0, loss log K); UniformOthers leaves the label nothing (gap −∞).
        SmoothingTheory.OptimalLogitGap(5, 1.0).Should().Be(0.0);
        SmoothingTheory.MinimumLoss(5, 1.0).Should().BeApproximately(Math.Log(5.0), 1e-15);
        SmoothingTheory.OptimalLogitGap(5, 1.0, SmoothingPrior.UniformOthers).Should().Be(double.NegativeInfinity);
        SmoothingTheory.MinimumLoss(5, 1.0, SmoothingPrior.UniformOthers).Should().BeApproximately(Math.Log(4.0), 1e-15);
    }

    [Theory]
    [MemberData(nameof(LabelDependentPriors))]
    public void Per_label_gap_and_minimum_loss_equal_the_smoothed_target_of_GetDistribution(string priorName)
    {
        foreach (int numClasses in new[] { 2, 5, 12 })
        {
            SmoothingPrior prior = PriorFor(priorName, numClasses);
            foreach (double alpha in new[] { 0.05, 0.3, 0.8 })
            {
                for (int label = 0; label < numClasses; label++)
                {
                    double[] q = SmoothedTarget(prior, numClasses, alpha, label);
                    double strongest = double.NegativeInfinity;
                    double entropy = 0.0;
                    for (int k = 0; k < numClasses; k++)
                    {
                        entropy += q[k] > 0.0 ? -q[k] * Math.Log(q[k]) : 0.0;
                        if (k != label)
                        {
                            strongest = Math.Max(strongest, Math.Log(q[k]));
                        }
                    }

                    double expectedGap = Math.Log(q[label]) - strongest;
                    string because = $"{priorName}, K = {numClasses}, α = {alpha}, label {label}";
                    double gap = SmoothingTheory.OptimalLogitGap(numClasses, alpha, prior, label);
                    if (double.IsPositiveInfinity(expectedGap))
                    {
                        gap.Should().Be(double.PositiveInfinity, because + ": no other class gets mass");
                    }
                    else
                    {
                        gap.Should().BeApproximately(expectedGap, 1e-13 * Math.Max(1.0, Math.Abs(expectedGap)), because);
                    }

                    SmoothingTheory.MinimumLoss(numClasses, alpha, prior, label).Should().BeApproximately(entropy, 1e-14 * Math.Max(1.0, entropy), because);
                }
            }
        }
    }

    [Fact]
    public void Ordinal_gaps_follow_the_scale_and_approach_UniformOthers()
    {
        // A tiny scale puts all the mass on the neighbours: an interior label shares α between two classes, an end label gives it to one.
        const double Alpha = 0.2;
        SmoothingTheory.OptimalLogitGap(9, Alpha, SmoothingPrior.Ordinal(0.01), 4).Should().BeApproximately(Math.Log(0.8 / 0.1), 1e-12);
        SmoothingTheory.OptimalLogitGap(9, Alpha, SmoothingPrior.Ordinal(0.01), 0).Should().BeApproximately(Math.Log(0.8 / 0.2), 1e-12);

        // A large scale tends to UniformOthers (log((K − 1)(1 − α)/α) = log 32 here); the gap grows with the scale.
        double others = SmoothingTheory.OptimalLogitGap(9, Alpha, SmoothingPrior.UniformOthers);
        double previous = double.NegativeInfinity;
        foreach (double scale in new[] { 0.01, 1.0, 50.0, 1e6 })
        {
            double gap = SmoothingTheory.OptimalLogitGap(9, Alpha, SmoothingPrior.Ordinal(scale), 4);
            gap.Should().BeGreaterThan(previous);
            previous = gap;
        }

        previous.Should().BeApproximately(others, 1e-5);
        SmoothingTheory.OptimalLogitGap(9, Alpha, SmoothingPrior.Ordinal(50), 4).Should().BeApproximately(others, 0.1);
    }

    [Theory]
    [MemberData(nameof(LabelDependentPriors))]
    public void At_the_closed_form_optimum_the_library_loss_is_MinimumLoss_and_the_gap_is_OptimalLogitGap(string priorName)
    {
        const int K = 7;
        const double Alpha = 0.3;
        SmoothingPrior prior = PriorFor(priorName, K);
        var loss = new CrossEntropyLoss(K, Alpha, Reduction.None, prior: prior);
        for (int label = 0; label < K; label++)
        {
            double[] q = SmoothedTarget(prior, K, Alpha, label);
            var z = new T[K];
            for (int k = 0; k < K; k++)
            {
                // log q; a zero mass is held at −700 (its p_k ≈ 1e−304 is nothing), which stays finite in float and double.
                z[k] = TestNumerics<T>.Of(Math.Max(Math.Log(q[k]), -700.0));
            }

            var losses = new T[1];
            var gradient = new T[K];
            loss.Forward<T>(z, [label], losses);
            loss.ForwardBackward<T>(z, [label], gradient);
            string because = $"{priorName}, label {label}";
            TestNumerics<T>.ShouldBeClose(losses[0], SmoothingTheory.MinimumLoss(K, Alpha, prior, label), because: because);
            TestNumerics<T>.Doubles(gradient).Should().OnlyContain(g => Math.Abs(g) <= 10 * TestNumerics<T>.Tolerance, because + ": the gradient vanishes");

            double strongestOther = double.NegativeInfinity;
            for (int k = 0; k < K; k++)
            {
                if (k != label)
                {
                    strongestOther = Math.Max(strongestOther, TestNumerics<T>.ToDouble(z[k]));
                }
            }

            double gap = SmoothingTheory.OptimalLogitGap(K, Alpha, prior, label);
            if (double.IsPositiveInfinity(gap))
            {
                strongestOther.Should().Be(-700.0, because + ": an infinite gap means no other class has mass");
            }
            else
            {
                (TestNumerics<T>.ToDouble(z[label]) - strongestOther).Should().BeApproximately(gap, 1e-5 * Math.Max(1.0, gap), because);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-3)]
    public void Fewer_than_two_classes_throws_ArgumentOutOfRange_numClasses(int numClasses)
    {
        AssertParam<ArgumentOutOfRangeException>(() => SmoothingTheory.OptimalLogitGap(numClasses, 0.1), "numClasses");
        AssertParam<ArgumentOutOfRangeException>(() => SmoothingTheory.OptimalLogitGap(numClasses, 0.1, SmoothingPrior.UniformOthers), "numClasses");
        AssertParam<ArgumentOutOfRangeException>(() => SmoothingTheory.OptimalLogitGap(numClasses, 0.1, null, 0), "numClasses");
        AssertParam<ArgumentOutOfRangeException>(() => SmoothingTheory.OptimalLogitGap(numClasses, 0.1, SmoothingPrior.Ordinal(2), 0), "numClasses");
        AssertParam<ArgumentOutOfRangeException>(() => SmoothingTheory.MinimumLoss(numClasses, 0.1), "numClasses");
        AssertParam<ArgumentOutOfRangeException>(() => SmoothingTheory.MinimumLoss(numClasses, 0.1, SmoothingPrior.UniformOthers, 0), "numClasses");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(int.MinValue)]
    public void Label_outside_the_classes_throws_ArgumentOutOfRange_label(int label)
    {
        AssertParam<ArgumentOutOfRangeException>(() => SmoothingTheory.OptimalLogitGap(5, 0.1, null, label), "label");
        AssertParam<ArgumentOutOfRangeException>(() => SmoothingTheory.OptimalLogitGap(5, 0.1, SmoothingPrior.Ordinal(1), label), "label");
        AssertParam<ArgumentOutOfRangeException>(() => SmoothingTheory.MinimumLoss(5, 0.1, null, label), "label");
        AssertParam<ArgumentOutOfRangeException>(() => SmoothingTheory.MinimumLoss(5, 0.1, SmoothingPrior.UniformOthers, label), "label");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.1)]
    [InlineData(-1e-300)]
    [InlineData(1.0000001)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Invalid_alpha_throws_ArgumentOutOfRange_alpha(double alpha)
    {
        AssertParam<ArgumentOutOfRangeException>(() => SmoothingTheory.OptimalLogitGap(5, alpha), "alpha");
        AssertParam<ArgumentOutOfRangeException>(() => SmoothingTheory.OptimalLogitGap(5, alpha, SmoothingPrior.UniformOthers), "alpha");
        AssertParam<ArgumentOutOfRangeException>(() => SmoothingTheory.OptimalLogitGap(5, alpha, SmoothingPrior.Ordinal(1), 2), "alpha");
        AssertParam<ArgumentOutOfRangeException>(() => SmoothingTheory.MinimumLoss(5, alpha), "alpha");
        AssertParam<ArgumentOutOfRangeException>(() => SmoothingTheory.MinimumLoss(5, alpha, SmoothingPrior.FromDistribution([0.2, 0.2, 0.2, 0.2, 0.2]), 1), "alpha");
    }

    [Fact]
    public void Label_dependent_prior_without_a_label_and_a_prior_of_the_wrong_length_throw_ArgumentException_prior()
    {
        // The gap of a class prior or an ordinal prior depends on the label: the three-argument overload refuses it.
        AssertParam<ArgumentException>(() => SmoothingTheory.OptimalLogitGap(5, 0.1, SmoothingPrior.Ordinal(1)), "prior", exact: true);
        AssertParam<ArgumentException>(() => SmoothingTheory.OptimalLogitGap(5, 0.1, SmoothingPrior.Ordinal(0.01)), "prior", exact: true);
        AssertParam<ArgumentException>(
            () => SmoothingTheory.OptimalLogitGap(5, 0.1, SmoothingPrior.FromDistribution([0.2, 0.2, 0.2, 0.2, 0.2])), "prior", exact: true);

        // A class prior of another length than K.
        SmoothingPrior threeClasses = SmoothingPrior.FromDistribution([0.5, 0.25, 0.25]);
        AssertParam<ArgumentException>(() => SmoothingTheory.OptimalLogitGap(5, 0.1, threeClasses, 0), "prior", exact: true);
        AssertParam<ArgumentException>(() => SmoothingTheory.MinimumLoss(5, 0.1, threeClasses, 0), "prior", exact: true);
        AssertParam<ArgumentException>(() => SmoothingTheory.MinimumLoss(2, 0.1, threeClasses), "prior", exact: true);

        // With the right length it works (and equals the uniform prior when the distribution is uniform).
        SmoothingTheory.OptimalLogitGap(3, 0.1, SmoothingPrior.FromDistribution([1.0 / 3, 1.0 / 3, 1.0 / 3]), 1)
            .Should().BeApproximately(SmoothingTheory.OptimalLogitGap(3, 0.1), 1e-12);
    }

    /// <summary>Plain gradient descent from random logits in [−1, 1) (<paramref name="seed"/> given) or from zeros; returns the logits and the last loss.</summary>
    private static (T[] Logits, T Loss) Descend(CrossEntropyLoss loss, int numClasses, int label, double learningRate, int steps, int? seed)
    {
        T[] z = seed is int value ? TestNumerics<T>.Random(numClasses, -1.0, 1.0, value) : new T[numClasses];
        var gradient = new T[numClasses];
        int[] labels = [label];
        T rate = TestNumerics<T>.Of(learningRate);
        T last = T.Zero;
        for (int step = 0; step < steps; step++)
        {
            last = loss.ForwardBackward<T>(z, labels, gradient);
            for (int k = 0; k < numClasses; k++)
            {
                z[k] -= rate * gradient[k];
            }
        }

        return (z, last);
    }

    private static SmoothingPrior[] AllPriors(int numClasses) =>
    [
        SmoothingPrior.Uniform, SmoothingPrior.UniformOthers, PriorFor("FromDistribution", numClasses), PriorFor("FromDistributionWithZeros", numClasses),
        SmoothingPrior.Ordinal(0.01), SmoothingPrior.Ordinal(1), SmoothingPrior.Ordinal(50),
    ];

    private static SmoothingPrior PriorFor(string name, int numClasses)
    {
        switch (name)
        {
            case "FromDistribution":
            case "FromDistributionWithZeros":
                var p = new double[numClasses];
                double total = 0.0;
                for (int k = 0; k < numClasses; k++)
                {
                    // With zeros: every other class gets nothing, so label 0 of K = 2 has no competitor with mass (gap +∞).
                    p[k] = name == "FromDistribution" ? 1.0 + (k % 4) : (k % 2 == 0 ? 1.0 + k : 0.0);
                    total += p[k];
                }

                for (int k = 0; k < numClasses; k++)
                {
                    p[k] /= total;
                }

                return SmoothingPrior.FromDistribution(p);
            case "Ordinal(0.01)":
                return SmoothingPrior.Ordinal(0.01);
            case "Ordinal(1)":
                return SmoothingPrior.Ordinal(1.0);
            case "Ordinal(50)":
                return SmoothingPrior.Ordinal(50.0);
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "unknown prior");
        }
    }

    /// <summary><c>S(e_y) = (1 − α)·e_y + α·u(y)</c> from the public <see cref="SmoothingPrior.GetDistribution"/>.</summary>
    private static double[] SmoothedTarget(SmoothingPrior prior, int numClasses, double alpha, int label)
    {
        var q = new double[numClasses];
        prior.GetDistribution(numClasses, label, q);
        for (int k = 0; k < numClasses; k++)
        {
            q[k] *= alpha;
        }

        q[label] += 1.0 - alpha;
        return q;
    }

    private static void AssertParam<TException>(Action action, string paramName, bool exact = false)
        where TException : ArgumentException
    {
        var thrown = exact
            ? action.Should().ThrowExactly<TException>().Which
            : action.Should().Throw<TException>().Which;
        thrown.ParamName.Should().Be(paramName, thrown.Message);
    }
}

/// <summary>Smoothing theory, gradient descent in single precision.</summary>
public sealed class SmoothingTheoryTestsSingle : SmoothingTheoryTests<float>;

/// <summary>Smoothing theory, gradient descent in double precision.</summary>
public sealed class SmoothingTheoryTestsDouble : SmoothingTheoryTests<double>;
