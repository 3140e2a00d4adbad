using System;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing.Demo;

/// <summary>
/// A two-layer perceptron, 64 → 128 → 10 with ReLU, in MathNet.Numerics matrices (rows = samples), trained by SGD with momentum. The
/// loss and its gradient with respect to the logits come from the run's <see cref="TrainingLoss"/>, on the matrices themselves.
/// </summary>
public sealed class Mlp
{
    public const int Hidden = 128;

    private readonly Matrix<float> _inputWeights;
    private readonly Vector<float> _hiddenBias;
    private readonly Matrix<float> _outputWeights;
    private readonly Vector<float> _outputBias;
    private readonly Matrix<float> _inputVelocity;
    private readonly Vector<float> _hiddenVelocity;
    private readonly Matrix<float> _outputVelocity;
    private readonly Vector<float> _outputBiasVelocity;

    /// <summary>He-initialised weights and zero biases from <paramref name="random"/>.</summary>
    public Mlp(Random random)
    {
        _inputWeights = Gaussian(DigitsDataset.Features, Hidden, Math.Sqrt(2.0 / DigitsDataset.Features), random);
        _outputWeights = Gaussian(Hidden, DigitsDataset.Classes, Math.Sqrt(2.0 / Hidden), random);
        _hiddenBias = Vector<float>.Build.Dense(Hidden);
        _outputBias = Vector<float>.Build.Dense(DigitsDataset.Classes);
        _inputVelocity = Matrix<float>.Build.Dense(DigitsDataset.Features, Hidden);
        _outputVelocity = Matrix<float>.Build.Dense(Hidden, DigitsDataset.Classes);
        _hiddenVelocity = Vector<float>.Build.Dense(Hidden);
        _outputBiasVelocity = Vector<float>.Build.Dense(DigitsDataset.Classes);
    }

    /// <summary>The logits of a batch: <c>relu(X·W₁ + b₁)·W₂ + b₂</c>.</summary>
    public Matrix<float> Logits(Matrix<float> inputs) => Forward(inputs, out _);

    /// <summary>One step of SGD with momentum on a batch; returns the batch loss.</summary>
    public float Step(Matrix<float> inputs, int[] labels, TrainingLoss loss, float learningRate, float momentum)
    {
        Matrix<float> logits = Forward(inputs, out Matrix<float> hidden);
        var logitsGradient = Matrix<float>.Build.Dense(logits.RowCount, logits.ColumnCount);
        float value = loss.ForwardBackward(logits, labels, logitsGradient);

        Matrix<float> hiddenGradient = logitsGradient.TransposeAndMultiply(_outputWeights);
        hiddenGradient.MapIndexedInplace((i, j, g) => hidden[i, j] > 0f ? g : 0f);
        Update(_outputWeights, _outputVelocity, hidden.TransposeThisAndMultiply(logitsGradient), learningRate, momentum);
        Update(_outputBias, _outputBiasVelocity, logitsGradient.ColumnSums(), learningRate, momentum);
        Update(_inputWeights, _inputVelocity, inputs.TransposeThisAndMultiply(hiddenGradient), learningRate, momentum);
        Update(_hiddenBias, _hiddenVelocity, hiddenGradient.ColumnSums(), learningRate, momentum);
        return value;
    }

    private Matrix<float> Forward(Matrix<float> inputs, out Matrix<float> hidden)
    {
        hidden = inputs * _inputWeights;
        hidden.MapIndexedInplace((i, j, v) => Math.Max(0f, v + _hiddenBias[j]));
        Matrix<float> logits = hidden * _outputWeights;
        logits.MapIndexedInplace((i, j, v) => v + _outputBias[j]);
        return logits;
    }

    private static void Update(Matrix<float> parameters, Matrix<float> velocity, Matrix<float> gradient, float learningRate, float momentum)
    {
        velocity.Multiply(momentum, velocity);
        velocity.Subtract(gradient.Multiply(learningRate), velocity);
        parameters.Add(velocity, parameters);
    }

    private static void Update(Vector<float> parameters, Vector<float> velocity, Vector<float> gradient, float learningRate, float momentum)
    {
        velocity.Multiply(momentum, velocity);
        velocity.Subtract(gradient.Multiply(learningRate), velocity);
        parameters.Add(velocity, parameters);
    }

    private static Matrix<float> Gaussian(int rows, int columns, double deviation, Random random) =>
        Matrix<float>.Build.Dense(rows, columns, (_, _) =>
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            return (float)(deviation * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
        });
}
