using System;

namespace LabelSmoothing.Distributed;

/// <summary>
/// A linear classification head, or a block of its classes: the weight rows <c>W [S, H]</c> and biases <c>b [S]</c> of <c>S</c> classes,
/// logits <c>z = X·Wᵀ + b</c>, trained by plain SGD. Every mode of the sample computes with these loops, in the same order, so two heads
/// that hold the same numbers and see the same gradient stay bit-identical.
/// </summary>
public sealed class LinearHead
{
    private readonly double[] _weights;
    private readonly double[] _bias;

    /// <summary>A head holding copies of <paramref name="weights"/> and <paramref name="bias"/>.</summary>
    /// <param name="weights">The row-major <c>[S, H]</c> weights.</param>
    /// <param name="bias">The <c>S</c> biases.</param>
    public LinearHead(ReadOnlySpan<double> weights, ReadOnlySpan<double> bias)
    {
        if (bias.IsEmpty || weights.Length % bias.Length != 0 || weights.IsEmpty)
        {
            throw new ArgumentException($"weights has length {weights.Length}, not a positive multiple of bias.Length = {bias.Length}.", nameof(weights));
        }

        _weights = weights.ToArray();
        _bias = bias.ToArray();
        Features = weights.Length / bias.Length;
    }

    /// <summary>The number of classes <c>S</c> this head holds.</summary>
    public int Classes => _bias.Length;

    /// <summary>The number of input features <c>H</c>.</summary>
    public int Features { get; }

    /// <summary>The row-major <c>[S, H]</c> weights.</summary>
    public ReadOnlySpan<double> Weights => _weights;

    /// <summary>The <c>S</c> biases.</summary>
    public ReadOnlySpan<double> Bias => _bias;

    /// <summary>A copy of the rows <paramref name="classes"/> of this head: the block a class-parallel rank owns.</summary>
    /// <param name="classes">The block of classes, within <c>[0, S)</c>.</param>
    /// <returns>The new head.</returns>
    public LinearHead Rows(Block classes) =>
        new(_weights.AsSpan(classes.Offset * Features, classes.Count * Features), _bias.AsSpan(classes.Offset, classes.Count));

    /// <summary>The logits <c>z = X·Wᵀ + b</c> of <c>n</c> samples.</summary>
    /// <param name="inputs">The row-major <c>[n, H]</c> inputs.</param>
    /// <param name="logits">Receives the row-major <c>[n, S]</c> logits.</param>
    public void Logits(ReadOnlySpan<double> inputs, Span<double> logits)
    {
        int samples = inputs.Length / Features;
        for (int i = 0; i < samples; i++)
        {
            ReadOnlySpan<double> x = inputs.Slice(i * Features, Features);
            for (int k = 0; k < Classes; k++)
            {
                ReadOnlySpan<double> w = _weights.AsSpan(k * Features, Features);
                double z = _bias[k];
                for (int h = 0; h < Features; h++)
                {
                    z += x[h] * w[h];
                }

                logits[(i * Classes) + k] = z;
            }
        }
    }

    /// <summary>The parameters' gradients from the logits' gradient <c>G [n, S]</c>: <c>∂W = Gᵀ·X</c> and <c>∂b = Σ_i G_i</c>.</summary>
    /// <param name="inputs">The row-major <c>[n, H]</c> inputs the logits came from.</param>
    /// <param name="logitGradient">The row-major <c>[n, S]</c> gradient of the loss with respect to the logits.</param>
    /// <param name="weightGradient">Receives the row-major <c>[S, H]</c> <c>∂W</c>.</param>
    /// <param name="biasGradient">Receives the <c>S</c> entries of <c>∂b</c>.</param>
    public void Gradients(ReadOnlySpan<double> inputs, ReadOnlySpan<double> logitGradient, Span<double> weightGradient, Span<double> biasGradient)
    {
        int samples = inputs.Length / Features;
        weightGradient.Clear();
        biasGradient.Clear();
        for (int i = 0; i < samples; i++)
        {
            ReadOnlySpan<double> x = inputs.Slice(i * Features, Features);
            for (int k = 0; k < Classes; k++)
            {
                double g = logitGradient[(i * Classes) + k];
                Span<double> row = weightGradient.Slice(k * Features, Features);
                for (int h = 0; h < Features; h++)
                {
                    row[h] += g * x[h];
                }

                biasGradient[k] += g;
            }
        }
    }

    /// <summary>One step of plain SGD: <c>W −= lr·∂W</c>, <c>b −= lr·∂b</c>.</summary>
    /// <param name="weightGradient">The row-major <c>[S, H]</c> <c>∂W</c>.</param>
    /// <param name="biasGradient">The <c>S</c> entries of <c>∂b</c>.</param>
    /// <param name="learningRate">The step size <c>lr</c>.</param>
    public void Descend(ReadOnlySpan<double> weightGradient, ReadOnlySpan<double> biasGradient, double learningRate)
    {
        for (int j = 0; j < _weights.Length; j++)
        {
            _weights[j] -= learningRate * weightGradient[j];
        }

        for (int k = 0; k < _bias.Length; k++)
        {
            _bias[k] -= learningRate * biasGradient[k];
        }
    }
}
