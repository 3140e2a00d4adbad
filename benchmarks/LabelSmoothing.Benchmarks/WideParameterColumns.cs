using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;

namespace LabelSmoothing.Benchmarks;

/// <summary>Prints parameter values such as <c>permuted tensor (8, 21, 128, 128)</c> whole (BenchmarkDotNet cuts them at 20 characters).</summary>
public sealed class WideParameterColumns : ManualConfig
{
    public WideParameterColumns() => SummaryStyle = SummaryStyle.Default.WithMaxParameterColumnWidth(40);
}
