using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.Intrinsics;

namespace LabelSmoothing.Benchmarks;

/// <summary>
/// <c>--quick --family</c>: forward + backward of every loss of the smoothing family (float, mean, one thread: every loss with
/// <c>MaxDegreeOfParallelism = 1</c>) beside the fused <see cref="CrossEntropyLoss"/> (α = 0.1) on the same logits, interleaved in one run:
/// medians of short samples, ns per logit, and each loss's time over the cross-entropy's. The binary focal loss is element-wise, so its
/// reference is <see cref="BinaryCrossEntropyLoss"/> on the same <c>N × K</c> logits as <c>N × M</c> labels.
/// </summary>
public static class FamilyBenchmark
{
    public static int Run(int samples, BenchmarkShape shape)
    {
        var (logits, labels) = shape.Data<float>();
        var (teacher, _) = shape.Data<float>(seed: 7);
        var targets = new float[logits.Length];
        var random = new Random(11);
        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] = random.Next(2);
        }

        var gradient = new float[logits.Length];
        int k = shape.Classes;
        var cross = new CrossEntropyLoss(k, 0.1) { MaxDegreeOfParallelism = 1 };
        var poly = new PolyLoss(k, 2.0, 0.1) { MaxDegreeOfParallelism = 1 };
        var focal = new FocalLoss(k, 2.0, 0.1) { MaxDegreeOfParallelism = 1 };
        var focalHalf = new FocalLoss(k, 0.5, 0.1) { MaxDegreeOfParallelism = 1 };
        var relaxation = new LabelRelaxationLoss(k, 0.1) { MaxDegreeOfParallelism = 1 };
        var penalty = new ConfidencePenaltyLoss(k, 0.1, 0.1) { MaxDegreeOfParallelism = 1 };
        var distillation = new DistillationLoss(k, 2.0) { MaxDegreeOfParallelism = 1 };
        var bce = new BinaryCrossEntropyLoss(k, 0.1);
        var binaryFocal = new BinaryFocalLoss(k, 2.0, 0.25, 0.1);
        var actions = new List<(string Name, Action Body)>
        {
            ("CrossEntropyLoss (α = 0.1)", () => cross.ForwardBackward<float>(logits, labels, gradient)),
            ("PolyLoss (ε = 2, α = 0.1)", () => poly.ForwardBackward<float>(logits, labels, gradient)),
            ("FocalLoss (γ = 2, α = 0.1)", () => focal.ForwardBackward<float>(logits, labels, gradient)),
            ("FocalLoss (γ = 0.5, α = 0.1)", () => focalHalf.ForwardBackward<float>(logits, labels, gradient)),
            ("LabelRelaxationLoss (α = 0.1)", () => relaxation.ForwardBackward<float>(logits, labels, gradient)),
            ("ConfidencePenaltyLoss (β = 0.1, α = 0.1)", () => penalty.ForwardBackward<float>(logits, labels, gradient)),
            ("DistillationLoss (T = 2)", () => distillation.ForwardBackward<float>(logits, teacher, gradient)),
            ("BinaryCrossEntropyLoss (α = 0.1)", () => bce.ForwardBackward<float>(logits, targets, gradient)),
            ("BinaryFocalLoss (γ = 2, alpha = 0.25, α = 0.1)", () => binaryFocal.ForwardBackward<float>(logits, targets, gradient)),
        };

        var medians = QuickBenchmark.Time(actions, samples).ToDictionary(p => p.Key, p => p.Value / shape.Logits);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# LabelSmoothing family benchmark — {DateTime.UtcNow:yyyy-MM-dd}, .NET {Environment.Version}, {Environment.ProcessorCount} cores, Vector512 {Vector512.IsHardwareAccelerated}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# float32, {shape}, mean, forward + backward, one thread; medians of {samples} interleaved samples of ~20 ms; ns per logit"));
        Console.WriteLine();
        Console.WriteLine("| loss | ns per logit | ÷ reference | reference |");
        Console.WriteLine("|---|---|---|---|");
        double crossEntropy = medians[actions[0].Name];
        double binary = medians[actions[7].Name];
        foreach (var (name, _) in actions)
        {
            bool isBinary = name.StartsWith("Binary", StringComparison.Ordinal);
            double reference = isBinary ? binary : crossEntropy;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {name} | {medians[name]:0.000} | {medians[name] / reference:0.00}× | {(isBinary ? "BinaryCrossEntropyLoss" : "CrossEntropyLoss")} |"));
        }

        return 0;
    }

    /// <summary>The softmax losses of the per-door table, the cross-entropy first (one thread, α = 0.1).</summary>
    public static IReadOnlyList<(string Name, Func<int, SoftmaxLoss> Create)> SoftmaxLosses { get; } =
    [
        ("CrossEntropyLoss", k => new CrossEntropyLoss(k, 0.1) { MaxDegreeOfParallelism = 1 }),
        ("PolyLoss ε = 2", k => new PolyLoss(k, 2.0, 0.1) { MaxDegreeOfParallelism = 1 }),
        ("FocalLoss γ = 2", k => new FocalLoss(k, 2.0, 0.1) { MaxDegreeOfParallelism = 1 }),
        ("FocalLoss γ = 0.5", k => new FocalLoss(k, 0.5, 0.1) { MaxDegreeOfParallelism = 1 }),
        ("LabelRelaxationLoss", k => new LabelRelaxationLoss(k, 0.1) { MaxDegreeOfParallelism = 1 }),
        ("ConfidencePenaltyLoss β = 0.1", k => new ConfidencePenaltyLoss(k, 0.1, 0.1) { MaxDegreeOfParallelism = 1 }),
    ];

    /// <summary>The doors of the per-door table, each a <see cref="DoorCase"/> for a given loss.</summary>
    public static IReadOnlyList<Func<Func<int, SoftmaxLoss>, DoorCase>> Doors { get; } =
    [
        create => DoorCase.Span(4096, 1000, create),
        create => DoorCase.Matrix(4096, 1000, create),
        create => DoorCase.DenseTensor(8, 21, 128, 128, create: create),
        create => DoorCase.PermutedTensor(8, 21, 128, 128, create),
    ];

    /// <summary>
    /// <c>--quick --family --doors</c>: each softmax-family loss through the span, MathNet and tensor doors (one thread, float, α = 0.1),
    /// ns per logit, ÷ a same-size copy and ÷ the cross-entropy through the same door, each door's losses interleaved in one run.
    /// </summary>
    public static int RunDoors(int samples)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# LabelSmoothing family per door — {DateTime.UtcNow:yyyy-MM-dd}, .NET {Environment.Version}, Vector512 {Vector512.IsHardwareAccelerated}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# float32, α = 0.1, mean, forward + backward, one thread; medians of {samples} interleaved samples of ~20 ms; ns per logit"));
        Console.WriteLine();
        Console.WriteLine("| door | loss | ns per logit | ÷ copy | ÷ cross-entropy |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var door in Doors)
        {
            var cases = SoftmaxLosses.Select(loss => (loss.Name, Case: door(loss.Create))).ToList();
            var runs = cases.Select(c => (c.Name, Run: c.Case.Prepare())).ToList();
            var actions = new List<(string Name, Action Body)> { ("copy", runs[0].Run.Copy) };
            actions.AddRange(runs.Select(r => (r.Name, r.Run.Fused)));
            long logits = cases[0].Case.Logits;
            var medians = QuickBenchmark.Time(actions, samples).ToDictionary(p => p.Key, p => p.Value / logits);
            foreach (var (name, _) in runs)
            {
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {cases[0].Case} | {name} | {medians[name]:0.000} | {medians[name] / medians["copy"]:0.00}× | {medians[name] / medians[SoftmaxLosses[0].Name]:0.00}× |"));
            }
        }

        return 0;
    }
}
