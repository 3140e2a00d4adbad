using System.Runtime.InteropServices;
using Xunit;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>A fact that needs guard pages: skipped, with the reason, on systems where <see cref="GuardedMemory"/> cannot map them.</summary>
public sealed class GuardPageFactAttribute : FactAttribute
{
    public GuardPageFactAttribute()
    {
        if (!GuardedMemory.IsSupported)
        {
            Skip = $"Guard pages are mapped with mmap/mprotect on Linux and VirtualAlloc/VirtualProtect on Windows; {RuntimeInformation.OSDescription} is neither.";
        }
    }
}
