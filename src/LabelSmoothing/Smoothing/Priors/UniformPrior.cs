namespace LabelSmoothing.Priors;

/// <summary><c>u_k(y) = 1/K</c>: see <see cref="SmoothingPrior.Uniform"/>.</summary>
internal sealed class UniformPrior : LinearPrior
{
    internal override int MinimumClasses => 1;

    internal override double BaseMass(int numClasses, int k) => 1.0 / numClasses;

    internal override double Exclusion(int numClasses) => 0.0;

    public override string ToString() => "Uniform";
}
