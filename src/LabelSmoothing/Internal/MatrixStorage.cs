using System;
using System.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing.Internal;

/// <summary>
/// Access to the column-major storage of MathNet matrices, so that the kernels read and write them in place through a
/// <see cref="ClassLayout.ColumnMajor"/> layout instead of transposing.
/// </summary>
internal static class MatrixStorage
{
    /// <summary>Throws when <paramref name="matrix"/> is null.</summary>
    public static void NotNull<T>(Matrix<T>? matrix, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (matrix is null)
        {
            throw new ArgumentNullException(paramName);
        }
    }

    /// <summary>The matrix elements in column-major order: the dense storage itself, or a copy for other storage kinds.</summary>
    public static T[] Read<T>(Matrix<T> matrix)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        matrix.AsColumnMajorArray() ?? matrix.ToColumnMajorArray();

    /// <summary>The column-major array to write results into: the dense storage itself, or a scratch array to <see cref="Commit"/>.</summary>
    public static T[] Writable<T>(Matrix<T> matrix)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        matrix.AsColumnMajorArray() ?? new T[matrix.RowCount * matrix.ColumnCount];

    /// <summary>Copies a scratch array obtained from <see cref="Writable"/> back into a matrix that is not dense.</summary>
    public static void Commit<T>(Matrix<T> matrix, T[] written)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!ReferenceEquals(matrix.AsColumnMajorArray(), written))
        {
            Matrix<T>.Build.DenseOfColumnMajor(matrix.RowCount, matrix.ColumnCount, written).CopyTo(matrix);
        }
    }

    /// <summary>Checks that <paramref name="matrix"/> is <paramref name="rows"/> × <paramref name="columns"/>.</summary>
    public static void Shape<T>(Matrix<T> matrix, int rows, int columns, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (matrix.RowCount != rows || matrix.ColumnCount != columns)
        {
            ThrowHelper.Argument(paramName, $"{paramName} is {matrix.RowCount} × {matrix.ColumnCount}, but {rows} × {columns} is required.");
        }
    }
}
