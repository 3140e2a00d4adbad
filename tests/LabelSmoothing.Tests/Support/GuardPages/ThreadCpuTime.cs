using System;
using System.Runtime.InteropServices;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>
/// The processor time the calling thread has used (<c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c> on Linux), so that a sweep can report
/// what it cost whatever else the machine runs; null on other systems.
/// </summary>
internal static partial class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    public static TimeSpan? Now()
    {
        if (!OperatingSystem.IsLinux() || ClockGetTime(ClockThreadCpuTimeId, out TimeSpec time) != 0)
        {
            return null;
        }

        return TimeSpan.FromTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100));
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
