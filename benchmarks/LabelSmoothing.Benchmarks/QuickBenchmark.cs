using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace LabelSmoothing.Benchmarks;

/// <summary>
/// <c>--quick</c>: ns per logit of the fused forward + backward (α = 0.1, mean) beside a same-size memory copy timed in the same
/// process, interleaved, as medians of many short samples. By default one row per door and shape (<see cref="DoorCase"/>: span,
/// MathNet matrix, dense tensor, permuted tensor, Half). <c>--spans</c>: the span door alone, with <c>--double</c>, <c>--threads</c>
/// (also all cores, beside a copy split over two tasks) and <c>--shape NxK</c>. <c>--samples N</c> in both; <c>--door NAME</c> keeps
/// the rows of one door. <c>--family</c>: every loss of the smoothing family beside the fused cross-entropy, <c>--family --doors</c> the
/// softmax family per door (see <see cref="FamilyBenchmark"/>).
/// </summary>
public static class QuickBenchmark
{
    private static readonly TimeSpan SampleTime = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan WarmupTime = TimeSpan.FromMilliseconds(400);

    public static int Run(string[] args)
    {
        int samples = ParseInt(args, "--samples", 21);
        if (args.Contains("--family") && args.Contains("--doors"))
        {
            return FamilyBenchmark.RunDoors(samples);
        }

        if (args.Contains("--family"))
        {
            return FamilyBenchmark.Run(samples, Option(args, "--shape") is string familyShape ? ParseShape(familyShape) : new BenchmarkShape(4096, 1000));
        }

        if (!args.Contains("--spans"))
        {
            return RunDoors(samples, Option(args, "--door"));
        }

        bool threads = args.Contains("--threads");
        var shapes = Option(args, "--shape") is string shape
            ? [ParseShape(shape)]
            : BenchmarkShape.All;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# LabelSmoothing quick benchmark — {DateTime.UtcNow:yyyy-MM-dd}, .NET {Environment.Version}, {Environment.ProcessorCount} cores, Vector512 {Vector512.IsHardwareAccelerated}"));
        Console.WriteLine("# medians of " + samples + " interleaved samples of ~20 ms; ns per logit; ratio = fused / copy");
        Console.WriteLine();
        Console.WriteLine("| type | N×K | copy | fused 1 thread | ratio | copy all cores | fused all cores | ratio | speed-up | copy speed-up | naive (materialised targets) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (bool useDouble in args.Contains("--double") ? new[] { false, true } : new[] { false })
        {
            foreach (var s in shapes)
            {
                if (useDouble)
                {
                    Measure<double>(s, samples, threads);
                }
                else
                {
                    Measure<float>(s, samples, threads);
                }
            }
        }

        return 0;
    }

    private static int RunDoors(int samples, string? door)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# LabelSmoothing quick benchmark, every door — {DateTime.UtcNow:yyyy-MM-dd}, .NET {Environment.Version}, {Environment.ProcessorCount} cores, Vector512 {Vector512.IsHardwareAccelerated}"));
        Console.WriteLine("# float32, α = 0.1, mean, forward + backward, one core; medians of " + samples + " interleaved samples of ~20 ms; ns per logit");
        Console.WriteLine("# Half: the reference column is the float call on the same shape, not a copy");
        Console.WriteLine();
        Console.WriteLine("| door | shape | copy | fused | ÷ copy |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var doorCase in DoorCase.All())
        {
            if (door is not null && doorCase.Door != door)
            {
                continue;
            }

            var run = doorCase.Prepare();
            var medians = Time([("copy", run.Copy), ("fused", run.Fused)], samples);
            double copy = medians["copy"] / doorCase.Logits;
            double fused = medians["fused"] / doorCase.Logits;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {doorCase.Door} | {doorCase.Shape} | {copy:0.000} | {fused:0.000} | {fused / copy:0.00}× |"));
        }

        return 0;
    }

    private static void Measure<T>(BenchmarkShape shape, int samples, bool threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (logits, labels) = shape.Data<T>();
        var gradient = new T[logits.Length];
        var single = new CrossEntropyLoss(shape.Classes, 0.1) { MaxDegreeOfParallelism = 1 };
        var parallel = new CrossEntropyLoss(shape.Classes, 0.1);
        var actions = new List<(string Name, Action Body)>
        {
            ("copy", () => logits.AsSpan().CopyTo(gradient)),
            ("fused", () => single.ForwardBackward<T>(logits, labels, gradient)),
        };
        if (threads)
        {
            actions.Add(("parallel", () => parallel.ForwardBackward<T>(logits, labels, gradient)));
            actions.Add(("parallel copy", () => ParallelCopy(logits, gradient)));
        }

        if (typeof(T) == typeof(float))
        {
            var floatLogits = (float[])(object)logits;
            var floatGradient = (float[])(object)gradient;
            actions.Add(("naive", () => NaiveLoss.ForwardBackward(floatLogits, labels, shape.Classes, 0.1, floatGradient)));
        }

        var medians = Time(actions, samples).ToDictionary(p => p.Key, p => p.Value / shape.Logits);
        string Cell(string name) => medians.TryGetValue(name, out double v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "—";
        string speedUp = threads ? (medians["fused"] / medians["parallel"]).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "—";
        string copySpeedUp = threads ? (medians["copy"] / medians["parallel copy"]).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "—";
        string parallelRatio = threads ? (medians["parallel"] / medians["parallel copy"]).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "—";
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {typeof(T).Name.ToLowerInvariant()} | {shape} | {Cell("copy")} | {Cell("fused")} | {medians["fused"] / medians["copy"]:0.00}× | {Cell("parallel copy")} | {Cell("parallel")} | {parallelRatio} | {speedUp} | {copySpeedUp} | {Cell("naive")} |"));
    }

    /// <summary>The copy split in halves over two tasks: the memory floor of a two-core kernel.</summary>
    private static void ParallelCopy<T>(T[] source, T[] destination)
    {
        int half = source.Length / 2;
        System.Threading.Tasks.Parallel.Invoke(
            () => source.AsSpan(0, half).CopyTo(destination),
            () => source.AsSpan(half).CopyTo(destination.AsSpan(half)));
    }

    /// <summary>Median nanoseconds per call of each action, sampled round-robin.</summary>
    internal static Dictionary<string, double> Time(List<(string Name, Action Body)> actions, int samples)
    {
        var iterations = new Dictionary<string, int>();
        foreach (var (name, body) in actions)
        {
            // Long enough for tiered compilation to promote the callers too (the kernels themselves are fully optimised from the start).
            var warmup = Stopwatch.StartNew();
            while (warmup.Elapsed < WarmupTime)
            {
                body();
            }

            var watch = Stopwatch.StartNew();
            int calls = 0;
            while (watch.Elapsed < SampleTime)
            {
                body();
                calls++;
            }

            iterations[name] = Math.Max(1, calls);
        }

        var times = actions.ToDictionary(a => a.Name, _ => new List<double>());
        for (int s = 0; s < samples; s++)
        {
            foreach (var (name, body) in actions)
            {
                int calls = iterations[name];
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++)
                {
                    body();
                }

                times[name].Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / calls);
            }
        }

        return times.ToDictionary(p => p.Key, p => Median(p.Value));
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private static string? Option(string[] args, string name)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    internal static int ParseInt(string[] args, string name, int fallback) =>
        Option(args, name) is string value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static BenchmarkShape ParseShape(string text)
    {
        string[] parts = text.Split('x');
        return new(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
