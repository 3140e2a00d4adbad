using System.Linq;
using System.Numerics;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Smoothing;

public abstract class OneHotTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [Fact]
    public void Encode_WritesRowILabelOfSampleI_AndZerosEverywhereElse()
    {
        int[] labels = [2, 0, 1, 2];
        T[] destination = TestNumerics<T>.Filled(12);

        OneHot.Encode<T>(labels, 3, destination);

        TestNumerics<T>.Doubles(destination).Should().Equal(
            0, 0, 1,
            1, 0, 0,
            0, 1, 0,
            0, 0, 1);
        labels.Should().Equal(2, 0, 1, 2);
    }

    [Fact]
    public void Encode_ToANewArray_EqualsTheSpanOverload()
    {
        int[] labels = TestNumerics<T>.RandomLabels(17, 5, seed: 1);
        T[] written = TestNumerics<T>.Filled(17 * 5);

        OneHot.Encode<T>(labels, 5, written);
        T[] returned = OneHot.Encode<T>(labels, 5);

        returned.Should().Equal(written);
        TestNumerics<T>.Doubles(returned).Sum().Should().Be(17, "each row holds exactly one 1");
        for (int i = 0; i < labels.Length; i++)
        {
            TestNumerics<T>.ToDouble(returned[(i * 5) + labels[i]]).Should().Be(1.0);
        }
    }

    [Fact]
    public void Encode_OneClass_IsAColumnOfOnes()
    {
        T[] encoded = OneHot.Encode<T>([0, 0, 0], 1);

        TestNumerics<T>.Doubles(encoded).Should().Equal(1, 1, 1);
    }

    [Fact]
    public void Encode_NoLabels_IsEmpty()
    {
        OneHot.Encode<T>([], 4).Should().BeEmpty();
    }

    [Fact]
    public void Encode_IsTheTargetOfThePlainLoss()
    {
        int[] labels = [1, 3, 0];
        T[] logits = TestNumerics<T>.Random(12, -3.0, 3.0, seed: 2);
        var loss = new CrossEntropyLoss(4);

        T fromLabels = loss.Forward<T>(logits, labels);
        T fromOneHot = loss.Forward<T>(logits, OneHot.Encode<T>(labels, 4));

        TestNumerics<T>.ShouldBeClose(fromOneHot, TestNumerics<T>.ToDouble(fromLabels));
    }
}

public sealed class OneHotTestsSingle : OneHotTests<float>
{
}

public sealed class OneHotTestsDouble : OneHotTests<double>
{
}
