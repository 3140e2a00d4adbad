using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace LabelSmoothing.Distributed;

/// <summary>
/// The sample: trains the same linear head three ways on every rank (class-parallel, data-parallel, and the single-process reference),
/// prints the loss of each at every step from rank 0, and checks that the distributed runs match the reference.
/// </summary>
public static class DistributedApp
{
    /// <summary>Exit code: everything matched.</summary>
    public const int Success = 0;

    /// <summary>Exit code: a loss or a parameter differs from the single-process run, or the class-parallel loss differs between ranks.</summary>
    public const int ParityFailure = 1;

    /// <summary>Exit code: MPI is missing, or the job cannot run this problem (more ranks than classes).</summary>
    public const int SetupFailure = 2;

    /// <summary>Exit code: an exception; the other ranks are ended by <c>MPI_Abort</c>.</summary>
    public const int Crash = 3;

    /// <summary>Runs the sample in this MPI process.</summary>
    /// <param name="args">The command line (the sample takes no option; MPI may read its own).</param>
    /// <returns>The exit code, the same on every rank.</returns>
    public static int Run(string[] args)
    {
        if (!MpichLibrary.TryInstall(out string? error))
        {
            Console.Error.WriteLine($"error: {error}");
            return SetupFailure;
        }

        MpiWorld world;
        try
        {
            world = new MpiWorld(ref args);
        }
        catch (DllNotFoundException exception)
        {
            Console.Error.WriteLine($"error: no MPI library: {exception.Message} Install MS-MPI (Windows) or MPICH (Linux), and run: mpiexec -n 2 dotnet LabelSmoothing.Distributed.dll");
            return SetupFailure;
        }

        using (world)
        {
            try
            {
                return Train(world, Console.Out, Console.Error);
            }
            catch (Exception exception) when (world.Size > 1)
            {
                Console.Error.WriteLine($"error on rank {world.Rank}: {exception}");
                MpiWorld.Abort(Crash);
                return Crash;
            }
        }
    }

    /// <summary>Trains, prints (rank 0 only) and checks.</summary>
    /// <param name="world">The MPI job.</param>
    /// <param name="output">Where rank 0 writes the report.</param>
    /// <param name="errors">Where rank 0 writes what failed.</param>
    /// <returns>The exit code, the same on every rank.</returns>
    public static int Train(MpiWorld world, TextWriter output, TextWriter errors)
    {
        bool leader = world.Rank == 0;
        if (world.Size > TrainingProblem.Classes)
        {
            if (leader)
            {
                errors.WriteLine($"error: {world.Size} ranks for {TrainingProblem.Classes} classes: class parallelism needs at least one class per rank.");
            }

            return SetupFailure;
        }

        var problem = new TrainingProblem();
        var reference = new SingleProcessTrainer(problem);
        var classParallel = new ClassParallelTrainer(problem, world);
        var dataParallel = new DataParallelTrainer(problem, world);
        if (leader)
        {
            WriteHeader(output, world, problem, dataParallel.Divisor);
        }

        double[] referenceLosses = new double[TrainingProblem.Steps];
        double[] classParallelLosses = new double[TrainingProblem.Steps];
        double[] dataParallelLosses = new double[TrainingProblem.Steps];
        for (int step = 0; step < TrainingProblem.Steps; step++)
        {
            classParallelLosses[step] = classParallel.Step();
            dataParallelLosses[step] = dataParallel.Step();
            referenceLosses[step] = reference.Step();
            if (leader)
            {
                output.WriteLine(
                    $"step {step + 1}: class-parallel {Exact(classParallelLosses[step])}, data-parallel {Exact(dataParallelLosses[step])}, "
                    + $"single process {Exact(referenceLosses[step])}");
            }
        }

        var check = ParityCheck.Run(world, reference, referenceLosses, classParallel, classParallelLosses, dataParallel, dataParallelLosses);
        if (leader)
        {
            WriteCheck(output, world, check);
        }

        if (check.Failures.Count == 0)
        {
            if (leader)
            {
                output.WriteLine("parity: OK");
            }

            return Success;
        }

        if (leader)
        {
            output.Flush();
            foreach (string failure in check.Failures)
            {
                errors.WriteLine($"error: {failure}");
            }
        }

        return ParityFailure;
    }

    private static void WriteHeader(TextWriter output, MpiWorld world, TrainingProblem problem, double divisor)
    {
        output.WriteLine(
            $"LabelSmoothing.Distributed: {world.Size} MPI rank{(world.Size == 1 ? string.Empty : "s")} ({MpichLibrary.LoadedName}), "
            + $"N = {TrainingProblem.Samples} samples, H = {TrainingProblem.Features} features, K = {TrainingProblem.Classes} classes, "
            + $"{TrainingProblem.Steps} SGD steps of lr = {TrainingProblem.LearningRate}, in double");
        if (world.Size == 1)
        {
            output.WriteLine("  one rank: started without mpiexec? Run: mpiexec -n 2 dotnet LabelSmoothing.Distributed.dll");
        }

        output.WriteLine(
            $"loss: CrossEntropyLoss, mean, label smoothing {TrainingProblem.LabelSmoothing} with the ordinal prior (scale {TrainingProblem.OrdinalScale}), "
            + $"class weights in [0.5, 1.5), z-loss {TrainingProblem.ZLoss}, {problem.IgnoredCount} of {TrainingProblem.Samples} labels ignored");
        output.WriteLine($"class-parallel: classes {Blocks(TrainingProblem.Classes, world.Size)}, one MPI_Allgather of "
            + $"{TrainingProblem.Samples} × {problem.Loss.ShardStatisticsWidth} statistics per rank per step");
        output.WriteLine($"data-parallel:  samples {Blocks(TrainingProblem.Samples, world.Size)}, divisor {Exact(divisor)} (all-reduced TotalWeight), "
            + "one MPI_Allreduce of ∂W, ∂b and the loss per step");
    }

    private static void WriteCheck(TextWriter output, MpiWorld world, ParityCheck check)
    {
        output.WriteLine(check.StepsWithDifferentBits.Count == 0
            ? $"class-parallel loss: the same bits on all {world.Size} rank{(world.Size == 1 ? string.Empty : "s")} at every step"
            : $"class-parallel loss: different bits between ranks at step(s) {string.Join(", ", check.StepsWithDifferentBits)}");
        output.WriteLine($"largest relative difference from the single process (tolerance {ParityCheck.Tolerance:0e0}):");
        output.WriteLine($"  loss over the steps  class-parallel {Short(check.ClassParallelLoss)}, data-parallel {Short(check.DataParallelLoss)}");
        output.WriteLine($"  trained W            class-parallel {Short(check.ClassParallelWeights)}, data-parallel {Short(check.DataParallelWeights)}");
        output.WriteLine($"  trained b            class-parallel {Short(check.ClassParallelBias)}, data-parallel {Short(check.DataParallelBias)}");
    }

    private static string Blocks(int total, int ranks) =>
        string.Join(", ", Enumerable.Range(0, ranks).Select(rank => $"rank {rank} {Block.Of(total, ranks, rank)}"));

    private static string Exact(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Short(double value) => value == 0.0 ? "0" : value.ToString("0.0e0", CultureInfo.InvariantCulture);
}
