using System;
using System.Numerics.Tensors;

namespace LabelSmoothing.Tests.Support;

/// <summary>The order in which a <see cref="TensorLayout"/> stores the logical axes, outermost first.</summary>
public enum AxisOrder
{
    /// <summary>Logical order: row-major, as <c>torch.contiguous_format</c>.</summary>
    RowMajor,

    /// <summary>Axis 1 (the class axis) innermost, the others in order: storage <c>(N, d1, …, dk, C)</c> viewed as <c>(N, C, d1, …, dk)</c>
    /// (<c>torch.channels_last</c>).</summary>
    ClassInnermost,

    /// <summary>Every axis reversed: column-major (Fortran) storage; for <c>(N, C)</c> the storage is <c>(C, N)</c>.</summary>
    Reversed,
}

/// <summary>
/// How a test stores a logical tensor: the order of its axes in memory, padding before and after one axis (the view is then a slice of
/// a larger tensor along that axis), and a spread (every stride multiplied, so that the view takes every <c>Spread</c>-th element).
/// </summary>
/// <param name="Name">A short name for messages.</param>
/// <param name="Order">The order of the axes in memory.</param>
/// <param name="PadAxis">The logical axis that is sliced out of a longer one, or −1.</param>
/// <param name="PadBefore">Elements of that axis before the view.</param>
/// <param name="PadAfter">Elements of that axis after the view.</param>
/// <param name="Spread">The factor applied to every stride (1: no gap between consecutive innermost elements).</param>
public sealed record TensorLayout(string Name, AxisOrder Order = AxisOrder.RowMajor, int PadAxis = -1, int PadBefore = 0, int PadAfter = 0, int Spread = 1)
{
    public static TensorLayout Dense { get; } = new("dense");

    public static TensorLayout ChannelsLast { get; } = new("channels-last", AxisOrder.ClassInnermost);

    public static TensorLayout ColumnMajor { get; } = new("column-major", AxisOrder.Reversed);

    /// <summary>A slice of a larger row-major tensor along <paramref name="axis"/>.</summary>
    public static TensorLayout Slice(int axis, int before, int after) => new($"slice(axis {axis})", AxisOrder.RowMajor, axis, before, after);

    /// <summary>Every <paramref name="spread"/>-th element of a larger row-major buffer.</summary>
    public static TensorLayout Every(int spread) => new($"every {spread}th", Spread: spread);

    public override string ToString() => Name;
}

