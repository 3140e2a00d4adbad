using Xunit;

namespace LabelSmoothing.Tests.Internal.Gemm;

/// <summary>A fact that compares with OpenBLAS: skipped, with the reason, where no CBLAS library can be loaded.</summary>
public sealed class OpenBlasFactAttribute : FactAttribute
{
    public OpenBlasFactAttribute()
    {
        if (!OpenBlas.IsAvailable)
        {
            Skip = "Neither libopenblas.so.0 nor libblas.so.3 with cblas_sgemm/cblas_dgemm could be loaded (Debian: apt-get install libopenblas0-pthread).";
        }
    }
}
