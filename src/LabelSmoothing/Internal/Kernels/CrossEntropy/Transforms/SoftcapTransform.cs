using System.Runtime.Intrinsics;

namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>
/// Logit soft-capping (Gemma 2 <c>final_logit_softcapping</c>, Liger-Kernel <c>softcap</c>): <c>z' = c·tanh(z/c)</c>, derivative
/// <c>1 − tanh²(z/c)</c>, one vectorised tanh per element (<see cref="SimdMath.Tanh"/>).
/// </summary>
/// <param name="cap">The cap <c>c &gt; 0</c>.</param>
internal readonly struct SoftcapTransform(double cap) : ILogitTransform
{
    public static bool IsIdentity => false;

    public unsafe void Apply<T>(T* source, T* values, T* derivatives, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Vector512.IsHardwareAccelerated)
        {
            ApplyVectors<Simd512<T>, Vector512<T>, T>(cap, source, values, derivatives, count);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            ApplyVectors<Simd256<T>, Vector256<T>, T>(cap, source, values, derivatives, count);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            ApplyVectors<Simd128<T>, Vector128<T>, T>(cap, source, values, derivatives, count);
        }
        else
        {
            ApplyScalar(cap, source, values, derivatives, count);
        }
    }

    /// <summary>Without SIMD hardware: <see cref="Math.Tanh"/>, and the derivative as <c>4e/(1 + e)²</c> where <c>1 − t²</c> would cancel.</summary>
    private static unsafe void ApplyScalar<T>(double cap, T* source, T* values, T* derivatives, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < count; i++)
        {
            double x = double.CreateTruncating(source[i]) * (1.0 / cap);
            double t = Math.Tanh(x);
            double e = Math.Exp(-2.0 * Math.Abs(x));
            values[i] = T.CreateTruncating(cap * t);
            derivatives[i] = T.CreateTruncating(Math.Abs(x) < 0.625 ? 1.0 - (t * t) : 4.0 * e / ((1.0 + e) * (1.0 + e)));
        }
    }

    /// <summary>The run a vector at a time; the last partial vector through a padded buffer on the stack.</summary>
    private static unsafe void ApplyVectors<TSimd, TVector, T>(double softcap, T* source, T* values, T* derivatives, int count)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TVector cap = TSimd.Broadcast(T.CreateTruncating(softcap));
        TVector inverse = TSimd.Broadcast(T.CreateTruncating(1.0 / softcap));
        int whole = count - (count % TSimd.Count);
        for (int i = 0; i < whole; i += TSimd.Count)
        {
            TVector t = SimdMath.Tanh<TSimd, TVector, T>(TSimd.Multiply(TSimd.Load(source + i), inverse), out TVector derivative);
            TSimd.Store(TSimd.Multiply(cap, t), values + i);
            TSimd.Store(derivative, derivatives + i);
        }

        int rest = count - whole;
        if (rest > 0)
        {
            T* padded = stackalloc T[2 * TSimd.Count];
            new Span<T>(padded, TSimd.Count).Clear();
            new ReadOnlySpan<T>(source + whole, rest).CopyTo(new Span<T>(padded, rest));
            TVector t = SimdMath.Tanh<TSimd, TVector, T>(TSimd.Multiply(TSimd.Load(padded), inverse), out TVector derivative);
            TSimd.Store(TSimd.Multiply(cap, t), padded);
            TSimd.Store(derivative, padded + TSimd.Count);
            new ReadOnlySpan<T>(padded, rest).CopyTo(new Span<T>(values + whole, rest));
            new ReadOnlySpan<T>(padded + TSimd.Count, rest).CopyTo(new Span<T>(derivatives + whole, rest));
        }
    }
}