/// <summary>
/// A logical tensor stored in a larger array under a <see cref="TensorLayout"/>: the array, the offset of element <c>(0, …, 0)</c>, the
/// lengths and the strides of the view. Storage the view does not address holds a fill value, so that a test can check that a call wrote
/// nothing outside its output. Strides of axes of length 1 are 0, as <see cref="Tensor.PermuteDimensions{T}(Tensor{T}, ReadOnlySpan{int})"/>
/// makes them (.NET's tensor constructors reject some other strides on such axes).
/// </summary>
/// <typeparam name="TElement">The element type.</typeparam>
internal sealed class StridedTensor<TElement>
    where TElement : unmanaged
{
    private int[]? _offsets;

    private StridedTensor(TElement[] storage, int start, nint[] lengths, nint[] strides, TElement fill, int[]? offsets = null)
    {
        _offsets = offsets;
        Storage = storage;
        Start = start;
        Lengths = lengths;
        Strides = strides;
        Fill = fill;
    }

    public TElement[] Storage { get; }

    public int Start { get; }

    public nint[] Lengths { get; }

    public nint[] Strides { get; }

    public TElement Fill { get; }

    public int Count
    {
        get
        {
            int count = 1;
            foreach (nint length in Lengths)
            {
                count *= (int)length;
            }

            return count;
        }
    }

    public TensorSpan<TElement> Span => new(Storage, Start, Lengths, Strides);

    public ReadOnlyTensorSpan<TElement> ReadOnly => new(Storage, Start, Lengths, Strides);

    /// <summary>Stores <paramref name="logical"/> (row-major over <paramref name="shape"/>) under <paramref name="layout"/>.</summary>
    public static StridedTensor<TElement> Create(ReadOnlySpan<TElement> logical, int[] shape, TensorLayout layout, TElement fill)
    {
        int rank = shape.Length;
        int[] order = Order(layout.Order, rank);
        var padded = new long[rank];
        for (int a = 0; a < rank; a++)
        {
            padded[a] = shape[a] + (a == layout.PadAxis ? layout.PadBefore + layout.PadAfter : 0);
        }

        var memoryStrides = new long[rank];
        long stride = layout.Spread;
        for (int i = rank - 1; i >= 0; i--)
        {
            memoryStrides[order[i]] = stride;
            stride *= padded[order[i]];
        }

        var storage = new TElement[stride];
        storage.AsSpan().Fill(fill);
        int start = layout.PadAxis < 0 ? 0 : checked((int)(layout.PadBefore * memoryStrides[layout.PadAxis]));
        var lengths = new nint[rank];
        var strides = new nint[rank];
        bool empty = Array.IndexOf(shape, 0) >= 0;
        for (int a = 0; a < rank; a++)
        {
            lengths[a] = shape[a];
            strides[a] = shape[a] == 1 || empty ? 0 : (nint)memoryStrides[a];
        }

        var tensor = new StridedTensor<TElement>(storage, start, lengths, strides, fill);
        tensor.Write(logical);
        return tensor;
    }

    /// <summary>A tensor of <paramref name="shape"/> under <paramref name="layout"/> holding <paramref name="fill"/> everywhere.</summary>
    public static StridedTensor<TElement> Filled(int[] shape, TensorLayout layout, TElement fill)
    {
        int count = 1;
        foreach (int length in shape)
        {
            count *= length;
        }

        var values = new TElement[count];
        values.AsSpan().Fill(fill);
        return Create(values, shape, layout, fill);
    }

    /// <summary>A view of <paramref name="lengths"/> and <paramref name="strides"/> from <paramref name="start"/> over existing storage.</summary>
    public static StridedTensor<TElement> Over(TElement[] storage, int start, nint[] lengths, nint[] strides, TElement fill) =>
        new(storage, start, lengths, strides, fill);

    /// <summary>The same view over new storage holding <see cref="Fill"/> everywhere (a fresh output shaped and laid out like this one).</summary>
    public StridedTensor<TElement> EmptyLike()
    {
        var storage = new TElement[Storage.Length];
        storage.AsSpan().Fill(Fill);
        return new(storage, Start, Lengths, Strides, Fill, _offsets);
    }

    /// <summary>The view as a <see cref="Tensor{T}"/> over the same storage.</summary>
    public Tensor<TElement> AsTensor() => Tensor.Create(Storage, Start, Lengths, Strides);

    /// <summary>The storage offset of every element, in row-major logical order.</summary>
    public int[] Offsets => _offsets ??= ComputeOffsets();

    /// <summary>The values of the view in row-major logical order.</summary>
    public TElement[] Logical()
    {
        int[] offsets = Offsets;
        var values = new TElement[offsets.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Storage[offsets[i]];
        }

        return values;
    }

    /// <summary>Writes <paramref name="logical"/> (row-major) into the view.</summary>
    public void Write(ReadOnlySpan<TElement> logical)
    {
        if (logical.Length != Count)
        {
            throw new ArgumentException($"{logical.Length} values for {Count} elements.", nameof(logical));
        }

        int[] offsets = Offsets;
        for (int i = 0; i < logical.Length; i++)
        {
            Storage[offsets[i]] = logical[i];
        }
    }

    /// <summary>The number of storage elements outside the view that no longer hold <see cref="Fill"/>.</summary>
    public int WrittenOutside()
    {
        var inside = new bool[Storage.Length];
        foreach (int offset in Offsets)
        {
            inside[offset] = true;
        }

        int written = 0;
        for (int j = 0; j < Storage.Length; j++)
        {
            if (!inside[j] && !Storage[j].Equals(Fill))
            {
                written++;
            }
        }

        return written;
    }

    /// <summary>An independent copy (same layout, new storage).</summary>
    public StridedTensor<TElement> Clone() => new((TElement[])Storage.Clone(), Start, Lengths, Strides, Fill, _offsets);

    public string Describe() => $"lengths ({string.Join(", ", Lengths)}), strides ({string.Join(", ", Strides)}), offset {Start} in {Storage.Length}";

    private int[] ComputeOffsets()
    {
        var offsets = new int[Count];
        var index = new nint[Lengths.Length];
        long offset = Start;
        for (int i = 0; i < offsets.Length; i++)
        {
            offsets[i] = (int)offset;
            for (int a = Lengths.Length - 1; a >= 0; a--)
            {
                offset += Strides[a];
                if (++index[a] < Lengths[a])
                {
                    break;
                }

                offset -= Lengths[a] * Strides[a];
                index[a] = 0;
            }
        }

        return offsets;
    }

    private static int[] Order(AxisOrder order, int rank)
    {
        var axes = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            axes[i] = order switch
            {
                AxisOrder.Reversed => rank - 1 - i,
                AxisOrder.ClassInnermost when rank >= 2 => i == rank - 1 ? 1 : i == 0 ? 0 : i + 1,
                _ => i,
            };
        }

        return axes;
    }
}

/// <summary>
/// The flat path's view of a logical tensor <c>(N, C, d1, …, dk)</c>: sample <c>n·S + s</c> (<c>S = d1·…·dk</c>, spatial index in row-major
/// order) is row <c>n·S + s</c> of a row-major <c>[N·S, C]</c> block; per-sample tensors <c>(N, d1, …, dk)</c> are already in that order.
/// </summary>
internal static class SampleRows
{
    /// <summary>The number of positions per sample, <c>d1·…·dk</c> (1 for a rank-2 shape).</summary>
    public static int Spatial(int[] shape)
    {
        int s = 1;
        for (int a = 2; a < shape.Length; a++)
        {
            s *= shape[a];
        }

        return s;
    }

    /// <summary>The per-sample shape <c>(N, d1, …, dk)</c>.</summary>
    public static int[] PerSample(int[] shape) => [shape[0], .. shape[2..]];

    /// <summary>The number of samples <c>N·d1·…·dk</c>.</summary>
    public static int Samples(int[] shape) => shape[0] * Spatial(shape);

    /// <summary>Logical <c>(N, C, S)</c> values to <c>[N·S, C]</c> rows.</summary>
    public static TElement[] ToRows<TElement>(ReadOnlySpan<TElement> logical, int[] shape)
    {
        int n = shape[0], c = shape[1], s = Spatial(shape);
        var rows = new TElement[logical.Length];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < c; k++)
            {
                for (int j = 0; j < s; j++)
                {
                    rows[(((i * s) + j) * c) + k] = logical[(((i * c) + k) * s) + j];
                }
            }
        }

        return rows;
    }

    /// <summary><c>[N·S, C]</c> rows to logical <c>(N, C, S)</c> values.</summary>
    public static TElement[] FromRows<TElement>(ReadOnlySpan<TElement> rows, int[] shape)
    {
        int n = shape[0], c = shape[1], s = Spatial(shape);
        var logical = new TElement[rows.Length];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < c; k++)
            {
                for (int j = 0; j < s; j++)
                {
                    logical[(((i * c) + k) * s) + j] = rows[(((i * s) + j) * c) + k];
                }
            }
        }

        return logical;
    }
}
