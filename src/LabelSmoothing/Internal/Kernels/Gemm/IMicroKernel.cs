namespace LabelSmoothing.Internal.Kernels.Gemm;

/// <summary>
/// A register-blocked micro-kernel: multiplies a packed sliver of A (<see cref="Rows"/> rows, stored step by step) by a packed panel of
/// B (<see cref="Columns"/> columns, stored step by step) into one tile of C held in registers, and writes or adds the tile to C.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal interface IMicroKernel<T>
    where T : unmanaged
{
    /// <summary>The rows of a tile, MR.</summary>
    static abstract int Rows { get; }

    /// <summary>The columns of a tile, NR.</summary>
    static abstract int Columns { get; }

    /// <summary>
    /// Computes <c>tile[i, j] = Σ_{p &lt; depth} packedA[p·MR + i]·packedB[p·NR + j]</c>, the products added in order of
    /// <c>p</c> to an accumulator that starts at 0, then stores <c>c[i·ldc + j] = tile[i, j]</c>, or
    /// <c>c[i·ldc + j] += tile[i, j]</c> when <paramref name="addToC"/>.
    /// </summary>
    static abstract unsafe void Multiply(int depth, T* packedA, T* packedB, T* c, nint ldc, bool addToC);
}
