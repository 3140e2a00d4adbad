using System.Runtime.InteropServices;

namespace LabelSmoothing.Internal.Kernels.Calibration;

/// <summary>The kernel of <see cref="TemperatureScaling.Apply{T}(ReadOnlySpan{T}, double, Span{T})"/>.</summary>
internal static class TemperatureDivision
{
    /// <summary>
    /// <c>destination[i] = (T)((double)logits[i] / temperature)</c>, vectorised for <see cref="float"/> (widened to double) and
    /// <see cref="double"/>; element by element, so exact aliasing is safe.
    /// </summary>
    public static void Divide<T>(ReadOnlySpan<T> logits, double temperature, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (typeof(T) == typeof(double) && Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<double> source = MemoryMarshal.Cast<T, double>(logits);
            Span<double> target = MemoryMarshal.Cast<T, double>(destination);
            var divisor = new Vector<double>(temperature);
            for (; i <= source.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                (new Vector<double>(source.Slice(i)) / divisor).CopyTo(target.Slice(i));
            }
        }
        else if (typeof(T) == typeof(float) && Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<float> source = MemoryMarshal.Cast<T, float>(logits);
            Span<float> target = MemoryMarshal.Cast<T, float>(destination);
            var divisor = new Vector<double>(temperature);
            for (; i <= source.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.Widen(new Vector<float>(source.Slice(i)), out Vector<double> lower, out Vector<double> upper);
                Vector.Narrow(lower / divisor, upper / divisor).CopyTo(target.Slice(i));
            }
        }

        for (; i < logits.Length; i++)
        {
            destination[i] = T.CreateTruncating(double.CreateTruncating(logits[i]) / temperature);
        }
    }
}
