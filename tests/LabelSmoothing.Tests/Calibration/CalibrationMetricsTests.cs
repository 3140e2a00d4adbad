using System;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Calibration;

/// <summary>
/// The Brier score, the class-wise ECE and the adaptive ECE: worked examples whose numbers are derived in the comments, the definitions
/// computed directly in double (<see cref="NaiveCalibration"/>) on random data, identities, and the error table.
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class CalibrationMetricsTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int K = CalibrationWorkedExample<T>.NumClasses;

    /// <summary>
    /// The worked example's probabilities are ratios of small integers only up to the rounding of its ln logits to <typeparamref name="T"/>
    /// (2^-11 relative for <see cref="Half"/>); everything after that is computed in double.
    /// </summary>
    private static double Tolerance => typeof(T) == typeof(Half) ? 5e-3 : TestNumerics<T>.IsSingle ? 1e-6 : 1e-12;

    private static T[] Logits => CalibrationWorkedExample<T>.Logits;

    private static int[] Labels => CalibrationWorkedExample<T>.Labels;

    [Fact]
    public void BrierScore_WorkedExample()
    {
        // Σ_k (p_k − [k = y])² per sample: 0: .04 + .01 + .01 = .06; 1: .9025 + .81 + .0025 = 1.715; 2: .36 + .49 + .01 = .86;
        // 3: .01 + .04 + .09 = .14; 4: .04 + .36 + .16 = .56; 5: .49 + .09 + .16 = .74. Sum 4.075, BS = 4.075/6 = 0.6791666…
        // With sample 1 ignored: (4.075 − 1.715)/5 = 0.472.
        int[] padded = Labels;
        padded[1] = -100;

        LabelSmoothing.Calibration.BrierScore<T>(Logits, Labels, K).Should().BeApproximately(4.075 / 6.0, Tolerance);
        LabelSmoothing.Calibration.BrierScore<T>(Logits, padded, K).Should().BeApproximately(0.472, Tolerance);
    }

    [Fact]
    public void ClasswiseExpectedCalibrationError_WorkedExample_WithFourBins()
    {
        // M = 4, bins (0, .25], (.25, .5], (.5, .75], (.75, 1]; per class k and bin, |Σ ([y = k] − p_k)|:
        //   class 0, p_0 = (.8, .05, .6, .1, .2, .3), [y = 0] = (1, 1, 0, 0, 0, 1): {.05, .1, .2}: .95 − .1 − .2 = .65; {.3}: .7;
        //     {.6}: .6; {.8}: .2; sum 2.15.
        //   class 1, p_1 = (.1, .9, .3, .2, .4, .3), [y = 1] = (0, 0, 1, 0, 1, 0): {.1, .2}: .3; {.3, .4, .3}: .7 + .6 − .3 = 1;
        //     {.9}: .9; sum 2.2.
        //   class 2, p_2 = (.1, .05, .1, .7, .4, .4), [y = 2] = (0, 0, 0, 1, 0, 0): {.1, .05, .1}: .25; {.4, .4}: .8; {.7}: .3;
        //     sum 1.35.
        // SCE = (2.15 + 2.2 + 1.35)/(K·N) = 5.7/18 = 19/60.
        LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(Logits, Labels, K, bins: 4).Should().BeApproximately(19.0 / 60.0, Tolerance);
    }

    [Fact]
    public void ClasswiseExpectedCalibrationError_WithOneBin_IsTheGapBetweenEachClassFrequencyAndItsMeanProbability()
    {
        // One bin per class: (1/(K·N))·Σ_k |n_k − Σ_i p_ik| = (|3 − 2.05| + |2 − 2.2| + |1 − 1.75|)/18 = 1.9/18 = 19/180.
        LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(Logits, Labels, K, bins: 1).Should().BeApproximately(19.0 / 180.0, Tolerance);
    }

    [Fact]
    public void ClasswiseExpectedCalibrationError_ProbabilityOnAnEdge_BelongsToTheBinBelowIt()
    {
        // K = 4, M = 4. Sample A = (0, 0, 0, 0), y = 0: p = 1/4 for every class, exactly the edge 1/4, so bin (0, 1/4].
        // Sample B = (0, ln 2, ln 2, 0), y = 1: p = (1/6, 1/3, 1/3, 1/6).
        //   class 0: A (.25, 1) and B (1/6, 0) share (0, 1/4]: |.75 − 1/6| = 7/12;   class 1: A (0, 1/4]: .25; B (1/4, 1/2]: 2/3;
        //   class 2: A: .25; B (1/4, 1/2]: 1/3;   class 3: A and B share (0, 1/4]: |−.25 − 1/6| = 5/12.
        // SCE = (7/12 + 11/12 + 7/12 + 5/12)/(4·2) = 2.5/8 = 0.3125. Bins [lower, upper) (uncertainty_metrics' np.digitize) would put A
        // in [1/4, 1/2) and give 28/96 = 0.2916….
        T[] logits = TestNumerics<T>.Values(0, 0, 0, 0, 0, Math.Log(2), Math.Log(2), 0);

        LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(logits, [0, 1], 4, bins: 4).Should().BeApproximately(0.3125, Tolerance);
    }

    [Fact]
    public void ClasswiseExpectedCalibrationError_ProbabilityOfZero_IsInTheFirstBin()
    {
        // z = (0, −∞), y = 1: p = (1, 0). Class 0: p = 1 in the last bin, |0 − 1| = 1; class 1: p = 0 in the first bin, |1 − 0| = 1.
        // SCE = 2/(2·1) = 1 (Mukhoti et al.'s ClasswiseECELoss leaves p = 0 out of every bin: 0.5).
        T[] logits = TestNumerics<T>.Values(0, double.NegativeInfinity);

        LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(logits, [1], 2, bins: 15).Should().Be(1.0);
    }

    [Theory]
    [InlineData(1, 2.0 / 15.0)]
    [InlineData(2, 2.0 / 15.0)]
    [InlineData(3, 0.2)]
    [InlineData(4, 0.3)]
    public void AdaptiveExpectedCalibrationError_WorkedExample(int bins, double expected)
    {
        // Sorted confidences (correct?): .4 (yes), .4 (no), .6 (no), .7 (yes), .8 (yes), .9 (no); N = 6, edges u_j = c_(round(j·6/M)).
        //   M = 1: |3 − 3.8|/6 = 2/15.
        //   M = 2: u_1 = c_(3) = .7: {.4, .4, .6}: |1 − 1.4| = .4; {.7, .8, .9}: |2 − 2.4| = .4; (.4 + .4)/6 = 2/15.
        //   M = 3: u = c_(2), c_(4) = .6, .8: {.4, .4}: .2; {.6, .7}: .3; {.8, .9}: .7; 1.2/6 = .2.
        //   M = 4: j·6/4 = 1.5, 3, 4.5 round (halves to even) to 2, 3, 4: u = .6, .7, .8: {.4, .4}: .2; {.6}: .6; {.7}: .3;
        //     {.8, .9}: .7; 1.8/6 = .3 (halves rounded up, to 2, 3, 5, would give {.7, .8}, {.9} and 2.2/6).
        LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>(Logits, Labels, K, bins).Should().BeApproximately(expected, Tolerance);
    }

    [Theory]
    [InlineData(2, 64)]
    [InlineData(10, 500)]
    [InlineData(1, 7)]
    public void AdaptiveExpectedCalibrationError_WithOneBin_IsTheGapBetweenMeanAccuracyAndMeanConfidence(int numClasses, int samples)
    {
        var (logits, labels) = RandomBatch(numClasses, samples, seed: numClasses + samples, ignored: 0.1);
        double gap = new NaiveCalibration(TestNumerics<T>.Doubles(logits), labels, numClasses).AccuracyConfidenceGap();

        double adaptive = LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>(logits, labels, numClasses, bins: 1);

        adaptive.Should().BeApproximately(gap, 1e-12);
        adaptive.Should().BeApproximately(LabelSmoothing.Calibration.ExpectedCalibrationError<T>(logits, labels, numClasses, bins: 1), 1e-12);
    }

    [Theory]
    [InlineData(3, 40, 40)]
    [InlineData(3, 40, 120)]
    [InlineData(10, 7, 1000)]
    public void AdaptiveExpectedCalibrationError_WithAtLeastAsManyBinsAsSamples_PutsEverySampleInABinOfItsOwn(int numClasses, int samples, int bins)
    {
        // With M ≥ N the edge indices round(j·N/M) take every value 1 … N − 1: distinct confidences each form a bin.
        var (logits, labels) = RandomBatch(numClasses, samples, seed: bins, ignored: 0.0);
        double expected = new NaiveCalibration(TestNumerics<T>.Doubles(logits), labels, numClasses).MeanAbsoluteGap();

        LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>(logits, labels, numClasses, bins).Should().BeApproximately(expected, 1e-12);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(40)]
    public void AdaptiveExpectedCalibrationError_NeverSplitsEqualConfidences(int bins)
    {
        // Ten copies of z = (2, 0, −1): every confidence is c = e²/(e² + 1 + e⁻¹), one bin whatever M; 6 of the 10 labels are the
        // prediction 0, so the error is |0.6 − c|.
        T[] logits = [.. Enumerable.Range(0, 10).SelectMany(_ => TestNumerics<T>.Values(2.0, 0.0, -1.0))];
        int[] labels = [0, 1, 0, 2, 0, 0, 1, 0, 2, 0];
        double confidence = 1.0 / (1.0 + Math.Exp(-2.0) + Math.Exp(-3.0));

        LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>(logits, labels, 3, bins).Should().BeApproximately(Math.Abs(0.6 - confidence), Tolerance);
    }

    [Fact]
    public void BrierScore_OfOneHotConfidentPredictions_Is0WhenRightAnd2WhenWrong()
    {
        // −∞ logits are classes of probability 0; ±big logits saturate the softmax to exactly (1, 0).
        double inf = double.NegativeInfinity;
        double big = typeof(T) == typeof(Half) ? 3e4 : TestNumerics<T>.IsSingle ? 1e4 : 1e300;
        T[] logits = TestNumerics<T>.Values(3, inf, inf, inf, -1, inf, big, -big, 0);
        T[] logitsK2 = TestNumerics<T>.Values(big, -big, -big, big);

        LabelSmoothing.Calibration.BrierScore<T>(logits, [0, 1, 0], 3).Should().Be(0.0);
        LabelSmoothing.Calibration.BrierScore<T>(logitsK2, [0, 1], 2).Should().Be(0.0);
        LabelSmoothing.Calibration.BrierScore<T>(logits, [1, 2, 2], 3).Should().Be(2.0);
        LabelSmoothing.Calibration.BrierScore<T>(logitsK2, [1, 0], 2).Should().Be(2.0);
    }

    [Fact]
    public void BrierScore_OfAConfidentCorrectPrediction_KeepsItsRelativePrecision()
    {
        // z = (0, −30), y = 0: p_1 = 1/(1 + e³⁰) and BS = (1 − p_0)² + p_1² = 2/(1 + e³⁰)² ≈ 1.7e-26, far below the rounding of
        // 1 − 2·p_0 + Σ p² (1e-16).
        double expected = 2.0 / Math.Pow(1.0 + Math.Exp(30.0), 2.0);

        LabelSmoothing.Calibration.BrierScore<T>(TestNumerics<T>.Values(0.0, -30.0), [0], 2).Should().BeApproximately(expected, 1e-12 * expected);
    }

    [Fact]
    public void CalibratedData_HaveCalibrationErrorsWithinTheSamplingNoise_AndOverConfidentLogitsDoNot()
    {
        // y ~ softmax(z) (a calibrated model), N = 20 000, M = 10. In each bin Σ (correct − c) has mean 0 and variance ≤ |B|/4, so the
        // expected ECE, adaptive ECE and (per class, averaged) class-wise ECE are at most Σ_m √(|B_m|/4)/N ≤ ½·√(M/N) = 0.011; the bound
        // asserted is twice that, √(M/N) = 0.022. The Brier score's expectation is (1/N)·Σ_i (1 − Σ_k p_ik²), and its per-sample variance
        // is 4·(Σ_k p³ − (Σ_k p²)²): asserted within four standard deviations of the mean. The same labels scored with the logits
        // multiplied by 3 (over-confident) exceed the bound.
        const int Samples = 20_000, Classes = 5, Bins = 10;
        T[] logits = TestNumerics<T>.Random(Samples * Classes, -2.0, 2.0, seed: 7);
        double[] probabilities = NaiveMath.Softmax(TestNumerics<T>.Doubles(logits), Classes);
        var random = new Random(11);
        var labels = new int[Samples];
        double expectedBrier = 0.0, variance = 0.0;
        for (int i = 0; i < Samples; i++)
        {
            var p = probabilities.AsSpan(i * Classes, Classes);
            double u = random.NextDouble(), cumulative = 0.0;
            labels[i] = Classes - 1;
            for (int k = 0; k < Classes; k++)
            {
                cumulative += p[k];
                if (u < cumulative)
                {
                    labels[i] = k;
                    break;
                }
            }

            double squares = 0.0, cubes = 0.0;
            foreach (double q in p)
            {
                squares += q * q;
                cubes += q * q * q;
            }

            expectedBrier += (1.0 - squares) / Samples;
            variance += 4.0 * (cubes - (squares * squares));
        }

        double bound = Math.Sqrt((double)Bins / Samples);
        T[] overConfident = [.. logits.Select(z => z * TestNumerics<T>.Of(3.0))];

        LabelSmoothing.Calibration.ExpectedCalibrationError<T>(logits, labels, Classes, Bins).Should().BeLessThan(bound);
        LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>(logits, labels, Classes, Bins).Should().BeLessThan(bound);
        LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(logits, labels, Classes, Bins).Should().BeLessThan(bound);
        LabelSmoothing.Calibration.BrierScore<T>(logits, labels, Classes).Should().BeApproximately(expectedBrier, 4.0 * Math.Sqrt(variance) / Samples);
        LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>(overConfident, labels, Classes, Bins).Should().BeGreaterThan(bound);
        LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(overConfident, labels, Classes, Bins).Should().BeGreaterThan(bound);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(16)]
    public void ClasswiseExpectedCalibrationError_WithTwoClasses_IsAtLeastTheEce_AndEqualWhenOneClassIsAlwaysPredicted(int bins)
    {
        // K = 2: p_1 = 1 − p_0 lies in the mirror of p_0's bin with the opposite gap, so both classes add the same. With M even, each
        // top-label bin B gathers samples predicted 0 (gap S_0) and 1 (gap S_1): SCE = (1/N)·Σ_B (|S_0| + |S_1|) ≥ (1/N)·Σ_B |S_0 + S_1|
        // = ECE, equal when one class is always predicted (S_1 = 0).
        var (logits, labels) = RandomBatch(2, 500, seed: bins, ignored: 0.0);
        T[] classZeroAhead = new T[logits.Length];
        for (int i = 0; i < 500; i++)
        {
            T low = T.Min(logits[2 * i], logits[(2 * i) + 1]);
            T high = T.Max(logits[2 * i], logits[(2 * i) + 1]);
            (classZeroAhead[2 * i], classZeroAhead[(2 * i) + 1]) = (high + TestNumerics<T>.Of(0.25), low);
        }

        LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(logits, labels, 2, bins)
            .Should().BeGreaterThanOrEqualTo(LabelSmoothing.Calibration.ExpectedCalibrationError<T>(logits, labels, 2, bins) - 1e-15);
        LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(classZeroAhead, labels, 2, bins)
            .Should().BeApproximately(LabelSmoothing.Calibration.ExpectedCalibrationError<T>(classZeroAhead, labels, 2, bins), 1e-12);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(10)]
    public void ClasswiseExpectedCalibrationError_WithTwoClassesAndEveryLabel1_IsTheMeanProbabilityOfClass0(int bins)
    {
        // y = 1 throughout: every gap of class 0 is −p_0 ≤ 0 and every gap of class 1 is 1 − p_1 = p_0 ≥ 0, so no bin's gaps cancel
        // and SCE = (1/(2N))·2·Σ_i p_i0 = mean p_0, whatever M. The ECE's bins mix wrong predictions of 0 (gap −c) with right predictions
        // of 1 (gap 1 − c), which cancel: it is smaller.
        var (logits, _) = RandomBatch(2, 400, seed: 3 * bins, ignored: 0.0);
        int[] labels = [.. Enumerable.Repeat(1, 400)];
        double[] probabilities = NaiveMath.Softmax(TestNumerics<T>.Doubles(logits), 2);
        double meanClass0 = Enumerable.Range(0, 400).Average(i => probabilities[2 * i]);

        double sce = LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(logits, labels, 2, bins);

        sce.Should().BeApproximately(meanClass0, 1e-12);
        sce.Should().BeGreaterThan(LabelSmoothing.Calibration.ExpectedCalibrationError<T>(logits, labels, 2, bins) + 0.01);
    }

    [Theory]
    [InlineData(1, 7, 15)]
    [InlineData(2, 64, 10)]
    [InlineData(3, 17, 4)]
    [InlineData(3, 30, 4)] // N/M = 7.5: edge indices 8, 15, 22 (halves to even)
    [InlineData(10, 500, 15)]
    [InlineData(10, 500, 129)] // 1290 class-wise bins: pooled
    [InlineData(37, 200, 15)]
    [InlineData(5, 1, 15)]
    [InlineData(4, 5, 1000)]
    [InlineData(100, 50, 7)]
    public void RandomLogits_MatchTheDefinitions(int numClasses, int samples, int bins)
    {
        var (logits, labels) = RandomBatch(numClasses, samples, seed: (numClasses * 1000) + bins, ignored: 0.2);
        var naive = new NaiveCalibration(TestNumerics<T>.Doubles(logits), labels, numClasses);

        ShouldBeClose(LabelSmoothing.Calibration.BrierScore<T>(logits, labels, numClasses), naive.Brier());
        ShouldBeClose(LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(logits, labels, numClasses, bins), naive.ClasswiseEce(bins));
        ShouldBeClose(LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>(logits, labels, numClasses, bins), naive.AdaptiveEce(bins));
    }

    [Fact]
    public void IgnoredSamples_AreLeftOut_AsIfRemoved_AndTheirLogitsAreNotRead()
    {
        // Pad id 2, inside [0, K): the samples labelled 2 (one of them with a NaN logit) give exactly the numbers of the batch without them.
        const int Classes = 4;
        var (logits, labels) = RandomBatch(Classes, 60, seed: 5, ignored: 0.0);
        logits[(3 * Classes) + 1] = T.NaN;
        labels[3] = 2;
        int[] kept = [.. Enumerable.Range(0, 60).Where(i => labels[i] != 2)];
        T[] keptLogits = [.. kept.SelectMany(i => logits.Skip(i * Classes).Take(Classes))];
        int[] keptLabels = [.. kept.Select(i => labels[i])];

        LabelSmoothing.Calibration.BrierScore<T>(logits, labels, Classes, ignoreIndex: 2).Should().Be(LabelSmoothing.Calibration.BrierScore<T>(keptLogits, keptLabels, Classes));
        LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(logits, labels, Classes, 6, ignoreIndex: 2)
            .Should().Be(LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(keptLogits, keptLabels, Classes, 6));
        LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>(logits, labels, Classes, 6, ignoreIndex: 2)
            .Should().Be(LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>(keptLogits, keptLabels, Classes, 6));
        keptLabels.Length.Should().BeInRange(30, 59);
    }

    [Fact]
    public void EmptyBatch_AndEveryLabelIgnored_Give0()
    {
        T[] logits = TestNumerics<T>.Values(1, 2, 3, 4, 5, 6);
        int[] ignored = [-100, -100];

        LabelSmoothing.Calibration.BrierScore<T>([], [], 3).Should().Be(0.0);
        LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>([], [], 3).Should().Be(0.0);
        LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>([], [], 3).Should().Be(0.0);
        LabelSmoothing.Calibration.BrierScore<T>(logits, ignored, 3).Should().Be(0.0);
        LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(logits, ignored, 3).Should().Be(0.0);
        LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>(logits, ignored, 3).Should().Be(0.0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void NumClassesBelowOne_IsRejected(int numClasses)
    {
        ShouldAllThrow<ArgumentOutOfRangeException>([], labels: [], numClasses, bins: 15, "numClasses", brier: true);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void BinsBelowOne_AreRejected(int bins)
    {
        ShouldAllThrow<ArgumentOutOfRangeException>(TestNumerics<T>.Values(1, 2), labels: [0], 2, bins, "bins", brier: false);
    }

    [Fact]
    public void ClasswiseBinsBeyondTheLargestArray_AreRejected()
    {
        // K·M = 2·(2³¹ − 1) bins cannot be held.
        Action call = () => LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(TestNumerics<T>.Values(1, 2), [0], 2, int.MaxValue);

        call.Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("bins").Which.Message.Should().Contain("2 classes");
    }

    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    public void LogitsNotAWholeNumberOfRows_AreRejected(int length)
    {
        ShouldAllThrow<ArgumentException>(new T[length], labels: [0, 1], 3, bins: 15, "logits", brier: true);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(9)]
    public void LabelsNotOnePerRow_AreRejected_NamingTheLabels(int length)
    {
        var exception = ShouldAllThrow<ArgumentException>(new T[length], labels: [0, 1], 3, bins: 15, "labels", brier: true);

        exception.Message.Should().Contain($"labels has length 2, but logits.Length / NumClasses = {length / 3}");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void LabelsOutsideTheClasses_AreRejected_NamingTheSample(int label)
    {
        var exception = ShouldAllThrow<ArgumentOutOfRangeException>(new T[6], labels: [0, label], 3, bins: 15, "labels", brier: true);

        exception.Message.Should().Contain($"labels[1] = {label}");
    }

    [Theory]
    [InlineData(double.NaN, 0.0)]
    [InlineData(0.0, double.NaN)]
    [InlineData(double.PositiveInfinity, 0.0)]
    [InlineData(1.0, double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity, double.NegativeInfinity)]
    public void RowsWithoutASoftmax_AreRejected_NamingTheSample(double first, double second)
    {
        T[] logits = TestNumerics<T>.Values(0.0, 1.0, first, second);

        var exception = ShouldAllThrow<ArgumentException>(logits, labels: [0, 1], 2, bins: 15, "logits", brier: true);

        exception.Message.Should().Contain("sample 1");
    }

    /// <summary>
    /// Logits uniform in <c>[−4, 4)</c> rounded to <typeparamref name="T"/>; labels the first argmax for about half of the samples, else
    /// uniform; a fraction <paramref name="ignored"/> of them −100.
    /// </summary>
    private static (T[] Logits, int[] Labels) RandomBatch(int numClasses, int samples, int seed, double ignored)
    {
        T[] logits = TestNumerics<T>.Random(samples * numClasses, -4.0, 4.0, seed);
        int[] labels = TestNumerics<T>.RandomLabels(samples, numClasses, seed + 1);
        var random = new Random(seed + 2);
        for (int i = 0; i < samples; i++)
        {
            var row = logits.AsSpan(i * numClasses, numClasses);
            if (random.NextDouble() < 0.5)
            {
                labels[i] = row.IndexOf(RowMaximum(row));
            }

            if (random.NextDouble() < ignored)
            {
                labels[i] = -100;
            }
        }

        return (logits, labels);
    }

    private static T RowMaximum(ReadOnlySpan<T> row)
    {
        T max = row[0];
        foreach (T z in row)
        {
            max = z > max ? z : max;
        }

        return max;
    }

    private static void ShouldBeClose(double actual, double expected) =>
        actual.Should().BeApproximately(expected, (1e-12 * Math.Abs(expected)) + 1e-15);

    /// <summary>
    /// Calls the class-wise and adaptive ECE (and, when <paramref name="brier"/>, the Brier score) on the span door and asserts that each
    /// throws <typeparamref name="TException"/> naming <paramref name="paramName"/> and leaves the inputs as they were.
    /// </summary>
    private static TException ShouldAllThrow<TException>(T[] logits, int[] labels, int numClasses, int bins, string paramName, bool brier)
        where TException : ArgumentException
    {
        T[] logitsBefore = (T[])logits.Clone();
        int[] labelsBefore = (int[])labels.Clone();
        Action[] calls =
        [
            () => LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(logits, labels, numClasses, bins),
            () => LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>(logits, labels, numClasses, bins),
            .. brier ? new Action[] { () => LabelSmoothing.Calibration.BrierScore<T>(logits, labels, numClasses) } : [],
        ];
        TException? last = null;
        foreach (Action call in calls)
        {
            last = call.Should().ThrowExactly<TException>().WithParameterName(paramName).Which;
        }

        logits.Should().Equal(logitsBefore);
        labels.Should().Equal(labelsBefore);
        return last!;
    }
}

public sealed class CalibrationMetricsTestsSingle : CalibrationMetricsTests<float>;

public sealed class CalibrationMetricsTestsDouble : CalibrationMetricsTests<double>;

public sealed class CalibrationMetricsTestsHalf : CalibrationMetricsTests<Half>;
