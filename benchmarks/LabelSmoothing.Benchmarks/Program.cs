using System;
using BenchmarkDotNet.Running;
using LabelSmoothing.Benchmarks;

if (Array.IndexOf(args, "--lm") >= 0)
{
    return LanguageModelBenchmark.Run(QuickBenchmark.ParseInt(args, "--samples", 21));
}

if (Array.IndexOf(args, "--gemm") >= 0)
{
    return GemmBenchmark.Run(args);
}

if (Array.IndexOf(args, "--linear") >= 0)
{
    return LinearHeadBenchmark.Run(args);
}

if (Array.IndexOf(args, "--shards") >= 0)
{
    return ShardBenchmark.Run(args);
}

if (Array.IndexOf(args, "--quick") >= 0)
{
    return QuickBenchmark.Run(args);
}

BenchmarkSwitcher.FromAssembly(typeof(QuickBenchmark).Assembly).Run(args);
return 0;
