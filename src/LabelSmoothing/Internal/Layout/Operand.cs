using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace LabelSmoothing.Internal.Layout;

/// <summary>
/// One operand of a call, whatever door it came through: a reference to its element <c>(0, …, 0)</c> and its <see cref="OperandShape"/>.
/// A default value (rank 0) is an operand that was not given.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal readonly ref struct Operand<T>
{
    private readonly ref T _origin;

    public Operand(ref T origin, scoped in OperandShape shape)
    {
        _origin = ref origin;
        Shape = shape;
    }

    public ref T Origin => ref _origin;

    public OperandShape Shape { get; }

    public bool IsPresent => Shape.Rank > 0;

    /// <summary>A flat span as a vector.</summary>
    public static Operand<T> Of(ReadOnlySpan<T> span) => new(ref MemoryMarshal.GetReference(span), OperandShape.Vector(span.Length));

    /// <summary>A flat span as a row-major <c>[rows, columns]</c> block.</summary>
    public static Operand<T> Of(ReadOnlySpan<T> span, int rows, int columns) =>
        new(ref MemoryMarshal.GetReference(span), OperandShape.RowMajor(rows, columns));

    /// <summary>A tensor span (throws, naming <paramref name="paramName"/>, when its rank exceeds <see cref="OperandShape.MaxRank"/>).</summary>
    public static Operand<T> Of(scoped in ReadOnlyTensorSpan<T> tensor, string paramName) =>
        new(ref Unsafe.AsRef(in TensorMarshal.GetReference(tensor)), OperandShape.Of(tensor.Lengths, tensor.Strides, paramName));

    /// <summary>A writable tensor span (throws, naming <paramref name="paramName"/>, when its rank exceeds <see cref="OperandShape.MaxRank"/>).</summary>
    public static Operand<T> Of(scoped in TensorSpan<T> tensor, string paramName) =>
        new(ref Unsafe.AsRef(in TensorMarshal.GetReference(tensor)), OperandShape.Of(tensor.Lengths, tensor.Strides, paramName));

    /// <summary>The bytes from the operand's first element to the end of its last one (0 when it has no element).</summary>
    public long ByteExtent => Shape.Extent * Unsafe.SizeOf<T>();
}
