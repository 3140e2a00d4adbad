using System;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The identities of the family, in float and double: γ = 0 focal, ε = 0 Poly-1 and β = 0 confidence penalty are the cross-entropy with the
/// same smoothing, prior and (focal) class weights; relaxation with α = 0 is the cross-entropy and is exactly 0 with a zero gradient once
/// <c>p_y ≥ 1 − α</c>; distillation of a student by itself is exactly 0 with a zero gradient; γ = 0 binary focal without balancing is the
/// binary cross-entropy. Also: reductions, ignored samples, a gradient written over the logits, and the parallel path.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public abstract class FamilyPropertyTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly double Tolerance = TestNumerics<T>.IsSingle ? 1e-5 : 1e-12;

    public static TheoryData<int, PriorKind, Reduction> CrossEntropyCases()
    {
        var data = new TheoryData<int, PriorKind, Reduction>();
        foreach (int k in new[] { 3, 10, 37, 1000 })
        {
            foreach (var prior in Enum.GetValues<PriorKind>())
            {
                data.Add(k, prior, k == 10 ? Reduction.None : Reduction.Sum);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CrossEntropyCases))]
    public void Focal_with_gamma_0_is_the_weighted_smoothed_cross_entropy(int numClasses, PriorKind prior, Reduction reduction)
    {
        var (logits, labels, smoothingPrior, weights) = Batch(numClasses, prior);
        var focal = new FocalLoss(numClasses, 0.0, 0.1, reduction, weights, -100, smoothingPrior);
        var crossEntropy = new CrossEntropyLoss(numClasses, 0.1, reduction, weights, -100, smoothingPrior);
        ShouldAgree((l, g) => focal.ForwardBackward<T>(logits, labels, g), (l, g) => crossEntropy.ForwardBackward<T>(logits, labels, g), logits.Length);
        ShouldAgree((l, _) => Losses(() => focal.Forward<T>(logits, labels, l)), (l, _) => Losses(() => crossEntropy.Forward<T>(logits, labels, l)), labels.Length);
    }

    [Theory]
    [MemberData(nameof(CrossEntropyCases))]
    public void Poly_with_epsilon_0_is_the_smoothed_cross_entropy(int numClasses, PriorKind prior, Reduction reduction)
    {
        var (logits, labels, smoothingPrior, _) = Batch(numClasses, prior);
        var poly = new PolyLoss(numClasses, 0.0, 0.1, reduction, -100, smoothingPrior);
        var crossEntropy = new CrossEntropyLoss(numClasses, 0.1, reduction, null, -100, smoothingPrior);
        ShouldAgree((l, g) => poly.ForwardBackward<T>(logits, labels, g), (l, g) => crossEntropy.ForwardBackward<T>(logits, labels, g), logits.Length);
        ShouldAgree((l, _) => Losses(() => poly.Forward<T>(logits, labels, l)), (l, _) => Losses(() => crossEntropy.Forward<T>(logits, labels, l)), labels.Length);
    }

    [Theory]
    [MemberData(nameof(CrossEntropyCases))]
    public void Confidence_penalty_with_beta_0_is_the_smoothed_cross_entropy(int numClasses, PriorKind prior, Reduction reduction)
    {
        var (logits, labels, smoothingPrior, _) = Batch(numClasses, prior);
        var penalty = new ConfidencePenaltyLoss(numClasses, 0.0, 0.1, reduction, -100, smoothingPrior);
        var crossEntropy = new CrossEntropyLoss(numClasses, 0.1, reduction, null, -100, smoothingPrior);
        ShouldAgree((l, g) => penalty.ForwardBackward<T>(logits, labels, g), (l, g) => crossEntropy.ForwardBackward<T>(logits, labels, g), logits.Length);
    }

    [Theory]
    [InlineData(3, Reduction.Sum)]
    [InlineData(37, Reduction.Mean)]
    [InlineData(1000, Reduction.None)]
    public void Relaxation_with_alpha_0_is_the_cross_entropy(int numClasses, Reduction reduction)
    {
        var (logits, labels, _, _) = Batch(numClasses, PriorKind.Uniform);
        var relaxation = new LabelRelaxationLoss(numClasses, 0.0, reduction);
        var crossEntropy = new CrossEntropyLoss(numClasses, 0.0, reduction);
        ShouldAgree((l, g) => relaxation.ForwardBackward<T>(logits, labels, g), (l, g) => crossEntropy.ForwardBackward<T>(logits, labels, g), logits.Length);
    }

    [Theory]
    [InlineData(3, 0.1)]
    [InlineData(20, 0.3)]
    [InlineData(1000, 0.05)]
    public void Relaxation_is_0_with_a_zero_gradient_once_the_label_has_probability_1_minus_alpha(int numClasses, double alpha)
    {
        // Row 0: p_y just above 1 − α; row 1: p_y far above; row 2: just below (a positive loss, the control).
        T[] logits = new T[3 * numClasses];
        int[] labels = [0, numClasses - 1, numClasses / 2];
        double[] margins = [Math.Log((1.0 - alpha + 1e-3) / (alpha - 1e-3) * (numClasses - 1)), 30.0, Math.Log((1.0 - alpha - 1e-3) / (alpha + 1e-3) * (numClasses - 1))];
        for (int i = 0; i < 3; i++)
        {
            logits[(i * numClasses) + labels[i]] = T.CreateTruncating(margins[i]);
        }

        var relaxation = new LabelRelaxationLoss(numClasses, alpha, Reduction.None);
        var losses = TestNumerics<T>.Filled(3);
        relaxation.Forward<T>(logits, labels, losses);
        var gradient = TestNumerics<T>.Filled(logits.Length);
        T total = relaxation.ForwardBackward<T>(logits, labels, gradient);

        losses[0].Should().Be(T.Zero);
        losses[1].Should().Be(T.Zero);
        gradient.Take(2 * numClasses).All(g => g == T.Zero).Should().BeTrue("rows inside the credal set have a zero gradient");
        double below = (1.0 - alpha) * Math.Log((1.0 - alpha) / (1.0 - alpha - 1e-3)) + (alpha * Math.Log(alpha / (alpha + 1e-3)));
        TestNumerics<T>.ShouldBeClose(losses[2], below, 1.0, "the closed form just below the threshold");
        TestNumerics<T>.ShouldBeClose(total, below, 1.0, "only the row below the threshold counts");
        gradient.Skip(2 * numClasses).Any(g => g != T.Zero).Should().BeTrue("the row below the threshold has a gradient");
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(5, 0.5)]
    [InlineData(37, 2.0)]
    [InlineData(1000, 10.0)]
    public void Distillation_of_a_student_by_itself_is_exactly_0_with_a_zero_gradient(int numClasses, double temperature)
    {
        T[] logits = TestNumerics<T>.Random(4 * numClasses, -30.0, 30.0, seed: numClasses);
        var distillation = new DistillationLoss(numClasses, temperature, true, Reduction.Sum);
        var gradient = TestNumerics<T>.Filled(logits.Length);
        T loss = distillation.ForwardBackward<T>(logits, logits, gradient);
        var losses = TestNumerics<T>.Filled(4);
        distillation.Forward<T>(logits, logits.ToArray(), losses);

        loss.Should().Be(T.Zero);
        losses.All(l => l == T.Zero).Should().BeTrue("every per-sample loss is exactly 0");
        gradient.All(g => g == T.Zero).Should().BeTrue("every gradient entry is exactly 0");
    }

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(5, 0.1)]
    [InlineData(37, 1.0)]
    public void Binary_focal_with_gamma_0_and_no_balancing_is_the_binary_cross_entropy(int numLabels, double smoothing)
    {
        T[] logits = TestNumerics<T>.Random(6 * numLabels, -6.0, 6.0, seed: numLabels);
        T[] targets = TestNumerics<T>.Random(6 * numLabels, 0.0, 1.0, seed: numLabels + 1);
        var focal = new BinaryFocalLoss(numLabels, 0.0, -1.0, smoothing, Reduction.Mean);
        var bce = new BinaryCrossEntropyLoss(numLabels, smoothing, Reduction.Mean);
        ShouldAgree((l, g) => focal.ForwardBackward<T>(logits, targets, g), (l, g) => bce.ForwardBackward<T>(logits, targets, g), logits.Length);
    }

    [Theory]
    [MemberData(nameof(FamilyLosses))]
    public void Mean_is_the_sum_over_the_counted_samples_and_ignored_samples_are_0(string name)
    {
        var sum = FamilyCases.Subject<T>(name, 12, 9, Reduction.Sum, seed: 5);
        var mean = FamilyCases.Subject<T>(name, 12, 9, Reduction.Mean, seed: 5);
        var (sumLoss, sumGradient) = sum.ForwardBackward();
        var (meanLoss, meanGradient) = mean.ForwardBackward();
        double count = sum.Labels?.Count(y => y != -100) ?? sum.LossCount;
        TestNumerics<T>.ShouldBeClose(meanLoss, double.CreateTruncating(sumLoss) / count);
        TestNumerics<T>.ShouldAllBeClose(meanGradient, TestNumerics<T>.Doubles(sumGradient).Select(g => g / count).ToArray());

        T[] losses = sum.Losses();
        TestNumerics<T>.ShouldBeClose(sumLoss, TestNumerics<T>.Doubles(losses).Sum());
        for (int i = 0; sum.Labels is not null && i < sum.Labels.Length; i++)
        {
            if (sum.Labels[i] == -100)
            {
                losses[i].Should().Be(T.Zero);
                sumGradient.Skip(i * 9).Take(9).All(g => g == T.Zero).Should().BeTrue("sample {0} is ignored", i);
            }
        }
    }

    [Theory]
    [MemberData(nameof(FamilyLosses))]
    public void A_mean_over_no_counted_sample_is_0_with_a_zero_gradient(string name)
    {
        var subject = FamilyCases.Subject<T>(name, 4, 6, Reduction.Mean, seed: 3);
        int[]? labels = subject.Labels is null ? null : Enumerable.Repeat(-100, 4).ToArray();
        T[] logits = labels is null ? [] : subject.Logits;
        T[] second = labels is null ? [] : subject.Second ?? [];
        var gradient = TestNumerics<T>.Filled(logits.Length);
        subject.ForwardBackward(logits, labels, second, gradient).Should().Be(T.Zero);
        subject.Forward(logits, labels, second).Should().Be(T.Zero);
        gradient.All(g => g == T.Zero).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(FamilyLosses))]
    public void A_gradient_written_over_the_logits_equals_one_written_apart(string name)
    {
        foreach (int k in new[] { 3, 37, 1000 })
        {
            var subject = FamilyCases.Subject<T>(name, 5, k, Reduction.Mean, seed: k);
            var (loss, apart) = subject.ForwardBackward();
            T[] inPlace = subject.Logits.ToArray();
            T inPlaceLoss = subject.ForwardBackward(inPlace, subject.Labels, subject.Second, inPlace);
            TestNumerics<T>.ShouldBeClose(inPlaceLoss, double.CreateTruncating(loss));
            TestNumerics<T>.ShouldAllBeClose(inPlace, TestNumerics<T>.Doubles(apart));
        }
    }

    [Theory]
    [MemberData(nameof(SoftmaxLosses))]
    public void Results_do_not_depend_on_the_degree_of_parallelism(string name)
    {
        // 300 × 500 = 150 000 logits: above the parallel threshold of 2^17.
        var serial = FamilyCases.Subject<T>(name, 300, 500, Reduction.Mean, seed: 11, maxDegreeOfParallelism: 1);
        var parallel = FamilyCases.Subject<T>(name, 300, 500, Reduction.Mean, seed: 11);
        var (serialLoss, serialGradient) = serial.ForwardBackward();
        var (parallelLoss, parallelGradient) = parallel.ForwardBackward();
        parallelLoss.Should().Be(serialLoss);
        parallelGradient.Should().Equal(serialGradient);
    }

    [Theory]
    [MemberData(nameof(SoftmaxLosses))]
    public void Large_finite_logits_give_finite_results_and_a_NaN_logit_gives_NaN(string name)
    {
        var subject = FamilyCases.Subject<T>(name, 4, 20, Reduction.Sum, seed: 2);
        T big = T.CreateTruncating(TestNumerics<T>.IsSingle ? 1e4 : 1e300);
        T[] logits = subject.Logits.Select((z, j) => j % 3 == 0 ? big : j % 3 == 1 ? -big : z).ToArray();
        T[] second = subject.Second is null ? [] : subject.Second.Select((t, j) => j % 5 == 0 ? big : t).ToArray();
        var gradient = new T[logits.Length];
        T.IsFinite(subject.ForwardBackward(logits, subject.Labels, second, gradient)).Should().BeTrue();
        gradient.All(T.IsFinite).Should().BeTrue();

        logits[5] = T.NaN;
        T.IsNaN(subject.ForwardBackward(logits, subject.Labels, second, gradient)).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(FamilyLosses))]
    public void A_rejected_call_writes_no_output_and_leaves_its_inputs(string name)
    {
        var subject = FamilyCases.Subject<T>(name, 6, 5, Reduction.Mean, seed: 9);
        T[] logits = subject.Logits.ToArray();
        int[]? labels = subject.Labels?.ToArray();
        T[]? second = subject.Second?.ToArray();
        if (labels is not null)
        {
            labels[5] = 5;
        }
        else
        {
            second![^1] = T.NaN;
        }

        var gradient = TestNumerics<T>.Filled(logits.Length);
        var losses = TestNumerics<T>.Filled(subject.LossCount);
        var act = () => subject.ForwardBackward(logits, labels, second, gradient);
        var perSample = () => subject.Losses(logits, labels, second, losses);
        if (name == "distillation")
        {
            // Teacher logits may be anything (a NaN teacher gives a NaN loss): the bad input is a teacher of the wrong length instead.
            second = second![..^1];
            act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("teacherLogits");
            perSample.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("teacherLogits");
        }
        else
        {
            act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(labels is null ? "targets" : "labels");
            perSample.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(labels is null ? "targets" : "labels");
        }

        gradient.All(g => g == TestNumerics<T>.Sentinel).Should().BeTrue("nothing is written before the arguments are checked");
        losses.All(l => l == TestNumerics<T>.Sentinel).Should().BeTrue("nothing is written before the arguments are checked");
        logits.Should().Equal(subject.Logits, "inputs are never modified");
    }

    public static TheoryData<string> FamilyLosses() => new(FamilyCases.All);

    public static TheoryData<string> SoftmaxLosses() => new(FamilyCases.Softmax);

    /// <summary>Two calls' returned values and outputs agree within the type's tolerance (relative for the scalar, normwise for the array).</summary>
    private static void ShouldAgree(Func<T[], T[], T> actual, Func<T[], T[], T> expected, int length)
    {
        var actualOutput = TestNumerics<T>.Filled(length);
        var expectedOutput = TestNumerics<T>.Filled(length);
        T actualValue = actual(actualOutput, actualOutput);
        T expectedValue = expected(expectedOutput, expectedOutput);
        ErrorMetrics<T>.ScalarError(actualValue, double.CreateTruncating(expectedValue)).Should().BeLessThanOrEqualTo(Tolerance);
        ErrorMetrics<T>.NormwiseError(actualOutput, TestNumerics<T>.Doubles(expectedOutput)).Should().BeLessThanOrEqualTo(Tolerance);
    }

    /// <summary>Runs a call that writes per-sample losses; the scalar compared is 0.</summary>
    private static T Losses(Action call)
    {
        call();
        return T.Zero;
    }

    private static (T[] Logits, int[] Labels, SmoothingPrior Prior, double[] Weights) Batch(int numClasses, PriorKind prior)
    {
        var random = new Random(numClasses * 13);
        T[] logits = TestNumerics<T>.Random(8 * numClasses, -5.0, 5.0, random.Next());
        int[] labels = TestNumerics<T>.RandomLabels(8, numClasses, random.Next());
        labels[3] = -100;
        return (logits, labels, PriorSpec.Random(prior, numClasses, random).Create(), GradientCheckSupport.Uniform(random, numClasses, 0.2, 2.5));
    }
}

/// <summary>The family's identities in single precision.</summary>
public sealed class FamilyPropertyTestsSingle : FamilyPropertyTests<float>;

/// <summary>The family's identities in double precision.</summary>
public sealed class FamilyPropertyTestsDouble : FamilyPropertyTests<double>;
