using System;
using System.Numerics;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing;

/// <summary>
/// <see cref="DistillationLoss"/> on MathNet matrices: the student's and the teacher's logits and the gradient are <c>N × K</c> matrices
/// (one row per sample), read and written in place; per-sample losses and upstream values stay spans. Semantics, results and errors are those
/// of the span entry points; a null matrix is an <see cref="ArgumentNullException"/>.
/// </summary>
public static class DistillationLossMatrixExtensions
{
    extension(DistillationLoss loss)
    {
        /// <inheritdoc cref="DistillationLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>
        /// <param name="studentLogits">The student's <c>N × K</c> matrix of scores, one row per sample.</param>
        /// <param name="teacherLogits">The teacher's <c>N × K</c> matrix of scores.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T Forward<T>(Matrix<T> studentLogits, Matrix<T> teacherLogits)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Forward(Student(loss, studentLogits), MatrixStorage.Like(teacherLogits, studentLogits, nameof(teacherLogits)));

        /// <inheritdoc cref="DistillationLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
        /// <param name="studentLogits">The student's <c>N × K</c> matrix of scores, one row per sample.</param>
        /// <param name="teacherLogits">The teacher's <c>N × K</c> matrix of scores.</param>
        /// <param name="losses">Receives the per-sample losses, one per row.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public void Forward<T>(Matrix<T> studentLogits, Matrix<T> teacherLogits, Span<T> losses)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Forward(Student(loss, studentLogits), MatrixStorage.Like(teacherLogits, studentLogits, nameof(teacherLogits)), new TensorSpan<T>(losses));

        /// <inheritdoc cref="DistillationLoss.Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, double)"/>
        /// <param name="studentLogits">The student's <c>n × K</c> matrix of scores of the chunk, one row per sample.</param>
        /// <param name="teacherLogits">The teacher's <c>n × K</c> matrix of scores.</param>
        /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 (and a zero gradient).</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T Forward<T>(Matrix<T> studentLogits, Matrix<T> teacherLogits, double divisor)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            loss.Forward(Student(loss, studentLogits), MatrixStorage.Like(teacherLogits, studentLogits, nameof(teacherLogits)), divisor);

        /// <inheritdoc cref="DistillationLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
        /// <param name="studentLogits">The student's <c>N × K</c> matrix of scores, one row per sample.</param>
        /// <param name="teacherLogits">The teacher's <c>N × K</c> matrix of scores.</param>
        /// <param name="gradient">An <c>N × K</c> matrix receiving <c>d(returned loss)/ds</c>; it may be either input.</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T ForwardBackward<T>(Matrix<T> studentLogits, Matrix<T> teacherLogits, Matrix<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> student = Student(loss, studentLogits);
            ReadOnlyTensorSpan<T> teacher = MatrixStorage.Like(teacherLogits, studentLogits, nameof(teacherLogits));
            var output = MatrixOutput<T>.Of(gradient, studentLogits.RowCount, loss.NumClasses, nameof(gradient));
            T result = loss.ForwardBackward(student, teacher, output.View);
            output.Commit();
            return result;
        }

        /// <inheritdoc cref="DistillationLoss.ForwardBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, double)"/>
        /// <param name="studentLogits">The student's <c>n × K</c> matrix of scores of the chunk, one row per sample.</param>
        /// <param name="teacherLogits">The teacher's <c>n × K</c> matrix of scores.</param>
        /// <param name="gradient">An <c>n × K</c> matrix receiving <c>d(returned value)/ds</c>; it may be either input.</param>
        /// <param name="divisor">The global divisor: finite and ≥ 0. 0 returns 0 (and a zero gradient).</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public T ForwardBackward<T>(Matrix<T> studentLogits, Matrix<T> teacherLogits, Matrix<T> gradient, double divisor)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> student = Student(loss, studentLogits);
            ReadOnlyTensorSpan<T> teacher = MatrixStorage.Like(teacherLogits, studentLogits, nameof(teacherLogits));
            var output = MatrixOutput<T>.Of(gradient, studentLogits.RowCount, loss.NumClasses, nameof(gradient));
            T result = loss.ForwardBackward(student, teacher, output.View, divisor);
            output.Commit();
            return result;
        }

        /// <inheritdoc cref="DistillationLoss.Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>
        /// <param name="studentLogits">The student's <c>N × K</c> matrix of scores, one row per sample.</param>
        /// <param name="teacherLogits">The teacher's <c>N × K</c> matrix of scores.</param>
        /// <param name="gradient">An <c>N × K</c> matrix receiving <c>dL/ds</c>; it may be either input.</param>
        /// <param name="upstream"><c>dL/dloss</c>: one value (Mean, Sum) or one per row (None).</param>
        /// <exception cref="ArgumentNullException">A matrix is null.</exception>
        public void Backward<T>(Matrix<T> studentLogits, Matrix<T> teacherLogits, ReadOnlySpan<T> upstream, Matrix<T> gradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlyTensorSpan<T> student = Student(loss, studentLogits);
            ReadOnlyTensorSpan<T> teacher = MatrixStorage.Like(teacherLogits, studentLogits, nameof(teacherLogits));
            var output = MatrixOutput<T>.Of(gradient, studentLogits.RowCount, loss.NumClasses, nameof(gradient));
            loss.Backward(student, teacher, new ReadOnlyTensorSpan<T>(upstream), output.View);
            output.Commit();
        }
    }

    private static ReadOnlyTensorSpan<T> Student<T>(DistillationLoss loss, Matrix<T>? studentLogits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(loss);
        return MatrixStorage.Logits(studentLogits, loss.NumClasses, paramName: nameof(studentLogits));
    }
}
