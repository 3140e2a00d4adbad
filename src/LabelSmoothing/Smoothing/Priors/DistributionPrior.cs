using System.Globalization;

namespace LabelSmoothing.Priors;

/// <summary><c>u_k(y) = π_k</c>: see <see cref="SmoothingPrior.FromDistribution"/>.</summary>
internal sealed class DistributionPrior : LinearPrior
{
    private readonly double[] _distribution;

    public DistributionPrior(ReadOnlySpan<double> prior)
    {
        if (prior.IsEmpty)
        {
            ThrowHelper.Argument(nameof(prior), "The prior distribution must have at least one class.");
        }

        Guard.Distribution(prior, nameof(prior));
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
