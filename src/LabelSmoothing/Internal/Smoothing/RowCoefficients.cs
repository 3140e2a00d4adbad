namespace LabelSmoothing.Internal.Smoothing;

/// <summary><c>q_k = 0</c>: an index target without smoothing.</summary>
internal readonly struct ZeroCoefficients<TSimd, TVector, T> : IRowCoefficients<TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool IsZero => true;

    public static bool IsConstant => true;

    public static bool IsProbability => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector At(nuint k) => default;

    public double Single(nuint k) => 0.0;
}

/// <summary><c>q_k = c</c>: an unweighted uniform prior (<c>c = α/K</c>) or uniform-over-others prior (<c>c = α/(K − 1)</c>).</summary>
internal readonly struct ConstantCoefficients<TSimd, TVector, T>(T value) : IRowCoefficients<TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly TVector _value = TSimd.Broadcast(value);
    private readonly double _single = double.CreateTruncating(value);

    public static bool IsZero => false;

    public static bool IsConstant => true;

    public static bool IsProbability => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector At(nuint k) => _value;

    public double Single(nuint k) => _single;
}

/// <summary>
/// <c>q_k = scale·v_k</c>: a weighted or class-prior linear prior (<c>v_k = α·π_k·w_k</c>, scale 1), or the unweighted ordinal prior
/// (<c>v</c> the distance masses centred on the label, scale <c>α/Z(y)</c>).
/// </summary>
internal readonly unsafe struct ScaledCoefficients<TSimd, TVector, T>(T* values, T scale) : IRowCoefficients<TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T* _values = values;
    private readonly TVector _scale = TSimd.Broadcast(scale);
    private readonly double _singleScale = double.CreateTruncating(scale);

    public static bool IsZero => false;

    public static bool IsConstant => false;

    public static bool IsProbability => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector At(nuint k) => TSimd.Multiply(TSimd.Load(_values + k), _scale);

    public double Single(nuint k) => double.CreateTruncating(_values[k]) * _singleScale;
}

/// <summary><c>q_k = scale·v_k·w_k</c>: the weighted ordinal prior.</summary>
internal readonly unsafe struct WeightedScaledCoefficients<TSimd, TVector, T>(T* values, T* weights, T scale) : IRowCoefficients<TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T* _values = values;
    private readonly T* _weights = weights;
    private readonly TVector _scale = TSimd.Broadcast(scale);
    private readonly double _singleScale = double.CreateTruncating(scale);

    public static bool IsZero => false;

    public static bool IsConstant => false;

    public static bool IsProbability => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector At(nuint k) => TSimd.Multiply(TSimd.Multiply(TSimd.Load(_values + k), TSimd.Load(_weights + k)), _scale);

    public double Single(nuint k) => double.CreateTruncating(_values[k]) * double.CreateTruncating(_weights[k]) * _singleScale;
}

/// <summary>
/// <c>q_k = t'_k = a·t_k + b·u_k</c>: an unweighted probability target smoothed on the fly, with <c>u = π</c>, <c>a = 1 − α − αε</c>,
/// <c>b = α·Σt</c> for linear priors and <c>u = U·t</c>, <c>a = 1 − α</c>, <c>b = α</c> for the ordinal prior.
/// </summary>
internal readonly unsafe struct TargetCoefficients<TSimd, TVector, T>(T* targets, T* spread, T targetScale, T spreadScale) : IRowCoefficients<TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T* _targets = targets;
    private readonly T* _spread = spread;
    private readonly TVector _targetScale = TSimd.Broadcast(targetScale);
    private readonly TVector _spreadScale = TSimd.Broadcast(spreadScale);
    private readonly double _singleTargetScale = double.CreateTruncating(targetScale);
    private readonly double _singleSpreadScale = double.CreateTruncating(spreadScale);

    public static bool IsZero => false;

    public static bool IsConstant => false;

    public static bool IsProbability => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector At(nuint k) =>
        TSimd.MultiplyAdd(TSimd.Load(_targets + k), _targetScale, TSimd.Multiply(TSimd.Load(_spread + k), _spreadScale));

    public double Single(nuint k) =>
        (double.CreateTruncating(_targets[k]) * _singleTargetScale) + (double.CreateTruncating(_spread[k]) * _singleSpreadScale);
}

/// <summary><c>q_k = w_k·t'_k</c>: as <see cref="TargetCoefficients{TSimd, TVector, T}"/>, with class weights.</summary>
internal readonly unsafe struct WeightedTargetCoefficients<TSimd, TVector, T>(T* targets, T* spread, T* weights, T targetScale, T spreadScale) : IRowCoefficients<TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly TargetCoefficients<TSimd, TVector, T> _target = new(targets, spread, targetScale, spreadScale);
    private readonly T* _weights = weights;

    public static bool IsZero => false;

    public static bool IsConstant => false;

    public static bool IsProbability => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector At(nuint k) => TSimd.Multiply(_target.At(k), TSimd.Load(_weights + k));

    public double Single(nuint k) => _target.Single(k) * double.CreateTruncating(_weights[k]);
}
