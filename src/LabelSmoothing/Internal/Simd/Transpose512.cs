using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LabelSmoothing.Internal.Simd;

/// <summary>
/// Transposes of square blocks of 512-bit vectors (16 × 16 floats, 8 × 8 doubles), from one strided place in memory to another:
/// source vector <c>i</c> lane <c>j</c> becomes destination vector <c>j</c> lane <c>i</c>. Unpacks within 128-bit lanes, then two
/// rounds of 128-bit lane shuffles (64 and 24 instructions), written out so that every intermediate stays in a register. Loads and
/// stores are masked, by lane and by row, so that a block never touches memory outside the rows and columns it owns.
/// </summary>
internal static unsafe class Transpose512
{
    /// <summary>
    /// Loads the lanes of <paramref name="loadMask"/> of the source vectors <c>i</c> in <paramref name="sourceRows"/> (bit <c>i</c>) from
    /// <c>source + i·sourceStride</c> (other lanes and rows read as 0), transposes, and stores the lanes of <paramref name="storeMask"/> of
    /// the destination vectors <c>j</c> in <paramref name="destinationRows"/> at <c>destination + j·destinationStride</c> (strides in elements).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(
        float* source, nint sourceStride, uint sourceRows, Vector512<float> loadMask,
        float* destination, nint destinationStride, uint destinationRows, Vector512<float> storeMask)
    {
        // Masked only when some lane is excluded: a masked store does not forward to the loads that read the block back.
        bool maskedLoads = loadMask.AsUInt32() != Vector512<uint>.AllBitsSet;
        bool maskedStores = storeMask.AsUInt32() != Vector512<uint>.AllBitsSet;
        Vector512<float> r0 = (sourceRows & (1u << 0)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (0 * sourceStride), loadMask, Vector512<float>.Zero) : Vector512.Load(source + (0 * sourceStride))) : Vector512<float>.Zero;
        Vector512<float> r1 = (sourceRows & (1u << 1)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (1 * sourceStride), loadMask, Vector512<float>.Zero) : Vector512.Load(source + (1 * sourceStride))) : Vector512<float>.Zero;
        Vector512<float> r2 = (sourceRows & (1u << 2)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (2 * sourceStride), loadMask, Vector512<float>.Zero) : Vector512.Load(source + (2 * sourceStride))) : Vector512<float>.Zero;
        Vector512<float> r3 = (sourceRows & (1u << 3)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (3 * sourceStride), loadMask, Vector512<float>.Zero) : Vector512.Load(source + (3 * sourceStride))) : Vector512<float>.Zero;
        Vector512<float> r4 = (sourceRows & (1u << 4)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (4 * sourceStride), loadMask, Vector512<float>.Zero) : Vector512.Load(source + (4 * sourceStride))) : Vector512<float>.Zero;
        Vector512<float> r5 = (sourceRows & (1u << 5)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (5 * sourceStride), loadMask, Vector512<float>.Zero) : Vector512.Load(source + (5 * sourceStride))) : Vector512<float>.Zero;
        Vector512<float> r6 = (sourceRows & (1u << 6)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (6 * sourceStride), loadMask, Vector512<float>.Zero) : Vector512.Load(source + (6 * sourceStride))) : Vector512<float>.Zero;
        Vector512<float> r7 = (sourceRows & (1u << 7)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (7 * sourceStride), loadMask, Vector512<float>.Zero) : Vector512.Load(source + (7 * sourceStride))) : Vector512<float>.Zero;
        Vector512<float> r8 = (sourceRows & (1u << 8)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (8 * sourceStride), loadMask, Vector512<float>.Zero) : Vector512.Load(source + (8 * sourceStride))) : Vector512<float>.Zero;
        Vector512<float> r9 = (sourceRows & (1u << 9)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (9 * sourceStride), loadMask, Vector512<float>.Zero) : Vector512.Load(source + (9 * sourceStride))) : Vector512<float>.Zero;
        Vector512<float> r10 = (sourceRows & (1u << 10)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (10 * sourceStride), loadMask, Vector512<float>.Zero) : Vector512.Load(source + (10 * sourceStride))) : Vector512<float>.Zero;
        Vector512<float> r11 = (sourceRows & (1u << 11)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (11 * sourceStride), loadMask, Vector512<float>.Zero) : Vector512.Load(source + (11 * sourceStride))) : Vector512<float>.Zero;
        Vector512<float> r12 = (sourceRows & (1u << 12)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (12 * sourceStride), loadMask, Vector512<float>.Zero) : Vector512.Load(source + (12 * sourceStride))) : Vector512<float>.Zero;
        Vector512<float> r13 = (sourceRows & (1u << 13)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (13 * sourceStride), loadMask, Vector512<float>.Zero) : Vector512.Load(source + (13 * sourceStride))) : Vector512<float>.Zero;
        Vector512<float> r14 = (sourceRows & (1u << 14)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (14 * sourceStride), loadMask, Vector512<float>.Zero) : Vector512.Load(source + (14 * sourceStride))) : Vector512<float>.Zero;
        Vector512<float> r15 = (sourceRows & (1u << 15)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (15 * sourceStride), loadMask, Vector512<float>.Zero) : Vector512.Load(source + (15 * sourceStride))) : Vector512<float>.Zero;

        // t[2p + b] lane L: rows 2p and 2p + 1 of columns 4L + 2b and 4L + 2b + 1, interleaved.
        Vector512<double> t0 = Avx512F.UnpackLow(r0, r1).AsDouble();
        Vector512<double> t1 = Avx512F.UnpackHigh(r0, r1).AsDouble();
        Vector512<double> t2 = Avx512F.UnpackLow(r2, r3).AsDouble();
        Vector512<double> t3 = Avx512F.UnpackHigh(r2, r3).AsDouble();
        Vector512<double> t4 = Avx512F.UnpackLow(r4, r5).AsDouble();
        Vector512<double> t5 = Avx512F.UnpackHigh(r4, r5).AsDouble();
        Vector512<double> t6 = Avx512F.UnpackLow(r6, r7).AsDouble();
        Vector512<double> t7 = Avx512F.UnpackHigh(r6, r7).AsDouble();
        Vector512<double> t8 = Avx512F.UnpackLow(r8, r9).AsDouble();
        Vector512<double> t9 = Avx512F.UnpackHigh(r8, r9).AsDouble();
        Vector512<double> t10 = Avx512F.UnpackLow(r10, r11).AsDouble();
        Vector512<double> t11 = Avx512F.UnpackHigh(r10, r11).AsDouble();
        Vector512<double> t12 = Avx512F.UnpackLow(r12, r13).AsDouble();
        Vector512<double> t13 = Avx512F.UnpackHigh(r12, r13).AsDouble();
        Vector512<double> t14 = Avx512F.UnpackLow(r14, r15).AsDouble();
        Vector512<double> t15 = Avx512F.UnpackHigh(r14, r15).AsDouble();

        // u[4q + b] lane L: column 4L + b, rows 4q .. 4q + 3.
        Vector512<float> u0 = Avx512F.UnpackLow(t0, t2).AsSingle();
        Vector512<float> u1 = Avx512F.UnpackHigh(t0, t2).AsSingle();
        Vector512<float> u2 = Avx512F.UnpackLow(t1, t3).AsSingle();
        Vector512<float> u3 = Avx512F.UnpackHigh(t1, t3).AsSingle();
        Vector512<float> u4 = Avx512F.UnpackLow(t4, t6).AsSingle();
        Vector512<float> u5 = Avx512F.UnpackHigh(t4, t6).AsSingle();
        Vector512<float> u6 = Avx512F.UnpackLow(t5, t7).AsSingle();
        Vector512<float> u7 = Avx512F.UnpackHigh(t5, t7).AsSingle();
        Vector512<float> u8 = Avx512F.UnpackLow(t8, t10).AsSingle();
        Vector512<float> u9 = Avx512F.UnpackHigh(t8, t10).AsSingle();
        Vector512<float> u10 = Avx512F.UnpackLow(t9, t11).AsSingle();
        Vector512<float> u11 = Avx512F.UnpackHigh(t9, t11).AsSingle();
        Vector512<float> u12 = Avx512F.UnpackLow(t12, t14).AsSingle();
        Vector512<float> u13 = Avx512F.UnpackHigh(t12, t14).AsSingle();
        Vector512<float> u14 = Avx512F.UnpackLow(t13, t15).AsSingle();
        Vector512<float> u15 = Avx512F.UnpackHigh(t13, t15).AsSingle();

        // Column 4L + b gathers lane L of u[b], u[4 + b], u[8 + b], u[12 + b].
        Vector512<float> x00 = Avx512F.Shuffle4x128(u0, u4, 0x44);
        Vector512<float> x01 = Avx512F.Shuffle4x128(u0, u4, 0xEE);
        Vector512<float> y00 = Avx512F.Shuffle4x128(u8, u12, 0x44);
        Vector512<float> y01 = Avx512F.Shuffle4x128(u8, u12, 0xEE);
        Vector512<float> x10 = Avx512F.Shuffle4x128(u1, u5, 0x44);
        Vector512<float> x11 = Avx512F.Shuffle4x128(u1, u5, 0xEE);
        Vector512<float> y10 = Avx512F.Shuffle4x128(u9, u13, 0x44);
        Vector512<float> y11 = Avx512F.Shuffle4x128(u9, u13, 0xEE);
        Vector512<float> x20 = Avx512F.Shuffle4x128(u2, u6, 0x44);
        Vector512<float> x21 = Avx512F.Shuffle4x128(u2, u6, 0xEE);
        Vector512<float> y20 = Avx512F.Shuffle4x128(u10, u14, 0x44);
        Vector512<float> y21 = Avx512F.Shuffle4x128(u10, u14, 0xEE);
        Vector512<float> x30 = Avx512F.Shuffle4x128(u3, u7, 0x44);
        Vector512<float> x31 = Avx512F.Shuffle4x128(u3, u7, 0xEE);
        Vector512<float> y30 = Avx512F.Shuffle4x128(u11, u15, 0x44);
        Vector512<float> y31 = Avx512F.Shuffle4x128(u11, u15, 0xEE);

        if ((destinationRows & (1u << 0)) != 0)
        {
            Store(destination + (0 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x00, y00, 0x88));
        }

        if ((destinationRows & (1u << 1)) != 0)
        {
            Store(destination + (1 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x10, y10, 0x88));
        }

        if ((destinationRows & (1u << 2)) != 0)
        {
            Store(destination + (2 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x20, y20, 0x88));
        }

        if ((destinationRows & (1u << 3)) != 0)
        {
            Store(destination + (3 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x30, y30, 0x88));
        }

        if ((destinationRows & (1u << 4)) != 0)
        {
            Store(destination + (4 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x00, y00, 0xDD));
        }

        if ((destinationRows & (1u << 5)) != 0)
        {
            Store(destination + (5 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x10, y10, 0xDD));
        }

        if ((destinationRows & (1u << 6)) != 0)
        {
            Store(destination + (6 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x20, y20, 0xDD));
        }

        if ((destinationRows & (1u << 7)) != 0)
        {
            Store(destination + (7 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x30, y30, 0xDD));
        }

        if ((destinationRows & (1u << 8)) != 0)
        {
            Store(destination + (8 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x01, y01, 0x88));
        }

        if ((destinationRows & (1u << 9)) != 0)
        {
            Store(destination + (9 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x11, y11, 0x88));
        }

        if ((destinationRows & (1u << 10)) != 0)
        {
            Store(destination + (10 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x21, y21, 0x88));
        }

        if ((destinationRows & (1u << 11)) != 0)
        {
            Store(destination + (11 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x31, y31, 0x88));
        }

        if ((destinationRows & (1u << 12)) != 0)
        {
            Store(destination + (12 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x01, y01, 0xDD));
        }

        if ((destinationRows & (1u << 13)) != 0)
        {
            Store(destination + (13 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x11, y11, 0xDD));
        }

        if ((destinationRows & (1u << 14)) != 0)
        {
            Store(destination + (14 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x21, y21, 0xDD));
        }

        if ((destinationRows & (1u << 15)) != 0)
        {
            Store(destination + (15 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x31, y31, 0xDD));
        }
    }

    /// <summary>As the float overload, for an 8 × 8 block of doubles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(
        double* source, nint sourceStride, uint sourceRows, Vector512<double> loadMask,
        double* destination, nint destinationStride, uint destinationRows, Vector512<double> storeMask)
    {
        bool maskedLoads = loadMask.AsUInt64() != Vector512<ulong>.AllBitsSet;
        bool maskedStores = storeMask.AsUInt64() != Vector512<ulong>.AllBitsSet;
        Vector512<double> r0 = (sourceRows & (1u << 0)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (0 * sourceStride), loadMask, Vector512<double>.Zero) : Vector512.Load(source + (0 * sourceStride))) : Vector512<double>.Zero;
        Vector512<double> r1 = (sourceRows & (1u << 1)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (1 * sourceStride), loadMask, Vector512<double>.Zero) : Vector512.Load(source + (1 * sourceStride))) : Vector512<double>.Zero;
        Vector512<double> r2 = (sourceRows & (1u << 2)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (2 * sourceStride), loadMask, Vector512<double>.Zero) : Vector512.Load(source + (2 * sourceStride))) : Vector512<double>.Zero;
        Vector512<double> r3 = (sourceRows & (1u << 3)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (3 * sourceStride), loadMask, Vector512<double>.Zero) : Vector512.Load(source + (3 * sourceStride))) : Vector512<double>.Zero;
        Vector512<double> r4 = (sourceRows & (1u << 4)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (4 * sourceStride), loadMask, Vector512<double>.Zero) : Vector512.Load(source + (4 * sourceStride))) : Vector512<double>.Zero;
        Vector512<double> r5 = (sourceRows & (1u << 5)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (5 * sourceStride), loadMask, Vector512<double>.Zero) : Vector512.Load(source + (5 * sourceStride))) : Vector512<double>.Zero;
        Vector512<double> r6 = (sourceRows & (1u << 6)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (6 * sourceStride), loadMask, Vector512<double>.Zero) : Vector512.Load(source + (6 * sourceStride))) : Vector512<double>.Zero;
        Vector512<double> r7 = (sourceRows & (1u << 7)) != 0 ? (maskedLoads ? Avx512F.MaskLoad(source + (7 * sourceStride), loadMask, Vector512<double>.Zero) : Vector512.Load(source + (7 * sourceStride))) : Vector512<double>.Zero;

        // t[2p + b] lane L: column 2L + b, rows 2p and 2p + 1.
        Vector512<double> t0 = Avx512F.UnpackLow(r0, r1);
        Vector512<double> t1 = Avx512F.UnpackHigh(r0, r1);
        Vector512<double> t2 = Avx512F.UnpackLow(r2, r3);
        Vector512<double> t3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<double> t4 = Avx512F.UnpackLow(r4, r5);
        Vector512<double> t5 = Avx512F.UnpackHigh(r4, r5);
        Vector512<double> t6 = Avx512F.UnpackLow(r6, r7);
        Vector512<double> t7 = Avx512F.UnpackHigh(r6, r7);

        // Column 2L + b gathers lane L of t[b], t[2 + b], t[4 + b], t[6 + b].
        Vector512<double> x00 = Avx512F.Shuffle4x128(t0, t2, 0x44);
        Vector512<double> x01 = Avx512F.Shuffle4x128(t0, t2, 0xEE);
        Vector512<double> y00 = Avx512F.Shuffle4x128(t4, t6, 0x44);
        Vector512<double> y01 = Avx512F.Shuffle4x128(t4, t6, 0xEE);
        Vector512<double> x10 = Avx512F.Shuffle4x128(t1, t3, 0x44);
        Vector512<double> x11 = Avx512F.Shuffle4x128(t1, t3, 0xEE);
        Vector512<double> y10 = Avx512F.Shuffle4x128(t5, t7, 0x44);
        Vector512<double> y11 = Avx512F.Shuffle4x128(t5, t7, 0xEE);

        if ((destinationRows & (1u << 0)) != 0)
        {
            Store(destination + (0 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x00, y00, 0x88));
        }

        if ((destinationRows & (1u << 1)) != 0)
        {
            Store(destination + (1 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x10, y10, 0x88));
        }

        if ((destinationRows & (1u << 2)) != 0)
        {
            Store(destination + (2 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x00, y00, 0xDD));
        }

        if ((destinationRows & (1u << 3)) != 0)
        {
            Store(destination + (3 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x10, y10, 0xDD));
        }

        if ((destinationRows & (1u << 4)) != 0)
        {
            Store(destination + (4 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x01, y01, 0x88));
        }

        if ((destinationRows & (1u << 5)) != 0)
        {
            Store(destination + (5 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x11, y11, 0x88));
        }

        if ((destinationRows & (1u << 6)) != 0)
        {
            Store(destination + (6 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x01, y01, 0xDD));
        }

        if ((destinationRows & (1u << 7)) != 0)
        {
            Store(destination + (7 * destinationStride), storeMask, maskedStores, Avx512F.Shuffle4x128(x11, y11, 0xDD));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* destination, Vector512<float> mask, bool masked, Vector512<float> value)
    {
        if (masked)
        {
            Avx512F.MaskStore(destination, mask, value);
        }
        else
        {
            value.Store(destination);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(double* destination, Vector512<double> mask, bool masked, Vector512<double> value)
    {
        if (masked)
        {
            Avx512F.MaskStore(destination, mask, value);
        }
        else
        {
            value.Store(destination);
        }
    }
}
