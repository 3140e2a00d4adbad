using System.Globalization;

namespace LabelSmoothing.Priors;

/// <summary>
/// <c>u_k(y) = ρ_{|k − y|} / Z(y)</c> with <c>ρ_0 = 0</c>, <c>ρ_d = r^(d − 1)</c>, <c>r = exp(−1/scale)</c> and
/// <c>Z(y) = Σ_{k ≠ y} ρ_{|k − y|}</c>: see <see cref="SmoothingPrior.Ordinal"/>. Measuring the decay from the nearest neighbour
/// (<c>ρ_1 = 1</c>) keeps <c>Z(y) ≥ 1</c> however small the scale.
/// </summary>
internal sealed class OrdinalPrior : SmoothingPrior
{
    private readonly double _expm1Step;

    public OrdinalPrior(double scale)
    {
        if (!(scale > 0.0 && double.IsFinite(scale)))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(scale), scale, "The ordinal scale must be finite and greater than 0.");
        }

        Scale = scale;
        Ratio = Math.Exp(-1.0 / scale);
        _expm1Step = ExpMinusOne(-1.0 / scale);
    }

    /// <summary>The decay length in classes.</summary>
    internal double Scale { get; }

    /// <summary><c>r = exp(−1/scale)</c>: the ratio between the masses at distances <c>d + 1</c> and <c>d</c>.</summary>
    internal double Ratio { get; }

    internal override int MinimumClasses => 2;

    /// <summary><c>ρ_d</c>: the unnormalised mass at distance <paramref name="distance"/> from the label.</summary>
    internal double DistanceMass(int distance) => distance == 0 ? 0.0 : Math.Exp(-(distance - 1) / Scale);

    /// <summary><c>Z(y) = G(y) + G(K − 1 − y)</c> with the geometric sum <c>G(n) = Σ_{d=1..n} r^(d−1) = (1 − rⁿ)/(1 − r)</c>.</summary>
    internal override double RowNormaliser(int numClasses, int label) =>
        GeometricSum(label) + GeometricSum(numClasses - 1 - label);

    internal override double Mass(int numClasses, int label, int k, double rowNormaliser) =>
        DistanceMass(Math.Abs(k - label)) / rowNormaliser;

    internal override void Spread(ReadOnlySpan<double> target, Span<double> destination) =>
        Spread<double>(target, ReadOnlySpan<double>.Empty, destination);

    /// <summary>
    /// <c>destination = U·t</c> in O(K): <c>(U·t)_k = Σ_{y ≠ k} (t_y/Z(y))·ρ_{|k − y|}</c>, summed by one forward and one backward
    /// first-order recursion. <paramref name="inverseNormalisers"/> holds <c>1/Z(y)</c> for every label, or is empty to compute them here.
    /// </summary>
    /// <remarks>Accumulates in double whatever <typeparamref name="T"/> is. <paramref name="destination"/> must not overlap <paramref name="target"/>.</remarks>
    internal void Spread<T>(ReadOnlySpan<T> target, ReadOnlySpan<double> inverseNormalisers, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double forward = 0.0;
        for (int k = 0; k < target.Length; k++)
        {
            destination[k] = T.CreateTruncating(forward);
            forward = (Ratio * forward) + (double.CreateTruncating(target[k]) * InverseNormaliser(inverseNormalisers, target.Length, k));
        }

        double backward = 0.0;
        for (int k = target.Length - 1; k >= 0; k--)
        {
            destination[k] = T.CreateTruncating(double.CreateTruncating(destination[k]) + backward);
            backward = (Ratio * backward) + (double.CreateTruncating(target[k]) * InverseNormaliser(inverseNormalisers, target.Length, k));
        }
    }

    /// <summary>
    /// For every label <c>y</c>: <c>masses[y] = Σ_{c≠y} w_c·ρ_d</c> and <c>moments[y] = Σ_{c≠y} w_c·ρ_d·(d − 1)</c>, <c>d = |c − y|</c>, by the
    /// recursions <c>F₁(y+1) = r·F₁(y) + w_y</c>, <c>F₂(y+1) = r·(F₂(y) + F₁(y))</c> in each direction.
    /// </summary>
    internal void DistanceMoments(ReadOnlySpan<double> weights, Span<double> masses, Span<double> moments)
    {
        double first = 0.0;
        double second = 0.0;
        for (int y = 0; y < weights.Length; y++)
        {
            masses[y] = first;
            moments[y] = second;
            second = Ratio * (second + first);
            first = (Ratio * first) + weights[y];
        }

        first = 0.0;
        second = 0.0;
        for (int y = weights.Length - 1; y >= 0; y--)
        {
            masses[y] += first;
            moments[y] += second;
            second = Ratio * (second + first);
            first = (Ratio * first) + weights[y];
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Ordinal(scale: {Scale:R})");

    private double InverseNormaliser(ReadOnlySpan<double> precomputed, int numClasses, int label) =>
        precomputed.IsEmpty ? 1.0 / RowNormaliser(numClasses, label) : precomputed[label];

    private double GeometricSum(int count) => count == 0 ? 0.0 : ExpMinusOne(-count / Scale) / _expm1Step;

    /// <summary><c>exp(x) − 1</c> without cancellation near 0 (Kahan's trick; <c>double.ExpM1</c> computes <c>exp(x) − 1</c> directly).</summary>
    private static double ExpMinusOne(double x)
    {
        double u = Math.Exp(x);
        if (u == 1.0)
        {
            return x;
        }

        double um1 = u - 1.0;
        return um1 == -1.0 ? -1.0 : um1 * x / Math.Log(u);
    }
}
