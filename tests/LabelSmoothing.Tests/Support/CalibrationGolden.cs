using Xunit;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The golden values in <c>Golden/calibration_golden.json</c>, written by <c>tools/generate_golden_calibration.py</c> (schema and
/// definitions documented there): NumPy transcriptions of the published code each calibration metric follows.
/// </summary>
public static class CalibrationGolden
{
    private static readonly GoldenSet<CalibrationGoldenCase> Set = new("calibration_golden.json");

    /// <summary>The names of the cases, one theory row each.</summary>
    public static TheoryData<string> CaseNames => Set.Names();

    internal static System.Collections.Generic.IReadOnlyList<CalibrationGoldenCase> Cases => Set.Cases;

    internal static CalibrationGoldenCase Case(string name) => Set.Case(name);
}

/// <summary>One case: row-major <c>[N, K]</c> float32-exact logits, labels, and the expected metrics in double.</summary>
internal sealed class CalibrationGoldenCase : IGoldenCase
{
    public string Name { get; init; } = "";

    public string Note { get; init; } = "";

    public int N { get; init; }

    public int K { get; init; }

    public int Bins { get; init; }

    public int IgnoreIndex { get; init; }

    public int Counted { get; init; }

    public double Brier { get; init; }

    public double ClasswiseEce { get; init; }

    public double AdaptiveEce { get; init; }

    public double Ece { get; init; }

    /// <summary>Mukhoti et al.'s <c>AdaptiveECELoss</c> on the same rows: another binning, for comparison only.</summary>
    public double? AdaptiveEceFocalCalibration { get; init; }

    public int[] Labels { get; init; } = [];

    public double[] Logits { get; init; } = [];
}
