using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing.Benchmarks;

/// <summary>
/// One door of the library on one shape: <see cref="Prepare"/> allocates its inputs and returns the fused forward + backward
/// (float32, α = 0.1, mean, one core; the cross-entropy unless the factory is given another <see cref="SoftmaxLoss"/>) and a same-size
/// memory copy (the floor: read the logits, write the gradient). Inputs are N(0, 2²) logits and uniform labels.
/// </summary>
public sealed class DoorCase
{
    private readonly Func<DoorRun> _prepare;

    private DoorCase(string door, string shape, long logits, Func<DoorRun> prepare)
    {
        Door = door;
        Shape = shape;
        Logits = logits;
        _prepare = prepare;
    }

    /// <summary>span, matrix, dense tensor, permuted tensor or Half span.</summary>
    public string Door { get; }

    public string Shape { get; }

    public long Logits { get; }

    /// <summary>Allocates the case's inputs and outputs.</summary>
    public DoorRun Prepare() => _prepare();

    /// <summary>The cases of the performance targets, in the order of the table.</summary>
    public static IReadOnlyList<DoorCase> All() =>
    [
        Span(4096, 10), Span(4096, 1000), Span(4096, 1003), Span(256, 32000), Span(32, 256000),
        Matrix(4096, 10), Matrix(4096, 1000), Matrix(512, 32000),
        DenseTensor(8, 21, 128, 128), DenseTensor(8, 32000, 64),
        PermutedTensor(8, 21, 128, 128),
        HalfSpan(4096, 1000),
    ];

    /// <summary>The case whose <see cref="ToString"/> is <paramref name="name"/>.</summary>
    public static DoorCase Named(string name) =>
        ((List<DoorCase>)[.. All()]).Find(c => c.ToString() == name) ?? throw new ArgumentException($"no door case '{name}'", nameof(name));

    public static DoorCase Span(int rows, int classes, Func<int, SoftmaxLoss>? create = null) => new("span", $"{rows}x{classes}", (long)rows * classes, () =>
    {
        var (logits, labels) = new BenchmarkShape(rows, classes).Data<float>();
        var gradient = new float[logits.Length];
        var loss = (create ?? OneCore)(classes);
        return new(() => loss.ForwardBackward<float>(logits, labels, gradient), () => logits.AsSpan().CopyTo(gradient));
    });

    public static DoorCase Matrix(int rows, int classes, Func<int, SoftmaxLoss>? create = null) => new("matrix", $"{rows}x{classes}", (long)rows * classes, () =>
    {
        var (values, labels) = new BenchmarkShape(rows, classes).Data<float>();
        var logits = Matrix<float>.Build.Dense(rows, classes, values);
        var gradient = Matrix<float>.Build.Dense(rows, classes);
        var copy = new float[values.Length];
        var loss = (create ?? OneCore)(classes);
        return new(() => loss.ForwardBackward(logits, labels, gradient), () => values.AsSpan().CopyTo(copy));
    });

    /// <summary>Logits <c>(n, c, h[, w])</c> stored densely: class-major within each sample.</summary>
    public static DoorCase DenseTensor(int n, int classes, int h, int w = 1, Func<int, SoftmaxLoss>? create = null) =>
        new("dense tensor", w == 1 ? $"({n}, {classes}, {h})" : $"({n}, {classes}, {h}, {w})", (long)n * classes * h * w, () =>
        {
            var (values, labels) = new BenchmarkShape(n * h * w, classes).Data<float>();
            nint[] lengths = w == 1 ? [n, classes, h] : [n, classes, h, w];
            nint[] labelLengths = w == 1 ? [n, h] : [n, h, w];
            var logits = Tensor.Create(values, lengths);
            var target = Tensor.Create(labels, labelLengths);
            var gradient = Tensor.CreateFromShape<float>(lengths, pinned: false);
            var copy = new float[values.Length];
            var loss = (create ?? OneCore)(classes);
            return new(() => loss.ForwardBackward(logits, target, gradient), () => values.AsSpan().CopyTo(copy));
        });

    /// <summary>Logits <c>(n, c, h, w)</c> viewed from channel-last storage <c>(n, h, w, c)</c>: contiguous rows at class stride 1.</summary>
    public static DoorCase PermutedTensor(int n, int classes, int h, int w, Func<int, SoftmaxLoss>? create = null) =>
        new("permuted tensor", $"({n}, {classes}, {h}, {w})", (long)n * classes * h * w, () =>
        {
            var (values, labels) = new BenchmarkShape(n * h * w, classes).Data<float>();
            var logits = Tensor.PermuteDimensions(Tensor.Create(values, [n, h, w, classes]), [0, 3, 1, 2]);
            var gradient = Tensor.PermuteDimensions(Tensor.CreateFromShape<float>([n, h, w, classes], pinned: false), [0, 3, 1, 2]);
            var target = Tensor.Create(labels, [n, h, w]);
            var copy = new float[values.Length];
            var loss = (create ?? OneCore)(classes);
            return new(() => loss.ForwardBackward(logits, target, gradient), () => values.AsSpan().CopyTo(copy));
        });

    /// <summary>Half logits, row-major; its copy is the float call on the same shape (the target is a ratio to it).</summary>
    public static DoorCase HalfSpan(int rows, int classes) => new("Half span", $"{rows}x{classes}", (long)rows * classes, () =>
    {
        var (values, labels) = new BenchmarkShape(rows, classes).Data<float>();
        var logits = Array.ConvertAll(values, v => (Half)v);
        var gradient = new Half[logits.Length];
        var floatGradient = new float[values.Length];
        var loss = OneCore(classes);
        return new(() => loss.ForwardBackward<Half>(logits, labels, gradient), () => loss.ForwardBackward<float>(values, labels, floatGradient));
    });

    public override string ToString() => $"{Door} {Shape}";

    private static CrossEntropyLoss OneCore(int classes) => new(classes, 0.1) { MaxDegreeOfParallelism = 1 };
}

/// <summary>A prepared <see cref="DoorCase"/>: the fused call and its reference (a same-size copy, or the float call for Half).</summary>
public sealed record DoorRun(Action Fused, Action Copy);
