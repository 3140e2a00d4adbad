using System;

namespace LabelSmoothing.Distributed;

/// <summary>
/// Class parallelism (vocab parallelism): this rank owns a contiguous block of the classes, their rows of <c>W</c> and entries of <c>b</c>,
/// and sees every sample. A step computes the shard's logits <c>X·W_rᵀ + b_r</c>, phase 1 of the class-sharded loss
/// (<see cref="CrossEntropyLoss.ShardStatistics{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, Span{double})"/>), one <c>MPI_Allgather</c> of
/// the statistics in rank order, and phase 2
/// (<see cref="CrossEntropyLoss.ShardForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, ReadOnlySpan{double}, Span{T})"/>): the
/// global loss and the shard's gradient <c>G_r</c>, from which <c>W_r −= lr·G_rᵀX</c> and <c>b_r −= lr·Σ_i G_r</c>. No other communication:
/// the <c>[N, K]</c> logits never exist anywhere.
/// </summary>
public sealed class ClassParallelTrainer
{
    private readonly TrainingProblem _problem;
    private readonly MpiWorld _world;
    private readonly double[] _logits;
    private readonly double[] _statistics;
    private readonly double[] _gathered;
    private readonly double[] _weightGradient;
    private readonly double[] _biasGradient;

    /// <summary>Takes this rank's block of the problem's initial head.</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="world">The MPI job; its size must not exceed <c>K</c>, so that every rank owns a class.</param>
    public ClassParallelTrainer(TrainingProblem problem, MpiWorld world)
    {
        _problem = problem;
        _world = world;
        Classes = Block.Of(TrainingProblem.Classes, world.Size, world.Rank);
        Head = problem.InitialHead().Rows(Classes);
        int width = problem.Loss.ShardStatisticsWidth;
        _logits = new double[TrainingProblem.Samples * Classes.Count];
        _statistics = new double[TrainingProblem.Samples * width];
        _gathered = new double[world.Size * _statistics.Length];
        _weightGradient = new double[Classes.Count * TrainingProblem.Features];
        _biasGradient = new double[Classes.Count];
    }

    /// <summary>The classes this rank owns.</summary>
    public Block Classes { get; }

    /// <summary>This rank's rows of the head.</summary>
    public LinearHead Head { get; }

    /// <summary>One SGD step on the whole batch.</summary>
    /// <returns>The batch's global loss before the step: the same bits on every rank.</returns>
    public double Step()
    {
        CrossEntropyLoss loss = _problem.Loss;
        Head.Logits(_problem.Inputs, _logits);
        loss.ShardStatistics<double>(_logits, _problem.Labels, Classes.Offset, _statistics);
        _world.Allgather(_statistics, _gathered);
        double value = loss.ShardForwardBackward<double>(_logits, _problem.Labels, Classes.Offset, _gathered, _logits);
        Head.Gradients(_problem.Inputs, _logits, _weightGradient, _biasGradient);
        Head.Descend(_weightGradient, _biasGradient, TrainingProblem.LearningRate);
        return value;
    }
}
