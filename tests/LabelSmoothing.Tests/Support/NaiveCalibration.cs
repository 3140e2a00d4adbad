using System;
using System.Collections.Generic;
using System.Linq;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The Brier score, the class-wise ECE and the adaptive ECE computed straight from their definitions in double, independent of the library:
/// a softmax per row (<see cref="NaiveMath.Softmax"/>), a scan over every bin for every class, and for the equal-mass bins the edges of
/// Nixon et al.'s <c>get_adaptive_bins</c> with every confidence counted against every edge.
/// </summary>
internal sealed class NaiveCalibration
{
    private readonly double[][] _probabilities;
    private readonly int[] _labels;

    /// <summary>The samples of row-major <paramref name="logits"/> whose label is not <paramref name="ignoreIndex"/>.</summary>
    public NaiveCalibration(double[] logits, int[] labels, int numClasses, int ignoreIndex = -100)
    {
        var probabilities = new List<double[]>();
        var kept = new List<int>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] != ignoreIndex)
            {
                probabilities.Add(NaiveMath.Softmax(logits.AsSpan(i * numClasses, numClasses), numClasses));
                kept.Add(labels[i]);
            }
        }

        _probabilities = [.. probabilities];
        _labels = [.. kept];
        NumClasses = numClasses;
    }

    public int NumClasses { get; }

    /// <summary><c>N</c>, the samples not ignored.</summary>
    public int Samples => _labels.Length;

    /// <summary><c>(1/N)·Σ_i Σ_k (p_ik − [k = y_i])²</c>.</summary>
    public double Brier()
    {
        double sum = 0.0;
        for (int i = 0; i < Samples; i++)
        {
            for (int k = 0; k < NumClasses; k++)
            {
                double error = _probabilities[i][k] - (k == _labels[i] ? 1.0 : 0.0);
                sum += error * error;
            }
        }

        return Samples == 0 ? 0.0 : sum / Samples;
    }

    /// <summary>
    /// <c>(1/K)·Σ_k Σ_m (|B_km|/N)·|acc(B_km) − conf(B_km)|</c>, <c>B_km = {i : m/M &lt; p_ik ≤ (m + 1)/M}</c> (and <c>p_ik = 0</c> for
    /// <c>m = 0</c>), <c>acc</c> the fraction labelled <c>k</c>, <c>conf</c> the mean <c>p_k</c>.
    /// </summary>
    public double ClasswiseEce(int bins)
    {
        double total = 0.0;
        for (int k = 0; k < NumClasses; k++)
        {
            for (int m = 0; m < bins; m++)
            {
                double lower = (double)m / bins;
                double upper = (double)(m + 1) / bins;
                int[] members = Enumerable.Range(0, Samples)
                    .Where(i => (_probabilities[i][k] > lower && _probabilities[i][k] <= upper) || (m == 0 && _probabilities[i][k] == 0.0))
                    .ToArray();
                if (members.Length > 0)
                {
                    double accuracy = members.Count(i => _labels[i] == k) / (double)members.Length;
                    double confidence = members.Average(i => _probabilities[i][k]);
                    total += (double)members.Length / Samples * Math.Abs(accuracy - confidence);
                }
            }
        }

        return Samples == 0 ? 0.0 : total / NumClasses;
    }

    /// <summary>
    /// <c>Σ_m (|B_m|/N)·|acc(B_m) − conf(B_m)|</c> over the top-label confidences, bin of <c>c</c> = <c>#{j ∈ [1, M) : u_j ≤ c}</c>,
    /// <c>u_j = sorted[min(round(j·(N/M)), N − 1)]</c> with halves rounded to even.
    /// </summary>
    public double AdaptiveEce(int bins)
    {
        if (Samples == 0)
        {
            return 0.0;
        }

        var (confidences, correct) = TopLabel();
        double[] sorted = [.. confidences.Order()];
        double step = (double)Samples / bins;
        double[] upperEdges = Enumerable.Range(1, bins - 1)
            .Select(j => sorted[Math.Min((int)Math.Round(j * step, MidpointRounding.ToEven), Samples - 1)])
            .ToArray();
        double total = 0.0;
        foreach (var bin in Enumerable.Range(0, Samples).GroupBy(i => upperEdges.Count(u => u <= confidences[i])))
        {
            double accuracy = bin.Average(i => correct[i] ? 1.0 : 0.0);
            double confidence = bin.Average(i => confidences[i]);
            total += (double)bin.Count() / Samples * Math.Abs(accuracy - confidence);
        }

        return total;
    }

    /// <summary><c>|mean accuracy − mean confidence|</c> of the top label.</summary>
    public double AccuracyConfidenceGap()
    {
        var (confidences, correct) = TopLabel();
        return Samples == 0 ? 0.0 : Math.Abs(correct.Average(c => c ? 1.0 : 0.0) - confidences.Average());
    }

    /// <summary><c>(1/N)·Σ_i |1[ŷ_i = y_i] − c_i|</c>: every sample a bin of its own.</summary>
    public double MeanAbsoluteGap()
    {
        var (confidences, correct) = TopLabel();
        return Samples == 0 ? 0.0 : Enumerable.Range(0, Samples).Average(i => Math.Abs((correct[i] ? 1.0 : 0.0) - confidences[i]));
    }

    /// <summary>Each sample's confidence <c>max_k p_k</c> and whether its first argmax is the label.</summary>
    private (double[] Confidences, bool[] Correct) TopLabel()
    {
        var confidences = new double[Samples];
        var correct = new bool[Samples];
        for (int i = 0; i < Samples; i++)
        {
            confidences[i] = _probabilities[i].Max();
            correct[i] = Array.IndexOf(_probabilities[i], confidences[i]) == _labels[i];
        }

        return (confidences, correct);
    }
}
