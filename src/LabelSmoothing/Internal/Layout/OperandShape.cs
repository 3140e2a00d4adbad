using System.Globalization;

namespace LabelSmoothing.Internal.Layout;

/// <summary>
/// The lengths of an operand's axes and the distance, in elements, between consecutive entries along each: element
/// <c>(i_0, …, i_{r−1})</c> lives at <c>origin + Σ_a i_a·stride_a</c>. A flat span is a rank-1 shape; a row-major <c>[N, K]</c> block
/// has strides <c>(K, 1)</c>; a MathNet matrix (column-major) has strides <c>(1, N)</c>.
/// </summary>
internal struct OperandShape
{
    /// <summary>The highest rank an operand may have.</summary>
    public const int MaxRank = 16;

    private AxisValues _lengths;
    private AxisValues _strides;

    /// <summary>The number of axes; 0 for an operand that is not given.</summary>
    public int Rank { get; private set; }

    /// <summary>The product of the lengths: the number of logical elements.</summary>
    public readonly long Count
    {
        get
        {
            long count = 1;
            for (int a = 0; a < Rank; a++)
            {
                count *= _lengths[a];
            }

            return count;
        }
    }

    /// <summary>
    /// The number of elements between the first and the last element in memory, plus one: the memory the operand may touch
    /// (0 when it has no element).
    /// </summary>
    public readonly long Extent
    {
        get
        {
            long last = 0;
            for (int a = 0; a < Rank; a++)
            {
                if (_lengths[a] == 0)
                {
                    return 0;
                }

                last += (_lengths[a] - 1) * (long)_strides[a];
            }

            return last + 1;
        }
    }

    public readonly nint Length(int axis) => _lengths[axis];

    public readonly nint Stride(int axis) => _strides[axis];

    /// <summary>A contiguous vector of <paramref name="length"/> elements.</summary>
    public static OperandShape Vector(int length)
    {
        var shape = new OperandShape { Rank = 1 };
        shape._lengths[0] = length;
        shape._strides[0] = 1;
        return shape;
    }

    /// <summary>A row-major <c>[rows, columns]</c> block.</summary>
    public static OperandShape RowMajor(int rows, int columns)
    {
        var shape = new OperandShape { Rank = 2 };
        shape._lengths[0] = rows;
        shape._lengths[1] = columns;
        shape._strides[0] = columns;
        shape._strides[1] = 1;
        return shape;
    }

    /// <summary>A column-major <c>rows × columns</c> matrix (MathNet's dense storage).</summary>
    public static OperandShape ColumnMajor(int rows, int columns)
    {
        var shape = new OperandShape { Rank = 2 };
        shape._lengths[0] = rows;
        shape._lengths[1] = columns;
        shape._strides[0] = 1;
        shape._strides[1] = rows;
        return shape;
    }

    /// <summary>The shape of a tensor span; throws when its rank exceeds <see cref="MaxRank"/>.</summary>
    public static OperandShape Of(ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides, string paramName)
    {
        if (lengths.Length > MaxRank)
        {
            ThrowHelper.Argument(paramName, string.Create(CultureInfo.InvariantCulture, $"{paramName} has rank {lengths.Length}; at most {MaxRank} is supported."));
        }

        var shape = new OperandShape { Rank = lengths.Length };
        for (int a = 0; a < lengths.Length; a++)
        {
            shape._lengths[a] = lengths[a];
            shape._strides[a] = strides[a];
        }

        return shape;
    }

    /// <summary>Whether both shapes have the same lengths.</summary>
    public readonly bool SameLengths(in OperandShape other)
    {
        if (Rank != other.Rank)
        {
            return false;
        }

        for (int a = 0; a < Rank; a++)
        {
            if (_lengths[a] != other._lengths[a])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether both shapes address the same elements in the same order (same lengths, and the same strides where it matters).</summary>
    public readonly bool SameLayout(in OperandShape other)
    {
        if (!SameLengths(other))
        {
            return false;
        }

        for (int a = 0; a < Rank; a++)
        {
            if (_lengths[a] > 1 && _strides[a] != other._strides[a])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether two distinct logical elements may share memory: true for a zero stride on an axis of length &gt; 1, or for strides too
    /// short for the axes inside them. Checked by sorting the axes by stride: each stride must clear the extent of the axes below it.
    /// </summary>
    public readonly bool SelfOverlaps()
    {
        if (Count == 0)
        {
            return false;
        }

        Span<int> order = stackalloc int[Rank];
        int used = 0;
        for (int a = 0; a < Rank; a++)
        {
            if (_lengths[a] > 1)
            {
                order[used++] = a;
            }
        }

        order = order[..used];
        for (int i = 1; i < order.Length; i++)
        {
            for (int j = i; j > 0 && _strides[order[j]] < _strides[order[j - 1]]; j--)
            {
                (order[j], order[j - 1]) = (order[j - 1], order[j]);
            }
        }

        long reach = 0;
        foreach (int a in order)
        {
            if (_strides[a] <= reach)
            {
                return true;
            }

            reach += (_lengths[a] - 1) * (long)_strides[a];
        }

        return false;
    }

    /// <summary>The lengths, as PyTorch prints a shape: <c>(2, 3, 4)</c>.</summary>
    public override readonly string ToString()
    {
        var text = new System.Text.StringBuilder("(");
        for (int a = 0; a < Rank; a++)
        {
            text.Append(a == 0 ? "" : ", ").Append(((long)_lengths[a]).ToString(CultureInfo.InvariantCulture));
        }

        return text.Append(")").ToString();
    }
}
