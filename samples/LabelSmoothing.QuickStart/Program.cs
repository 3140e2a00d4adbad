using System;
using System.Globalization;
using System.Linq;
using LabelSmoothing;

// Three samples of a 4-class problem, trained as free logits by plain gradient descent with and without label smoothing.
int[] labels = [0, 2, 3];
const int NumClasses = 4;
const int Steps = 2000;
const double LearningRate = 0.5;

foreach (double alpha in new[] { 0.0, 0.1 })
{
    var loss = new CrossEntropyLoss(NumClasses, labelSmoothing: alpha);
    var logits = new double[labels.Length * NumClasses];
    var gradient = new double[logits.Length];
    double value = 0;
    for (int step = 0; step <= Steps; step++)
    {
        value = loss.ForwardBackward<double>(logits, labels, gradient);
        for (int j = 0; j < logits.Length; j++)
        {
            logits[j] -= LearningRate * labels.Length * gradient[j];
        }
    }

    var probabilities = new double[logits.Length];
    LogSoftmax.Softmax<double>(logits, NumClasses, probabilities);
    double floor = SmoothedTargetEntropy(alpha);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"α = {alpha:0.0}: loss after {Steps} steps = {value:0.0000} (lowest reachable: {floor:0.0000})"));
    Console.WriteLine("  p(sample 0)   = [" + string.Join(", ", probabilities.Take(NumClasses).Select(p => p.ToString("0.0000", CultureInfo.InvariantCulture))) + "]");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  logit gap z_y − z_k of sample 0 = {logits[0] - logits[1]:0.000}"));
}

Console.WriteLine();
Console.WriteLine("Without smoothing the gap grows without bound (p → 1); with α = 0.1 it settles at log(1 + K(1 − α)/α) = "
    + Math.Log(1 + (NumClasses * 0.9 / 0.1)).ToString("0.000", CultureInfo.InvariantCulture) + ".");

// H(S(e_y)) for the uniform prior: the target keeps 1 − α + α/K, every other class α/K.
static double SmoothedTargetEntropy(double alpha)
{
    double target = 1 - alpha + (alpha / NumClasses);
    double other = alpha / NumClasses;
    return 0.0 - (target * Math.Log(target)) - (other > 0 ? (NumClasses - 1) * other * Math.Log(other) : 0);
}
