using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;

namespace LabelSmoothing.Benchmarks;

/// <summary>
/// The door table of the quick mode under BenchmarkDotNet: one parameter value per <see cref="DoorCase"/> (span, MathNet matrix,
/// dense tensor, permuted tensor, Half span), the fused forward + backward against its reference (a same-size copy; the float call
/// for Half) as the baseline, so that the Ratio column is the "÷ copy" of the targets.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(WideParameterColumns))]
public class DoorBenchmarks
{
    private DoorRun _run = null!;

    public static IEnumerable<string> Cases => DoorCase.All().Select(c => c.ToString());

    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _run = DoorCase.Named(Case).Prepare();

    [Benchmark(Baseline = true)]
    public void Copy() => _run.Copy();

    [Benchmark]
    public void Fused() => _run.Fused();
}
