using System;

namespace LabelSmoothing.Benchmarks;

/// <summary>
/// The baseline: label-smoothed cross-entropy as tutorial PyTorch code writes it (an <c>LSR</c> module, docs/worked-examples.md W11): materialise the
/// smoothed one-hot targets <c>[N, K]</c>, take the log-softmax, then <c>mean(Σ −lp·target)</c> and its gradient <c>(softmax − target)/N</c>.
/// Plain loops, no SIMD, one temporary of the batch's size per call.
/// </summary>
public static class NaiveLoss
{
    public static float ForwardBackward(float[] logits, int[] labels, int numClasses, double alpha, float[] gradient)
    {
        int rows = labels.Length;
        var targets = new float[logits.Length];
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < numClasses; k++)
            {
                targets[(i * numClasses) + k] = (float)(alpha / numClasses);
            }

            targets[(i * numClasses) + labels[i]] += (float)(1.0 - alpha);
        }

        double total = 0.0;
        for (int i = 0; i < rows; i++)
        {
            var row = logits.AsSpan(i * numClasses, numClasses);
            float max = float.NegativeInfinity;
            foreach (float z in row)
            {
                max = Math.Max(max, z);
            }

            float sum = 0f;
            foreach (float z in row)
            {
                sum += MathF.Exp(z - max);
            }

            float logSum = MathF.Log(sum);
            for (int k = 0; k < numClasses; k++)
            {
                float logProbability = row[k] - max - logSum;
                float target = targets[(i * numClasses) + k];
                total -= target * logProbability;
                gradient[(i * numClasses) + k] = (MathF.Exp(logProbability) - target) / rows;
            }
        }

        return (float)(total / rows);
    }
}
