using System.Threading;
using LabelSmoothing.Priors;

namespace LabelSmoothing.Internal.Smoothing;

/// <summary>
/// Everything a <see cref="CrossEntropyLoss"/> precomputes from its options, so that a call needs no allocation and no per-call set-up.
/// With <c>c_k(y) = u_k(y)·w_k</c> the smoothing coefficient of class <c>k</c> for label <c>y</c>, a sample's loss is
/// <c>l = A(y)·log s + (1 − α)·w_y·(m − z_y) + α·Σ_k c_k(y)·(m − z_k)</c> with <c>m = max z</c>, <c>s = Σ exp(z − m)</c> and
/// <c>A(y) = (1 − α)·w_y + α·Σ_k c_k(y)</c>, and its gradient is <c>A(y)·p_k − (1 − α)·w_y·[k = y] − α·c_k(y)</c>. The plan holds every
/// option of the loss, so that a call carries nothing but its operands.
/// </summary>
internal sealed class LossPlan
{
    private KernelTables<float>? _singleTables;
    private KernelTables<double>? _doubleTables;

    public LossPlan(
        int numClasses, double alpha, Reduction reduction, double[]? weights, int ignoreIndex, SmoothingPrior prior, bool klDivergence,
        double zLoss = 0.0, double logitSoftcap = 0.0)
    {
        ZLoss = zLoss;
        LogitSoftcap = logitSoftcap;
        NumClasses = numClasses;
        Reduction = reduction;
        IgnoreIndex = ignoreIndex;
        Alpha = alpha;
        Weights = weights;
        Prior = prior;
        KLDivergence = klDivergence;
        TargetCoefficients = new double[numClasses];
        LabelWeights = new double[numClasses];
        LabelCoefficients = new double[numClasses];

        if (prior is OrdinalPrior ordinal)
        {
            Ordinal = ordinal;
            DistanceMasses = new double[numClasses];
            InverseNormalisers = new double[numClasses];
            for (int d = 0; d < numClasses; d++)
            {
                DistanceMasses[d] = ordinal.DistanceMass(d);
            }

            for (int y = 0; y < numClasses; y++)
            {
                InverseNormalisers[y] = 1.0 / ordinal.RowNormaliser(numClasses, y);
            }

            // Σ_k c_k(y) = (1/Z(y))·Σ_{k≠y} w_k·ρ_{|k−y|} for every y at once: the spread of w with unit normalisers.
            var weighted = new double[numClasses];
            var ones = new double[numClasses];
            for (int k = 0; k < numClasses; k++)
            {
                weighted[k] = Weight(k);
                ones[k] = 1.0;
            }

            ordinal.Spread(weighted, ones, TargetCoefficients);
            if (klDivergence)
            {
                LabelEntropies = OrdinalEntropies(ordinal, weighted);
            }
            for (int y = 0; y < numClasses; y++)
            {
                TargetCoefficients[y] = ((1.0 - alpha) * Weight(y)) + (alpha * TargetCoefficients[y] * InverseNormalisers[y]);
                LabelWeights[y] = (1.0 - alpha) * Weight(y);
                LabelCoefficients[y] = LabelWeights[y];
            }
        }
        else if (prior is MatrixPrior matrix)
        {
            Matrix = matrix;
            for (int y = 0; y < numClasses; y++)
            {
                double smoothingWeight = 0.0;
                for (int k = 0; k < numClasses; k++)
                {
                    smoothingWeight += matrix.At(y, k) * Weight(k);
                }

                TargetCoefficients[y] = ((1.0 - alpha) * Weight(y)) + (alpha * smoothingWeight);
                LabelWeights[y] = (1.0 - alpha) * Weight(y);
                LabelCoefficients[y] = ((1.0 - alpha) * Weight(y)) + (alpha * matrix.At(y, y) * Weight(y));
            }

            if (klDivergence)
            {
                LabelEntropies = MatrixEntropies(matrix);
            }
        }
        else
        {
            var linear = (LinearPrior)prior;
            BaseMasses = new double[numClasses];
            SmoothingCoefficients = new double[numClasses];
            Exclusion = linear.Exclusion(numClasses);
            double coefficientSum = 0.0;
            for (int k = 0; k < numClasses; k++)
            {
                BaseMasses[k] = linear.BaseMass(numClasses, k);
                SmoothingCoefficients[k] = BaseMasses[k] * Weight(k);
                coefficientSum += SmoothingCoefficients[k];
            }

            for (int y = 0; y < numClasses; y++)
            {
                double smoothingWeight = coefficientSum - (Exclusion * Weight(y));
                TargetCoefficients[y] = ((1.0 - alpha) * Weight(y)) + (alpha * smoothingWeight);
                LabelWeights[y] = ((1.0 - alpha) * Weight(y)) - (alpha * Exclusion * Weight(y));
                LabelCoefficients[y] = ((1.0 - alpha) * Weight(y)) + (alpha * (BaseMasses[y] - Exclusion) * Weight(y));
            }

            if (klDivergence)
            {
                LabelEntropies = LinearEntropies();
            }
        }
    }

