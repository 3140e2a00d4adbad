using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;

namespace LabelSmoothing.Benchmarks;

/// <summary>
/// The family column per door under BenchmarkDotNet (<c>--quick --family --doors</c> of the quick mode): each softmax-family loss of
/// <see cref="FamilyBenchmark.SoftmaxLosses"/> through each door of <see cref="FamilyBenchmark.Doors"/>, with the cross-entropy through the
/// same door as the baseline, so that the Ratio column is the "÷ cross-entropy" of the targets.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(WideParameterColumns))]
public class FamilyDoorBenchmarks
{
    private DoorRun _crossEntropy = null!;
    private DoorRun _family = null!;

    public static IEnumerable<string> Doors => FamilyBenchmark.Doors.Select(door => door(FamilyBenchmark.SoftmaxLosses[0].Create).ToString());

    public static IEnumerable<string> Losses => FamilyBenchmark.SoftmaxLosses.Skip(1).Select(loss => loss.Name);

    [ParamsSource(nameof(Doors))]
    public string Door { get; set; } = "";

    [ParamsSource(nameof(Losses))]
    public string Loss { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var door = FamilyBenchmark.Doors.Single(d => d(FamilyBenchmark.SoftmaxLosses[0].Create).ToString() == Door);
        _crossEntropy = door(FamilyBenchmark.SoftmaxLosses[0].Create).Prepare();
        _family = door(FamilyBenchmark.SoftmaxLosses.Single(l => l.Name == Loss).Create).Prepare();
    }

    [Benchmark(Baseline = true)]
    public void CrossEntropy() => _crossEntropy.Fused();

    [Benchmark]
    public void Family() => _family.Fused();
}
