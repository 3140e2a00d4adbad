using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LabelSmoothing.Internal.Simd;

/// <summary>
/// Square transposes of 256-bit vectors (AVX), for GEMM packing and the small-class kernel: 8 lines × 8 steps of floats, 4 × 4 doubles.
/// Line <c>l</c> step <c>s</c> is read from <c>source + l·lineStride + s</c> (lines from <c>lines</c> on, and steps from <c>steps</c> on,
/// read as 0 and are not touched) and written to <c>destination + s·stepStride + l</c>, always a whole vector per step, in increasing
/// step order.
/// </summary>
internal static unsafe class Transpose256
{
    /// <summary>The lines (and steps) of one transpose of <typeparamref name="T"/>.</summary>
    public static int Width<T>()
        where T : unmanaged => Vector256<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose<T>(T* source, nint lineStride, int lines, T* destination, nint stepStride)
        where T : unmanaged =>
        Transpose(source, lineStride, lines, Vector256<T>.Count, destination, stepStride);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose<T>(T* source, nint lineStride, int lines, int steps, T* destination, nint stepStride)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            Transpose((float*)source, lineStride, lines, steps, (float*)destination, stepStride);
        }
        else
        {
            Transpose((double*)source, lineStride, lines, steps, (double*)destination, stepStride);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(float* source, nint lineStride, int lines, int steps, float* destination, nint stepStride)
    {
        Vector256<float> stepMask = StepMask<float>(steps);
        Vector256<float> r0 = Line(source, lineStride, 0, lines, stepMask);
        Vector256<float> r1 = Line(source, lineStride, 1, lines, stepMask);
        Vector256<float> r2 = Line(source, lineStride, 2, lines, stepMask);
        Vector256<float> r3 = Line(source, lineStride, 3, lines, stepMask);
        Vector256<float> r4 = Line(source, lineStride, 4, lines, stepMask);
        Vector256<float> r5 = Line(source, lineStride, 5, lines, stepMask);
        Vector256<float> r6 = Line(source, lineStride, 6, lines, stepMask);
        Vector256<float> r7 = Line(source, lineStride, 7, lines, stepMask);

        // t: lines 2q and 2q + 1 interleaved, steps (0, 1, 4, 5) in the low half and (2, 3, 6, 7) in the high half of each pair.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1);
        Vector256<float> t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3);
        Vector256<float> t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5);
        Vector256<float> t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7);
        Vector256<float> t7 = Avx.UnpackHigh(r6, r7);

        // u: lines 0–3 (u0–u3) or 4–7 (u4–u7) of steps (s, s + 4) for s = 0, 1, 2, 3.
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44);
        Vector256<float> u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44);
        Vector256<float> u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44);
        Vector256<float> u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44);
        Vector256<float> u7 = Avx.Shuffle(t5, t7, 0xEE);

        Vector256.Store(Avx.Permute2x128(u0, u4, 0x20), destination);
        Vector256.Store(Avx.Permute2x128(u1, u5, 0x20), destination + stepStride);
        Vector256.Store(Avx.Permute2x128(u2, u6, 0x20), destination + (2 * stepStride));
        Vector256.Store(Avx.Permute2x128(u3, u7, 0x20), destination + (3 * stepStride));
        Vector256.Store(Avx.Permute2x128(u0, u4, 0x31), destination + (4 * stepStride));
        Vector256.Store(Avx.Permute2x128(u1, u5, 0x31), destination + (5 * stepStride));
        Vector256.Store(Avx.Permute2x128(u2, u6, 0x31), destination + (6 * stepStride));
        Vector256.Store(Avx.Permute2x128(u3, u7, 0x31), destination + (7 * stepStride));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(double* source, nint lineStride, int lines, int steps, double* destination, nint stepStride)
    {
        Vector256<double> stepMask = StepMask<double>(steps);
        Vector256<double> r0 = Line(source, lineStride, 0, lines, stepMask);
        Vector256<double> r1 = Line(source, lineStride, 1, lines, stepMask);
        Vector256<double> r2 = Line(source, lineStride, 2, lines, stepMask);
        Vector256<double> r3 = Line(source, lineStride, 3, lines, stepMask);

        // t: lines (0, 1) or (2, 3) interleaved, steps 0 and 2 (t0, t2) or 1 and 3 (t1, t3).
        Vector256<double> t0 = Avx.UnpackLow(r0, r1);
        Vector256<double> t1 = Avx.UnpackHigh(r0, r1);
        Vector256<double> t2 = Avx.UnpackLow(r2, r3);
        Vector256<double> t3 = Avx.UnpackHigh(r2, r3);

        Vector256.Store(Avx.Permute2x128(t0, t2, 0x20), destination);
        Vector256.Store(Avx.Permute2x128(t1, t3, 0x20), destination + stepStride);
        Vector256.Store(Avx.Permute2x128(t0, t2, 0x31), destination + (2 * stepStride));
        Vector256.Store(Avx.Permute2x128(t1, t3, 0x31), destination + (3 * stepStride));
    }

    /// <summary>All bits set in the first <paramref name="steps"/> lanes (all lanes from a whole vector on).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> StepMask<T>(int steps)
        where T : unmanaged =>
        steps >= Vector256<T>.Count ? Vector256<T>.AllBitsSet
        : typeof(T) == typeof(float) ? Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(steps)).As<int, T>()
        : Vector256.LessThan(Vector256<long>.Indices, Vector256.Create((long)steps)).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Line<T>(T* source, nint lineStride, int line, int lines, Vector256<T> stepMask)
        where T : unmanaged
    {
        if (line >= lines)
        {
            return Vector256<T>.Zero;
        }

        T* start = source + (line * lineStride);
        if (stepMask.AsUInt32() == Vector256<uint>.AllBitsSet)
        {
            return Vector256.Load(start);
        }

        return typeof(T) == typeof(float)
            ? Avx.MaskLoad((float*)start, stepMask.AsSingle()).As<float, T>()
            : Avx.MaskLoad((double*)start, stepMask.AsDouble()).As<double, T>();
    }
}
