using System;
using System.Numerics;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The focal loss with a non-integer γ (the vectorised <c>exp(γ·log(1 − p))</c> path) against its closed form in double on rows of
/// K = 1000 and K = 37 (vectors and a tail): <c>l = −Σ_k c_k·(1 − p_k)^γ·log p_k</c> with <c>c = (1 − α)·onehot + α/K</c>, and
/// <c>∂l/∂z_j = G_j − p_j·Σ_k G_k</c>, <c>G_k = c_k·(1 − p_k)^γ·(γ·p_k·log p_k/(1 − p_k) − 1)</c>, with <c>1 − p</c> of a row's maximum
/// as <c>Σ_{k≠a} e_k / s</c>. Rows include a label far above the rest (<c>1 − p_y</c> near 1e-13) and one whose <c>1 − p_y</c> underflows
/// to 0, where <c>(1 − p)^γ = 0</c> and <c>p·log p/(1 − p) → −1</c>. The gradient is checked written apart and in place of the logits.
/// </summary>
public sealed class FocalRealGammaTests
{
    [Theory]
    [InlineData(0.5, 1000)]
    [InlineData(1.5, 1000)]
    [InlineData(0.5, 37)]
    [InlineData(1.5, 37)]
    public void Float_matches_the_closed_form(double gamma, int numClasses) => Check<float>(gamma, numClasses, 2e-6);

    [Theory]
    [InlineData(0.5, 1000)]
    [InlineData(1.5, 1000)]
    [InlineData(0.5, 37)]
    [InlineData(1.5, 37)]
    public void Double_matches_the_closed_form(double gamma, int numClasses) => Check<double>(gamma, numClasses, 1e-12);

    private static void Check<T>(double gamma, int numClasses, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int Rows = 6;
        var random = new Random(numClasses + (int)(gamma * 10));
        var logits = new double[Rows * numClasses];
        var labels = new int[Rows];
        for (int i = 0; i < Rows; i++)
        {
            labels[i] = random.Next(numClasses);
            for (int k = 0; k < numClasses; k++)
            {
                logits[(i * numClasses) + k] = (float)(3.0 * ((random.NextDouble() * 2.0) - 1.0));
            }
        }

        logits[(3 * numClasses) + labels[3]] = 40.0;
        logits[(4 * numClasses) + labels[4]] = 800.0;
        var (expectedLoss, expectedGradient) = Reference(logits, labels, numClasses, gamma, 0.1);

        var loss = new FocalLoss(numClasses, gamma, 0.1, Reduction.Sum);
        T[] input = Array.ConvertAll(logits, T.CreateTruncating);
        var gradient = new T[input.Length];
        double actual = double.CreateTruncating(loss.ForwardBackward<T>(input, labels, gradient));
        T[] inPlace = (T[])input.Clone();
        double actualInPlace = double.CreateTruncating(loss.ForwardBackward<T>(inPlace, labels, inPlace));

        Math.Abs(actual - expectedLoss).Should().BeLessThanOrEqualTo(tolerance * Math.Abs(expectedLoss));
        actualInPlace.Should().Be(actual);
        double scale = 0.0;
        foreach (double g in expectedGradient)
        {
            scale = Math.Max(scale, Math.Abs(g));
        }

        for (int j = 0; j < gradient.Length; j++)
        {
            double.IsFinite(double.CreateTruncating(gradient[j])).Should().BeTrue();
            Math.Abs(double.CreateTruncating(gradient[j]) - expectedGradient[j]).Should().BeLessThanOrEqualTo(tolerance * scale, $"gradient {j}");
            Math.Abs(double.CreateTruncating(inPlace[j]) - expectedGradient[j]).Should().BeLessThanOrEqualTo(tolerance * scale, $"in-place gradient {j}");
        }
    }

    private static (double Loss, double[] Gradient) Reference(double[] logits, int[] labels, int numClasses, double gamma, double alpha)
    {
        double total = 0.0;
        var gradient = new double[logits.Length];
        var p = new double[numClasses];
        var complement = new double[numClasses];
        var g = new double[numClasses];
        for (int i = 0; i < labels.Length; i++)
        {
            var row = new ReadOnlySpan<double>(logits, i * numClasses, numClasses);
            int argMax = 0;
            for (int k = 1; k < numClasses; k++)
            {
                argMax = row[k] > row[argMax] ? k : argMax;
            }

            double rest = 0.0;
            for (int k = 0; k < numClasses; k++)
            {
                rest += k == argMax ? 0.0 : Math.Exp(row[k] - row[argMax]);
            }

            double sum = 1.0 + rest;
            double sumG = 0.0;
            for (int k = 0; k < numClasses; k++)
            {
                double logP = row[k] - row[argMax] - Math.Log(sum);
                p[k] = Math.Exp(logP);
                complement[k] = k == argMax ? rest / sum : 1.0 - p[k];
                double c = (alpha / numClasses) + (k == labels[i] ? 1.0 - alpha : 0.0);
                double factor = Math.Pow(complement[k], gamma);
                double ratio = complement[k] > 0.0 ? p[k] * logP / complement[k] : -1.0;
                total -= c * factor * logP;
                g[k] = c * factor * ((gamma * ratio) - 1.0);
                sumG += g[k];
            }

            for (int k = 0; k < numClasses; k++)
            {
                gradient[(i * numClasses) + k] = k == argMax ? (g[k] * complement[k]) - (p[k] * (sumG - g[k])) : g[k] - (p[k] * sumG);
            }
        }

        return (total, gradient);
    }
}
