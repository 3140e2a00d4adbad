using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using LabelSmoothing.Internal.CrossEntropy;
using LabelSmoothing.Internal.Simd;

namespace LabelSmoothing.Internal.Family;

/// <summary>
/// Knowledge distillation (<see cref="DistillationLoss"/>), one row: with <c>u = (t − max t)/T</c>, <c>v = (z − max z)/T</c> (teacher,
/// student), <c>q = softmax(u)</c>, <c>p = softmax(v)</c> and <c>x_k = lp_k − lq_k</c>: <c>KL(q ‖ p) = Σ_k q_k·φ(x_k)</c> with
/// <c>φ(x) = eˣ − 1 − x ≥ 0</c> (as <c>Σp = Σq = 1</c>), <c>l = c·KL</c> and <c>∂l/∂z = (c/T)·(p − q)</c>. Two passes: the normalisers, then
/// the gradient with the loss. Every term is ≥ 0, so nothing cancels when the teacher is near the student (the KL is then second order in
/// <c>x</c>); <c>x_k = ((z_k − t_k) − (max z − max t))/T − log(s_v/s_u)</c> is accurate to its own size, and an error in the constant
/// <c>log(s_v/s_u)</c> moves the sum only at second order (<c>Σ q·φ'(x) = Σ(p − q) = 0</c>). Equal teacher and student rows give exactly 0
/// and a zero gradient.
/// </summary>
/// <param name="inverseTemperature"><c>1/T</c>.</param>
/// <param name="factor"><c>c</c>: <c>T²</c> or 1.</param>
internal readonly struct DistillationRow(double inverseTemperature, double factor) : IFamilyRow
{
    public static bool UsesSmoothing => false;

    public static bool HasTeacher => true;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe double Row<TSimd, TVector, T, TCoefficients>(in RowInput<T> row, in TCoefficients coefficients)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCoefficients : struct, IRowCoefficients<TVector, T>
    {
        T studentMax = FusedRowKernel<TSimd, TVector, T>.Max(row.Logits, row.Length);
        T teacherMax = FusedRowKernel<TSimd, TVector, T>.Max(row.Teacher, row.Length);
        var sides = new Sides<TSimd, TVector, T>(row.Logits, studentMax, row.Teacher, teacherMax, T.CreateTruncating(inverseTemperature));
        RowSums sums = RowLoops<TSimd, TVector, T>.Sum(row.Length, new Normalisers<TSimd, TVector, T>(sides));
        double gradientFactor = row.GradientScale * factor * inverseTemperature;
        var pass = new LossPass<TSimd, TVector, T>(
            sides, sums.First, sums.Second, double.CreateTruncating(studentMax - teacherMax), Math.Log(sums.First) - Math.Log(sums.Second), gradientFactor);
        double divergence = row.Gradient is null
            ? RowLoops<TSimd, TVector, T>.Sum(row.Length, new ContributionsOf<TVector, LossPass<TSimd, TVector, T>>(pass)).First
            : RowLoops<TSimd, TVector, T>.StoreAndSum(row.Gradient, row.Length, pass);
        return factor * divergence;
    }

    /// <summary>Both sides' logits, shifted by their maxima and scaled by <c>1/T</c>, and their exponentials, per lane.</summary>
    private readonly unsafe struct Sides<TSimd, TVector, T>(T* student, T studentMax, T* teacher, T teacherMax, T inverseTemperature)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly TVector _studentMax = TSimd.Broadcast(studentMax);
        private readonly TVector _teacherMax = TSimd.Broadcast(teacherMax);
        private readonly TVector _inverseTemperature = TSimd.Broadcast(inverseTemperature);

        public T* Student => student;

        public T* Teacher => teacher;

        public TVector InverseTemperature => _inverseTemperature;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void At(nuint k, out TVector studentLogits, out TVector teacherLogits, out TVector studentExponentials, out TVector teacherExponentials)
        {
            studentLogits = TSimd.Load(student + k);
            teacherLogits = TSimd.Load(teacher + k);
            studentExponentials = SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Multiply(TSimd.Subtract(studentLogits, _studentMax), _inverseTemperature));
            teacherExponentials = SimdMath.ExpNonPositive<TSimd, TVector, T>(TSimd.Multiply(TSimd.Subtract(teacherLogits, _teacherMax), _inverseTemperature));
        }
    }

    /// <summary><c>s_v = Σ exp(v)</c> and <c>s_u = Σ exp(u)</c>.</summary>
    private readonly struct Normalisers<TSimd, TVector, T>(Sides<TSimd, TVector, T> sides) : IRowSum<TVector>
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void At(nuint k, out TVector first, out TVector second, out TVector third, out TVector fourth)
        {
            sides.At(k, out _, out _, out first, out second);
            third = default;
            fourth = default;
        }
    }

    /// <summary>
    /// The gradient <c>e_v·(F/s_v) − e_u·(F/s_u)</c>, <c>F = S·c/T</c> (two products, so that equal sides give exactly 0), and the loss terms
    /// <c>q·φ(x)</c>: a series in <c>x</c> for <c>|x| &lt; 1/2</c>, <c>p − q − q·x</c> (0·x = 0 where <c>q = 0</c>) beyond.
    /// </summary>
    private readonly struct LossPass<TSimd, TVector, T> : IRowMapSum<TVector>
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Sides<TSimd, TVector, T> _sides;
        private readonly TVector _inverseStudentSum;
        private readonly TVector _inverseTeacherSum;
        private readonly TVector _maxDifference;
        private readonly TVector _logRatio;
        private readonly TVector _studentFactor;
        private readonly TVector _teacherFactor;

        public LossPass(Sides<TSimd, TVector, T> sides, double studentSum, double teacherSum, double maxDifference, double logRatio, double gradientFactor)
        {
            _sides = sides;
            _inverseStudentSum = TSimd.Broadcast(T.CreateTruncating(1.0 / studentSum));
            _inverseTeacherSum = TSimd.Broadcast(T.CreateTruncating(1.0 / teacherSum));
            _maxDifference = TSimd.Broadcast(T.CreateTruncating(maxDifference));
            _logRatio = TSimd.Broadcast(T.CreateTruncating(logRatio));
            _studentFactor = TSimd.Broadcast(T.CreateTruncating(gradientFactor / studentSum));
            _teacherFactor = TSimd.Broadcast(T.CreateTruncating(gradientFactor / teacherSum));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector At(nuint k, out TVector contribution)
        {
            _sides.At(k, out TVector student, out TVector teacher, out TVector studentExponentials, out TVector teacherExponentials);
            TVector p = TSimd.Multiply(studentExponentials, _inverseStudentSum);
            TVector q = TSimd.Multiply(teacherExponentials, _inverseTeacherSum);
            TVector x = TSimd.Subtract(TSimd.Multiply(TSimd.Subtract(TSimd.Subtract(student, teacher), _maxDifference), _sides.InverseTemperature), _logRatio);
            TVector direct = TSimd.Subtract(TSimd.Subtract(p, q), LaneMath<TSimd, TVector, T>.Weighted(q, x));
            TVector series = TSimd.Multiply(q, TSimd.Multiply(TSimd.Multiply(x, x), Phi(x)));
            TVector small = TSimd.GreaterThan(TSimd.Broadcast(T.CreateTruncating(0.5)), TSimd.Max(x, TSimd.Subtract(default, x)));
            contribution = TSimd.Select(small, series, direct);
            return TSimd.Subtract(TSimd.Multiply(studentExponentials, _studentFactor), TSimd.Multiply(teacherExponentials, _teacherFactor));
        }

        /// <summary><c>φ(x)/x² = Σ_n xⁿ/(n + 2)!</c> for <c>|x| &lt; 1/2</c>: to <c>x⁷</c> in float, <c>x¹³</c> in double (relative error below the type's).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector Phi(TVector x)
        {
            int last = typeof(T) == typeof(float) ? 7 : 13;
            double coefficient = 1.0;
            for (int n = 2; n <= last + 2; n++)
            {
                coefficient /= n;
            }

            TVector result = TSimd.Broadcast(T.CreateTruncating(coefficient));
            for (int n = last - 1; n >= 0; n--)
            {
                coefficient *= n + 3;
                result = TSimd.MultiplyAdd(result, x, TSimd.Broadcast(T.CreateTruncating(coefficient)));
            }

            return result;
        }
    }
}
