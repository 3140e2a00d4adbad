using System.Runtime.InteropServices;

namespace LabelSmoothing.Internal.Smoothing;

/// <summary>Which <see cref="IRowCoefficients{TVector, T}"/> an index target's smoothing term needs.</summary>
internal enum SmoothingKind
{
    /// <summary><c>α = 0</c>.</summary>
    None,

    /// <summary>One <c>q</c> for every class: unweighted <see cref="SmoothingPrior.Uniform"/> or <see cref="SmoothingPrior.UniformOthers"/>.</summary>
    Constant,

    /// <summary><c>q_k = α·π_k·w_k</c>, the same for every label.</summary>
    Array,

    /// <summary><c>q_k = α·ρ_{|k − y|}/Z(y)</c>.</summary>
    Ordinal,

    /// <summary><c>q_k = α·ρ_{|k − y|}·w_k/Z(y)</c>.</summary>
    WeightedOrdinal,

    /// <summary><c>q_k = α·M[y, k]</c>.</summary>
    Matrix,

    /// <summary><c>q_k = α·M[y, k]·w_k</c>.</summary>
    WeightedMatrix,
}

/// <summary>
/// A <see cref="LossPlan"/>'s per-class tables in the kernels' element type, on the pinned object heap so that the kernels address
/// them through pointers without pinning per call. Built once per loss and element type.
/// </summary>
internal sealed unsafe class KernelTables<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[]? _coefficients;
    private readonly T[]? _ordinalWindow;
    private readonly T[]? _matrixRows;
    private readonly T[]? _weights;
    private readonly T[] _baseMasses;
    private readonly T[] _targetWeights;
    private readonly T[] _labelWeights;
    private readonly T[] _offLabelWeights;
    private readonly T[] _labelCoefficients;
    private readonly T[]? _labelEntropies;
    private readonly T[]? _paddedTargetWeights;
    private readonly T[]? _paddedLabelWeights;
    private readonly T[]? _paddedLabelEntropies;
    private readonly T[]? _paddedOffLabelWeights;

    /// <summary>The length of the zero-padded per-label tables: the most classes the small-class kernel takes.</summary>
    public const int PaddedLength = 32;

    public KernelTables(LossPlan plan)
    {
        int numClasses = plan.NumClasses;
        double alpha = plan.Alpha;
        _weights = plan.Weights is null ? null : Pinned(numClasses, k => plan.Weights[k]);
        _baseMasses = plan.BaseMasses is null ? Pinned(numClasses, _ => 0.0) : Pinned(numClasses, k => plan.BaseMasses[k]);
        _targetWeights = Pinned(numClasses, y => plan.TargetCoefficients[y]);
        _labelWeights = Pinned(numClasses, y => plan.LabelWeights[y]);
        _offLabelWeights = Pinned(numClasses, y => plan.TargetCoefficients[y] - plan.LabelCoefficients[y]);
        _labelCoefficients = Pinned(numClasses, y => plan.LabelCoefficients[y]);
        if (plan.LabelEntropies is double[] labelEntropies)
        {
            _labelEntropies = Pinned(numClasses, y => labelEntropies[y]);
        }

        if (numClasses <= PaddedLength)
        {
            _paddedTargetWeights = Pinned(PaddedLength, y => y < numClasses ? plan.TargetCoefficients[y] : 0.0);
            _paddedLabelWeights = Pinned(PaddedLength, y => y < numClasses ? plan.LabelWeights[y] : 0.0);
            _paddedOffLabelWeights = Pinned(PaddedLength, y => y < numClasses ? plan.TargetCoefficients[y] - plan.LabelCoefficients[y] : 0.0);
            if (plan.LabelEntropies is double[] entropies)
            {
                _paddedLabelEntropies = Pinned(PaddedLength, y => y < numClasses ? entropies[y] : 0.0);
            }
        }
        if (plan.Ordinal is not null)
        {
            Kind = alpha == 0.0 ? SmoothingKind.None : plan.Weights is null ? SmoothingKind.Ordinal : SmoothingKind.WeightedOrdinal;
            _ordinalWindow = Pinned((2 * numClasses) - 1, j => plan.DistanceMasses![Math.Abs(j - (numClasses - 1))]);
            TargetScale = T.CreateTruncating(1.0 - alpha);
        }
        else if (plan.Matrix is { } matrix)
        {
            Kind = alpha == 0.0 ? SmoothingKind.None : plan.Weights is null ? SmoothingKind.Matrix : SmoothingKind.WeightedMatrix;
            _matrixRows = Pinned(numClasses * numClasses, j => matrix.At(j / numClasses, j % numClasses));
            TargetScale = T.CreateTruncating(1.0 - alpha);
        }
        else
        {
            double[] coefficients = plan.SmoothingCoefficients!;
            bool constant = Array.TrueForAll(coefficients, c => c == coefficients[0]);
            Kind = alpha == 0.0 ? SmoothingKind.None : constant ? SmoothingKind.Constant : SmoothingKind.Array;
            Constant = T.CreateTruncating(alpha * coefficients[0]);
            _coefficients = Pinned(numClasses, k => alpha * coefficients[k]);
            TargetScale = T.CreateTruncating(1.0 - alpha - (alpha * plan.Exclusion));
        }
    }

    public SmoothingKind Kind { get; }

    /// <summary><see cref="SmoothingKind.Constant"/>: the shared <c>q</c>.</summary>
    public T Constant { get; }

    /// <summary>Linear priors: <c>α·π_k·w_k</c>.</summary>
    public T* Coefficients => Address(_coefficients);

    /// <summary>Ordinal prior: <c>ρ_{|j − (K − 1)|}</c> for <c>j ∈ [0, 2K − 1)</c>; label <c>y</c>'s masses start at <c>K − 1 − y</c>.</summary>
    public T* OrdinalWindow => Address(_ordinalWindow);

    /// <summary>Matrix prior: <c>M</c>, row-major <c>K × K</c>.</summary>
    public T* MatrixRows => Address(_matrixRows);

    /// <summary>The class weights, or null when unweighted.</summary>
    public T* Weights => Address(_weights);

    /// <summary>Linear priors: <c>π_k</c> (zeros for the ordinal prior).</summary>
    public T* BaseMasses => Address(_baseMasses);

    /// <summary><c>A(y)</c> per label (see <see cref="LossPlan.TargetCoefficients"/>).</summary>
    public T* TargetWeights => Address(_targetWeights);

    /// <summary><c>λ(y)</c> per label (see <see cref="LossPlan.LabelWeights"/>).</summary>
    public T* LabelWeights => Address(_labelWeights);

    /// <summary><c>A(y) − C(y)</c> per label: the target weight on the classes other than the label.</summary>
    public T* OffLabelWeights => Address(_offLabelWeights);

    /// <summary><c>C(y)</c> per label (see <see cref="LossPlan.LabelCoefficients"/>).</summary>
    public T* LabelCoefficients => Address(_labelCoefficients);

    /// <summary><see cref="LossPlan.LabelEntropies"/> per label, or null when the loss is not in the KL form.</summary>
    public T* LabelEntropies => Address(_labelEntropies);

    /// <summary><see cref="TargetWeights"/> zero-padded to <see cref="PaddedLength"/> entries, when <c>K</c> is at most that.</summary>
    public T* PaddedTargetWeights => Address(_paddedTargetWeights);

    /// <summary><see cref="LabelWeights"/> zero-padded to <see cref="PaddedLength"/> entries, when <c>K</c> is at most that.</summary>
    public T* PaddedLabelWeights => Address(_paddedLabelWeights);

    /// <summary>
    /// <c>A(y) − C(y)</c> (the target weight on the classes other than the label) zero-padded to <see cref="PaddedLength"/>
    /// entries, when <c>K</c> is at most that.
    /// </summary>
    public T* PaddedOffLabelWeights => Address(_paddedOffLabelWeights);

    /// <summary><see cref="LossPlan.LabelEntropies"/> zero-padded to <see cref="PaddedLength"/> entries, or null.</summary>
    public T* PaddedLabelEntropies => Address(_paddedLabelEntropies);

    /// <summary>
    /// The factor of <c>t_k</c> in a smoothed probability target: <c>1 − α − α·ε</c> for linear priors (<c>t' = (1 − α − αε)·t + α·Σt·π</c>),
    /// <c>1 − α</c> for the ordinal prior (<c>t' = (1 − α)·t + α·U·t</c>).
    /// </summary>
    public T TargetScale { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T* Address(T[]? array) =>
        array is null ? null : (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));

    private static T[] Pinned(int length, Func<int, double> value)
    {
        var array = GC.AllocateUninitializedArray<T>(length, pinned: true);
        for (int i = 0; i < length; i++)
        {
            array[i] = T.CreateTruncating(value(i));
        }

        return array;
    }
}
