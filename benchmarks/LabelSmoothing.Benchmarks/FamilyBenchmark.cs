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
}
