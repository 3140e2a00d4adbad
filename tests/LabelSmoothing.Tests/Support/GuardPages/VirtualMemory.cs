using System;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>
/// Whole pages straight from the operating system, and their protection: <c>mmap</c>/<c>mprotect</c>/<c>munmap</c> from libc on Linux,
/// <c>VirtualAlloc</c>/<c>VirtualProtect</c>/<c>VirtualFree</c> from kernel32 on Windows. Other systems are not supported.
/// </summary>
internal static unsafe partial class VirtualMemory
{
    private const int LinuxProtectNone = 0;
    private const int LinuxProtectReadWrite = 0x1 | 0x2;
    private const int LinuxMapPrivateAnonymous = 0x02 | 0x20;

    private const uint WindowsCommitReserve = 0x1000 | 0x2000;
    private const uint WindowsRelease = 0x8000;
    private const uint WindowsNoAccess = 0x01;
    private const uint WindowsReadWrite = 0x04;

    public static bool IsSupported => OperatingSystem.IsLinux() || OperatingSystem.IsWindows();

    public static int PageSize => Environment.SystemPageSize;

    /// <summary>Maps <paramref name="bytes"/> (a multiple of <see cref="PageSize"/>) of fresh read-write pages.</summary>
    public static byte* Allocate(nuint bytes)
    {
        if (OperatingSystem.IsWindows())
        {
            void* pages = VirtualAlloc(null, bytes, WindowsCommitReserve, WindowsReadWrite);
            return pages is not null ? (byte*)pages : throw LastError("VirtualAlloc");
        }

        void* mapping = Mmap(null, bytes, LinuxProtectReadWrite, LinuxMapPrivateAnonymous, -1, 0);
        return mapping != (void*)-1 ? (byte*)mapping : throw LastError("mmap");
    }

    /// <summary>Makes the pages of <c>[address, address + bytes)</c> fault on any read or write.</summary>
    public static void MakeInaccessible(byte* address, nuint bytes)
    {
        bool done = OperatingSystem.IsWindows()
            ? VirtualProtect(address, bytes, WindowsNoAccess, out _)
            : Mprotect(address, bytes, LinuxProtectNone) == 0;
        if (!done)
        {
            throw LastError(OperatingSystem.IsWindows() ? "VirtualProtect" : "mprotect");
        }
    }

    /// <summary>Returns pages obtained from <see cref="Allocate"/> to the system.</summary>
    public static void Free(byte* address, nuint bytes)
    {
        bool done = OperatingSystem.IsWindows() ? VirtualFree(address, 0, WindowsRelease) : Munmap(address, bytes) == 0;
        if (!done)
        {
            throw LastError(OperatingSystem.IsWindows() ? "VirtualFree" : "munmap");
        }
    }

    /// <summary>
    /// Asks the system, not this class, whether the page at <paramref name="page"/> is inaccessible: the permissions of its mapping in
    /// <c>/proc/self/maps</c> on Linux; on Windows the protection that <c>VirtualProtect</c> reports as the previous one when it sets
    /// <c>PAGE_NOACCESS</c>, which is then restored.
    /// </summary>
    public static bool IsInaccessible(byte* page)
    {
        if (OperatingSystem.IsWindows())
        {
            if (!VirtualProtect(page, (nuint)PageSize, WindowsNoAccess, out uint previous) || !VirtualProtect(page, (nuint)PageSize, previous, out _))
            {
                throw LastError("VirtualProtect");
            }

            return previous == WindowsNoAccess;
        }

        ulong address = (ulong)page;
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            // "start-end perms offset device inode [path]", addresses in hexadecimal.
            string[] fields = line.Split(' ', 3);
            string[] range = fields[0].Split('-');
            ulong start = ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong end = ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (address >= start && address < end)
            {
                return fields[1].StartsWith("---", StringComparison.Ordinal);
            }
        }

        throw new InvalidOperationException(FormattableString.Invariant($"The page at 0x{address:x} is not mapped."));
    }

    private static Win32Exception LastError(string function)
    {
        int error = Marshal.GetLastPInvokeError();
        return new Win32Exception(error, FormattableString.Invariant($"{function} failed with error {error}: {Marshal.GetPInvokeErrorMessage(error)}"));
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial void* Mmap(void* address, nuint length, int protection, int flags, int fileDescriptor, nint offset);

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static partial int Mprotect(void* address, nuint length, int protection);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(void* address, nuint length);

    [LibraryImport("kernel32", SetLastError = true)]
    private static partial void* VirtualAlloc(void* address, nuint size, uint allocationType, uint protection);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool VirtualProtect(void* address, nuint size, uint newProtection, out uint oldProtection);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool VirtualFree(void* address, nuint size, uint freeType);
}
