using System;
using System.Globalization;

namespace LabelSmoothing.Benchmarks;

/// <summary>
/// One rank's share of the class-sharded cross-entropy — phase 1 (<see cref="CrossEntropyLoss.ShardStatistics{T}"/>) and phase 2
/// (<see cref="CrossEntropyLoss.ShardForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, ReadOnlySpan{double}, Span{T})"/>) on an
/// <c>[N, S]</c> block — beside the unsharded fused call on the same block, float32, α = 0.1, mean, one thread, medians of interleaved
/// samples. <c>--shards [--samples 21]</c>.
/// </summary>
public static class ShardBenchmark
{
    private static readonly (int Rows, int Classes)[] Shapes = [(4096, 1000), (512, 32000), (32, 256000)];

    public static int Run(string[] args)
    {
        int samples = QuickBenchmark.ParseInt(args, "--samples", 21);
        Console.WriteLine($"# Class-sharded cross-entropy, one rank's two phases vs the fused call on the same block — {DateTime.UtcNow:yyyy-MM-dd}, .NET {Environment.Version}");
        Console.WriteLine($"# float32, α = 0.1, mean, one thread, medians of {samples} interleaved samples; ns per logit");
        Console.WriteLine();
        Console.WriteLine("| N×S | fused call | phase 1 | phase 2 | phases 1 + 2 | ratio |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (rows, classes) in Shapes)
        {
            var loss = new CrossEntropyLoss(classes, 0.1) { MaxDegreeOfParallelism = 1 };
            var random = new Random(3);
            float[] logits = new float[rows * classes];
            for (int i = 0; i < logits.Length; i++)
            {
                logits[i] = (float)((random.NextDouble() * 8.0) - 4.0);
            }

            int[] labels = new int[rows];
            for (int i = 0; i < rows; i++)
            {
                labels[i] = random.Next(classes);
            }

            float[] gradient = new float[logits.Length];
            double[] statistics = new double[rows * loss.ShardStatisticsWidth];
            var medians = QuickBenchmark.Time(
            [
                ("fused", () => loss.ForwardBackward<float>(logits, labels, gradient)),
                ("phase 1", () => loss.ShardStatistics<float>(logits, labels, 0, statistics)),
                ("phase 2", () => loss.ShardForwardBackward<float>(logits, labels, 0, statistics, gradient)),
            ], samples);
            double perLogit = rows * (double)classes;
            double both = medians["phase 1"] + medians["phase 2"];
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {rows}×{classes} | {medians["fused"] / perLogit:0.000} | {medians["phase 1"] / perLogit:0.000} | {medians["phase 2"] / perLogit:0.000} | {both / perLogit:0.000} | {both / medians["fused"]:0.00}× |"));
        }

        return 0;
    }
}
