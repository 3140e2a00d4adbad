using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using FluentAssertions;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// Collects the comparisons of one parity test (relative error of a scalar, normwise relative error of a tensor, writes outside an output
/// view, inputs left as they were) and fails once, listing every comparison over the tolerance.
/// </summary>
/// <typeparam name="T">The element type of the results under test.</typeparam>
internal sealed class ParityChecks<T>(double tolerance)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<string> _failures = [];

    /// <summary>The number of comparisons made.</summary>
    public int Count { get; private set; }

    /// <summary>The largest error seen.</summary>
    public double Worst { get; private set; }

    public void Scalar(string what, T actual, double expected) => Record(what, ErrorMetrics<T>.ScalarError(actual, expected), $"{actual} vs {expected}");

    /// <summary>A result that is a double whatever <typeparamref name="T"/> (a total weight, a calibration error), relative to
    /// <paramref name="scale"/> (<c>|expected|</c> when not given; absolute when that is 0).</summary>
    public void Number(string what, double actual, double expected, double? scale = null)
    {
        double reference = scale ?? Math.Abs(expected);
        double error = Math.Abs(actual - expected);
        Record(what, reference == 0.0 ? error : error / reference, $"{actual} vs {expected}");
    }

    /// <summary>The view's values against <paramref name="expected"/> (row-major), and nothing written outside the view.</summary>
    public void Tensor(string what, StridedTensor<T> actual, ReadOnlySpan<double> expected)
    {
        Values(what, actual.Logical(), expected);
        Same($"{what}: storage outside the view", actual.WrittenOutside() == 0, $"{actual.WrittenOutside()} elements outside {actual.Describe()} were written");
    }

    public void Values(string what, ReadOnlySpan<T> actual, ReadOnlySpan<double> expected)
    {
        double error = ErrorMetrics<T>.NormwiseError(actual, expected);
        Record(what, error, actual.Length == expected.Length ? "normwise" : $"{actual.Length} values vs {expected.Length}");
    }

    /// <summary>A condition that must hold exactly.</summary>
    public void Same(string what, bool holds, string detail)
    {
        Count++;
        if (!holds)
        {
            _failures.Add($"{what}: {detail}");
        }
    }

    /// <summary>Asserts that every comparison was within the tolerance.</summary>
    public void ShouldAllPass(string context)
    {
        Count.Should().BeGreaterThan(0);
        _failures.Should().BeEmpty($"{context}: {Count} comparisons, tolerance {tolerance:E1}; failures:{Environment.NewLine}{string.Join(Environment.NewLine, _failures)}");
    }

    private void Record(string what, double error, string detail)
    {
        Count++;
        Worst = Math.Max(Worst, double.IsNaN(error) ? double.PositiveInfinity : error);
        if (!(error <= tolerance))
        {
            _failures.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: error {error:E3} ({detail})"));
        }
    }
}
