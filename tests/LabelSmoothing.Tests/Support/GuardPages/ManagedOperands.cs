using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>
/// Operands in ordinary managed arrays: the reference run. Each buffer is the start of an array kept for its position and element type,
/// replaced by a longer one when it is too short, so that a sweep does not allocate for every call.
/// </summary>
internal sealed class ManagedOperands : CallOperands
{
    private readonly Dictionary<(int Index, Type Element), Array> _arrays = [];
    private readonly List<Array> _placed = [];

    protected override Span<TElement> Buffer<TElement>(int index, int length)
    {
        if (!_arrays.TryGetValue((index, typeof(TElement)), out Array? array) || array.Length < length)
        {
            array = new TElement[Math.Max(length, 2 * (array?.Length ?? 0))];
            _arrays[(index, typeof(TElement))] = array;
        }

        if (index == _placed.Count)
        {
            _placed.Add(array);
        }
        else
        {
            _placed[index] = array;
        }

        return ((TElement[])array).AsSpan(0, length);
    }

    protected override ReadOnlySpan<byte> Bytes(int index, int bytes) =>
        MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(_placed[index]), bytes);
}
