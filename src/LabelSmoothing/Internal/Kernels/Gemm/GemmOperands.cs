namespace LabelSmoothing.Internal.Kernels.Gemm;

/// <summary>
/// The three row-major matrices of one product <c>C[m×n] = op(A)[m×k]·op(B)[k×n]</c>: their first elements, their leading dimensions
/// (the distance in elements between consecutive stored rows) and whether A and B are stored transposed, so that
/// <c>op(A)[i, p] = transposeA ? a[p·lda + i] : a[i·lda + p]</c> and <c>op(B)[p, j] = transposeB ? b[j·ldb + p] : b[p·ldb + j]</c>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal readonly unsafe struct GemmOperands<T>(
    bool transposeA, bool transposeB, int m, int n, int k, T* a, nint lda, T* b, nint ldb, T* c, nint ldc)
    where T : unmanaged
{
    public bool TransposeA { get; } = transposeA;

    public bool TransposeB { get; } = transposeB;

    /// <summary>The rows of op(A) and C.</summary>
    public int M { get; } = m;

    /// <summary>The columns of op(B) and C.</summary>
    public int N { get; } = n;

    /// <summary>The columns of op(A), the rows of op(B): the length of every dot product.</summary>
    public int K { get; } = k;

    public T* A { get; } = a;

    public nint Lda { get; } = lda;

    public T* B { get; } = b;

    public nint Ldb { get; } = ldb;

    public T* C { get; } = c;

    public nint Ldc { get; } = ldc;

    /// <summary>The address of <c>op(A)[i, p]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T* AAt(int i, int p) => TransposeA ? A + (p * Lda) + i : A + (i * Lda) + p;

    /// <summary>The address of <c>op(B)[p, j]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T* BAt(int p, int j) => TransposeB ? B + (j * Ldb) + p : B + (p * Ldb) + j;

    /// <summary>The address of <c>C[i, j]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T* CAt(int i, int j) => C + (i * Ldc) + j;
}
