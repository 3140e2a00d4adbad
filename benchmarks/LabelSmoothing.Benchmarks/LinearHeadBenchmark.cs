using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;

namespace LabelSmoothing.Benchmarks;

/// <summary>
/// The fused linear head (<see cref="LinearCrossEntropyLoss"/>: logits, loss and the three gradients, chunk by chunk) against the three
/// GEMMs alone done by OpenBLAS over the whole batch (logits = H·Wᵀ, ∂H = G·W, ∂W = Gᵀ·H), float32, α = 0.1, mean, one thread, medians
/// of interleaved samples; also the bytes a call allocates (its pooled chunk of logits, on the first call). <c>--linear [--samples 7]
/// [--shape 1024x512x32000]</c>; run with <c>OPENBLAS_NUM_THREADS=1</c>.
/// </summary>
public static unsafe class LinearHeadBenchmark
{
    private static readonly (int Rows, int Width, int Classes)[] Shapes = [(1024, 512, 32000), (4096, 256, 8192)];

    public static int Run(string[] args)
    {
        int samples = QuickBenchmark.ParseInt(args, "--samples", 7);
        int shapeIndex = Array.IndexOf(args, "--shape");
        var shapes = shapeIndex >= 0 && shapeIndex + 1 < args.Length ? [Parse(args[shapeIndex + 1])] : Shapes;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# Fused linear head vs OpenBLAS's three GEMMs — {DateTime.UtcNow:yyyy-MM-dd}, .NET {Environment.Version}, {RuntimeInformation.ProcessArchitecture}"));
        Console.WriteLine($"# float32, α = 0.1, mean, one thread (OPENBLAS_NUM_THREADS={Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS") ?? "unset"}), medians of {samples} interleaved samples");
        Console.WriteLine();
        Console.WriteLine("| N×H×K | fused head ms | GFLOP/s | OpenBLAS 3 GEMMs ms | GFLOP/s | ratio | fused: bytes allocated | unfused: logits + gradient |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (rows, width, classes) in shapes)
        {
            Measure(rows, width, classes, samples);
        }

        return 0;
    }

    private static void Measure(int rows, int width, int classes, int samples)
    {
        var random = new Random(1);
        float[] hidden = Random(rows * width, random, 1.0f);
        float[] weight = Random(classes * width, random, 1.0f / MathF.Sqrt(width));
        float[] bias = Random(classes, random, 0.1f);
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            labels[i] = random.Next(classes);
        }

        var head = new LinearCrossEntropyLoss(new CrossEntropyLoss(classes, 0.1) { MaxDegreeOfParallelism = 1 });
        float[] hiddenGradient = new float[hidden.Length], weightGradient = new float[weight.Length], biasGradient = new float[bias.Length];
        float[] logits = new float[rows * classes];
        long allocated = 0;
        var actions = new List<(string Name, Action Body)>
        {
            ("fused", () =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                head.ForwardBackward<float>(hidden, weight, bias, labels, hiddenGradient, weightGradient, biasGradient);
                allocated = Math.Max(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
            }),
        };
        if (OpenBlas.IsAvailable)
        {
            actions.Add(("blas", () =>
            {
                fixed (float* h = hidden)
                fixed (float* w = weight)
                fixed (float* z = logits)
                fixed (float* dh = hiddenGradient)
                fixed (float* dw = weightGradient)
                {
                    OpenBlas.Multiply(false, true, rows, classes, width, h, width, w, width, z, classes, false);
                    OpenBlas.Multiply(false, false, rows, width, classes, z, classes, w, width, dh, width, false);
                    OpenBlas.Multiply(true, false, classes, width, rows, z, classes, h, width, dw, width, false);
                }
            }
            ));
        }

        var medians = QuickBenchmark.Time(actions, samples);
        double flops = 6.0 * rows * width * classes;
        double fused = medians["fused"];
        double blas = medians.GetValueOrDefault("blas", double.NaN);
        long unfused = 2L * rows * classes * sizeof(float);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {rows}×{width}×{classes} | {fused / 1e6:0.0} | {flops / fused:0.0} | {blas / 1e6:0.0} | {flops / blas:0.0} | {fused / blas:0.00}× | {Megabytes(allocated)} | {Megabytes(unfused)} |"));
    }

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MB");

    private static float[] Random(int length, Random random, float scale)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = scale * (float)((random.NextDouble() * 2.0) - 1.0);
        }

        return values;
    }

    private static (int Rows, int Width, int Classes) Parse(string text)
    {
        int[] parts = Array.ConvertAll(text.Split('x'), p => int.Parse(p, CultureInfo.InvariantCulture));
        return (parts[0], parts[1], parts[2]);
    }
}
