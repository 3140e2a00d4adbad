namespace LabelSmoothing.Internal.Smoothing;

/// <summary>Creates the smoothing coefficients <c>q_k(y) = α·u_k(y)·w_k</c> of a row from its label.</summary>
/// <typeparam name="TCoefficients">The coefficient type.</typeparam>
internal interface ICoefficientSource<TCoefficients>
{
    TCoefficients ForLabel(int label);
}

/// <summary>A row loop specialised for a coefficient source: what <see cref="CoefficientSources{TSimd, TVector, T}.Run"/> calls.</summary>
internal interface ICoefficientRows<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    double Run<TSource, TCoefficients>(TSource source)
        where TSource : struct, ICoefficientSource<TCoefficients>
        where TCoefficients : struct, IRowCoefficients<TVector, T>;
}

/// <summary>
/// Picks, once per piece, the coefficient source of the plan's prior (none, a constant, a class prior, ordinal or matrix, with or without
/// class weights) and runs a row loop specialised for it: the one place a new prior's coefficients are wired into the fused kernels.
/// </summary>
internal static unsafe class CoefficientSources<TSimd, TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Run<TRows>(LossPlan plan, KernelTables<T> tables, TRows rows)
        where TRows : struct, ICoefficientRows<TVector, T>
    {
        int numClasses = plan.NumClasses;
        T alpha = T.CreateTruncating(plan.Alpha);
        switch (tables.Kind)
        {
            case SmoothingKind.None:
                return rows.Run<Shared<ZeroCoefficients<TSimd, TVector, T>>, ZeroCoefficients<TSimd, TVector, T>>(new(default));
            case SmoothingKind.Constant:
                return rows.Run<Shared<ConstantCoefficients<TSimd, TVector, T>>, ConstantCoefficients<TSimd, TVector, T>>(new(new(tables.Constant)));
            case SmoothingKind.Array:
                return rows.Run<Shared<ScaledCoefficients<TSimd, TVector, T>>, ScaledCoefficients<TSimd, TVector, T>>(new(new(tables.Coefficients, T.One)));
            case SmoothingKind.Ordinal:
                return rows.Run<Ordinal, ScaledCoefficients<TSimd, TVector, T>>(new(tables.OrdinalWindow, null, numClasses, plan));
            case SmoothingKind.WeightedOrdinal:
                return rows.Run<Ordinal, WeightedScaledCoefficients<TSimd, TVector, T>>(new(tables.OrdinalWindow, tables.Weights, numClasses, plan));
            case SmoothingKind.Matrix:
                return rows.Run<Matrix, ScaledCoefficients<TSimd, TVector, T>>(new(tables.MatrixRows, null, numClasses, alpha));
            default:
                return rows.Run<Matrix, WeightedScaledCoefficients<TSimd, TVector, T>>(new(tables.MatrixRows, tables.Weights, numClasses, alpha));
        }
    }

    /// <summary>The same coefficients for every label.</summary>
    private readonly struct Shared<TCoefficients>(TCoefficients coefficients) : ICoefficientSource<TCoefficients>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TCoefficients ForLabel(int label) => coefficients;
    }

    /// <summary>The ordinal prior's masses centred on the label, scaled by <c>α/Z(y)</c>: unweighted, or times the class weights.</summary>
    private readonly struct Ordinal(T* window, T* weights, int numClasses, LossPlan plan)
        : ICoefficientSource<ScaledCoefficients<TSimd, TVector, T>>, ICoefficientSource<WeightedScaledCoefficients<TSimd, TVector, T>>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        ScaledCoefficients<TSimd, TVector, T> ICoefficientSource<ScaledCoefficients<TSimd, TVector, T>>.ForLabel(int label) =>
            new(window + (numClasses - 1 - label), Scale(label));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        WeightedScaledCoefficients<TSimd, TVector, T> ICoefficientSource<WeightedScaledCoefficients<TSimd, TVector, T>>.ForLabel(int label) =>
            new(window + (numClasses - 1 - label), weights, Scale(label));

        private T Scale(int label) => T.CreateTruncating(plan.Alpha * plan.InverseNormalisers![label]);
    }

    /// <summary>Row <c>y</c> of the matrix prior, scaled by <c>α</c>: unweighted, or times the class weights.</summary>
    private readonly struct Matrix(T* rows, T* weights, int numClasses, T alpha)
        : ICoefficientSource<ScaledCoefficients<TSimd, TVector, T>>, ICoefficientSource<WeightedScaledCoefficients<TSimd, TVector, T>>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        ScaledCoefficients<TSimd, TVector, T> ICoefficientSource<ScaledCoefficients<TSimd, TVector, T>>.ForLabel(int label) =>
            new(rows + ((nint)label * numClasses), alpha);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        WeightedScaledCoefficients<TSimd, TVector, T> ICoefficientSource<WeightedScaledCoefficients<TSimd, TVector, T>>.ForLabel(int label) =>
            new(rows + ((nint)label * numClasses), weights, alpha);
    }
}
