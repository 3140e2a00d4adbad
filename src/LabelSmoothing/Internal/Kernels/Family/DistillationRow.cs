using LabelSmoothing.Internal.Kernels.CrossEntropy;

namespace LabelSmoothing.Internal.Kernels.Family;

/// <summary>
/// Knowledge distillation (<see cref="DistillationLoss"/>), one row: with <c>u = (t − max t)/T</c>, <c>v = (z − max z)/T</c> (teacher,
/// student), <c>q = softmax(u)</c>, <c>p = softmax(v)</c> and <c>x_k = lp_k − lq_k</c>: <c>KL(q ‖ p) = Σ_k q_k·φ(x_k)</c> with
/// <c>φ(x) = eˣ − 1 − x ≥ 0</c> (as <c>Σp = Σq = 1</c>), <c>l = c·KL</c> and <c>∂l/∂z = (c/T)·(p − q)</c>. Two passes: the normalisers, then
/// the gradient with the loss, from the exponentials the first pass parked (the student's in the gradient unless it aliases an input,
/// the teacher's in the piece's scratch row), so that each element costs two exponentials, not three. Every term is ≥ 0, so nothing
/// cancels when the teacher is near the student (the KL is then second order in <c>x</c>);
/// <c>x_k = ((z_k − t_k) − (max z − max t))/T − log(s_v/s_u)</c> is accurate to its own size, and an error in the constant
/// <c>log(s_v/s_u)</c> moves the sum only at second order (<c>Σ q·φ'(x) = Σ(p − q) = 0</c>). Equal teacher and student rows give exactly 0
/// and a zero gradient.
/// </summary>
/// <param name="inverseTemperature"><c>1/T</c>.</param>
/// <param name="factor"><c>c</c>: <c>T²</c> or 1.</param>
internal readonly struct DistillationRow(double inverseTemperature, double factor) : IFamilyRow
{
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
        T* park = row.Gradient == row.Logits || row.Gradient == row.Teacher ? null : row.Gradient;
        var sides = new Sides<TSimd, TVector, T>(row.Logits, studentMax, row.Teacher, teacherMax, T.CreateTruncating(inverseTemperature));
        RowSums sums = RowLoops<TSimd, TVector, T>.Sum(row.Length, new Normalisers<TSimd, TVector, T>(sides, park, row.Scratch, row.NextRow));
        var constants = new LossConstants<TVector>(
            TSimd.Broadcast(T.CreateTruncating(1.0 / sums.First)),
            TSimd.Broadcast(T.CreateTruncating(1.0 / sums.Second)),
            TSimd.Broadcast(studentMax - teacherMax),
            TSimd.Broadcast(T.CreateTruncating(Math.Log(sums.First) - Math.Log(sums.Second))),
            TSimd.Broadcast(T.CreateTruncating(row.GradientScale * factor * inverseTemperature / sums.First)),
            TSimd.Broadcast(T.CreateTruncating(row.GradientScale * factor * inverseTemperature / sums.Second)));
        var pass = new LossPass<TSimd, TVector, T>(sides, constants, new(park), new(row.Scratch));
        double divergence = row.Gradient is null
            ? RowLoops<TSimd, TVector, T>.SumContributions(row.Length, pass)
            : RowLoops<TSimd, TVector, T>.StoreAndSum(row.Gradient, row.Length, pass);
        return factor * divergence;
    }

    /// <summary>Both sides' logits, shifted by their maxima and scaled by <c>1/T</c>, per lane.</summary>
    private readonly unsafe struct Sides<TSimd, TVector, T>(T* student, T studentMax, T* teacher, T teacherMax, T inverseTemperature)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly TVector _studentMax = TSimd.Broadcast(studentMax);
        private readonly TVector _teacherMax = TSimd.Broadcast(teacherMax);
        private readonly TVector _inverseTemperature = TSimd.Broadcast(inverseTemperature);

        public TVector InverseTemperature => _inverseTemperature;

        public T* Student => student;

        public T* Teacher => teacher;

        /// <summary>The logits at <paramref name="k"/> and their shifted, scaled values <c>v</c> (student) and <c>u</c> (teacher).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void At(nuint k, out TVector studentLogits, out TVector teacherLogits, out TVector studentShifted, out TVector teacherShifted)
        {
            studentLogits = TSimd.Load(student + k);
            teacherLogits = TSimd.Load(teacher + k);
            studentShifted = TSimd.Multiply(TSimd.Subtract(studentLogits, _studentMax), _inverseTemperature);
            teacherShifted = TSimd.Multiply(TSimd.Subtract(teacherLogits, _teacherMax), _inverseTemperature);
        }
    }

    /// <summary>
    /// <c>s_v = Σ exp(v)</c> and <c>s_u = Σ exp(u)</c>; <c>exp(v)</c> parked at <paramref name="park"/> and <c>exp(u)</c> at
    /// <paramref name="teacherPark"/>, each unless it is null.
    /// </summary>
    private readonly unsafe struct Normalisers<TSimd, TVector, T>(Sides<TSimd, TVector, T> sides, T* park, T* teacherPark, NextRow next) : IRowSum<TVector>
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void At(nuint k, out TVector first, out TVector second, out TVector third, out TVector fourth)
        {
            RowPrefetch.Line(sides.Student, next.Logits, k);
            RowPrefetch.Line(sides.Teacher, next.Teacher, k);
            RowPrefetch.Line(park, next.Gradient, k);
            sides.At(k, out _, out _, out TVector student, out TVector teacher);
            first = SimdMath.ExpNonPositive<TSimd, TVector, T>(student);
            second = SimdMath.ExpNonPositive<TSimd, TVector, T>(teacher);
            if (park is not null)
            {
                TSimd.Store(first, park + k);
            }

            if (teacherPark is not null)
            {
                TSimd.Store(second, teacherPark + k);
            }

            third = default;
            fourth = default;
        }
    }

    /// <summary>The broadcast row constants of the loss pass: <c>1/s_v</c>, <c>1/s_u</c>, <c>max z − max t</c>, <c>log(s_v/s_u)</c>, <c>F/s_v</c>, <c>F/s_u</c>.</summary>
    private readonly record struct LossConstants<TVector>(
        TVector InverseStudentSum, TVector InverseTeacherSum, TVector MaxDifference, TVector LogRatio, TVector StudentFactor, TVector TeacherFactor)
        where TVector : struct;

    /// <summary>
    /// The gradient <c>e_v·(F/s_v) − e_u·(F/s_u)</c>, <c>F = S·c/T</c> (two products, so that equal sides give exactly 0), and the loss terms
    /// <c>q·φ(x)</c>: a series in <c>x</c> for <c>|x| &lt; 1/2</c>, <c>p − q − q·x</c> (0·x = 0 where <c>q = 0</c>) beyond.
    /// </summary>
    private readonly struct LossPass<TSimd, TVector, T>(
        Sides<TSimd, TVector, T> sides, LossConstants<TVector> constants, RowExponentials<TSimd, TVector, T> studentExponentials,
        RowExponentials<TSimd, TVector, T> teacherExponentials) : IRowMapSum<TVector>
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector At(nuint k, out TVector contribution)
        {
            sides.At(k, out TVector student, out TVector teacher, out TVector studentShifted, out TVector teacherShifted);
            TVector ev = studentExponentials.At(k, studentShifted);
            TVector eu = teacherExponentials.At(k, teacherShifted);
            TVector p = TSimd.Multiply(ev, constants.InverseStudentSum);
            TVector q = TSimd.Multiply(eu, constants.InverseTeacherSum);
            TVector x = TSimd.Subtract(TSimd.Multiply(TSimd.Subtract(TSimd.Subtract(student, teacher), constants.MaxDifference), sides.InverseTemperature), constants.LogRatio);
            TVector direct = TSimd.Subtract(TSimd.Subtract(p, q), LaneMath<TSimd, TVector, T>.Weighted(q, x));
            TVector series = TSimd.Multiply(q, TSimd.Multiply(TSimd.Multiply(x, x), Phi(x)));
            TVector small = TSimd.GreaterThan(TSimd.Broadcast(T.CreateTruncating(0.5)), TSimd.Max(x, TSimd.Subtract(default, x)));
            contribution = TSimd.Select(small, series, direct);
            return TSimd.Subtract(TSimd.Multiply(ev, constants.StudentFactor), TSimd.Multiply(eu, constants.TeacherFactor));
        }

        /// <summary>
        /// <c>φ(x)/x² = Σ_n xⁿ/(n + 2)!</c> for <c>|x| &lt; 1/2</c> by Horner's rule: to <c>x⁷</c> in float, <c>x¹³</c> in double (truncation below the
        /// type's rounding).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector Phi(TVector x)
        {
            TVector result = typeof(T) == typeof(float) ? Coefficient(1.0 / 362880) : Coefficient(1.0 / 1307674368000);
            if (typeof(T) == typeof(double))
            {
                result = TSimd.MultiplyAdd(result, x, Coefficient(1.0 / 87178291200));
                result = TSimd.MultiplyAdd(result, x, Coefficient(1.0 / 6227020800));
                result = TSimd.MultiplyAdd(result, x, Coefficient(1.0 / 479001600));
                result = TSimd.MultiplyAdd(result, x, Coefficient(1.0 / 39916800));
                result = TSimd.MultiplyAdd(result, x, Coefficient(1.0 / 3628800));
                result = TSimd.MultiplyAdd(result, x, Coefficient(1.0 / 362880));
            }

            result = TSimd.MultiplyAdd(result, x, Coefficient(1.0 / 40320));
            result = TSimd.MultiplyAdd(result, x, Coefficient(1.0 / 5040));
            result = TSimd.MultiplyAdd(result, x, Coefficient(1.0 / 720));
            result = TSimd.MultiplyAdd(result, x, Coefficient(1.0 / 120));
            result = TSimd.MultiplyAdd(result, x, Coefficient(1.0 / 24));
            result = TSimd.MultiplyAdd(result, x, Coefficient(1.0 / 6));
            return TSimd.MultiplyAdd(result, x, Coefficient(0.5));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector Coefficient(double value) => TSimd.Broadcast(T.CreateTruncating(value));
    }
}
