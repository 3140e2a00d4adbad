using System;
using System.Globalization;
using LabelSmoothing.Internal;

namespace LabelSmoothing.Priors;

/// <summary><c>u_k(y) = π_k</c>: see <see cref="SmoothingPrior.FromDistribution"/>.</summary>
internal sealed class DistributionPrior : LinearPrior
{
    private const double SumTolerance = 1e-6;
    private readonly double[] _distribution;

    public DistributionPrior(ReadOnlySpan<double> prior)
    {
        if (prior.IsEmpty)
        {
            ThrowHelper.Argument(nameof(prior), "The prior distribution must have at least one class.");
        }

        double sum = 0.0;
        for (int k = 0; k < prior.Length; k++)
        {
            double p = prior[k];
            if (!(p >= 0.0 && double.IsFinite(p)))
            {
                ThrowHelper.Argument(nameof(prior), string.Create(CultureInfo.InvariantCulture, $"prior[{k}] = {p} is not a finite, non-negative probability."));
            }

            sum += p;
        }

        if (Math.Abs(sum - 1.0) > SumTolerance)
        {
            ThrowHelper.Argument(nameof(prior), string.Create(CultureInfo.InvariantCulture, $"The prior distribution sums to {sum}, not to 1 (±{SumTolerance})."));
        }

        _distribution = prior.ToArray();
    }

    internal override int MinimumClasses => 1;

    internal override double BaseMass(int numClasses, int k) => _distribution[k];

    internal override double Exclusion(int numClasses) => 0.0;

    private protected override void CheckLength(int numClasses, string paramName)
    {
        if (_distribution.Length != numClasses)
        {
            ThrowHelper.Argument(paramName, $"The prior distribution has {_distribution.Length} classes, but the number of classes is {numClasses}.");
        }
    }

    public override string ToString() =>
        "FromDistribution([" + string.Join(", ", Array.ConvertAll(_distribution, p => p.ToString("R", CultureInfo.InvariantCulture))) + "])";
}
