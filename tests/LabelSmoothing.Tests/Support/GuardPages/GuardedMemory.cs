using System;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>Where <see cref="GuardedMemory.Place{T}"/> puts a buffer.</summary>
public enum GuardPlacement
{
    /// <summary>The buffer's last byte is the last one before an inaccessible page: any access past its end faults.</summary>
    EndsAtGuard,

    /// <summary>The buffer's first byte is the first one after an inaccessible page: any access before its start faults.</summary>
    StartsAfterGuard,
}

/// <summary>
/// Read-write pages between two inaccessible guard pages (PROT_NONE on Linux, PAGE_NOACCESS on Windows), handing out buffers of any
/// unmanaged element type that end exactly at the trailing guard or start exactly after the leading one, so that a kernel reading or
/// writing one element outside its span crashes instead of going unnoticed. The mapping is reused from one buffer to the next and grows
/// (to at least twice its size) only when a buffer does not fit, so a buffer is valid until the next <see cref="Place{T}"/>.
/// </summary>
internal sealed unsafe class GuardedMemory : IDisposable
{
    private byte* _mapping;
    private nuint _mappedBytes;

    public static bool IsSupported => VirtualMemory.IsSupported;

    /// <summary>The first byte of the leading guard page.</summary>
    public nint LeadingGuard => (nint)_mapping;

    /// <summary>The first byte of the trailing guard page: one past the last usable byte.</summary>
    public nint TrailingGuard => (nint)(_mapping + _mappedBytes - PageSize);

    private static nuint PageSize => (nuint)VirtualMemory.PageSize;

    private byte* Usable => _mapping + PageSize;

    private nuint UsableBytes => _mapping is null ? 0 : _mappedBytes - (2 * PageSize);

    /// <summary>
    /// A buffer of <paramref name="length"/> elements placed against a guard page. Its contents are whatever the previous buffer left there.
    /// </summary>
    public Span<T> Place<T>(int length, GuardPlacement placement)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        nuint bytes = (nuint)length * (nuint)sizeof(T);
        if (_mapping is null || bytes > UsableBytes)
        {
            Grow(bytes);
        }

        byte* start = placement == GuardPlacement.EndsAtGuard ? Usable + UsableBytes - bytes : Usable;
        return new Span<T>(start, length);
    }

    public void Dispose()
    {
        if (_mapping is not null)
        {
            VirtualMemory.Free(_mapping, _mappedBytes);
            _mapping = null;
            _mappedBytes = 0;
        }
    }

    private void Grow(nuint bytes)
    {
        nuint usable = Math.Max(Math.Max((bytes + PageSize - 1) / PageSize, 1) * PageSize, 2 * UsableBytes);
        Dispose();
        _mappedBytes = usable + (2 * PageSize);
        _mapping = VirtualMemory.Allocate(_mappedBytes);
        VirtualMemory.MakeInaccessible(_mapping, PageSize);
        VirtualMemory.MakeInaccessible(_mapping + PageSize + usable, PageSize);
    }
}
