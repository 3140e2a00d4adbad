using LabelSmoothing.Priors;

namespace LabelSmoothing;

/// <summary>
/// Where the smoothing mass <c>α</c> goes: a column-stochastic map <c>U</c>. The smoothed target of a target row <c>t</c> is
/// <c>S(t) = (1 − α)·t + α·U·t</c>; for an index label <c>y</c> (the one-hot row <c>e_y</c>) this is
/// <c>S(e_y) = (1 − α)·e_y + α·u(y)</c>, where <c>u(y)</c> is the distribution returned by <see cref="GetDistribution"/>.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. Five priors are available: <see cref="Uniform"/> (Szegedy et al. 2016; PyTorch, Keras, Optax),
/// <see cref="UniformOthers"/> (Müller et al. 2019 <c>ξ/(K−1)</c>; fairseq, Wenet), <see cref="FromDistribution"/>
/// (a class prior, e.g. class frequencies; PaddlePaddle <c>label_smooth(prior_dist)</c>), <see cref="Ordinal"/>
/// (ordered classes, mass decaying with the distance to the label; no peer ships it) and <see cref="FromMatrix"/> (any row-stochastic
/// matrix, e.g. the one <see cref="OnlineLabelSmoothing"/> learns).
/// </remarks>
public abstract class SmoothingPrior
{
    private protected SmoothingPrior()
    {
    }

    /// <summary>
    /// The uniform prior over all <c>K</c> classes, the target included: <c>u_k(y) = 1/K</c>, so that
    /// <c>S(e_y) = (1 − α)·e_y + α/K</c>. The default everywhere.
    /// </summary>
    /// <remarks>PyTorch: <c>F.cross_entropy(..., label_smoothing=α)</c>; Keras: <c>CategoricalCrossentropy(label_smoothing=α)</c>; Optax: <c>smooth_labels</c>.</remarks>
    public static SmoothingPrior Uniform { get; } = new UniformPrior();

    /// <summary>
    /// The uniform prior over the classes other than the label: <c>u_k(y) = 1/(K − 1)</c> for <c>k ≠ y</c> and 0 at <c>y</c>, so
    /// that the label keeps exactly <c>1 − α</c> (Müller et al. 2019, "<c>ξ/(K−1)</c>"). Needs <c>K ≥ 2</c>.
    /// For a soft row, <c>(U·t)_k = (Σt − t_k)/(K − 1)</c>.
    /// </summary>
    /// <remarks>fairseq <c>label_smoothed_nll_loss</c> (since 2021) and Wenet <c>LabelSmoothingLoss</c>. With <c>α·K/(K−1) ≤ 1</c> it equals
    /// <see cref="Uniform"/> with smoothing <c>α·K/(K−1)</c>.</remarks>
    public static SmoothingPrior UniformOthers { get; } = new UniformOthersPrior();

    /// <summary>
    /// A fixed class prior <c>π</c> used for every label: <c>u_k(y) = π_k</c> (e.g. the class frequencies of an imbalanced data set),
    /// so that <c>S(e_y) = (1 − α)·e_y + α·π</c> (Szegedy et al. 2016, eq. 3.1 with a general <c>u(k)</c>).
    /// For a soft row, <c>U·t = π·Σt</c>.
    /// </summary>
    /// <param name="prior">The distribution: finite, ≥ 0 and summing to 1 within ±1e-6. It is copied and used as given (not renormalised).
    /// Its length must equal the number of classes of the loss or smoother that uses it.</param>
    /// <returns>The prior.</returns>
    /// <exception cref="ArgumentException"><paramref name="prior"/> is empty, has a negative, NaN or infinite entry, or does not sum to 1 (±1e-6).</exception>
    /// <remarks>PaddlePaddle: <c>label_smooth(label, prior_dist, epsilon)</c>. PyTorch has no equivalent short of building soft targets.</remarks>
    public static SmoothingPrior FromDistribution(ReadOnlySpan<double> prior) => new DistributionPrior(prior);

    /// <summary>
    /// A prior for ordered classes (grades, ratings, ages): <c>u_k(y) ∝ exp(−|k − y| / scale)</c> for <c>k ≠ y</c> and 0 at <c>y</c>,
    /// normalised over <c>k ≠ y</c>, so the neighbours of the label receive more mass than distant classes. Needs <c>K ≥ 2</c>.
    /// As <c>scale → ∞</c> it becomes <see cref="UniformOthers"/>; as <c>scale → 0</c> all the mass goes to the adjacent classes.
    /// </summary>
    /// <param name="scale">The decay length in classes: finite and &gt; 0.</param>
    /// <returns>The prior.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> is NaN, infinite, zero or negative.</exception>
    /// <remarks>No framework ships this; it answers ordered classes such as grades, where "between grade 5 and grade 6" is a near miss.</remarks>
    public static SmoothingPrior Ordinal(double scale) => new OrdinalPrior(scale);

