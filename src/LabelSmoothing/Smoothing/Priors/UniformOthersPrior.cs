namespace LabelSmoothing.Priors;

/// <summary><c>u_k(y) = [k ≠ y]/(K − 1)</c>: see <see cref="SmoothingPrior.UniformOthers"/>.</summary>
internal sealed class UniformOthersPrior : LinearPrior
{
    internal override int MinimumClasses => 2;

    internal override double BaseMass(int numClasses, int k) => 1.0 / (numClasses - 1);

    internal override double Exclusion(int numClasses) => 1.0 / (numClasses - 1);

    public override string ToString() => "UniformOthers";
}
