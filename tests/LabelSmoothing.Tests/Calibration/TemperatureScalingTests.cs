using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace LabelSmoothing.Tests.Calibration;

/// <summary>
/// Temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks"): the fitted temperature against closed forms and data generated at a known temperature, the
/// stationarity of the NLL at the fit, the ends of [1e-3, 1e3], identities (scaling and shifting the logits), <c>Apply</c>, and errors.
/// </summary>
public abstract class TemperatureScalingTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<double> BadTemperatures => new() { 0.0, -0.0, -double.Epsilon, -1.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity };

    [Fact]
    public void Fit_OfTheTwoClassWorkedExample_IsOneOverLogThree()
    {
        // Four copies of z = (0, 1) with labels 1, 1, 1, 0: the NLL is minimal where softmax(z/T)_1 = σ(1/T) = 3/4, T = 1/ln 3.
        T[] logits = TestNumerics<T>.Values(0, 1, 0, 1, 0, 1, 0, 1);

        double temperature = TemperatureScaling.Fit<T>(logits, [1, 1, 1, 0], 2);

        // Observed: a relative error of 3.8e-13 (the slope's rounding noise sets the floor), in float as in double.
        temperature.Should().BeApproximately(1.0 / Math.Log(3.0), 1e-12);
    }

    [Fact]
    public void Fit_IgnoresClassesMaskedWithMinusInfinity()
    {
        T[] logits = TestNumerics<T>.Values(0, 1, double.NegativeInfinity, 0, 1, double.NegativeInfinity, 0, 1, double.NegativeInfinity, 0, 1, double.NegativeInfinity);

        double temperature = TemperatureScaling.Fit<T>(logits, [1, 1, 1, 0], 3);

        temperature.Should().BeApproximately(1.0 / Math.Log(3.0), 1e-12);
    }

    [Fact]
    public void Fit_OfLabelsInTheExactProportionsOfSoftmaxAtT_ReturnsT()
    {
        // Each row z = T·ln(counts) appears once per count with that label, so softmax(z/T) = counts/10 is the label frequency of
        // every row: the gradient of the NLL vanishes at T exactly. The error left is the rounding of the logits to the element type
        // (observed: 3.2e-16 in double, 1.2e-8 in float), well inside the contract's 1e-6.
        const double Temperature = 0.7;
        int[][] counts = [[5, 3, 2], [1, 1, 8], [6, 2, 2], [4, 4, 2], [7, 1, 2]];
        var logits = new List<double>();
        var labels = new List<int>();
        foreach (int[] row in counts)
        {
            for (int label = 0; label < row.Length; label++)
            {
                for (int copy = 0; copy < row[label]; copy++)
                {
                    logits.AddRange(row.Select(count => Temperature * Math.Log(count)));
                    labels.Add(label);
                }
            }
        }

        double fitted = TemperatureScaling.Fit<T>(TestNumerics<T>.Values([.. logits]), labels.ToArray(), 3);

        fitted.Should().BeApproximately(Temperature, (TestNumerics<T>.IsSingle ? 1e-7 : 1e-14) * Temperature);
    }

    [Fact]
    public void Fit_RecoversTheTemperatureThatLabelsWereSampledAt()
    {
        // 10 random rows (K = 10, logits uniform in [−6, 6]), each labelled 10 000 times by systematic sampling from softmax(z/2.5):
        // the draws j of a row use u = (j + U)/10 000 with one seeded uniform U, so label frequencies match softmax(z/2.5) to within
        // 1e-4 per class. Over seeds 1..12 the relative error has a standard deviation of about 8e-5 (this seed: 1.7e-5).
        const double Temperature = 2.5;
        var (logits, labels) = SystematicSample(rows: 10, copies: 10_000, numClasses: 10, Temperature, seed: 3);

        double fitted = TemperatureScaling.Fit<T>(logits, labels, 10);

        fitted.Should().BeApproximately(Temperature, 1e-3 * Temperature);
    }

    [Fact]
    public void Fit_IsAStationaryPoint_AndAMinimum_OfTheNll()
    {
        const int NumClasses = 5;
        var (logits, labels) = IndependentSample(samples: 3000, NumClasses, temperature: 1.7, seed: 11);

        double fitted = TemperatureScaling.Fit<T>(logits, labels, NumClasses);

        // dNLL/dβ = mean(E_softmax(z/T)[z] − z_y) at β = 1/T̂ (observed: −8e-17 in double, −1.7e-16 in float, T̂ = 1.72259).
        NllSlope(TestNumerics<T>.Doubles(logits), labels, NumClasses, fitted).Should().BeApproximately(0.0, 1e-12);
        double nll = Nll(logits, labels, NumClasses, fitted);
        Nll(logits, labels, NumClasses, fitted * 0.99).Should().BeGreaterThan(nll);
        Nll(logits, labels, NumClasses, fitted * 1.01).Should().BeGreaterThan(nll);
        fitted.Should().BeInRange(1.6, 1.8);
    }

    [Fact]
    public void Fit_ScalesWithTheLogits_AndIgnoresRowShifts()
    {
        const int NumClasses = 4;
        var (logits, labels) = IndependentSample(samples: 400, NumClasses, temperature: 0.8, seed: 5);
        double fitted = TemperatureScaling.Fit<T>(logits, labels, NumClasses);
        T[] doubled = logits.Select(z => z + z).ToArray();
        T[] shifted = logits.Select((z, at) => z + TestNumerics<T>.Of(at / NumClasses % 7)).ToArray();

        // ×2 is exact in binary: T̂ doubles (observed: 7e-14 relative). A shift rounds the logits to T again (float: 1.2e-8 relative).
        TemperatureScaling.Fit<T>(doubled, labels, NumClasses).Should().BeApproximately(2.0 * fitted, 1e-12 * fitted);
        TemperatureScaling.Fit<T>(shifted, labels, NumClasses).Should().BeApproximately(fitted, (TestNumerics<T>.IsSingle ? 1e-7 : 1e-12) * fitted);
    }

    [Fact]
    public void Fit_OfSeparableData_ReturnsTheMinimumTemperature()
    {
        // Every label is the argmax: the NLL keeps falling as T → 0, towards the lower end 1e-3.
        const int NumClasses = 4;
        T[] logits = TestNumerics<T>.Random(50 * NumClasses, -4.0, 4.0, seed: 2);
        int[] labels = Enumerable.Range(0, 50).Select(i => ArgMax(logits.AsSpan(i * NumClasses, NumClasses))).ToArray();

        double fitted = TemperatureScaling.Fit<T>(logits, labels, NumClasses);

        fitted.Should().Be(TemperatureScaling.MinimumTemperature).And.Be(1e-3);
        Nll(logits, labels, NumClasses, 0.01).Should().BeLessThan(Nll(logits, labels, NumClasses, 0.1));
        Nll(logits, labels, NumClasses, 0.1).Should().BeLessThan(Nll(logits, labels, NumClasses, 1.0));
    }

    [Fact]
    public void Fit_OfLogitsCarryingNoInformation_ReturnsTheMaximumTemperature()
    {
        // Each row appears once with every label: at β = 1/T → 0 the slope mean(E[z] − z_y) is 0, and positive for every β > 0, so
        // the NLL keeps falling as T → ∞, towards the upper end 1e3. Labels at the argmin point away from the logits: the same.
        const int NumClasses = 4;
        const int Rows = 20;
        T[] rows = TestNumerics<T>.Random(Rows * NumClasses, -4.0, 4.0, seed: 3);
        T[] logits = Enumerable.Range(0, Rows).SelectMany(r => Enumerable.Repeat(rows.Skip(r * NumClasses).Take(NumClasses), NumClasses).SelectMany(z => z)).ToArray();
        int[] everyLabel = Enumerable.Range(0, Rows * NumClasses).Select(i => i % NumClasses).ToArray();
        int[] argmin = Enumerable.Range(0, Rows).Select(r => ArgMin(rows.AsSpan(r * NumClasses, NumClasses))).ToArray();

        TemperatureScaling.Fit<T>(logits, everyLabel, NumClasses).Should().Be(TemperatureScaling.MaximumTemperature).And.Be(1e3);
        TemperatureScaling.Fit<T>(rows, argmin, NumClasses).Should().Be(1e3);
        Nll(logits, everyLabel, NumClasses, 100.0).Should().BeLessThan(Nll(logits, everyLabel, NumClasses, 10.0));
    }

    [Fact]
    public void Fit_OfAnEmptyBatch_OrAnNllThatDoesNotDependOnT_ReturnsOne()
    {
        T[] constantRows = TestNumerics<T>.Values(2.5, 2.5, 2.5, -1, -1, -1);

        TemperatureScaling.Fit<T>([], [], 3).Should().Be(1.0);
        TemperatureScaling.Fit<T>(constantRows, [0, 2], 3).Should().Be(1.0);
        TemperatureScaling.Fit<T>(TestNumerics<T>.Values(3, -2, 7), [0, 0, 0], 1).Should().Be(1.0);
    }

    [Fact]
    public void Fit_OfAMatrix_EqualsTheSpanOverload()
    {
        var (logits, labels) = IndependentSample(samples: 60, numClasses: 7, temperature: 1.3, seed: 9);
        var matrix = Matrix<T>.Build.DenseOfRowMajor(60, 7, logits);

        TemperatureScaling.Fit(matrix, labels).Should().Be(TemperatureScaling.Fit<T>(logits, labels, 7));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Fit_WithNumClassesBelowOne_IsRejected(int numClasses)
    {
        Action fit = () => TemperatureScaling.Fit<T>([], [], numClasses);

        fit.Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("numClasses");
    }

    [Fact]
    public void Fit_WithBadLengthsOrLabels_IsRejected()
    {
        T[] logits = TestNumerics<T>.Values(0, 1, 2, 3);
        Action wrongLength = () => TemperatureScaling.Fit<T>(logits, [0, 1, 0], 2);
        Action badLabel = () => TemperatureScaling.Fit<T>(logits, [0, 2], 2);
        Action nullMatrix = () => TemperatureScaling.Fit<T>(null!, [0]);
        Action wrongRows = () => TemperatureScaling.Fit(Matrix<T>.Build.Dense(3, 2), [0, 1]);

        wrongLength.Should().ThrowExactly<ArgumentException>().WithParameterName("labels");
        badLabel.Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("labels").WithMessage("labels[1] = 2 is outside [0, 2)*");
        nullMatrix.Should().ThrowExactly<ArgumentNullException>().WithParameterName("logits");
        wrongRows.Should().ThrowExactly<ArgumentException>().WithParameterName("labels");
        Action notWholeRows = () => TemperatureScaling.Fit<T>(logits.AsSpan(0, 3), [0], 2);
        notWholeRows.Should().ThrowExactly<ArgumentException>().WithParameterName("logits");
    }

    [Theory]
    [InlineData(double.NaN, 0.0, 0, "sample 1")]
    [InlineData(0.0, double.PositiveInfinity, 0, "sample 1")]
    [InlineData(double.NegativeInfinity, double.NegativeInfinity, 1, "sample 1")]
    [InlineData(double.NegativeInfinity, 0.0, 0, "Sample 1 has label logit -Infinity")]
    public void Fit_OfLogitsWithoutAFiniteNll_IsRejected(double first, double second, int label, string message)
    {
        T[] logits = TestNumerics<T>.Values(0.0, 1.0, first, second);
        Action fit = () => TemperatureScaling.Fit<T>(logits, [0, label], 2);

        fit.Should().ThrowExactly<ArgumentException>().WithParameterName("logits").Which.Message.Should().Contain(message);
    }

    [Fact]
    public void Apply_DividesEveryLogit()
    {
        T[] logits = TestNumerics<T>.Values(1, -2, 0.5, 3, 0, double.NaN, double.PositiveInfinity, double.NegativeInfinity);
        T[] destination = TestNumerics<T>.Filled(logits.Length);

        TemperatureScaling.Apply<T>(logits, 2.0, destination);

        TestNumerics<T>.Doubles(destination).Should().Equal(0.5, -1, 0.25, 1.5, 0, double.NaN, double.PositiveInfinity, double.NegativeInfinity);
    }

    [Theory]
    [InlineData(37, 0.7)]
    [InlineData(3, 1e-3)]
    [InlineData(64, 1e3)]
    public void Apply_RoundsTheDoubleQuotientOnce_InPlaceOrNot(int length, double temperature)
    {
        T[] logits = TestNumerics<T>.Random(length, -50.0, 50.0, seed: length);
        T[] expected = logits.Select(z => TestNumerics<T>.Of(TestNumerics<T>.ToDouble(z) / temperature)).ToArray();
        var destination = new T[length];
        T[] inPlace = (T[])logits.Clone();

        TemperatureScaling.Apply<T>(logits, temperature, destination);
        TemperatureScaling.Apply<T>(inPlace, temperature, inPlace);

        TestNumerics<T>.ShouldBeIdentical(destination, expected);
        TestNumerics<T>.ShouldBeIdentical(inPlace, expected);
    }

    [Theory]
    [MemberData(nameof(BadTemperatures))]
    public void Apply_WithATemperatureNotFiniteAndPositive_IsRejected_WritingNothing(double temperature)
    {
        T[] logits = TestNumerics<T>.Values(1, 2, 3);
        T[] destination = TestNumerics<T>.Filled(3);
        Action apply = () => TemperatureScaling.Apply<T>(logits, temperature, destination);
        Action applyMatrix = () => TemperatureScaling.Apply(Matrix<T>.Build.Dense(1, 3), temperature, Matrix<T>.Build.Dense(1, 3));

        apply.Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("temperature");
        applyMatrix.Should().ThrowExactly<ArgumentOutOfRangeException>().WithParameterName("temperature");
        TestNumerics<T>.Doubles(destination).Should().Equal(42, 42, 42);
        TestNumerics<T>.Doubles(logits).Should().Equal(1, 2, 3);
    }

    [Fact]
    public void Apply_WithTheWrongLengthOrAPartialOverlap_IsRejected_WritingNothing()
    {
        T[] buffer = TestNumerics<T>.Values(1, 2, 3, 4, 5);
        T[] destination = TestNumerics<T>.Filled(4);
        Action wrongLength = () => TemperatureScaling.Apply<T>(buffer.AsSpan(0, 3), 2.0, destination);
        Action overlap = () => TemperatureScaling.Apply<T>(buffer.AsSpan(0, 4), 2.0, buffer.AsSpan(1, 4));
        Action wrongShape = () => TemperatureScaling.Apply(Matrix<T>.Build.Dense(2, 3), 2.0, Matrix<T>.Build.Dense(3, 2));

        wrongLength.Should().ThrowExactly<ArgumentException>().WithParameterName("destination");
        overlap.Should().ThrowExactly<ArgumentException>().WithParameterName("destination");
        wrongShape.Should().ThrowExactly<ArgumentException>().WithParameterName("destination");
        TestNumerics<T>.Doubles(destination).Should().Equal(42, 42, 42, 42);
        TestNumerics<T>.Doubles(buffer).Should().Equal(1, 2, 3, 4, 5);
    }

    [Fact]
    public void Apply_ToAMatrix_EqualsTheSpanOverload_InPlaceOrNot()
    {
        T[] logits = TestNumerics<T>.Random(15, -5.0, 5.0, seed: 4);
        var matrix = Matrix<T>.Build.DenseOfRowMajor(3, 5, logits);
        var destination = Matrix<T>.Build.Dense(3, 5);
        var expected = new T[15];
        TemperatureScaling.Apply<T>(logits, 1.9, expected);

        TemperatureScaling.Apply(matrix, 1.9, destination);
        TemperatureScaling.Apply(matrix, 1.9, matrix);

        TestNumerics<T>.ShouldBeIdentical(destination.ToRowMajorArray(), expected);
        TestNumerics<T>.ShouldBeIdentical(matrix.ToRowMajorArray(), expected);
    }

    /// <summary>The mean NLL of <c>softmax(z / temperature)</c>, through <see cref="TemperatureScaling.Apply{T}(ReadOnlySpan{T}, double, Span{T})"/> and the loss.</summary>
    private static double Nll(T[] logits, int[] labels, int numClasses, double temperature)
    {
        var scaled = new T[logits.Length];
        TemperatureScaling.Apply<T>(logits, temperature, scaled);
        return TestNumerics<T>.ToDouble(new CrossEntropyLoss(numClasses).Forward<T>(scaled, labels));
    }

    /// <summary><c>dNLL/dβ = mean_i (Σ_k p_ik z_ik − z_iy)</c> with <c>p_i = softmax(z_i / temperature)</c>, in double.</summary>
    private static double NllSlope(double[] logits, int[] labels, int numClasses, double temperature)
    {
        double[] probabilities = NaiveMath.Softmax(logits.Select(z => z / temperature).ToArray(), numClasses);
        double slope = 0.0;
        for (int i = 0; i < labels.Length; i++)
        {
            for (int k = 0; k < numClasses; k++)
            {
                slope += probabilities[(i * numClasses) + k] * logits[(i * numClasses) + k];
            }

            slope -= logits[(i * numClasses) + labels[i]];
        }

        return slope / labels.Length;
    }

    /// <summary>Random logits uniform in [−4, 4] and one label per row drawn from <c>softmax(z / temperature)</c>.</summary>
    private static (T[] Logits, int[] Labels) IndependentSample(int samples, int numClasses, double temperature, int seed)
    {
        var random = new Random(seed);
        T[] logits = TestNumerics<T>.Random(samples * numClasses, -4.0, 4.0, seed);
        double[] probabilities = NaiveMath.Softmax(TestNumerics<T>.Doubles(logits).Select(z => z / temperature).ToArray(), numClasses);
        int[] labels = Enumerable.Range(0, samples)
            .Select(i => Draw(probabilities.AsSpan(i * numClasses, numClasses), random.NextDouble()))
            .ToArray();
        return (logits, labels);
    }

    /// <summary>
    /// <paramref name="rows"/> random rows (logits uniform in [−6, 6]), each repeated <paramref name="copies"/> times with labels
    /// drawn from <c>softmax(z / temperature)</c> by systematic sampling: copy <c>j</c> inverts the CDF at <c>(j + U)/copies</c>.
    /// </summary>
    private static (T[] Logits, int[] Labels) SystematicSample(int rows, int copies, int numClasses, double temperature, int seed)
    {
        var random = new Random(seed);
        var logits = new T[rows * copies * numClasses];
        var labels = new int[rows * copies];
        var row = new double[numClasses];
        for (int r = 0; r < rows; r++)
        {
            for (int k = 0; k < numClasses; k++)
            {
                row[k] = 12.0 * (random.NextDouble() - 0.5);
            }

            double[] probabilities = NaiveMath.Softmax(row.Select(z => z / temperature).ToArray(), numClasses);
            double offset = random.NextDouble();
            for (int j = 0; j < copies; j++)
            {
                int sample = (r * copies) + j;
                labels[sample] = Draw(probabilities, (j + offset) / copies);
                for (int k = 0; k < numClasses; k++)
                {
                    logits[(sample * numClasses) + k] = TestNumerics<T>.Of(row[k]);
                }
            }
        }

        return (logits, labels);
    }

    /// <summary>The class whose cumulative probability first exceeds <paramref name="u"/> ∈ [0, 1).</summary>
    private static int Draw(ReadOnlySpan<double> probabilities, double u)
    {
        double cumulative = 0.0;
        for (int k = 0; k < probabilities.Length - 1; k++)
        {
            cumulative += probabilities[k];
            if (u < cumulative)
            {
                return k;
            }
        }

        return probabilities.Length - 1;
    }

    private static int ArgMax(ReadOnlySpan<T> row) => row.IndexOf(Max(row));

    private static int ArgMin(ReadOnlySpan<T> row) => row.IndexOf(Min(row));

    private static T Max(ReadOnlySpan<T> row)
    {
        T max = row[0];
        foreach (T z in row)
        {
            max = T.Max(max, z);
        }

        return max;
    }

    private static T Min(ReadOnlySpan<T> row)
    {
        T min = row[0];
        foreach (T z in row)
        {
            min = T.Min(min, z);
        }

        return min;
    }
}

public sealed class TemperatureScalingTestsSingle : TemperatureScalingTests<float>
{
}

public sealed class TemperatureScalingTestsDouble : TemperatureScalingTests<double>
{
}
