using System.Numerics;
using System.Runtime.CompilerServices;
using LabelSmoothing.Internal.CrossEntropy;
using LabelSmoothing.Internal.Simd;

namespace LabelSmoothing.Internal.Family;

/// <summary>Creates the smoothing coefficients <c>q_k(y) = α·u_k(y)·w_k</c> of a row from its label.</summary>
/// <typeparam name="TCoefficients">The coefficient type.</typeparam>
internal interface ICoefficientSource<TCoefficients>
{
    TCoefficients ForLabel(int label);
}

/// <summary>The same coefficients for every label (no smoothing, a constant, or a class prior).</summary>
internal readonly struct SharedCoefficients<TCoefficients>(TCoefficients coefficients) : ICoefficientSource<TCoefficients>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TCoefficients ForLabel(int label) => coefficients;
}

/// <summary>The ordinal prior's masses centred on the label, scaled by <c>α/Z(y)</c>: unweighted, or times the class weights.</summary>
internal readonly unsafe struct OrdinalCoefficients<TSimd, TVector, T>(LossPlan plan, KernelTables<T> tables)
    : ICoefficientSource<ScaledCoefficients<TSimd, TVector, T>>, ICoefficientSource<WeightedScaledCoefficients<TSimd, TVector, T>>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    ScaledCoefficients<TSimd, TVector, T> ICoefficientSource<ScaledCoefficients<TSimd, TVector, T>>.ForLabel(int label) =>
        new(Window(label), Scale(label));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    WeightedScaledCoefficients<TSimd, TVector, T> ICoefficientSource<WeightedScaledCoefficients<TSimd, TVector, T>>.ForLabel(int label) =>
        new(Window(label), tables.Weights, Scale(label));

    private T* Window(int label) => tables.OrdinalWindow + (plan.NumClasses - 1 - label);

    private T Scale(int label) => T.CreateTruncating(plan.Alpha * plan.InverseNormalisers![label]);
}

/// <summary>
/// Any prior the plan describes, one row at a time: <c>q_k(y)</c> written into a scratch row from <see cref="LossPlan.SmoothingCoefficient"/>
/// (<c>C(y) − λ(y)</c> at the label). O(K) scalar work per row: the path for a prior the vector sources above do not know.
/// </summary>
internal readonly unsafe struct MaterialisedCoefficients<TSimd, TVector, T>(LossPlan plan, T* scratch) : ICoefficientSource<ScaledCoefficients<TSimd, TVector, T>>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public ScaledCoefficients<TSimd, TVector, T> ForLabel(int label)
    {
        for (int k = 0; k < plan.NumClasses; k++)
        {
            double coefficient = k == label
                ? plan.LabelCoefficients[label] - plan.LabelWeights[label]
                : plan.Alpha * plan.SmoothingCoefficient(label, k);
            scratch[k] = T.CreateTruncating(coefficient);
        }

        return new ScaledCoefficients<TSimd, TVector, T>(scratch, T.One);
    }
}
