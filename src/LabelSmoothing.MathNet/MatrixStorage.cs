using System;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing;

/// <summary>
/// MathNet matrices as tensors: a dense matrix's column-major storage viewed in place as an <c>(rows, columns)</c> tensor with strides
/// <c>(1, rows)</c>, so that the core's tensor doors read and write it without a transpose; other storage kinds through a column-major copy.
/// </summary>
internal static class MatrixStorage
{
    /// <summary>Throws when <paramref name="matrix"/> is null.</summary>
    public static void NotNull<T>(Matrix<T>? matrix, string paramName)
        where T : struct, IEquatable<T>, IFormattable
    {
        if (matrix is null)
        {
            throw new ArgumentNullException(paramName);
        }
    }

    /// <summary>Checks that <paramref name="matrix"/> is not null and is <paramref name="rows"/> × <paramref name="columns"/>.</summary>
    public static void Shape<T>(Matrix<T>? matrix, int rows, int columns, string paramName)
        where T : struct, IEquatable<T>, IFormattable
    {
        NotNull(matrix, paramName);
        if (matrix!.RowCount != rows || matrix.ColumnCount != columns)
        {
            throw new ArgumentException($"{paramName} is {matrix.RowCount} × {matrix.ColumnCount}, but {rows} × {columns} is required.", paramName);
        }
    }

    /// <summary>
    /// The samples of an <c>N × K</c> matrix of logits: checks that it is not null and has <paramref name="columns"/> columns, and that
    /// <paramref name="samples"/> (the length of the per-sample operand <paramref name="samplesName"/>, or −1 when there is none) is its row count.
    /// </summary>
    public static ReadOnlyTensorSpan<T> Logits<T>(Matrix<T>? logits, int columns, int samples = -1, string samplesName = "labels", string paramName = "logits")
        where T : struct, IEquatable<T>, IFormattable
    {
        NotNull(logits, paramName);
        if (logits!.ColumnCount != columns)
        {
            throw new ArgumentException($"{paramName} is {logits.RowCount} × {logits.ColumnCount}, but it needs {columns} columns (one per class).", paramName);
        }

        if (samples >= 0 && samples != logits.RowCount)
        {
            Length(samples, logits.RowCount, samplesName, paramName + ".RowCount");
        }

        return Read(logits);
    }

    /// <summary>A matrix shaped like <paramref name="logits"/> (targets, teacher logits), read as a tensor.</summary>
    public static ReadOnlyTensorSpan<T> Like<T>(Matrix<T>? matrix, Matrix<T> logits, string paramName)
        where T : struct, IEquatable<T>, IFormattable
    {
        Shape(matrix, logits.RowCount, logits.ColumnCount, paramName);
        return Read(matrix!);
    }

    /// <summary>Checks the length of a per-sample span against the logits' row count.</summary>
    public static void Length(int actual, int expected, string paramName, string expectation = "logits.RowCount")
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{paramName} has length {actual}, but {expectation} = {expected}.", paramName);
        }
    }

    /// <summary>The matrix as a read-only tensor: its dense storage itself, or a column-major copy of other storage kinds.</summary>
    public static ReadOnlyTensorSpan<T> Read<T>(Matrix<T> matrix)
        where T : struct, IEquatable<T>, IFormattable =>
        View<T>(matrix.AsColumnMajorArray() ?? matrix.ToColumnMajorArray(), matrix.RowCount, matrix.ColumnCount);

    /// <summary>The column-major array to write results into: the dense storage itself, or a scratch array to <see cref="Commit"/>.</summary>
    public static T[] Writable<T>(Matrix<T> matrix)
        where T : struct, IEquatable<T>, IFormattable =>
        matrix.AsColumnMajorArray() ?? new T[matrix.RowCount * matrix.ColumnCount];

    /// <summary>Copies a scratch array obtained from <see cref="Writable"/> back into a matrix that is not dense.</summary>
    public static void Commit<T>(Matrix<T> matrix, T[] written)
        where T : struct, IEquatable<T>, IFormattable
    {
        if (!ReferenceEquals(matrix.AsColumnMajorArray(), written))
        {
            Matrix<T>.Build.DenseOfColumnMajor(matrix.RowCount, matrix.ColumnCount, written).CopyTo(matrix);
        }
    }

    /// <summary>A column-major <paramref name="rows"/> × <paramref name="columns"/> array as an <c>(rows, columns)</c> tensor.</summary>
    public static TensorSpan<T> View<T>(T[] columnMajor, int rows, int columns) =>
        rows <= 1 || columns <= 1
            ? new TensorSpan<T>(columnMajor, [rows, columns])
            : new TensorSpan<T>(columnMajor, 0, [rows, columns], [1, rows]);
}
