using System.Globalization;

namespace LabelSmoothing.Priors;

/// <summary><c>u_k(y) = M[y, k]</c>, a row-stochastic <c>K × K</c> matrix: see <see cref="SmoothingPrior.FromMatrix"/>.</summary>
internal sealed class MatrixPrior : SmoothingPrior
{
    private readonly double[] _rows;

    public MatrixPrior(ReadOnlySpan<double> rows, int numClasses)
    {
        Guard.NumClasses(numClasses);
        if ((long)numClasses * numClasses != rows.Length)
        {
            ThrowHelper.Argument(nameof(rows), string.Create(CultureInfo.InvariantCulture, $"rows has {rows.Length} entries, but a {numClasses} × {numClasses} matrix has {(long)numClasses * numClasses}."));
        }

        for (int y = 0; y < numClasses; y++)
        {
            Guard.Distribution(rows.Slice(y * numClasses, numClasses), nameof(rows), y);
        }

        NumClasses = numClasses;
        _rows = rows.ToArray();
    }

    /// <summary><c>K</c>.</summary>
    internal int NumClasses { get; }

    internal override int MinimumClasses => 1;

    /// <summary><c>M[y, k]</c>.</summary>
    internal double At(int label, int k) => _rows[(label * NumClasses) + k];

    internal override double Mass(int numClasses, int label, int k, double rowNormaliser) => At(label, k);

    internal override void Spread(ReadOnlySpan<double> target, Span<double> destination) => Spread<double>(target, destination);

    /// <summary><c>destination = U·t</c>, <c>(U·t)_k = Σ_y t_y·M[y, k]</c>, accumulated in double: O(K²).</summary>
    internal void Spread<T>(ReadOnlySpan<T> target, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<double> sums = NumClasses <= 512 ? stackalloc double[NumClasses] : new double[NumClasses];
        sums.Clear();
        for (int y = 0; y < NumClasses; y++)
        {
            double t = double.CreateTruncating(target[y]);
            if (t != 0.0)
            {
                ReadOnlySpan<double> row = _rows.AsSpan(y * NumClasses, NumClasses);
                for (int k = 0; k < NumClasses; k++)
                {
                    sums[k] += t * row[k];
                }
            }
        }

        for (int k = 0; k < NumClasses; k++)
        {
            destination[k] = T.CreateTruncating(sums[k]);
        }
    }

    private protected override void CheckLength(int numClasses, string paramName)
    {
        if (NumClasses != numClasses)
        {
            ThrowHelper.Argument(paramName, $"The prior matrix is {NumClasses} × {NumClasses}, but the number of classes is {numClasses}.");
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"FromMatrix({NumClasses} × {NumClasses})");
}
