using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LabelSmoothing.Internal.Kernels.Gemm;

namespace LabelSmoothing.Benchmarks;

/// <summary>
/// <c>--gemm [--samples N] [--shape NxHxK] [--rows C]</c>: the three float32 GEMMs of a fused linear + cross-entropy loss over a batch of N rows of width H and K
/// classes — logits = H·Wᵀ [N, K], ∂H = G·W [N, H], ∂W = Gᵀ·H [K, H]; 6·N·H·K flops in all — on one thread, the library's managed
/// GEMM beside OpenBLAS's <c>cblas_sgemm</c> in the same process, interleaved, medians of N samples. Once over the whole batch and once
/// chunk by chunk (C rows of H at a time: logits [C, K], ∂H of the chunk, ∂W += G_cᵀ·H_c), the loss's own access pattern; by default
/// the shapes (1024, 512, 32000) and (4096, 256, 8192) with C = 256, 128, 64; <c>--rows 0</c> is the whole batch. Run it with
/// <c>OPENBLAS_NUM_THREADS=1</c>.
/// </summary>
public static class GemmBenchmark
{
    private static readonly (int Rows, int Width, int Classes)[] Shapes = [(1024, 512, 32000), (4096, 256, 8192)];

    private static readonly int[] ChunkRows = [0, 256, 128, 64];

    private static readonly string[] Products = ["logits = H·Wᵀ", "∂H = G·W", "∂W = Gᵀ·H"];

    public static int Run(string[] args)
    {
        int samples = QuickBenchmark.ParseInt(args, "--samples", 11);
        int shapeIndex = Array.IndexOf(args, "--shape");
        var shapes = shapeIndex >= 0 && shapeIndex + 1 < args.Length ? [ParseShape(args[shapeIndex + 1])] : Shapes;
        int[] chunks = Array.IndexOf(args, "--rows") >= 0 ? [QuickBenchmark.ParseInt(args, "--rows", 0)] : ChunkRows;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# LabelSmoothing GEMM vs OpenBLAS — {DateTime.UtcNow:yyyy-MM-dd}, .NET {Environment.Version}, {CpuModel()}, Vector512 {Vector512.IsHardwareAccelerated}"));
        Console.WriteLine($"# float32, one thread, medians of {samples} interleaved samples; GFLOP/s; ratio = our time ÷ OpenBLAS's time");
        if (!OpenBlas.IsAvailable)
        {
            Console.WriteLine("# OpenBLAS not found (libopenblas.so.0, libblas.so.3): our column only");
        }

        Console.WriteLine();
        Console.WriteLine("| N×H×K | rows per call | product | ours ms | ours GFLOP/s | OpenBLAS ms | OpenBLAS GFLOP/s | ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (rows, width, classes) in shapes)
        {
            using var batch = new GemmBatch(rows, width, classes);
            foreach (int chunk in chunks)
            {
                Measure(batch, chunk, samples);
            }
        }

        return 0;
    }

    private static void Measure(GemmBatch batch, int chunk, int samples)
    {
        var actions = new List<(string Name, Action Body)>();
        for (int product = 0; product < Products.Length; product++)
        {
            int p = product;
            actions.Add(("ours " + p, () => batch.Run(p, chunk, openBlas: false)));
            if (OpenBlas.IsAvailable)
            {
                actions.Add(("OpenBLAS " + p, () => batch.Run(p, chunk, openBlas: true)));
            }
        }

        var medians = QuickBenchmark.Time(actions, samples);
        double flops = 2.0 * batch.Rows * batch.Width * batch.Classes;
        string shape = $"{batch.Rows}×{batch.Width}×{batch.Classes}";
        string rows = chunk == 0 ? "whole batch" : chunk.ToString(CultureInfo.InvariantCulture);
        double oursTotal = 0.0;
        double blasTotal = 0.0;
        for (int p = 0; p < Products.Length; p++)
        {
            double ours = medians["ours " + p];
            double blas = medians.GetValueOrDefault("OpenBLAS " + p, double.NaN);
            oursTotal += ours;
            blasTotal += blas;
            Console.WriteLine(Row(shape, rows, Products[p], ours, blas, flops));
        }

        Console.WriteLine(Row(shape, rows, "**all three**", oursTotal, blasTotal, 3 * flops));
    }

    private static string Row(string shape, string rows, string product, double oursNs, double blasNs, double flops) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"| {shape} | {rows} | {product} | {oursNs / 1e6:0.0} | {flops / oursNs:0.0} | {blasNs / 1e6:0.0} | {flops / blasNs:0.0} | {oursNs / blasNs:0.00}× |");