    public int NumClasses { get; }

    public double Alpha { get; }

    public Reduction Reduction { get; }

    /// <summary>The label of ignored samples.</summary>
    public int IgnoreIndex { get; }

    /// <summary>The class weights <c>w</c>, or null when every weight is 1.</summary>
    public double[]? Weights { get; }

    public SmoothingPrior Prior { get; }

    /// <summary><c>A(y)</c> for every label: the total weight of the smoothed target of <c>y</c>, the factor of <c>log s</c> and of <c>p_k</c>.</summary>
    public double[] TargetCoefficients { get; }

    /// <summary>
    /// <c>λ(y)</c> for every label: the coefficient of the label's own margin <c>m − z_y</c>, <c>(1 − α)·w_y</c> less the mass a prior
    /// excluding the label takes back (<c>α·ε·w_y</c>).
    /// </summary>
    public double[] LabelWeights { get; }

    /// <summary>
    /// <c>C(y)</c> for every label: the whole coefficient of <c>−lp_y</c> in the loss of label <c>y</c>, <c>(1 − α)·w_y + α·u_y(y)·w_y</c>.
    /// </summary>
    public double[] LabelCoefficients { get; }

    /// <summary>Whether losses are reported in the KL form: the loss minus the weighted entropy of the smoothed target.</summary>
    public bool KLDivergence { get; }

    /// <summary>The z-loss coefficient <c>λ</c> (0: off): each sample adds <c>λ·lse²</c> (<see cref="Kernels.CrossEntropy.ZLossTerm"/>).</summary>
    public double ZLoss { get; }

    /// <summary>The logit soft cap <c>c</c> (0: off): the kernels see <c>c·tanh(z/c)</c> (<see cref="Kernels.CrossEntropy.SoftcapTransform"/>).</summary>
    public double LogitSoftcap { get; }

    /// <summary>With <see cref="KLDivergence"/>: <c>E(y) = Σ_c w_c·h(S(e_y)_c)</c>, <c>h(x) = −x·log x</c>, for every label; otherwise null.</summary>
    public double[]? LabelEntropies { get; }

    /// <summary>Linear priors (<c>u_k(y) = π_k − ε·[k = y]</c>): <c>π_k</c>.</summary>
    public double[]? BaseMasses { get; }

    /// <summary>Linear priors: <c>π_k·w_k</c>, the smoothing coefficient of class <c>k</c> before the exclusion of the label.</summary>
    public double[]? SmoothingCoefficients { get; }

    /// <summary>Linear priors: <c>ε</c>, the mass taken back from the label.</summary>
    public double Exclusion { get; }

    /// <summary>The ordinal prior, or null for the others.</summary>
    public OrdinalPrior? Ordinal { get; }

    /// <summary>The matrix prior, or null for the others.</summary>
    public MatrixPrior? Matrix { get; }

    /// <summary>Whether the prior spreads a soft row by a per-label table (ordinal, matrix) rather than by <c>π·Σt − ε·t</c> (linear).</summary>
    public bool SpreadsByLabel => Ordinal is not null || Matrix is not null;

    /// <summary>Ordinal prior: <c>ρ_d</c> for <c>d ∈ [0, K)</c>, with <c>ρ_0 = 0</c>.</summary>
    public double[]? DistanceMasses { get; }

    /// <summary>Ordinal prior: <c>1/Z(y)</c> for every label.</summary>
    public double[]? InverseNormalisers { get; }

    /// <summary>The tables of the fused kernels in element type <typeparamref name="T"/> (<see cref="float"/> or <see cref="double"/>), built on first use.</summary>
    public KernelTables<T> Tables<T>()
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? (KernelTables<T>)(object)(_singleTables ?? Publish(ref _singleTables, new KernelTables<float>(this)))
            : (KernelTables<T>)(object)(_doubleTables ?? Publish(ref _doubleTables, new KernelTables<double>(this)));

