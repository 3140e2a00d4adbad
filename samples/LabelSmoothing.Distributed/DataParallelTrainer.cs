using System;

namespace LabelSmoothing.Distributed;

/// <summary>
/// Data parallelism: this rank holds the whole head and a contiguous block of the samples. Before training it all-reduces
/// <see cref="SoftmaxLoss.TotalWeight(ReadOnlySpan{int})"/> of its labels into the global divisor (the labels do not change between steps);
/// a step calls <see cref="SoftmaxLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, double)"/> on its rows with that
/// divisor, computes its <c>∂W</c> and <c>∂b</c>, and all-reduces (sums) them with its share of the loss in one <c>MPI_Allreduce</c>, so that
/// every rank takes the same step.
/// </summary>
public sealed class DataParallelTrainer
{
    private readonly TrainingProblem _problem;
    private readonly MpiWorld _world;
    private readonly double _divisor;
    private readonly double[] _logits;
    private readonly double[] _local;
    private readonly double[] _summed;

    /// <summary>Takes this rank's block of samples and the whole initial head, and all-reduces the divisor.</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="world">The MPI job.</param>
    public DataParallelTrainer(TrainingProblem problem, MpiWorld world)
    {
        _problem = problem;
        _world = world;
        Samples = Block.Of(TrainingProblem.Samples, world.Size, world.Rank);
        Head = problem.InitialHead();
        Span<double> weight = [problem.Loss.TotalWeight(problem.LabelsOf(Samples))];
        Span<double> total = [0.0];
        world.AllreduceSum(weight, total);
        _divisor = total[0];
        _logits = new double[Samples.Count * TrainingProblem.Classes];
        // ∂W [K, H], then ∂b [K], then the loss: one buffer, one all-reduce per step.
        _local = new double[(TrainingProblem.Classes * TrainingProblem.Features) + TrainingProblem.Classes + 1];
        _summed = new double[_local.Length];
    }

    /// <summary>The samples this rank owns.</summary>
    public Block Samples { get; }

    /// <summary>The whole head, the same on every rank.</summary>
    public LinearHead Head { get; }

    /// <summary>The global divisor: the class weights of the non-ignored labels of the whole batch, summed over the ranks.</summary>
    public double Divisor => _divisor;

    /// <summary>One SGD step on the whole batch, each rank doing its rows.</summary>
    /// <returns>The batch's loss before the step.</returns>
    public double Step()
    {
        ReadOnlySpan<double> inputs = _problem.InputsOf(Samples);
        int weights = TrainingProblem.Classes * TrainingProblem.Features;
        Head.Logits(inputs, _logits);
        double share = _problem.Loss.ForwardBackward<double>(_logits, _problem.LabelsOf(Samples), _logits, _divisor);
        Head.Gradients(inputs, _logits, _local.AsSpan(0, weights), _local.AsSpan(weights, TrainingProblem.Classes));
        _local[^1] = share;
        _world.AllreduceSum(_local, _summed);
        Head.Descend(_summed.AsSpan(0, weights), _summed.AsSpan(weights, TrainingProblem.Classes), TrainingProblem.LearningRate);
        return _summed[^1];
    }
}
