using System.Runtime.Intrinsics.X86;
using Xunit;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// A fact about the README's demo numbers, which come from the AVX2 (Vector256) kernels: skipped, with the reason, on a processor
/// without AVX2, whose kernels round differently.
/// </summary>
public sealed class Avx2FactAttribute : FactAttribute
{
    public Avx2FactAttribute()
    {
        if (!Avx2.IsSupported)
        {
            Skip = "The README's demo numbers come from the AVX2 (Vector256) kernels; this processor has no AVX2, and other kernels round differently.";
        }
    }
}
