using System;
using System.Globalization;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Calibration;

/// <summary>
/// <see cref="Calibration"/> against <c>Golden/calibration_golden.json</c>: the Brier score, the class-wise ECE, the adaptive ECE and the
/// ECE within 1e-12 relative (1e-15 absolute) of NumPy transcriptions of the cited code. The logits are float32-exact, so the float and
/// double runs compute in double from the same values.
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class CalibrationGoldenTests<T>(ITestOutputHelper output)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Relative = 1e-12;
    private const double Absolute = 1e-15;

    public static TheoryData<string> Cases => CalibrationGolden.CaseNames;

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryMetric_MatchesTheGoldenValue(string name)
    {
        CalibrationGoldenCase golden = CalibrationGolden.Case(name);
        var checks = new ParityChecks<double>(Relative);

        foreach (var (metric, actual, expected) in Metrics(golden))
        {
            checks.Number(metric, actual, expected, Math.Max(Math.Abs(expected), Absolute / Relative));
        }

        checks.ShouldAllPass($"{typeof(T).Name} {name} ({golden.Note})");
    }

    [Fact]
    public void TheWorstDifferences_AreReported_AndWithinTheTolerance()
    {
        var worst = CalibrationGolden.Cases
            .SelectMany(Metrics)
            .GroupBy(m => m.Metric)
            .Select(g => (Metric: g.Key, Worst: g.Max(m => Math.Abs(m.Actual - m.Expected) / Math.Max(Math.Abs(m.Expected), Absolute / Relative))))
            .ToArray();
        double focal = CalibrationGolden.Cases
            .Where(c => c.AdaptiveEceFocalCalibration is not null && c.Counted >= 500)
            .Max(c => Math.Abs(c.AdaptiveEceFocalCalibration!.Value - c.AdaptiveEce));

        string differences = string.Join(", ", worst.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Metric} {w.Worst:G2}")));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{typeof(T).Name}, {CalibrationGolden.Cases.Count} cases, worst relative difference: {differences}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"adaptive ECE against Mukhoti et al.'s AdaptiveECELoss (another binning), N ≥ 500: up to {focal:G3} apart"));
        worst.Should().HaveCount(4).And.OnlyContain(w => w.Worst <= Relative);
    }

    private static (string Metric, double Actual, double Expected)[] Metrics(CalibrationGoldenCase golden)
    {
        T[] logits = Array.ConvertAll(golden.Logits, TestNumerics<T>.Of);
        int[] labels = golden.Labels;
        return
        [
            ("Brier score", LabelSmoothing.Calibration.BrierScore<T>(logits, labels, golden.K, golden.IgnoreIndex), golden.Brier),
            ("class-wise ECE", LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<T>(logits, labels, golden.K, golden.Bins, golden.IgnoreIndex), golden.ClasswiseEce),
            ("adaptive ECE", LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<T>(logits, labels, golden.K, golden.Bins, golden.IgnoreIndex), golden.AdaptiveEce),
            ("ECE", LabelSmoothing.Calibration.ExpectedCalibrationError<T>(logits, labels, golden.K, golden.Bins, golden.IgnoreIndex), golden.Ece),
        ];
    }
}

public sealed class CalibrationGoldenTestsSingle(ITestOutputHelper output) : CalibrationGoldenTests<float>(output);

public sealed class CalibrationGoldenTestsDouble(ITestOutputHelper output) : CalibrationGoldenTests<double>(output);
