using System;
using System.Collections.Generic;

namespace LabelSmoothing.Distributed;

/// <summary>
/// After training, compares both distributed modes with the single-process reference, over every rank: the loss of every step and the
/// trained <c>W</c> and <c>b</c> within <see cref="Tolerance"/> relative, and the class-parallel loss bit-identical on every rank. Every
/// rank ends with the same verdict (two collectives: one <c>MPI_Allreduce</c> of the largest differences with <c>MPI_MAX</c>, two of the
/// loss bits with <c>MPI_MIN</c> and <c>MPI_MAX</c>).
/// </summary>
public sealed class ParityCheck
{
    /// <summary>The largest relative difference from the single-process run that passes.</summary>
    public const double Tolerance = 1e-12;

    private ParityCheck(double[] largest, int[] stepsWithDifferentBits)
    {
        ClassParallelLoss = largest[0];
        DataParallelLoss = largest[1];
        ClassParallelWeights = largest[2];
        ClassParallelBias = largest[3];
        DataParallelWeights = largest[4];
        DataParallelBias = largest[5];
        StepsWithDifferentBits = stepsWithDifferentBits;
    }

    /// <summary>The largest <c>|l − l_ref| / |l_ref|</c> over the steps, class-parallel.</summary>
    public double ClassParallelLoss { get; }

    /// <summary>The largest <c>|l − l_ref| / |l_ref|</c> over the steps, data-parallel.</summary>
    public double DataParallelLoss { get; }

    /// <summary><c>max |W − W_ref| / max |W_ref|</c> over every entry, the ranks' blocks of rows put together, class-parallel.</summary>
    public double ClassParallelWeights { get; }

    /// <summary><c>max |b − b_ref| / max |b_ref|</c>, the ranks' blocks put together, class-parallel.</summary>
    public double ClassParallelBias { get; }

    /// <summary><c>max |W − W_ref| / max |W_ref|</c> over every entry and every rank's copy, data-parallel.</summary>
    public double DataParallelWeights { get; }

    /// <summary><c>max |b − b_ref| / max |b_ref|</c> over every rank's copy, data-parallel.</summary>
    public double DataParallelBias { get; }

    /// <summary>The steps (from 1) whose class-parallel loss did not have the same bits on every rank; empty when it always did.</summary>
    public IReadOnlyList<int> StepsWithDifferentBits { get; }

    /// <summary>What failed, one sentence each; empty when everything passed.</summary>
    public IReadOnlyList<string> Failures
    {
        get
        {
            var failures = new List<string>();
            Add(failures, "the class-parallel loss", ClassParallelLoss);
            Add(failures, "the data-parallel loss", DataParallelLoss);
            Add(failures, "the class-parallel W", ClassParallelWeights);
            Add(failures, "the class-parallel b", ClassParallelBias);
            Add(failures, "the data-parallel W", DataParallelWeights);
            Add(failures, "the data-parallel b", DataParallelBias);
            if (StepsWithDifferentBits.Count > 0)
            {
                failures.Add($"the class-parallel loss differs between ranks at step(s) {string.Join(", ", StepsWithDifferentBits)}");
            }

            return failures;
        }
    }

    /// <summary>Compares this rank's runs and combines the results of every rank.</summary>
    /// <param name="world">The MPI job.</param>
    /// <param name="reference">The single-process run.</param>
    /// <param name="referenceLosses">Its loss at every step.</param>
    /// <param name="classParallel">The class-parallel run.</param>
    /// <param name="classParallelLosses">Its loss at every step.</param>
    /// <param name="dataParallel">The data-parallel run.</param>
    /// <param name="dataParallelLosses">Its loss at every step.</param>
    /// <returns>The combined result, the same on every rank.</returns>
    public static ParityCheck Run(
        MpiWorld world,
        SingleProcessTrainer reference,
        ReadOnlySpan<double> referenceLosses,
        ClassParallelTrainer classParallel,
        ReadOnlySpan<double> classParallelLosses,
        DataParallelTrainer dataParallel,
        ReadOnlySpan<double> dataParallelLosses)
    {
        LinearHead referenceBlock = reference.Head.Rows(classParallel.Classes);
        double[] local =
        [
            LargestRelative(classParallelLosses, referenceLosses),
            LargestRelative(dataParallelLosses, referenceLosses),
            LargestDifference(classParallel.Head.Weights, referenceBlock.Weights) / LargestMagnitude(reference.Head.Weights),
            LargestDifference(classParallel.Head.Bias, referenceBlock.Bias) / LargestMagnitude(reference.Head.Bias),
            LargestDifference(dataParallel.Head.Weights, reference.Head.Weights) / LargestMagnitude(reference.Head.Weights),
            LargestDifference(dataParallel.Head.Bias, reference.Head.Bias) / LargestMagnitude(reference.Head.Bias),
        ];
        for (int j = 0; j < local.Length; j++)
        {
            // MPI_MAX need not keep a NaN (a comparison with NaN is false): a NaN becomes +∞, which fails the check.
            local[j] = double.IsNaN(local[j]) ? double.PositiveInfinity : local[j];
        }

        double[] largest = new double[local.Length];
        world.AllreduceMax(local, largest);

        long[] bits = new long[classParallelLosses.Length];
        for (int step = 0; step < bits.Length; step++)
        {
            bits[step] = BitConverter.DoubleToInt64Bits(classParallelLosses[step]);
        }

        long[] lowest = new long[bits.Length];
        long[] highest = new long[bits.Length];
        world.AllreduceExtreme(bits, lowest, maximum: false);
        world.AllreduceExtreme(bits, highest, maximum: true);
        var different = new List<int>();
        for (int step = 0; step < bits.Length; step++)
        {
            if (lowest[step] != highest[step])
            {
                different.Add(step + 1);
            }
        }

        return new ParityCheck(largest, [.. different]);
    }

    private static void Add(List<string> failures, string what, double relative)
    {
        if (relative > Tolerance)
        {
            failures.Add($"{what} differs from the single process by {relative:0.###e0} relative (tolerance {Tolerance:0e0})");
        }
    }

    private static double LargestRelative(ReadOnlySpan<double> values, ReadOnlySpan<double> reference)
    {
        double largest = 0.0;
        for (int j = 0; j < values.Length; j++)
        {
            largest = Math.Max(largest, Math.Abs(values[j] - reference[j]) / Math.Abs(reference[j]));
        }

        return largest;
    }

    private static double LargestDifference(ReadOnlySpan<double> values, ReadOnlySpan<double> reference)
    {
        double largest = 0.0;
        for (int j = 0; j < values.Length; j++)
        {
            largest = Math.Max(largest, Math.Abs(values[j] - reference[j]));
        }

        return largest;
    }

    private static double LargestMagnitude(ReadOnlySpan<double> values)
    {
        double largest = 0.0;
        foreach (double value in values)
        {
            largest = Math.Max(largest, Math.Abs(value));
        }

        return largest;
    }
}
