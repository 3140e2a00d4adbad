using System;

namespace LabelSmoothing.Distributed;

/// <summary>
/// The reference: the whole batch and the whole head in this process, with the unsharded
/// <see cref="SoftmaxLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/>. No communication.
/// </summary>
public sealed class SingleProcessTrainer
{
    private readonly TrainingProblem _problem;
    private readonly double[] _logits = new double[TrainingProblem.Samples * TrainingProblem.Classes];
    private readonly double[] _weightGradient = new double[TrainingProblem.Classes * TrainingProblem.Features];
    private readonly double[] _biasGradient = new double[TrainingProblem.Classes];

    /// <summary>Starts from the problem's initial head.</summary>
    /// <param name="problem">The problem.</param>
    public SingleProcessTrainer(TrainingProblem problem)
    {
        _problem = problem;
        Head = problem.InitialHead();
    }

    /// <summary>The whole head, <c>K</c> classes.</summary>
    public LinearHead Head { get; }

    /// <summary>One SGD step on the whole batch.</summary>
    /// <returns>The batch's loss before the step.</returns>
    public double Step()
    {
        Head.Logits(_problem.Inputs, _logits);
        double loss = _problem.Loss.ForwardBackward<double>(_logits, _problem.Labels, _logits);
        Head.Gradients(_problem.Inputs, _logits, _weightGradient, _biasGradient);
        Head.Descend(_weightGradient, _biasGradient, TrainingProblem.LearningRate);
        return loss;
    }
}
