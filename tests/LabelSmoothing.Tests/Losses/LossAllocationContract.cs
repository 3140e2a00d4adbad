using System;
using System.Globalization;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// Zero managed allocation per call for every entry point of every loss on every door below the parallel threshold (2^17 logits), for 3, 37
/// and 1003 classes (rows shorter than a vector, vectors and a tail, rows in chunks): spans,
/// tensor spans and <see cref="System.Numerics.Tensors.Tensor{T}"/> dense and channels-last (the staged path, whose scratch is pooled), and
/// dense MathNet matrices (other storage kinds are read through a copy by design). Counted with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> around 20 calls after warm-up, the fewest over up to five windows, with every operand
/// built before counting.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public abstract class LossAllocationContract<T>(ITestOutputHelper output)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Calls = 20;

    public static TheoryData<string> Losses() => new(LossCases.AllNames);

    [Theory]
    [MemberData(nameof(Losses))]
    public void Every_entry_point_of_every_span_and_tensor_door_below_the_parallel_threshold_allocates_nothing(string name)
    {
        foreach (int width in new[] { 3, 37, 1003 })
        {
            var loss = LossCases.Subject(name, width);
            foreach (string door in new[] { "span", "tensor span dense", "tensor span channels-last", "Tensor<T> dense", "Tensor<T> channels-last" })
            {
                AllocatesNothing(name, loss, Door.Named(door), width);
            }
        }
    }

    /// <summary>Every loss through dense MathNet matrices (one test for all of them: one cause would fail every loss alike).</summary>
    [Fact]
    public void Every_entry_point_of_every_loss_through_the_dense_matrix_door_allocates_nothing()
    {
        var door = Door.Named("Matrix<T> dense");
        if (!door.Takes<T>())
        {
            typeof(T).Should().Be<Half>("MathNet matrices hold float and double only");
            return;
        }

        var failures = new System.Collections.Generic.List<string>();
        foreach (string name in LossCases.AllNames)
        {
            try
            {
                AllocatesNothing(name, LossCases.Subject(name, 37), door, 37);
            }
            catch (Exception failure) when (failure.GetType().Name == "XunitException")
            {
                failures.Add(failure.Message);
            }
        }

        failures.Should().BeEmpty();
    }

    private void AllocatesNothing(string name, LossSubject loss, Door door, int width)
    {
        int[] shape = door.Shape(64, width);
        LossBatch<T>.Count(shape).Should().BeLessThan(1 << 17);
        var bound = door.Bind(LossCases.Batch<T>(name, shape, seed: 51));
        long[] bytes = loss.Entries.Select(entry => Measure(loss, bound, entry)).ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} through {door}: {string.Join(", ", loss.Entries.Select((e, i) => $"{e} {bytes[i]}"))} bytes per {Calls} calls"));
        bytes.Should().OnlyContain(b => b == 0, $"no entry point of {name} through {door} allocates below the parallel threshold ({string.Join(", ", loss.Entries.Where((e, i) => bytes[i] != 0).Select(e => $"{e}: {bytes[Array.IndexOf(loss.Entries, e)]} B per {Calls} calls"))})");
    }

    private static long Measure(LossSubject loss, BoundCall<T> bound, EntryPoint entry)
    {
        for (int i = 0; i < 3; i++)
        {
            loss.Invoke(bound, entry);
        }

        long fewest = long.MaxValue;
        for (int window = 0; window < 5 && fewest > 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Calls; i++)
            {
                loss.Invoke(bound, entry);
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }
}

/// <summary>The allocation contract in single precision.</summary>
[Collection(AllocationTestGroup.Name)]
public sealed class LossAllocationSingleTests(ITestOutputHelper output) : LossAllocationContract<float>(output);

/// <summary>The allocation contract in double precision.</summary>
[Collection(AllocationTestGroup.Name)]
public sealed class LossAllocationDoubleTests(ITestOutputHelper output) : LossAllocationContract<double>(output);

/// <summary>The allocation contract in <see cref="Half"/>.</summary>
[Collection(AllocationTestGroup.Name)]
public sealed class LossAllocationHalfTests(ITestOutputHelper output) : LossAllocationContract<Half>(output);
