namespace LabelSmoothing.Priors;

/// <summary>
/// A prior of the form <c>u_k(y) = π_k − ε·[k = y]</c>: a fixed base distribution <c>π</c> with an optional exclusion of the label
/// (<c>ε = 0</c> for <see cref="SmoothingPrior.Uniform"/> and <see cref="SmoothingPrior.FromDistribution"/>,
/// <c>π_k = ε = 1/(K − 1)</c> for <see cref="SmoothingPrior.UniformOthers"/>). For a soft row, <c>(U·t)_k = π_k·Σt − ε·t_k</c>.
/// </summary>
internal abstract class LinearPrior : SmoothingPrior
{
    /// <summary><c>π_k</c> for <paramref name="numClasses"/> classes.</summary>
    internal abstract double BaseMass(int numClasses, int k);

    /// <summary><c>ε</c>: the mass taken back from the label itself.</summary>
    internal abstract double Exclusion(int numClasses);

    internal override double Mass(int numClasses, int label, int k, double rowNormaliser) =>
        BaseMass(numClasses, k) - (k == label ? Exclusion(numClasses) : 0.0);

    internal override void Spread(ReadOnlySpan<double> target, Span<double> destination)
    {
        int numClasses = target.Length;
        double total = 0.0;
        foreach (double t in target)
        {
            total += t;
        }

        double exclusion = Exclusion(numClasses);
        for (int k = 0; k < numClasses; k++)
        {
            destination[k] = (BaseMass(numClasses, k) * total) - (exclusion * target[k]);
        }
    }
}
