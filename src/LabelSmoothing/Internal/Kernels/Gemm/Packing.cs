using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LabelSmoothing.Internal.Kernels.Gemm;

/// <summary>
/// Packs a block of op(A) into slivers of MR rows and a block of op(B) into panels of NR columns, in the order the micro-kernel reads
/// them: step by step, the MR (or NR) elements of one step of depth at consecutive addresses. Element <c>(i, p)</c> of an A block goes to
/// <c>(i / MR)·MR·depth + p·MR + i mod MR</c>, element <c>(p, j)</c> of a B block to <c>(j / NR)·NR·depth + p·NR + j mod NR</c>; the
/// rows (columns) of the last sliver (panel) past the block are zero. Packing absorbs the transposes: a sliver of A as stored and a
/// panel of Bᵀ are transposed on the way (their lines, rows of A or columns of op(B), hold consecutive steps), a block of Aᵀ and of B is
/// copied step by step (each step's elements are consecutive). <see cref="PrefetchA"/> and <see cref="PrefetchB"/> fetch what will be
/// packed next while the micro-kernel runs.
/// </summary>
internal static unsafe class Packing
{
    /// <summary>
    /// Elements past the end of a packed block that packing may overwrite: the AVX transposes store whole vectors, so a sliver of 6 rows
    /// spills into the next step, or past the last one (fewer than 8 elements; 16 keeps what follows 64-byte aligned).
    /// </summary>
    public const int Overrun = 16;

    /// <summary>Packs <c>op(A)[rowStart .. rowStart + rows, depthStart .. depthStart + depth]</c> into slivers of <paramref name="sliverRows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<T>(in GemmOperands<T> operands, int rowStart, int rows, int depthStart, int depth, int sliverRows, T* destination)
        where T : unmanaged
    {
        T* first = operands.AAt(rowStart, depthStart);
        if (operands.TransposeA)
        {
            CopySteps(first, operands.Lda, rows, depth, sliverRows, destination);
            return;
        }

        for (int sliver = 0; sliver < rows; sliver += sliverRows)
        {
            int filled = rows - sliver < sliverRows ? rows - sliver : sliverRows;
            TransposeLines(first + (sliver * operands.Lda), operands.Lda, filled, depth, sliverRows, destination + (sliver * depth));
        }
    }

    /// <summary>Packs <c>op(B)[depthStart .. depthStart + depth, columnStart .. columnStart + columns]</c> into panels of <paramref name="panelColumns"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<T>(in GemmOperands<T> operands, int depthStart, int depth, int columnStart, int columns, int panelColumns, T* destination)
        where T : unmanaged
    {
        T* first = operands.BAt(depthStart, columnStart);
        if (!operands.TransposeB)
        {
            CopySteps(first, operands.Ldb, columns, depth, panelColumns, destination);
            return;
        }

        for (int panel = 0; panel < columns; panel += panelColumns)
        {
            int filled = columns - panel < panelColumns ? columns - panel : panelColumns;
            TransposeLines(first + (panel * operands.Ldb), operands.Ldb, filled, depth, panelColumns, destination + (panel * depth));
        }
    }

    /// <summary>
    /// Asks the caches for every line of <c>op(A)[rowStart .. rowStart + rows, depthStart .. depthStart + depth]</c>, so that packing it
    /// later reads from cache rather than wait on memory.
    /// </summary>
    public static void PrefetchA<T>(in GemmOperands<T> operands, int rowStart, int rows, int depthStart, int depth)
        where T : unmanaged
    {
        T* first = operands.AAt(rowStart, depthStart);
        if (operands.TransposeA)
        {
            CachePrefetch.Lines(first, operands.Lda, depth, rows);
        }
        else
        {
            CachePrefetch.Lines(first, operands.Lda, rows, depth);
        }
    }

    /// <summary>As <see cref="PrefetchA"/>, for <c>op(B)[depthStart .. depthStart + depth, columnStart .. columnStart + columns]</c>.</summary>
    public static void PrefetchB<T>(in GemmOperands<T> operands, int depthStart, int depth, int columnStart, int columns)
        where T : unmanaged
    {
        T* first = operands.BAt(depthStart, columnStart);
        if (operands.TransposeB)
        {
            CachePrefetch.Lines(first, operands.Ldb, columns, depth);
        }
        else
        {
            CachePrefetch.Lines(first, operands.Ldb, depth, columns);
        }
    }

    /// <summary>
    /// A block whose step <c>p</c> holds its <paramref name="lines"/> elements consecutively at <c>first + p·stepStride</c>: copied
    /// step by step (reading memory in order), each step cut into units of <paramref name="width"/>, the last padded with zeros.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopySteps<T>(T* first, nint stepStride, int lines, int depth, int width, T* destination)
        where T : unmanaged
    {
        for (int p = 0; p < depth; p++)
        {
            T* source = first + (p * stepStride);
            T* target = destination + (p * width);
            for (int unit = 0; unit < lines; unit += width)
            {
                int filled = lines - unit < width ? lines - unit : width;
                Copy(source + unit, target, filled, width);
                target += width * depth;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy<T>(T* source, T* destination, int filled, int width)
        where T : unmanaged
    {
        int e = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; e + Vector256<T>.Count <= filled; e += Vector256<T>.Count)
            {
                Vector256.Store(Vector256.Load(source + e), destination + e);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; e + Vector128<T>.Count <= filled; e += Vector128<T>.Count)
            {
                Vector128.Store(Vector128.Load(source + e), destination + e);
            }
        }

        for (; e < filled; e++)
        {
            destination[e] = source[e];
        }

        for (; e < width; e++)
        {
            destination[e] = default;
        }
    }

    /// <summary>
    /// One sliver or panel whose line <c>l</c> (a row of A, a column of op(B)) holds its <paramref name="depth"/> steps consecutively at
    /// <c>first + l·lineStride</c>: transposed, and padded with zero lines to <paramref name="width"/>. With AVX, by square transposes
    /// of vectors; groups of lines from the last to the first, so that where a group's whole-vector stores spill past the sliver's width
    /// into the next step, that step's first group, stored later, overwrites them (the last step spills up to <see cref="Overrun"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeLines<T>(T* first, nint lineStride, int filled, int depth, int width, T* destination)
        where T : unmanaged
    {
        int p = 0;
        if (Avx.IsSupported)
        {
            int square = Transpose256.Width<T>();
            int lastGroup = (width - 1) / square * square;
            for (; p + square <= depth; p += square)
            {
                for (int group = lastGroup; group >= 0; group -= square)
                {
                    Transpose256.Transpose(first + (group * lineStride) + p, lineStride, filled - group, destination + (p * width) + group, width);
                }
            }
        }

        for (; p < depth; p++)
        {
            T* target = destination + (p * width);
            int l = 0;
            for (; l < filled; l++)
            {
                target[l] = first[(l * lineStride) + p];
            }

            for (; l < width; l++)
            {
                target[l] = default;
            }
        }
    }
}
