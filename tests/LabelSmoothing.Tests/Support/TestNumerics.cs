using System;
using System.Numerics;
using FluentAssertions;

namespace LabelSmoothing.Tests.Support;

/// <summary>Conversions, random data and type-scaled tolerances for tests written once for <see cref="float"/> and <see cref="double"/>.</summary>
internal static class TestNumerics<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>True when <typeparamref name="T"/> is <see cref="float"/>.</summary>
    public static bool IsSingle => typeof(T) == typeof(float);

    /// <summary>The relative tolerance of a result computed in double and rounded to <typeparamref name="T"/>.</summary>
    public static double Tolerance => IsSingle ? 1e-5 : 1e-12;

    /// <summary>A value written into outputs before a call that must not write them.</summary>
    public static T Sentinel => T.CreateTruncating(42);

    public static T Of(double value) => T.CreateTruncating(value);

    public static double ToDouble(T value) => double.CreateTruncating(value);

    public static T[] Values(params double[] values) => Array.ConvertAll(values, Of);

    public static double[] Doubles(ReadOnlySpan<T> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = ToDouble(values[i]);
        }

        return result;
    }

    /// <summary>An array of <paramref name="length"/> sentinels.</summary>
    public static T[] Filled(int length)
    {
        var result = new T[length];
        result.AsSpan().Fill(Sentinel);
        return result;
    }

    /// <summary>Reproducible uniform values in [<paramref name="low"/>, <paramref name="high"/>), rounded to <typeparamref name="T"/>.</summary>
    public static T[] Random(int length, double low, double high, int seed)
    {
        var random = new Random(seed);
        var result = new T[length];
        for (int i = 0; i < length; i++)
        {
            result[i] = Of(low + ((high - low) * random.NextDouble()));
        }

        return result;
    }

    /// <summary>Reproducible labels in [0, <paramref name="numClasses"/>).</summary>
    public static int[] RandomLabels(int length, int numClasses, int seed)
    {
        var random = new Random(seed);
        var result = new int[length];
        for (int i = 0; i < length; i++)
        {
            result[i] = random.Next(numClasses);
        }

        return result;
    }

    /// <summary>Asserts <c>|actual − expected| ≤ Tolerance · max(scale, |expected|)</c>.</summary>
    public static void ShouldBeClose(T actual, double expected, double scale = 1.0, string because = "")
    {
        double tolerance = Tolerance * Math.Max(scale, Math.Abs(expected));
        ToDouble(actual).Should().BeApproximately(expected, tolerance, because);
    }

    /// <summary>Element-wise <see cref="ShouldBeClose(T, double, double, string)"/>.</summary>
    public static void ShouldAllBeClose(ReadOnlySpan<T> actual, ReadOnlySpan<double> expected, double scale = 1.0)
    {
        actual.Length.Should().Be(expected.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            ShouldBeClose(actual[i], expected[i], scale, $"element {i} should be {expected[i]}");
        }
    }

    /// <summary>Asserts that two spans hold bit-for-bit the same values.</summary>
    public static void ShouldBeIdentical(ReadOnlySpan<T> actual, ReadOnlySpan<T> expected)
    {
        actual.Length.Should().Be(expected.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            actual[i].Equals(expected[i]).Should().BeTrue($"element {i} should be {expected[i]}, not {actual[i]}");
        }
    }
}
