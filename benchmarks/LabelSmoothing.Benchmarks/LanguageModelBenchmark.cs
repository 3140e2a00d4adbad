using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.Intrinsics;

namespace LabelSmoothing.Benchmarks;

/// <summary>
/// <c>--lm [--samples N]</c>: the cost of the language-model options on the span door (float, α = 0.1, one core, forward + backward), each
/// beside the plain fused call in the same run: z-loss, soft cap and sample weights alone and together, the chunk divisor, and the
/// per-token statistics; ns per logit and the ratio to the plain call.
/// </summary>
public static class LanguageModelBenchmark
{
    public static int Run(int samples)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# LabelSmoothing language-model options — {DateTime.UtcNow:yyyy-MM-dd}, .NET {Environment.Version}, Vector512 {Vector512.IsHardwareAccelerated}"));
        Console.WriteLine("# float32, α = 0.1, forward + backward, one core; medians of " + samples + " interleaved samples of ~20 ms; ns per logit; ratio = option / plain");
        Console.WriteLine();
        Console.WriteLine("| N×K | option | ns per logit | ÷ plain |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (rows, classes) in new[] { (4096, 1000), (512, 32000) })
        {
            Measure(rows, classes, samples);
        }

        return 0;
    }

    private static void Measure(int rows, int classes, int samples)
    {
        var (logits, labels) = new BenchmarkShape(rows, classes).Data<float>();
        float[] weights = new BenchmarkShape(rows, 1).Data<float>().Logits;
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = Math.Abs(weights[i]);
        }

        var gradient = new float[logits.Length];
        CrossEntropyLoss Loss(double zLoss = 0.0, double softcap = 0.0) => new(classes, 0.1, zLoss: zLoss, logitSoftcap: softcap) { MaxDegreeOfParallelism = 1 };
        var plain = Loss();
        var zLoss = Loss(zLoss: 1e-4);
        var softcap = Loss(softcap: 30.0);
        var all = Loss(1e-4, 30.0);
        double divisor = plain.TotalWeight(labels);
        var statistics = default(TokenStatistics);
        var actions = new List<(string Name, Action Body)>
        {
            ("plain", () => plain.ForwardBackward<float>(logits, labels, gradient)),
            ("z-loss 1e-4", () => zLoss.ForwardBackward<float>(logits, labels, gradient)),
            ("soft cap 30", () => softcap.ForwardBackward<float>(logits, labels, gradient)),
            ("sample weights", () => plain.ForwardBackward<float>(logits, labels, weights, gradient)),
            ("z-loss + soft cap + sample weights", () => all.ForwardBackward<float>(logits, labels, weights, gradient)),
            ("divisor", () => plain.ForwardBackward<float>(logits, labels, gradient, divisor)),
            ("statistics", () => plain.ForwardBackward<float>(logits, labels, gradient, ref statistics)),
        };
        var medians = QuickBenchmark.Time(actions, samples);
        double reference = medians["plain"];
        foreach (var (name, _) in actions)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {rows}x{classes} | {name} | {medians[name] / logits.Length:0.000} | {medians[name] / reference:0.00}× |"));
        }
    }
}
