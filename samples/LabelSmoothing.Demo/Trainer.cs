using System;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing.Demo;

/// <summary>Trains one <see cref="Mlp"/> and measures it on the test set.</summary>
public static class Trainer
{
    public const int BatchSize = 64;
    public const float LearningRate = 0.1f;
    public const float Momentum = 0.9f;
    public const int CalibrationBins = 15;

    /// <summary>
    /// Trains with the loss <paramref name="lossName"/> (smoothing, or for label relaxation its relaxation, <paramref name="alpha"/>) on the
    /// training set with a share <paramref name="noise"/> of its labels flipped, then evaluates on the test set; the temperature is fitted on
    /// the (clean) validation set. The initialisation, the batch order and the flipped labels depend only on <see cref="DemoOptions.Seed"/>,
    /// so runs that differ in α or in the loss see the same noise and the same batches.
    /// </summary>
    public static RunResult Train(
        DemoOptions options, string lossName, double alpha, double noise, DigitsDataset training, DigitsDataset validation, DigitsDataset test, Action<int, double>? onEpoch = null)
    {
        DigitsDataset noisy = training.WithLabelNoise(noise, new Random(options.Seed + 1));
        SmoothingPrior prior = options.CreatePrior(noisy.Labels, DigitsDataset.Classes);
        TrainingLoss loss = TrainingLoss.Create(lossName, alpha, prior);
        var network = new Mlp(new Random(options.Seed));
        var batchOrder = new Random(options.Seed + 2);
        int[] order = Enumerable.Range(0, noisy.Count).ToArray();
        double epochLoss = 0.0;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            batchOrder.Shuffle(order);
            double total = 0.0;
            for (int start = 0; start < order.Length; start += BatchSize)
            {
                int[] batch = order[start..Math.Min(order.Length, start + BatchSize)];
                Matrix<float> inputs = Rows(noisy, batch);
                int[] labels = Array.ConvertAll(batch, i => noisy.Labels[i]);
                total += network.Step(inputs, labels, loss, LearningRate, Momentum) * batch.Length;
            }

            epochLoss = total / order.Length;
            onEpoch?.Invoke(epoch, epochLoss);
        }

        return Evaluate(network, alpha, noise, options.Prior, epochLoss, validation, test) with { Loss = loss.Name, LossDescription = loss.Description };
    }

    private static RunResult Evaluate(Mlp network, double alpha, double noise, string prior, double trainingLoss, DigitsDataset validation, DigitsDataset test)
    {
        const int K = DigitsDataset.Classes;
        float[] logits = Logits(network, test);
        float[] validationLogits = Logits(network, validation);

        var probabilities = new float[logits.Length];
        LogSoftmax.Softmax<float>(logits, K, probabilities);
        int correct = 0;
        double confidence = 0.0;
        for (int i = 0; i < test.Count; i++)
        {
            ReadOnlySpan<float> row = probabilities.AsSpan(i * K, K);
            int predicted = row.IndexOf(MaxOf(row));
            correct += predicted == test.Labels[i] ? 1 : 0;
            confidence += row[predicted];
        }

        double temperature = TemperatureScaling.Fit<float>(validationLogits, validation.Labels, K);
        var scaled = new float[logits.Length];
        TemperatureScaling.Apply<float>(logits, temperature, scaled);
        return new RunResult(
            alpha,
            noise,
            prior,
            trainingLoss,
            (double)correct / test.Count,
            new CrossEntropyLoss(K).Forward<float>(logits, test.Labels),
            Calibration.ExpectedCalibrationError<float>(logits, test.Labels, K, CalibrationBins),
            Calibration.MaximumCalibrationError<float>(logits, test.Labels, K, CalibrationBins),
            confidence / test.Count,
            temperature,
            Calibration.ExpectedCalibrationError<float>(scaled, test.Labels, K, CalibrationBins),
            Calibration.ReliabilityBins<float>(logits, test.Labels, K, CalibrationBins));
    }

    private static float MaxOf(ReadOnlySpan<float> values)
    {
        float max = values[0];
        foreach (float v in values)
        {
            max = Math.Max(max, v);
        }

        return max;
    }

    private static float[] Logits(Mlp network, DigitsDataset data) =>
        network.Logits(Rows(data, Enumerable.Range(0, data.Count).ToArray())).ToRowMajorArray();

    private static Matrix<float> Rows(DigitsDataset data, int[] rows) =>
        Matrix<float>.Build.Dense(rows.Length, DigitsDataset.Features, (i, j) => data.Inputs[(rows[i] * DigitsDataset.Features) + j]);
}
