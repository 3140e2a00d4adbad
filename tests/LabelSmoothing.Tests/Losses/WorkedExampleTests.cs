using System;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>The worked examples W1–W13 of docs/worked-examples.md, each named after its example.</summary>
public abstract class WorkedExampleTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [Fact]
    public void W1_ToCategorical_OfNineLabels_IsTheIdentity()
    {
        int[] labels = [0, 1, 2, 3, 4, 5, 6, 7, 8];

        T[] encoded = OneHot.Encode<T>(labels, 9);
        T[] written = TestNumerics<T>.Filled(81);
        OneHot.Encode<T>(labels, 9, written);

        foreach (T[] result in new[] { encoded, written })
        {
            result.Should().HaveCount(81);
            for (int i = 0; i < 9; i++)
            {
                for (int k = 0; k < 9; k++)
                {
                    TestNumerics<T>.ToDouble(result[(i * 9) + k]).Should().Be(i == k ? 1.0 : 0.0, $"row {i}, column {k}");
                }
            }
        }
    }

    [Fact]
    public void W2_Softmax_Of_1_5_4_Is_0013_0721_0265()
    {
        T[] probabilities = new T[3];
        LogSoftmax.Softmax<T>(TestNumerics<T>.Values(1.0, 5.0, 4.0), 3, probabilities);

        TestNumerics<T>.ShouldAllBeClose(probabilities, [0.0132128869537894, 0.7213991842739687, 0.2653879287722419]);
        double[] printed = [0.013, 0.721, 0.265];
        for (int k = 0; k < 3; k++)
        {
            TestNumerics<T>.ToDouble(probabilities[k]).Should().BeApproximately(printed[k], 5e-4, "the document prints three decimals");
        }
    }

    [Fact]
    public void W3_CrossEntropy_Of_1_5_4_AgainstOneHotLabel1_Is_0327()
    {
        const double Expected = 0.3265626412674705;
        T[] logits = TestNumerics<T>.Values(1.0, 5.0, 4.0);
        var loss = new CrossEntropyLoss(3);

        T fromLabel = loss.Forward<T>(logits, [1]);
        T fromOneHot = loss.Forward<T>(logits, TestNumerics<T>.Values(0.0, 1.0, 0.0));

        TestNumerics<T>.ShouldBeClose(fromLabel, Expected);
        TestNumerics<T>.ShouldBeClose(fromOneHot, Expected);
        Expected.Should().BeApproximately(-Math.Log(0.7213991842739687), 1e-15, "it is −log p_1 of W2");
        TestNumerics<T>.ToDouble(fromLabel).Should().BeApproximately(0.327, 5e-4, "the document prints 0.327");
    }

    [Fact]
    public void W4_SmoothedLabel_Is_Y_Times_OneMinusAlpha_Plus_AlphaOverK_WithTheUniformPrior()
    {
        const double Alpha = 0.2;
        int[] labels = [2, 0];
        var byDefault = new T[8];
        var explicitUniform = new T[8];

        new LabelSmoother(Alpha).Smooth<T>(labels, 4, byDefault);
        new LabelSmoother(Alpha, SmoothingPrior.Uniform).Smooth<T>(labels, 4, explicitUniform);

        // y(1 − α) + α/K: 0.8 + 0.05 on the label, 0.05 elsewhere.
        double[] expected = [0.05, 0.05, 0.85, 0.05, 0.85, 0.05, 0.05, 0.05];
        TestNumerics<T>.ShouldAllBeClose(byDefault, expected);
        TestNumerics<T>.ShouldAllBeClose(explicitUniform, expected);
    }

    [Fact]
    public void W5_TwoClasses_Label_0_1_AlphaTenth_Uniform_Is_005_095()
    {
        var smoother = new LabelSmoother(0.1);
        var fromLabel = new T[2];
        var fromRow = new T[2];

        smoother.Smooth<T>([1], 2, fromLabel);
        smoother.Smooth<T>(TestNumerics<T>.Values(0.0, 1.0), 2, fromRow);

        TestNumerics<T>.ShouldAllBeClose(fromLabel, [0.05, 0.95]);
        TestNumerics<T>.ShouldAllBeClose(fromRow, [0.05, 0.95]);
    }

    [Fact]
    public void W6_CatDog_AlphaTenth_Is_010_Cat_090_Dog_WithUniformOthers()
    {
        const int Cat = 0, Dog = 1;
        var target = new T[2];

        new LabelSmoother(0.1, SmoothingPrior.UniformOthers).Smooth<T>([Dog], 2, target);

        TestNumerics<T>.ShouldBeClose(target[Cat], 0.10);
        TestNumerics<T>.ShouldBeClose(target[Dog], 0.90);
    }

    [Fact]
    public void W7_Muller_OneMinusXiOnTarget_XiOverKMinusOneElsewhere_IsUniformOthers()
    {
        const double Xi = 0.1;
        const int K = 5;
        var target = new T[2 * K];

        new LabelSmoother(Xi, SmoothingPrior.UniformOthers).Smooth<T>([3, 0], K, target);

        double other = Xi / (K - 1);
        TestNumerics<T>.ShouldAllBeClose(target, [other, other, other, 1 - Xi, other, 1 - Xi, other, other, other, other]);
        other.Should().Be(0.025);
    }

    [Fact]
    public void W8_GeneralPrior_Y_Times_OneMinusAlpha_Plus_Alpha_U_IsFromDistribution()
    {
        double[] u = [0.5, 0.3, 0.2];
        var target = new T[6];

        new LabelSmoother(0.1, SmoothingPrior.FromDistribution(u)).Smooth<T>([0, 2], 3, target);

        // Row 0: 0.9 + 0.05, 0.03, 0.02; row 1: 0.05, 0.03, 0.9 + 0.02.
        TestNumerics<T>.ShouldAllBeClose(target, [0.95, 0.03, 0.02, 0.05, 0.03, 0.92]);
    }

    [Fact]
    public void W9_GradientDescent_ElevenLogits_UniformOthersXiTenth_ConvergesToGapLn90_AndLossEntropyOfTarget()
    {
        const int K = 11;
        const double Xi = 0.1;
        const double LearningRate = 0.1;
        var loss = new CrossEntropyLoss(K, Xi, prior: SmoothingPrior.UniformOthers);
        int[] label = [0];
        var z = new T[K];
        var gradient = new T[K];
        T rate = TestNumerics<T>.Of(LearningRate);
        T value = T.Zero;

        for (int step = 0; step < 40_000; step++)
        {
            value = loss.ForwardBackward<T>(z, label, gradient);
            for (int k = 0; k < K; k++)
            {
                z[k] -= rate * gradient[k];
            }
        }

        // At the optimum softmax(z) = q = (0.9, 0.01 × 10): every gap is ln(0.9/0.01) = ln 90 and the loss is H(q).
        double expectedGap = Math.Log(90.0);
        double entropy = -(0.9 * Math.Log(0.9)) - (10 * 0.01 * Math.Log(0.01));
        expectedGap.Should().BeApproximately(4.49981, 5e-6);
        entropy.Should().BeApproximately(0.55534, 5e-6);
        double gapTolerance = TestNumerics<T>.IsSingle ? 1e-4 : 1e-12;
        double lossTolerance = TestNumerics<T>.IsSingle ? 1e-5 : 1e-12;
        for (int k = 1; k < K; k++)
        {
            TestNumerics<T>.ToDouble(z[0] - z[k]).Should().BeApproximately(expectedGap, gapTolerance, $"gap to class {k}");
            TestNumerics<T>.ToDouble(z[0] - z[k]).Should().BeApproximately(4.4995, 5e-4, "the document prints 4.4995");
        }

        TestNumerics<T>.ToDouble(value).Should().BeApproximately(entropy, lossTolerance);
        TestNumerics<T>.ToDouble(value).Should().BeApproximately(0.5553, 5e-5, "the document prints 0.5553");
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.35)]
    public void W10_FastaiLabelSmoothingCrossEntropy_EqualsCrossEntropyLossWithUniformPrior(double epsilon)
    {
        const int N = 6, K = 7;
        T[] logits = TestNumerics<T>.Random(N * K, -4.0, 4.0, seed: 10);
        int[] labels = TestNumerics<T>.RandomLabels(N, K, seed: 11);
        var logProbabilities = new T[N * K];
        LogSoftmax.Forward<T>(logits, K, logProbabilities);
        double[] lp = TestNumerics<T>.Doubles(logProbabilities);

        // fastai: loss·ε/c + (1 − ε)·nll, loss = −Σ_c lp_c (per row, summed or averaged like nll).
        var rowLoss = new double[N];
        var rowNll = new double[N];
        for (int i = 0; i < N; i++)
        {
            rowLoss[i] = -lp.Skip(i * K).Take(K).Sum();
            rowNll[i] = -lp[(i * K) + labels[i]];
        }

        double Fastai(double smooth, double nll) => (smooth * epsilon / K) + ((1 - epsilon) * nll);

        TestNumerics<T>.ShouldBeClose(
            new CrossEntropyLoss(K, epsilon).Forward<T>(logits, labels), Fastai(rowLoss.Average(), rowNll.Average()));
        TestNumerics<T>.ShouldBeClose(
            new CrossEntropyLoss(K, epsilon, Reduction.Sum).Forward<T>(logits, labels), Fastai(rowLoss.Sum(), rowNll.Sum()));
        var perSample = new T[N];
        new CrossEntropyLoss(K, epsilon, Reduction.None).Forward<T>(logits, labels, perSample);
        TestNumerics<T>.ShouldAllBeClose(perSample, rowLoss.Zip(rowNll, Fastai).ToArray());
    }

    [Theory]
    [InlineData(Reduction.None)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.Mean)]
    public void W11_LSR_OneHotFilledWithOneMinusE_PlusEOverK_MatchesLabelSmootherAndSoftTargetLoss(Reduction reduction)
    {
        const int N = 5, K = 6;
        const double E = 0.1;
        T[] logits = TestNumerics<T>.Random(N * K, -3.0, 3.0, seed: 20);
        int[] labels = TestNumerics<T>.RandomLabels(N, K, seed: 21);

        // LSR: one_hot with value 1 − e, plus e/K; loss = Σ −lp·target per row; none / sum / mean.
        double[] lp = NaiveMath.LogSoftmax(TestNumerics<T>.Doubles(logits), K);
        var lsrTarget = new double[N * K];
        var lsrRows = new double[N];
        for (int i = 0; i < N; i++)
        {
            for (int k = 0; k < K; k++)
            {
                lsrTarget[(i * K) + k] = (k == labels[i] ? 1 - E : 0.0) + (E / K);
                lsrRows[i] += -lp[(i * K) + k] * lsrTarget[(i * K) + k];
            }
        }

        var smoothed = new T[N * K];
        new LabelSmoother(E).Smooth<T>(labels, K, smoothed);
        TestNumerics<T>.ShouldAllBeClose(smoothed, lsrTarget);

        var softLoss = new CrossEntropyLoss(K, 0.0, reduction);
        var indexLoss = new CrossEntropyLoss(K, E, reduction);
        if (reduction == Reduction.None)
        {
            var fromTargets = new T[N];
            var fromLabels = new T[N];
            softLoss.Forward<T>(logits, smoothed, fromTargets);
            indexLoss.Forward<T>(logits, labels, fromLabels);
            TestNumerics<T>.ShouldAllBeClose(fromTargets, lsrRows);
            TestNumerics<T>.ShouldAllBeClose(fromLabels, lsrRows);
        }
        else
        {
            double expected = reduction == Reduction.Sum ? lsrRows.Sum() : lsrRows.Average();
            TestNumerics<T>.ShouldBeClose(softLoss.Forward<T>(logits, smoothed), expected);
            TestNumerics<T>.ShouldBeClose(indexLoss.Forward<T>(logits, labels), expected);
        }
    }

    [Fact]
    public void W11_LSR_BatchSizeMismatch_IsAnArgumentException()
    {
        const int K = 4;
        T[] logits = TestNumerics<T>.Random(3 * K, -1.0, 1.0, seed: 22);
        int[] labels = [0, 1];

        FluentActions.Invoking(() => new CrossEntropyLoss(K, 0.1).Forward<T>(logits, labels))
            .Should().ThrowExactly<ArgumentException>().WithParameterName("labels");
        FluentActions.Invoking(() => new LabelSmoother(0.1).Smooth<T>(labels, K, new T[3 * K]))
            .Should().ThrowExactly<ArgumentException>().WithParameterName("destination");
        FluentActions.Invoking(() => new CrossEntropyLoss(K).Forward<T>(logits, new T[2 * K]))
            .Should().ThrowExactly<ArgumentException>().WithParameterName("targets");
    }

    [Fact]
    public void W11_LSR_WrongRank_LogitsNotAWholeNumberOfRows_IsAnArgumentException()
    {
        const int K = 4;
        T[] logits = TestNumerics<T>.Random(K + 1, -1.0, 1.0, seed: 23);

        FluentActions.Invoking(() => new CrossEntropyLoss(K).Forward<T>(logits, new T[K + 1]))
            .Should().ThrowExactly<ArgumentException>().WithParameterName("logits");
    }

    [Theory]
    [InlineData(7)]
    [InlineData(-1)]
    [InlineData(3)]
    public void W11_LSR_UnrecognisedReduction_IsAnArgumentOutOfRangeException(int value)
    {
        FluentActions.Invoking(() => new CrossEntropyLoss(4, 0.1, (Reduction)value))
            .Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("reduction");
    }

    [Fact]
    public void W12_OrderedGrades_NeighboursOfTheTarget_GetMoreMassThanDistantClasses()
    {
        const int Grades = 10, Label = 5;
        const double Scale = 1.5;
        var prior = SmoothingPrior.Ordinal(Scale);
        var u = new double[Grades];

        prior.GetDistribution(Grades, Label, u);

        double normaliser = Enumerable.Range(0, Grades).Where(k => k != Label).Sum(k => Math.Exp(-(Math.Abs(k - Label) - 1) / Scale));
        for (int k = 0; k < Grades; k++)
        {
            double expected = k == Label ? 0.0 : Math.Exp(-(Math.Abs(k - Label) - 1) / Scale) / normaliser;
            u[k].Should().BeApproximately(expected, 1e-15, $"grade {k}");
        }

        u[4].Should().BeApproximately(u[6], 1e-16, "grades 5 and 7 are both adjacent to grade 6");
        u[4].Should().BeGreaterThan(u[3]);
        u[3].Should().BeApproximately(u[4] * Math.Exp(-1 / Scale), 1e-15, "each step away multiplies the mass by exp(−1/scale)");
        u[9].Should().BeApproximately(u[6] * Math.Exp(-3 / Scale), 1e-15);

        var smoothed = new T[Grades];
        new LabelSmoother(0.2, prior).Smooth<T>([Label], Grades, smoothed);
        TestNumerics<T>.ShouldAllBeClose(smoothed, NaiveMath.SmoothLabel(Label, 0.2, u));
    }

    [Fact]
    public void W12_OrderedGrades_PredictingANeighbourCostsLessThanPredictingADistantGrade()
    {
        const int Grades = 10, Label = 5;
        const double Alpha = 0.2, Scale = 1.5;
        T[] nearMiss = PeakedLogits(Grades, peak: 6);
        T[] farMiss = PeakedLogits(Grades, peak: 0);
        var ordinal = new CrossEntropyLoss(Grades, Alpha, prior: SmoothingPrior.Ordinal(Scale));
        var uniform = new CrossEntropyLoss(Grades, Alpha);

        double[] target = NaiveMath.SmoothLabel(Label, Alpha, NaiveMath.Ordinal(Grades, Label, Scale));
        double expectedNear = NaiveMath.CrossEntropy(NaiveMath.LogSoftmax(TestNumerics<T>.Doubles(nearMiss), Grades), target);
        double expectedFar = NaiveMath.CrossEntropy(NaiveMath.LogSoftmax(TestNumerics<T>.Doubles(farMiss), Grades), target);
        T near = ordinal.Forward<T>(nearMiss, [Label]);
        T far = ordinal.Forward<T>(farMiss, [Label]);

        TestNumerics<T>.ShouldBeClose(near, expectedNear);
        TestNumerics<T>.ShouldBeClose(far, expectedFar);
        // Only the smoothing term differs: α·peak·(u_6 − u_0) = 0.2 × 4 × (0.2402… − 0.0069…).
        double[] u = NaiveMath.Ordinal(Grades, Label, Scale);
        TestNumerics<T>.ShouldBeClose(far - near, Alpha * 4.0 * (u[6] - u[0]));
        (Alpha * 4.0 * (u[6] - u[0])).Should().BeApproximately(0.1911603354, 1e-9);
        TestNumerics<T>.ShouldBeClose(
            uniform.Forward<T>(nearMiss, [Label]), TestNumerics<T>.ToDouble(uniform.Forward<T>(farMiss, [Label])), because: "the uniform prior cannot tell the two misses apart");
    }

    [Fact]
    public void W13_DefaultAlphaTenth_TwoClasses_TargetBecomes_09_InsteadOf_1()
    {
        var target = new T[2];

        new LabelSmoother(0.1, SmoothingPrior.UniformOthers).Smooth<T>([0], 2, target);

        TestNumerics<T>.ShouldAllBeClose(target, [0.9, 0.1]);
    }

    private static T[] PeakedLogits(int numClasses, int peak)
    {
        var logits = new T[numClasses];
        logits[peak] = TestNumerics<T>.Of(4.0);
        return logits;
    }
}

public sealed class WorkedExampleTestsSingle : WorkedExampleTests<float>
{
}

public sealed class WorkedExampleTestsDouble : WorkedExampleTests<double>
{
}