    private static (int Rows, int Width, int Classes) ParseShape(string text)
    {
        int[] parts = Array.ConvertAll(text.Split('x'), p => int.Parse(p, CultureInfo.InvariantCulture));
        return (parts[0], parts[1], parts[2]);
    }

    private static string CpuModel()
    {
        const string Key = "model name";
        string? line = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith(Key, StringComparison.Ordinal)) : null;
        return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    /// <summary>The operands of one batch in native memory: H [N, H], W [K, H], the logits and their gradient G [N, K] (one buffer), ∂H, ∂W.</summary>
    private sealed unsafe class GemmBatch : IDisposable
    {
        private readonly float* _hidden;
        private readonly float* _weight;
        private readonly float* _logits;
        private readonly float* _hiddenGradient;
        private readonly float* _weightGradient;

        public GemmBatch(int rows, int width, int classes)
        {
            (Rows, Width, Classes) = (rows, width, classes);
            var random = new Random(42);
            _hidden = Allocate((long)rows * width, random);
            _weight = Allocate((long)classes * width, random);
            _logits = Allocate((long)rows * classes, random);
            _hiddenGradient = Allocate((long)rows * width, random);
            _weightGradient = Allocate((long)classes * width, random);
        }

        public int Rows { get; }

        public int Width { get; }

        public int Classes { get; }

        /// <summary>Product <paramref name="product"/> (0 logits, 1 ∂H, 2 ∂W) over the batch, <paramref name="chunk"/> rows at a time (0: all).</summary>
        public void Run(int product, int chunk, bool openBlas)
        {
            int step = chunk == 0 ? Rows : chunk;
            for (int first = 0; first < Rows; first += step)
            {
                int rows = Math.Min(step, Rows - first);
                float* hidden = _hidden + ((long)first * Width);
                float* logits = _logits + ((long)first * Classes);
                switch (product)
                {
                    case 0:
                        Multiply(openBlas, false, true, rows, Classes, Width, hidden, Width, _weight, Width, logits, Classes, false);
                        break;
                    case 1:
                        Multiply(openBlas, false, false, rows, Width, Classes, logits, Classes, _weight, Width, _hiddenGradient + ((long)first * Width), Width, false);
                        break;
                    default:
                        Multiply(openBlas, true, false, Classes, Width, rows, logits, Classes, hidden, Width, _weightGradient, Width, first > 0);
                        break;
                }
            }
        }

        public void Dispose()
        {
            NativeMemory.AlignedFree(_hidden);
            NativeMemory.AlignedFree(_weight);
            NativeMemory.AlignedFree(_logits);
            NativeMemory.AlignedFree(_hiddenGradient);
            NativeMemory.AlignedFree(_weightGradient);
        }

        private static void Multiply(
            bool openBlas, bool transposeA, bool transposeB, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
        {
            if (openBlas)
            {
                OpenBlas.Multiply(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
            }
            else
            {
                Gemm.Multiply(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, maxDegreeOfParallelism: 1);
            }
        }

        private static float* Allocate(long length, Random random)
        {
            var memory = (float*)NativeMemory.AlignedAlloc((nuint)(length * sizeof(float)), 64);
            for (long i = 0; i < length; i++)
            {
                memory[i] = (float)((random.NextDouble() * 2.0) - 1.0);
            }

            return memory;
        }
    }
}
