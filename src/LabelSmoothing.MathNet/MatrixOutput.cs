using System;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace LabelSmoothing;

/// <summary>
/// An output matrix (a gradient, element losses) written through a tensor: its dense storage itself, or a column-major scratch array that
/// <see cref="Commit"/> copies back into a matrix of another storage kind.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal readonly struct MatrixOutput<T>
    where T : struct, IEquatable<T>, IFormattable
{
    private readonly Matrix<T> _matrix;
    private readonly T[] _storage;

    private MatrixOutput(Matrix<T> matrix)
    {
        _matrix = matrix;
        _storage = MatrixStorage.Writable(matrix);
    }

    /// <summary>The output as a tensor to write.</summary>
    public TensorSpan<T> View => MatrixStorage.View(_storage, _matrix.RowCount, _matrix.ColumnCount);

    /// <summary>Checks that <paramref name="matrix"/> is not null and is <paramref name="rows"/> × <paramref name="columns"/>.</summary>
    public static MatrixOutput<T> Of(Matrix<T>? matrix, int rows, int columns, string paramName)
    {
        MatrixStorage.Shape(matrix, rows, columns, paramName);
        return new MatrixOutput<T>(matrix!);
    }

    /// <summary>Copies what was written back into a matrix that is not dense.</summary>
    public void Commit() => MatrixStorage.Commit(_matrix, _storage);
}
