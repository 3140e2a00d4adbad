namespace LabelSmoothing.Internal.Simd;

/// <summary><see cref="IDoubleLanes{TVector}"/> on one lane (<see cref="OneLane{T}"/> of double): one element, widened and rounded back.</summary>
internal readonly struct OneLaneDoubles : IDoubleLanes<double>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe double Load<T>(T* source)
        where T : unmanaged, IFloatingPointIeee754<T> => double.CreateTruncating(*source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store<T>(double value, T* destination)
        where T : unmanaged, IFloatingPointIeee754<T> => *destination = T.CreateTruncating(value);
}
