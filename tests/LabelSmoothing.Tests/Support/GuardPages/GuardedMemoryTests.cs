using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FluentAssertions;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>
/// The guard of <see cref="GuardedMemory"/> is real: the system itself reports the pages on either side of a placed buffer as
/// inaccessible (checked without faulting the test host on purpose), and each buffer touches one of them exactly.
/// </summary>
public sealed unsafe class GuardedMemoryTests
{
    private static readonly int[] Lengths = [0, 1, 7, 16, 1023, 1025, 5000, 3];

    [GuardPageFact]
    public void PlacedBuffers_EndAtOrStartAfterAPageTheSystemReportsInaccessible_InEveryElementType()
    {
        using var memory = new GuardedMemory();
        ShouldBeGuarded<float>(memory);
        ShouldBeGuarded<double>(memory);
        ShouldBeGuarded<Half>(memory);
        ShouldBeGuarded<int>(memory);
    }

    private static void ShouldBeGuarded<T>(GuardedMemory memory)
        where T : unmanaged
    {
        foreach (int length in Lengths)
        {
            Span<T> atEnd = memory.Place<T>(length, GuardPlacement.EndsAtGuard);
            ShouldBeUsable(atEnd);
            nint end = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(atEnd)) + (length * sizeof(T));
            end.Should().Be(memory.TrailingGuard, $"{length} {typeof(T).Name} end where the trailing guard page starts");

            Span<T> atStart = memory.Place<T>(length, GuardPlacement.StartsAfterGuard);
            ShouldBeUsable(atStart);
            nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(atStart));
            start.Should().Be(memory.LeadingGuard + Environment.SystemPageSize, $"{length} {typeof(T).Name} start where the leading guard page ends");

            VirtualMemory.IsInaccessible((byte*)memory.LeadingGuard).Should().BeTrue("the leading guard page faults on any access");
            VirtualMemory.IsInaccessible((byte*)memory.TrailingGuard).Should().BeTrue("the trailing guard page faults on any access");
            VirtualMemory.IsInaccessible((byte*)memory.TrailingGuard - 1).Should().BeFalse("the page before the trailing guard is usable");
        }
    }

    /// <summary>Writes and reads back every element: the whole buffer lies on read-write pages.</summary>
    private static void ShouldBeUsable<T>(Span<T> buffer)
        where T : unmanaged
    {
        Span<byte> bytes = MemoryMarshal.AsBytes(buffer);
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)i;
        }

        int wrong = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            wrong += bytes[i] == (byte)i ? 0 : 1;
        }

        wrong.Should().Be(0, "every byte of the buffer reads back what was written");
    }
}
