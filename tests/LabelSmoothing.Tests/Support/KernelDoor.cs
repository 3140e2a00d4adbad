using System;
using System.Numerics.Tensors;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// How a kernel comparison hands its <c>[N, K]</c> batch to the library, and so which kernel family runs: the span door (row kernels),
/// a column-major tensor (the class-major kernel, as for MathNet matrices), or a tensor whose classes and samples are both strided (the
/// staged kernel).
/// </summary>
public enum KernelDoor
{
    Span,
    ColumnMajor,
    Strided,
}

/// <summary>Row-major <c>[N, K]</c> data laid out as a <see cref="KernelDoor"/> needs, and read back.</summary>
internal static class KernelDoorLayout
{
    /// <summary>The element offset of <c>(i, k)</c> and the buffer length for <paramref name="door"/>.</summary>
    public static (nint SampleStride, nint ClassStride, int Length) Strides(KernelDoor door, int rows, int classes) => rows <= 1 || classes <= 1 ? (classes, 1, rows * classes) : door switch
    {
        KernelDoor.ColumnMajor => (1, rows, rows * classes),
        KernelDoor.Strided => ((2 * classes) + 3, 2, (rows * ((2 * classes) + 3)) + (2 * classes) + 3),
        _ => (classes, 1, rows * classes),
    };

    /// <summary>A buffer holding <paramref name="rowMajor"/> in the door's layout (gaps filled with NaN, which must never be read).</summary>
    public static T[] Lay<T>(KernelDoor door, T[] rowMajor, int rows, int classes)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        var (sampleStride, classStride, length) = Strides(door, rows, classes);
        var buffer = new T[length];
        Array.Fill(buffer, T.NaN);
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < classes; k++)
            {
                buffer[(i * sampleStride) + (k * classStride)] = rowMajor[(i * classes) + k];
            }
        }

        return buffer;
    }

    /// <summary>The door-layout buffer read back in row-major order.</summary>
    public static T[] Read<T>(KernelDoor door, T[] buffer, int rows, int classes)
    {
        var (sampleStride, classStride, _) = Strides(door, rows, classes);
        var rowMajor = new T[rows * classes];
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < classes; k++)
            {
                rowMajor[(i * classes) + k] = buffer[(i * sampleStride) + (k * classStride)];
            }
        }

        return rowMajor;
    }

    /// <summary>
    /// A <c>(rows, classes)</c> tensor over the door-layout buffer. A single row or class is laid out densely: .NET rejects some strides
    /// of such shapes, and the order does not matter there.
    /// </summary>
    public static TensorSpan<T> View<T>(KernelDoor door, T[] buffer, int rows, int classes)
    {
        var (sampleStride, classStride, _) = Strides(door, rows, classes);
        return rows <= 1 || classes <= 1
            ? new TensorSpan<T>(buffer.AsSpan(0, rows * classes), [rows, classes])
            : new TensorSpan<T>(buffer, 0, [rows, classes], [sampleStride, classStride]);
    }
}