    /// <summary><c>c_k(y) = u_k(y)·w_k</c> for a class <c>k ≠ y</c>.</summary>
    public double SmoothingCoefficient(int label, int k) =>
        Ordinal is not null ? Weight(k) * DistanceMasses![Math.Abs(k - label)] * InverseNormalisers![label]
        : Matrix is not null ? Weight(k) * Matrix.At(label, k)
        : SmoothingCoefficients![k];

    /// <summary><c>destination = U·t</c> for a prior that <see cref="SpreadsByLabel"/>. <paramref name="destination"/> must not overlap <paramref name="target"/>.</summary>
    public void SpreadByLabel<T>(ReadOnlySpan<T> target, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Ordinal is not null)
        {
            Ordinal.Spread(target, InverseNormalisers, destination);
        }
        else
        {
            Matrix!.Spread(target, destination);
        }
    }

    /// <summary><c>h(x) = −x·log x</c>, with <c>h(0) = 0</c>.</summary>
    public static double Entropy(double x) => x > 0.0 ? -x * Math.Log(x) : 0.0;

    /// <summary><c>w_k</c> (1 when unweighted).</summary>
    public double Weight(int k) => Weights is null ? 1.0 : Weights[k];

    private static TTables Publish<TTables>(ref TTables? field, TTables tables)
        where TTables : class =>
        Interlocked.CompareExchange(ref field, tables, null) ?? tables;

    /// <summary>
    /// Linear priors: <c>S(e_y)_c = α·π_c</c> off the label and <c>1 − α + α·(π_y − ε)</c> at it, so
    /// <c>E(y) = H₀ − w_y·h(α·π_y) + w_y·h(S(e_y)_y)</c> with <c>H₀ = Σ_c w_c·h(α·π_c)</c>: O(K) for all labels.
    /// </summary>
    private double[] LinearEntropies()
    {
        double shared = 0.0;
        for (int c = 0; c < NumClasses; c++)
        {
            shared += Weight(c) * Entropy(Alpha * BaseMasses![c]);
        }

        var entropies = new double[NumClasses];
        for (int y = 0; y < NumClasses; y++)
        {
            double labelMass = 1.0 - Alpha + (Alpha * (BaseMasses![y] - Exclusion));
            entropies[y] = shared - (Weight(y) * Entropy(Alpha * BaseMasses[y])) + (Weight(y) * Entropy(labelMass));
        }

        return entropies;
    }

    /// <summary>The matrix prior: <c>E(y) = Σ_c w_c·h((1 − α)·[c = y] + α·M[y, c])</c> directly, O(K²) once per loss.</summary>
    private double[] MatrixEntropies(MatrixPrior matrix)
    {
        var entropies = new double[NumClasses];
        for (int y = 0; y < NumClasses; y++)
        {
            for (int c = 0; c < NumClasses; c++)
            {
                entropies[y] += Weight(c) * Entropy((c == y ? 1.0 - Alpha : 0.0) + (Alpha * matrix.At(y, c)));
            }
        }

        return entropies;
    }

    /// <summary>
    /// The ordinal prior: off the label <c>S(e_y)_c = a·ρ_d</c> with <c>a = α/Z(y)</c>, <c>d = |c − y|</c> and <c>log ρ_d = −(d − 1)/scale</c>, so
    /// <c>Σ_{c≠y} w_c·h(a·ρ_d) = −a·log a·Σ w_c ρ_d + (a/scale)·Σ w_c ρ_d (d − 1)</c>; both sums come for every label from one recursion
    /// each way (<see cref="OrdinalPrior.DistanceMoments"/>), so all labels cost O(K).
    /// </summary>
    private double[] OrdinalEntropies(OrdinalPrior ordinal, double[] weights)
    {
        var masses = new double[NumClasses];
        var moments = new double[NumClasses];
        ordinal.DistanceMoments(weights, masses, moments);
        var entropies = new double[NumClasses];
        for (int y = 0; y < NumClasses; y++)
        {
            double a = Alpha * InverseNormalisers![y];
            double others = a > 0.0 ? (-a * Math.Log(a) * masses[y]) + (a / ordinal.Scale * moments[y]) : 0.0;
            entropies[y] = others + (Weight(y) * Entropy(1.0 - Alpha));
        }

        return entropies;
    }
}
