using System;
using System.Runtime.Intrinsics;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Internal.Simd;

/// <summary>
/// The legs of .ci/run switch vector widths off through DOTNET_Enable* variables. A variable the runtime ignores (.NET 10 ignores
/// DOTNET_EnableAVX512F) would silently rerun the default kernels, so each leg checks that its switch took effect.
/// </summary>
public class InstructionSetLegTests
{
    [Fact]
    public void TheInstructionSetSwitchesOfThisRun_TurnOffTheVectorWidthsTheyName()
    {
        bool noSimd = SwitchedOff("DOTNET_EnableHWIntrinsic");
        bool noAvx2 = noSimd || SwitchedOff("DOTNET_EnableAVX2");
        bool noAvx512 = noAvx2 || SwitchedOff("DOTNET_EnableAVX512");

        Vector128.IsHardwareAccelerated.Should().Be(!noSimd, "every x64 and Arm64 processor has 128-bit SIMD unless it is switched off");
        if (noAvx2)
        {
            Vector256.IsHardwareAccelerated.Should().BeFalse();
        }

        if (noAvx512)
        {
            Vector512.IsHardwareAccelerated.Should().BeFalse();
        }
    }

    private static bool SwitchedOff(string variable) => Environment.GetEnvironmentVariable(variable) == "0";
}
