using System;
using System.Reflection;
using System.Runtime.InteropServices;

namespace LabelSmoothing.Distributed;

/// <summary>
/// Points MPI.NET at MPICH. The MPI.NET package declares every native call as <c>[DllImport("msmpi.dll")]</c> on <see cref="MPI.Unsafe"/>
/// (MS-MPI, Windows). MS-MPI descends from MPICH and keeps its ABI: integer handles with the same values (<c>MPI_COMM_WORLD</c>,
/// <c>MPI_DOUBLE</c>, <c>MPI_SUM</c>, …) and the same <c>MPI_Status</c> layout, so on Linux one resolver on MPI.NET's assembly that answers
/// <c>msmpi.dll</c> with MPICH's <c>libmpich.so.12</c> (or another library of the MPICH ABI, <c>libmpi.so.12</c>) is enough. Open MPI
/// (pointer handles) is not ABI-compatible and is not tried.
/// </summary>
public static class MpichLibrary
{
    /// <summary>The library name MPI.NET's <c>DllImport</c>s ask for.</summary>
    public const string MpiNetLibraryName = "msmpi.dll";

    /// <summary>The libraries of the MPICH ABI tried on Linux, in order: Debian's <c>mpich</c> package, then Intel MPI, MVAPICH and others.</summary>
    public static readonly string[] LinuxCandidates = ["libmpich.so.12", "libmpi.so.12"];

    private static IntPtr _handle;

    /// <summary>The library that was loaded (a file name from <see cref="LinuxCandidates"/>), or <see cref="MpiNetLibraryName"/> off Linux.</summary>
    public static string LoadedName { get; private set; } = MpiNetLibraryName;

    /// <summary>
    /// On Linux, loads the first of <see cref="LinuxCandidates"/> found and installs the resolver on MPI.NET's assembly; elsewhere leaves
    /// the default search for <c>msmpi.dll</c>. Call it once, before any MPI.NET call.
    /// </summary>
    /// <param name="error">Why MPI cannot be used, for the user: null on success.</param>
    /// <returns>Whether MPI.NET's native calls will find a library.</returns>
    public static bool TryInstall(out string? error)
    {
        error = null;
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        foreach (string candidate in LinuxCandidates)
        {
            if (NativeLibrary.TryLoad(candidate, out _handle))
            {
                LoadedName = candidate;
                NativeLibrary.SetDllImportResolver(typeof(MPI.Unsafe).Assembly, Resolve);
                return true;
            }
        }

        error = $"MPICH was not found ({string.Join(" or ", LinuxCandidates)} could not be loaded). Install it (Debian, Ubuntu: "
            + "apt-get install mpich) and run this sample with: mpiexec -n 2 dotnet LabelSmoothing.Distributed.dll";
        return false;
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == MpiNetLibraryName ? _handle : IntPtr.Zero;
}
