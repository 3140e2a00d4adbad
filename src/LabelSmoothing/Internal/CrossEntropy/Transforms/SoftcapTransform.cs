using System;
using System.Numerics;
using System.Runtime.Intrinsics;
using LabelSmoothing.Internal.Simd;

namespace LabelSmoothing.Internal.CrossEntropy;

/// <summary>
/// Logit soft-capping (Gemma 2 <c>final_logit_softcapping</c>, Liger-Kernel <c>softcap</c>): <c>z' = c·tanh(z/c)</c>, derivative
/// <c>1 − tanh²(z/c)</c>, one vectorised tanh per element (<see cref="SimdMath.Tanh"/>).
/// </summary>
internal readonly struct SoftcapTransform : ILogitTransform
{
    public static bool IsIdentity => false;

    public static unsafe void Apply<T>(LossPlan plan, T* values, T* derivatives, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int done = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            done = ApplyVectors<Simd512<T>, Vector512<T>, T>(plan, values, derivatives, count);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            done = ApplyVectors<Simd256<T>, Vector256<T>, T>(plan, values, derivatives, count);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            done = ApplyVectors<Simd128<T>, Vector128<T>, T>(plan, values, derivatives, count);
        }

        double cap = plan.LogitSoftcap;
        for (int i = done; i < count; i++)
        {
            double x = double.CreateTruncating(values[i]) * (1.0 / cap);
            double t = Math.Tanh(x);
            double e = Math.Exp(-2.0 * Math.Abs(x));
            values[i] = T.CreateTruncating(cap * t);
            derivatives[i] = T.CreateTruncating(Math.Abs(x) < 0.625 ? 1.0 - (t * t) : 4.0 * e / ((1.0 + e) * (1.0 + e)));
        }
    }

    /// <summary>Transforms the whole vectors of the run and returns how many elements that covered.</summary>
    private static unsafe int ApplyVectors<TSimd, TVector, T>(LossPlan plan, T* values, T* derivatives, int count)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TVector cap = TSimd.Broadcast(T.CreateTruncating(plan.LogitSoftcap));
        TVector inverse = TSimd.Broadcast(T.CreateTruncating(1.0 / plan.LogitSoftcap));
        int whole = count - (count % TSimd.Count);
        for (int i = 0; i < whole; i += TSimd.Count)
        {
            TVector t = SimdMath.Tanh<TSimd, TVector, T>(TSimd.Multiply(TSimd.Load(values + i), inverse), out TVector derivative);
            TSimd.Store(TSimd.Multiply(cap, t), values + i);
            TSimd.Store(derivative, derivatives + i);
        }

        return whole;
    }
}
