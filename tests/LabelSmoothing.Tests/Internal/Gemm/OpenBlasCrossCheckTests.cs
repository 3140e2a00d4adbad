using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using FluentAssertions;

namespace LabelSmoothing.Tests.Internal.Gemm;

/// <summary>
/// The GEMM beside OpenBLAS on the three products of a fused linear + cross-entropy loss, scaled down (logits = H·Wᵀ, ∂H = G·W,
/// ∂W += Gᵀ·H), and the fourth transpose combination: both within the rounding error bound of the exact product, so within twice it of
/// each other.
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract unsafe class OpenBlasCrossCheckTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [OpenBlasFact]
    public void Logits_HTimesWTransposed_MatchOpenBlas() => ShouldMatchOpenBlas(new GemmCase<T>(false, true, 64, 2000, 512, seed: 1), accumulate: false);

    [OpenBlasFact]
    public void HiddenGradient_GTimesW_MatchesOpenBlas() => ShouldMatchOpenBlas(new GemmCase<T>(false, false, 64, 512, 2000, seed: 2), accumulate: false);

    [OpenBlasFact]
    public void WeightGradient_GTransposedTimesH_AccumulatedIntoC_MatchesOpenBlas() =>
        ShouldMatchOpenBlas(new GemmCase<T>(true, false, 2000, 512, 64, seed: 3), accumulate: true);

    [OpenBlasFact]
    public void BothTransposed_MatchOpenBlas() => ShouldMatchOpenBlas(new GemmCase<T>(true, true, 300, 301, 302, seed: 4), accumulate: true);

    private static void ShouldMatchOpenBlas(GemmCase<T> gemm, bool accumulate)
    {
        T[] ours = gemm.Run(accumulate, maxDegreeOfParallelism: -1);
        var theirs = (T[])gemm.C.Clone();
        fixed (T* a = gemm.A)
        fixed (T* b = gemm.B)
        fixed (T* c = theirs)
        {
            OpenBlas.Multiply(gemm.TransposeA, gemm.TransposeB, gemm.M, gemm.N, gemm.K, a, gemm.Lda, b, gemm.Ldb, c, gemm.Ldc, accumulate);
        }

        var failures = new List<string>();
        for (int i = 0; i < gemm.M && failures.Count < 5; i += 7)
        {
            for (int j = 0; j < gemm.N && failures.Count < 5; j++)
            {
                double bound = 2 * gemm.Tolerance(gemm.Reference(i, j, accumulate).Scale);
                double ourValue = double.CreateTruncating(ours[(i * gemm.Ldc) + j]);
                double theirValue = double.CreateTruncating(theirs[(i * gemm.Ldc) + j]);
                if (!(Math.Abs(ourValue - theirValue) <= bound))
                {
                    failures.Add(string.Create(CultureInfo.InvariantCulture, $"C[{i}, {j}]: ours {ourValue:R}, OpenBLAS {theirValue:R}, bound {bound:R}"));
                }
            }
        }

        failures.Should().BeEmpty($"every 7th row of {gemm} agrees with OpenBLAS within twice the rounding error bound");
    }
}

public sealed class OpenBlasCrossCheckTestsSingle : OpenBlasCrossCheckTests<float>;

public sealed class OpenBlasCrossCheckTestsDouble : OpenBlasCrossCheckTests<double>;
