using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using LabelSmoothing.Tests.Support.GuardPages;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Internal;

/// <summary>
/// Every public span method, and every tensor-span method of <see cref="CrossEntropyLoss"/> on dense tensors, one table of named calls per
/// public type, with every operand in a buffer of its own that ends exactly at an inaccessible page and then starts exactly after one
/// (<see cref="GuardedRuns"/>), over the shapes of <see cref="SweepShapes"/>: a read or write one element outside any operand crashes the
/// test run. Each guarded run must also equal, bit for bit, the same call on managed arrays. The matrix and <c>Tensor&lt;T&gt;</c> overloads
/// are out of scope: they copy into arrays of their own, or only convert to tensor spans, before any kernel runs. A new public span method
/// is covered by one more named call in its type's table (<c>…Calls.cs</c>); a new public type by a table and a fact here.
/// </summary>
/// <remarks>
/// <para>The tables, their calls per class count <c>K</c> (every call at both placements) and how densely they visit the shapes
/// (<see cref="SweepDensity"/>; "every shape" means every <c>K</c> ≤ 40 and <c>N</c> ≤ 300 by at least one call where the calls run at
/// SIMD speed, see <see cref="SweepShapes.RunsAtSimdSpeed"/>; each sweep prints how many such shapes no call visited):</para>
/// <list type="bullet">
/// <item><see cref="CrossEntropyLossCalls{T}.IndexTargets"/>: 8 settings (5 for <c>K</c> = 1), 110 calls (69): every span method with
/// index targets, sample weights with and without a divisor, both <c>TotalWeight</c>s, −∞ label logits, a z-loss; also the chunked
/// <c>K</c>; every 39th shape per call, a third of the complete rows: every shape.</item>
/// <item><see cref="CrossEntropyLossCalls{T}.ProbabilityTargets"/>: the same settings, 70 calls (44); every 62nd shape, a quarter of the
/// complete rows: every shape from <c>K</c> = 2 on.</item>
/// <item><see cref="CrossEntropyLossCalls{T}.TensorTargets"/>: 3 settings × 2 layouts, 128 calls (84) on <c>(1, K, N)</c> and
/// <c>(N/d, K, d)</c> tensors; every 128th shape, a sixth of the complete rows: every shape from <c>K</c> = 2 on.</item>
/// <item><see cref="CrossEntropyLossCalls{T}.SoftCap"/>: 3 settings, 82 calls, also the chunked <c>K</c>; every shape exactly once, in
/// float, double and Half alike; long rows every <c>N</c> below 34 once and every tenth above (four times fewer without SIMD speed).</item>
/// <item><see cref="BinaryCrossEntropyLossCalls{T}.All"/>: 2 settings, 20 calls; every 17th shape, half of the complete rows: every shape
/// (21 times fewer element by element).</item>
/// <item><see cref="FamilyCalls{T}.All"/>: the six losses of the family, 24 calls; every 24th shape, a third of the complete rows: every
/// shape.</item>
/// <item><see cref="LogSoftmaxCalls{T}.All"/> 7 calls, every 17th; <see cref="LabelSmootherCalls{T}.All"/> 12 calls (6), every 47th, a
/// third of the complete rows; <see cref="OneHotCalls{T}.All"/> 2 calls, every other shape (so every shape); <see cref="CalibrationCalls{T}.All"/>
/// 6 calls, every 31st, half the complete rows; <see cref="TemperatureScalingCalls{T}.All"/> 5 calls, every 31st, a quarter of the complete
/// rows.</item>
/// </list>
/// <para>Cost: the GuardPage filter takes about 55 s of test-host CPU in the default run on the 2-core machine (under a load average of 15
/// to 20), most of it in the four <see cref="CrossEntropyLoss"/> sweeps; see the commit that last set the densities for the other runs.</para>
/// </remarks>
/// <typeparam name="T">The element type.</typeparam>
public abstract class GuardPageTests<T>(ITestOutputHelper output)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [GuardPageFact]
    public void CrossEntropyLoss_IndexTargets_StayInsideTheirBuffers_AndMatchManagedArrays() =>
        Sweep(CrossEntropyLossCalls<T>.IndexTargets, new SweepDensity(RowStride: 39, CompleteRowSharing: 3), chunked: true);

    [GuardPageFact]
    public void CrossEntropyLoss_ProbabilityTargets_StayInsideTheirBuffers_AndMatchManagedArrays() =>
        Sweep(CrossEntropyLossCalls<T>.ProbabilityTargets, new SweepDensity(RowStride: 62, CompleteRowSharing: 4), chunked: true);

    [GuardPageFact]
    public void CrossEntropyLoss_TensorSpans_StayInsideTheirBuffers_AndMatchManagedArrays() =>
        Sweep(CrossEntropyLossCalls<T>.TensorTargets, new SweepDensity(RowStride: 128, CompleteRowSharing: 6));

    [GuardPageFact]
    public void CrossEntropyLoss_SoftCap_StaysInsideItsBuffers_AndMatchesManagedArrays() =>
        Sweep(CrossEntropyLossCalls<T>.SoftCap, SoftCapDensity, chunked: true, everyShape: true);

    [GuardPageFact]
    public void BinaryCrossEntropyLoss_StaysInsideItsBuffers_AndMatchesManagedArrays() => Sweep(BinaryCrossEntropyLossCalls<T>.All, BinaryCrossEntropyLossDensity);

    [GuardPageFact]
    public void TheLossFamily_StaysInsideItsBuffers_AndMatchesManagedArrays() => Sweep(FamilyCalls<T>.All, new SweepDensity(RowStride: 24, CompleteRowSharing: 3), chunked: true);

    [GuardPageFact]
    public void LogSoftmax_StaysInsideItsBuffers_AndMatchesManagedArrays() => Sweep(LogSoftmaxCalls<T>.All, new SweepDensity(RowStride: 17));

    [GuardPageFact]
    public void LabelSmoother_StaysInsideItsBuffers_AndMatchesManagedArrays() => Sweep(LabelSmootherCalls<T>.All, new SweepDensity(RowStride: 47, CompleteRowSharing: 3));

    [GuardPageFact]
    public void OneHot_StaysInsideItsBuffers_AndMatchesManagedArrays() => Sweep(OneHotCalls<T>.All, new SweepDensity(RowStride: 2));

    [GuardPageFact]
    public void Calibration_StaysInsideItsBuffers_AndMatchesManagedArrays() => Sweep(CalibrationCalls<T>.All, new SweepDensity(RowStride: 31, CompleteRowSharing: 2));

    [GuardPageFact]
    public void TemperatureScaling_StaysInsideItsBuffers_AndMatchesManagedArrays() => Sweep(TemperatureScalingCalls<T>.All, new SweepDensity(RowStride: 31, CompleteRowSharing: 4));

    /// <summary>
    /// Every 17th row count per call, so that each shape of up to 40 classes is visited by one of the 20 calls, half of the complete rows.
    /// Element by element 21 times fewer (Half, and the binary kernel on emulated vectors with DOTNET_EnableHWIntrinsic=0, which costs
    /// some 400 ns per element).
    /// </summary>
    private static SweepDensity BinaryCrossEntropyLossDensity => new(RowStride: 17, CompleteRowSharing: 2, ElementwiseSparsity: 21);

    /// <summary>
    /// Every shape of up to 40 classes visited by exactly one call, in every element type (the soft cap stages Half through the float
    /// kernels); long rows at every row count below 34 (more than two of the staged kernel's blocks of 16 rows of 1000 classes) by one call
    /// and at every tenth above. Without SIMD hardware speed (DOTNET_EnableAVX2=0, DOTNET_EnableHWIntrinsic=0), four times fewer.
    /// </summary>
    private static SweepDensity SoftCapDensity => new(
        RowStride: CrossEntropyLossCalls<T>.SoftCapCallCount, CompleteRowSharing: CrossEntropyLossCalls<T>.SoftCapCallCount, LongRowsSharedBelow: 34, ElementwiseSparsity: 4, StagedHalf: true);

    /// <summary>
    /// Runs every call of a table on the shapes <see cref="SweepShapes.Visits"/> gives it, in both placements, and collects every difference
    /// from the managed run. <paramref name="chunked"/> adds the class counts of the fused row kernel's chunks; <paramref name="everyShape"/>
    /// requires, where the calls run at SIMD speed, that every shape of up to 40 classes be visited by some call.
    /// </summary>
    private void Sweep(Func<int, IReadOnlyList<CallSetting<T>>> settingsFor, SweepDensity density, bool chunked = false, bool everyShape = false)
    {
        TimeSpan? cpuAtStart = ThreadCpuTime.Now();
        bool atSimdSpeed = SweepShapes.RunsAtSimdSpeed<T>(density);
        using var runs = new GuardedRuns();
        var failures = new List<string>();
        int unvisited = 0;
        foreach (int numClasses in SweepShapes.ClassCounts<T>(chunked))
        {
            List<(string Setting, GuardedCall<T> Call)> calls = [.. settingsFor(numClasses).SelectMany(setting => setting.Calls.Select(call => (setting.Name, call)))];
            for (int rows = 0; rows <= SweepShapes.MaxRows; rows++)
            {
                var inputs = new SweepInputs<T>(numClasses, rows);
                bool visited = false;
                for (int index = 0; index < calls.Count; index++)
                {
                    if (SweepShapes.Visits(numClasses, rows, index, density, atSimdSpeed))
                    {
                        visited = true;
                        (string setting, GuardedCall<T> call) = calls[index];
                        if (Run(runs, call, inputs) is string difference)
                        {
                            failures.Add($"{typeof(T).Name}, {setting}, {call.Name}, {inputs}: {difference}");
                        }
                    }
                }

                unvisited += visited || !SweepShapes.IsShortRow(numClasses) ? 0 : 1;
            }
        }

        TimeSpan? cpu = ThreadCpuTime.Now() - cpuAtStart;
        output.WriteLine(FormattableString.Invariant(
            $"{typeof(T).Name}: {runs.GuardedCalls} guarded calls (each visited call once per placement) and half as many on managed arrays, {cpu?.TotalSeconds:F1} s of thread CPU; {unvisited} shapes of up to 40 classes visited by no call."));
        failures.Should().BeEmpty("no call reads or writes outside its operands, and guarded memory changes no result");
        if (everyShape && atSimdSpeed)
        {
            unvisited.Should().Be(0, "every shape of up to 40 classes is visited by some call of this table");
        }
    }

    private static string? Run(GuardedRuns runs, GuardedCall<T> call, SweepInputs<T> inputs)
    {
        try
        {
            return runs.Run(operands => call.Invoke(inputs, operands));
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return $"{exception.GetType().Name}: {exception.Message}";
        }
    }
}

public sealed class GuardPageTestsSingle(ITestOutputHelper output) : GuardPageTests<float>(output);

public sealed class GuardPageTestsDouble(ITestOutputHelper output) : GuardPageTests<double>(output);

public sealed class GuardPageTestsHalf(ITestOutputHelper output) : GuardPageTests<Half>(output);