    /// <summary>
    /// A prior given as a <c>K × K</c> row-stochastic matrix: <c>u_k(y) = M[y, k]</c>, row <c>y</c> being where the smoothing mass of label
    /// <c>y</c> goes (it may keep some on <c>y</c> itself). The most general prior: confusable classes can share mass, and online label
    /// smoothing (<see cref="OnlineLabelSmoothing"/>) learns one. For a soft row, <c>(U·t)_k = Σ_y t_y·M[y, k]</c> (O(K²) per row).
    /// </summary>
    /// <param name="rows">The matrix, row-major (<c>rows[y·K + k] = M[y, k]</c>): <c>K²</c> entries, finite, ≥ 0, each row summing to 1 within
    /// ±1e-6. It is copied. It takes <c>K²</c> doubles, and as many elements per element type in each loss that uses it.</param>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <returns>The prior.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="rows"/> does not hold <c>K²</c> entries, holds a negative, NaN or infinite entry, or
    /// has a row not summing to 1 (±1e-6).</exception>
    /// <remarks>With 0 on the diagonal and <c>1/(K − 1)</c> elsewhere it is <see cref="UniformOthers"/>; with every row equal to <c>π</c>, it is
    /// <see cref="FromDistribution"/>(π). PyTorch has no equivalent short of building soft targets.</remarks>
    public static SmoothingPrior FromMatrix(double[] rows, int numClasses)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new MatrixPrior(rows, numClasses);
    }

    /// <summary>The smallest number of classes this prior is defined for (1 for <see cref="Uniform"/>, 2 for the priors that exclude the label).</summary>
    internal abstract int MinimumClasses { get; }

    /// <summary>
    /// Writes <c>u(y)</c>, the distribution over the <paramref name="numClasses"/> classes that receives the smoothing mass of label
    /// <paramref name="label"/>: <c>destination[k] = u_k(y)</c>. It sums to 1.
    /// </summary>
    /// <param name="numClasses">The number of classes <c>K</c>.</param>
    /// <param name="label">The label <c>y</c>, in <c>[0, K)</c>.</param>
    /// <param name="destination">Receives the <c>K</c> masses.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1 (below 2 for <see cref="UniformOthers"/> and
    /// <see cref="Ordinal"/>), or <paramref name="label"/> is outside <c>[0, K)</c>.</exception>
    /// <exception cref="ArgumentException">A <see cref="FromDistribution"/> prior's length is not <paramref name="numClasses"/>
    /// (<c>numClasses</c>), or <paramref name="destination"/> does not have length <c>K</c>.</exception>
    public void GetDistribution(int numClasses, int label, Span<double> destination)
    {
        Validate(numClasses, nameof(numClasses));
        if ((uint)label >= (uint)numClasses)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(label), label, $"The label must lie in [0, {numClasses}).");
        }

        Guard.Length(destination.Length, numClasses, nameof(destination), "numClasses");
        double normaliser = RowNormaliser(numClasses, label);
        for (int k = 0; k < destination.Length; k++)
        {
            destination[k] = Mass(numClasses, label, k, normaliser);
        }
    }

    /// <summary>Checks that the prior is defined for <paramref name="numClasses"/> classes.</summary>
    /// <param name="numClasses">The number of classes.</param>
    /// <param name="lengthParamName">The parameter named when a distribution's length does not match.</param>
    internal void Validate(int numClasses, string lengthParamName)
    {
        Guard.NumClasses(numClasses, MinimumClasses);
        CheckLength(numClasses, lengthParamName);
    }

    /// <summary>Throws when the prior carries its own class count and it differs from <paramref name="numClasses"/>.</summary>
    private protected virtual void CheckLength(int numClasses, string paramName)
    {
    }

    /// <summary>A per-label constant that <see cref="Mass"/> needs (the ordinal normaliser); 1 for the other priors.</summary>
    internal virtual double RowNormaliser(int numClasses, int label) => 1.0;

    /// <summary><c>u_k(y)</c>, given the label's <see cref="RowNormaliser"/>.</summary>
    internal abstract double Mass(int numClasses, int label, int k, double rowNormaliser);

    /// <summary>
    /// <c>destination = U·t</c> for one soft target row <paramref name="target"/>. <paramref name="destination"/> must not overlap
    /// <paramref name="target"/>.
    /// </summary>
    internal abstract void Spread(ReadOnlySpan<double> target, Span<double> destination);
}
