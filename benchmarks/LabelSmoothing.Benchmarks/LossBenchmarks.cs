using System;
using System.Numerics;
using BenchmarkDotNet.Attributes;

namespace LabelSmoothing.Benchmarks;

/// <summary>
/// Forward + backward, α = 0.1, mean, on the shapes of <see cref="BenchmarkShape.All"/>: the naive baseline (materialised smoothed targets,
/// float only), the fused kernels on one core and on all cores, and a same-size memory copy (the floor: read the logits, write the
/// gradient).
/// </summary>
[MemoryDiagnoser]
public abstract class LossBenchmarks<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] _logits = [];
    private T[] _gradient = [];
    private int[] _labels = [];
    private CrossEntropyLoss _oneCore = null!;
    private CrossEntropyLoss _allCores = null!;

    /// <summary>The class count; the batch is 4096 rows up to K = 1003, 256 at 32000, 32 at 256000.</summary>
    [Params(10, 1000, 1003, 32000, 256000)]
    public int Classes { get; set; }

    protected float[] FloatLogits => (float[])(object)_logits;

    protected float[] FloatGradient => (float[])(object)_gradient;

    protected int[] Labels => _labels;

    [GlobalSetup]
    public void Setup()
    {
        var shape = Array.Find([.. BenchmarkShape.All], s => s.Classes == Classes);
        (_logits, _labels) = shape.Data<T>();
        _gradient = new T[_logits.Length];
        _oneCore = new CrossEntropyLoss(Classes, 0.1) { MaxDegreeOfParallelism = 1 };
        _allCores = new CrossEntropyLoss(Classes, 0.1);
    }

    [Benchmark]
    public T FusedOneCore() => _oneCore.ForwardBackward<T>(_logits, _labels, _gradient);

    [Benchmark]
    public T FusedAllCores() => _allCores.ForwardBackward<T>(_logits, _labels, _gradient);

    [Benchmark]
    public void Copy() => _logits.AsSpan().CopyTo(_gradient);
}

/// <summary>Float32, with the naive baseline.</summary>
public class FloatLossBenchmarks : LossBenchmarks<float>
{
    [Benchmark(Baseline = true)]
    public float Naive() => NaiveLoss.ForwardBackward(FloatLogits, Labels, Classes, 0.1, FloatGradient);
}

/// <summary>Float64.</summary>
public class DoubleLossBenchmarks : LossBenchmarks<double>
{
}
