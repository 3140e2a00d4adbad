using System;
using System.Numerics;
using System.Runtime.Intrinsics;
using FluentAssertions;
using LabelSmoothing.Internal.Simd;
using Xunit;

namespace LabelSmoothing.Tests.Internal.Simd;

/// <summary>
/// <see cref="SimdMath.LogOneMinus{TSimd, TVector, T}"/> against <c>log(1 − p)</c> in double (as <c>log(u)·(−p)/(u − 1)</c>, <c>u = 1 − p</c>
/// rounded, which cancels the rounding of <c>u</c>) over <c>p ∈ [0, ½]</c>, evenly spaced and down to 1e-30: relative error below 2.5e-7 in
/// float and 1e-15 in double, on the widest vector width of this run and on one lane.
/// </summary>
public sealed class LogOneMinusTests
{
    [Fact]
    public void Float_is_within_2_5e_7_relative()
    {
        double worst = Math.Max(
            Vector256.IsHardwareAccelerated ? WorstError<Simd256<float>, Vector256<float>, float>() : 0.0,
            WorstError<OneLane<float>, float, float>());
        worst.Should().BeLessThan(2.5e-7);
    }

    [Fact]
    public void Double_is_within_1e_15_relative()
    {
        double worst = Math.Max(
            Vector256.IsHardwareAccelerated ? WorstError<Simd256<double>, Vector256<double>, double>() : 0.0,
            WorstError<OneLane<double>, double, double>());
        worst.Should().BeLessThan(1e-15);
    }

    [Fact]
    public void Zero_gives_zero_and_NaN_gives_NaN()
    {
        SimdMath.LogOneMinus<OneLane<float>, float, float>(0f).Should().Be(0f);
        SimdMath.LogOneMinus<OneLane<double>, double, double>(0.0).Should().Be(0.0);
        float.IsNaN(SimdMath.LogOneMinus<OneLane<float>, float, float>(float.NaN)).Should().BeTrue();
        double.IsNaN(SimdMath.LogOneMinus<OneLane<double>, double, double>(double.NaN)).Should().BeTrue();
    }

    private static unsafe double WorstError<TSimd, TVector, T>()
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var inputs = new T[20000 + 64];
        for (int i = 0; i < 20000; i++)
        {
            inputs[i] = T.CreateTruncating(0.5 * (i + 1) / 20000);
        }

        for (int i = 0; i < 64; i++)
        {
            inputs[20000 + i] = T.CreateTruncating(Math.Pow(10.0, -30.0 + (i * 28.0 / 63)));
        }

        double worst = 0.0;
        fixed (T* input = inputs)
        {
            var output = stackalloc T[TSimd.Count];
            for (int i = 0; i + TSimd.Count <= inputs.Length; i += TSimd.Count)
            {
                TSimd.Store(SimdMath.LogOneMinus<TSimd, TVector, T>(TSimd.Load(input + i)), output);
                for (int lane = 0; lane < TSimd.Count; lane++)
                {
                    double p = double.CreateTruncating(inputs[i + lane]);
                    double u = 1.0 - p;
                    double expected = u == 1.0 ? -p : Math.Log(u) * -p / (u - 1.0);
                    worst = Math.Max(worst, Math.Abs((double.CreateTruncating(output[lane]) - expected) / expected));
                }
            }
        }

        return worst;
    }
}
