using System;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Softmax;

public abstract class LogSoftmaxTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(4, 7)]
    [InlineData(2, 33)]
    [InlineData(5, 257)]
    public void Forward_MatchesAnIndependentDoubleComputation(int rows, int numClasses)
    {
        T[] logits = TestNumerics<T>.Random(rows * numClasses, -20.0, 20.0, seed: rows + numClasses);
        T[] destination = TestNumerics<T>.Filled(logits.Length);

        LogSoftmax.Forward<T>(logits, numClasses, destination);

        double[] expected = NaiveMath.LogSoftmax(TestNumerics<T>.Doubles(logits), numClasses);
        TestNumerics<T>.ShouldAllBeClose(destination, expected);
    }

    [Fact]
    public void Forward_IsShiftInvariant_AndExactForTwoClasses()
    {
        T[] logits = TestNumerics<T>.Values(0.0, Math.Log(3.0), 10.0, 10.0 + Math.Log(3.0));
        var destination = new T[4];

        LogSoftmax.Forward<T>(logits, 2, destination);

        // softmax(0, ln 3) = (1/4, 3/4) in both rows.
        TestNumerics<T>.ShouldAllBeClose(destination, [Math.Log(0.25), Math.Log(0.75), Math.Log(0.25), Math.Log(0.75)]);
    }

    [Fact]
    public void Forward_OfOneClass_IsZero_AndSoftmaxIsOne()
    {
        T[] logits = TestNumerics<T>.Values(-3.0, 0.0, 1e4);
        var lp = new T[3];
        var p = new T[3];

        LogSoftmax.Forward<T>(logits, 1, lp);
        LogSoftmax.Softmax<T>(logits, 1, p);

        TestNumerics<T>.Doubles(lp).Should().Equal(0.0, 0.0, 0.0);
        TestNumerics<T>.Doubles(p).Should().Equal(1.0, 1.0, 1.0);
    }

    [Fact]
    public void ForwardAndSoftmax_InPlace_EqualSeparateBuffers()
    {
        T[] logits = TestNumerics<T>.Random(24, -5.0, 5.0, seed: 1);
        var lp = new T[24];
        var p = new T[24];
        LogSoftmax.Forward<T>(logits, 6, lp);
        LogSoftmax.Softmax<T>(logits, 6, p);
        T[] inPlaceLp = (T[])logits.Clone();
        T[] inPlaceP = (T[])logits.Clone();

        LogSoftmax.Forward<T>(inPlaceLp, 6, inPlaceLp);
        LogSoftmax.Softmax<T>(inPlaceP, 6, inPlaceP);

        TestNumerics<T>.ShouldBeIdentical(inPlaceLp, lp);
        TestNumerics<T>.ShouldBeIdentical(inPlaceP, p);
    }

    [Fact]
    public void Forward_OfHugeLogits_StaysFinite()
    {
        // ±1e4 in float, ±1e300 in double: exp would overflow without the max shift.
        double big = TestNumerics<T>.IsSingle ? 1e4 : 1e300;
        T[] logits = TestNumerics<T>.Values(big, -big, 0.0, 0.0, big, big);
        var lp = new T[6];
        var p = new T[6];

        LogSoftmax.Forward<T>(logits, 3, lp);
        LogSoftmax.Softmax<T>(logits, 3, p);

        TestNumerics<T>.ShouldAllBeClose(lp, [0.0, -2 * big, -big, -big - Math.Log(2), -Math.Log(2), -Math.Log(2)]);
        TestNumerics<T>.ShouldAllBeClose(p, [1.0, 0.0, 0.0, 0.0, 0.5, 0.5]);
    }

    [Theory]
    [InlineData(3, 5)]
    [InlineData(4, 100)]
    public void Softmax_RowsSumToOne_AndEqualExpOfForward(int rows, int numClasses)
    {
        T[] logits = TestNumerics<T>.Random(rows * numClasses, -30.0, 30.0, seed: 2);
        var p = new T[logits.Length];
        var lp = new T[logits.Length];

        LogSoftmax.Softmax<T>(logits, numClasses, p);
        LogSoftmax.Forward<T>(logits, numClasses, lp);

        double[] probabilities = TestNumerics<T>.Doubles(p);
        for (int i = 0; i < rows; i++)
        {
            probabilities.Skip(i * numClasses).Take(numClasses).Sum().Should().BeApproximately(1.0, 4 * TestNumerics<T>.Tolerance, $"row {i}");
        }

        TestNumerics<T>.ShouldAllBeClose(p, NaiveMath.Softmax(TestNumerics<T>.Doubles(logits), numClasses));
        TestNumerics<T>.ShouldAllBeClose(p, TestNumerics<T>.Doubles(lp).Select(Math.Exp).ToArray());
    }

    [Fact]
    public void NonFiniteLogits_FollowTheDocumentedRules()
    {
        // −∞: probability 0 and lp = −∞ there; NaN anywhere in a row: the whole row NaN; +∞: NaN (∞ − ∞). Other rows unaffected.
        T[] logits = TestNumerics<T>.Values(0.0, double.NegativeInfinity, 0.0, 1.0, double.NaN, 2.0, 0.0, double.PositiveInfinity, 0.0, 0.0, 0.0, 0.0);
        var lp = new T[12];
        var p = new T[12];

        LogSoftmax.Forward<T>(logits, 3, lp);
        LogSoftmax.Softmax<T>(logits, 3, p);

        double[] lpValues = TestNumerics<T>.Doubles(lp);
        double[] pValues = TestNumerics<T>.Doubles(p);
        lpValues[0].Should().BeApproximately(-Math.Log(2), TestNumerics<T>.Tolerance);
        lpValues[1].Should().Be(double.NegativeInfinity);
        pValues.Take(3).Should().Equal(0.5, 0.0, 0.5);
        lpValues.Skip(3).Take(6).Should().OnlyContain(v => double.IsNaN(v));
        pValues.Skip(3).Take(6).Should().OnlyContain(v => double.IsNaN(v));
        lpValues.Skip(9).Should().AllSatisfy(v => v.Should().BeApproximately(-Math.Log(3), TestNumerics<T>.Tolerance));
    }

    [Fact]
    public void Backward_IsUpstreamMinusProbabilityTimesTheRowSumOfUpstream()
    {
        const int K = 6;
        T[] logits = TestNumerics<T>.Random(4 * K, -3.0, 3.0, seed: 3);
        var lp = new T[logits.Length];
        LogSoftmax.Forward<T>(logits, K, lp);
        T[] upstream = TestNumerics<T>.Random(logits.Length, -2.0, 2.0, seed: 4);
        T[] destination = TestNumerics<T>.Filled(logits.Length);

        LogSoftmax.Backward<T>(lp, upstream, K, destination);

        double[] l = TestNumerics<T>.Doubles(lp);
        double[] g = TestNumerics<T>.Doubles(upstream);
        var expected = new double[g.Length];
        for (int i = 0; i < 4; i++)
        {
            double sum = g.Skip(i * K).Take(K).Sum();
            for (int k = 0; k < K; k++)
            {
                expected[(i * K) + k] = g[(i * K) + k] - (Math.Exp(l[(i * K) + k]) * sum);
            }
        }

        TestNumerics<T>.ShouldAllBeClose(destination, expected);
    }

    [Fact]
    public void Backward_OfMinusTheOneHot_IsTheCrossEntropyGradient_PMinusY()
    {
        const int K = 4;
        T[] logits = TestNumerics<T>.Random(3 * K, -3.0, 3.0, seed: 5);
        int[] labels = [3, 0, 2];
        var lp = new T[logits.Length];
        LogSoftmax.Forward<T>(logits, K, lp);
        T[] upstream = OneHot.Encode<T>(labels, K).Select(t => -t).ToArray();
        var destination = new T[logits.Length];
        var lossGradient = new T[logits.Length];

        LogSoftmax.Backward<T>(lp, upstream, K, destination);
        new CrossEntropyLoss(K, reduction: Reduction.Sum).ForwardBackward<T>(logits, labels, lossGradient);

        TestNumerics<T>.ShouldAllBeClose(destination, TestNumerics<T>.Doubles(lossGradient));
    }

    [Fact]
    public void Backward_InPlaceOnEitherInput_EqualsSeparateBuffers()
    {
        const int K = 5;
        T[] lp = new T[3 * K];
        LogSoftmax.Forward<T>(TestNumerics<T>.Random(3 * K, -3.0, 3.0, seed: 6), K, lp);
        T[] upstream = TestNumerics<T>.Random(3 * K, -1.0, 1.0, seed: 7);
        var separate = new T[3 * K];
        LogSoftmax.Backward<T>(lp, upstream, K, separate);
        T[] overLp = (T[])lp.Clone();
        T[] overUpstream = (T[])upstream.Clone();

        LogSoftmax.Backward<T>(overLp, upstream, K, overLp);
        LogSoftmax.Backward<T>(lp, overUpstream, K, overUpstream);

        TestNumerics<T>.ShouldBeIdentical(overLp, separate);
        TestNumerics<T>.ShouldBeIdentical(overUpstream, separate);
    }
}

public sealed class LogSoftmaxTestsSingle : LogSoftmaxTests<float>
{
}

public sealed class LogSoftmaxTestsDouble : LogSoftmaxTests<double>
{
}
