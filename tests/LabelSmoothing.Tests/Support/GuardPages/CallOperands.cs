using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>
/// The operands of one run of a library call, each in a buffer of its own (<see cref="ManagedOperands"/>: ordinary managed arrays;
/// <see cref="GuardedOperands"/>: guarded pages), and what the run produced: the contents of its outputs after the call and the values it
/// returned, so that two runs of the same call can be compared bit for bit.
/// </summary>
internal abstract class CallOperands
{
    /// <summary>The byte an output holds before the call, so that an element the call leaves unwritten compares equal only to itself.</summary>
    private const byte Unwritten = 0xA5;

    private readonly List<RecordedOutput> _outputs = [];
    private readonly List<double> _returned = [];
    private int _buffers;

    /// <summary>A copy of <paramref name="values"/> in a buffer of its own.</summary>
    public ReadOnlySpan<TElement> Input<TElement>(ReadOnlySpan<TElement> values)
        where TElement : unmanaged
    {
        Span<TElement> buffer = Buffer<TElement>(_buffers++, values.Length);
        values.CopyTo(buffer);
        return buffer;
    }

    /// <summary>A buffer of <paramref name="length"/> elements that the call writes: compared after the call.</summary>
    public Span<TElement> Output<TElement>(int length)
        where TElement : unmanaged
    {
        Span<TElement> buffer = Record<TElement>(length);
        MemoryMarshal.AsBytes(buffer).Fill(Unwritten);
        return buffer;
    }

    /// <summary>A copy of <paramref name="values"/> that the call overwrites in place: compared after the call.</summary>
    public Span<TElement> InPlace<TElement>(ReadOnlySpan<TElement> values)
        where TElement : unmanaged
    {
        Span<TElement> buffer = Record<TElement>(values.Length);
        values.CopyTo(buffer);
        return buffer;
    }

    /// <summary>Records a value the call returned.</summary>
    public void Returned<TValue>(TValue value)
        where TValue : INumberBase<TValue> =>
        _returned.Add(double.CreateTruncating(value));

    /// <summary>Forgets the previous run: the next buffers reuse the previous ones' memory.</summary>
    public void Clear()
    {
        _outputs.Clear();
        _returned.Clear();
        _buffers = 0;
    }

    /// <summary>The first output element or returned value in which this run differs from <paramref name="reference"/>, or null.</summary>
    public string? FirstDifference(CallOperands reference)
    {
        if (_outputs.Count != reference._outputs.Count || _returned.Count != reference._returned.Count)
        {
            return $"{_outputs.Count} outputs and {_returned.Count} returned values, the reference run {reference._outputs.Count} and {reference._returned.Count}";
        }

        for (int i = 0; i < _returned.Count; i++)
        {
            if (BitConverter.DoubleToInt64Bits(_returned[i]) != BitConverter.DoubleToInt64Bits(reference._returned[i]))
            {
                return FormattableString.Invariant($"returned value {i} is {_returned[i]:R}, the reference run returned {reference._returned[i]:R}");
            }
        }

        for (int i = 0; i < _outputs.Count; i++)
        {
            RecordedOutput output = _outputs[i];
            ReadOnlySpan<byte> actual = Bytes(output.Buffer, output.Bytes);
            ReadOnlySpan<byte> expected = reference.Bytes(reference._outputs[i].Buffer, reference._outputs[i].Bytes);
            int at = actual.CommonPrefixLength(expected);
            if (at < Math.Max(actual.Length, expected.Length))
            {
                return $"output {i} (of {output.Bytes / output.ElementSize} elements) differs from the reference run at element {at / output.ElementSize}";
            }
        }

        return null;
    }

    /// <summary>Buffer number <paramref name="index"/> of this run, <paramref name="length"/> elements long, with unspecified contents.</summary>
    protected abstract Span<TElement> Buffer<TElement>(int index, int length)
        where TElement : unmanaged;

    /// <summary>The first <paramref name="bytes"/> bytes of buffer <paramref name="index"/>, as <see cref="Buffer{TElement}"/> last placed it.</summary>
    protected abstract ReadOnlySpan<byte> Bytes(int index, int bytes);

    private Span<TElement> Record<TElement>(int length)
        where TElement : unmanaged
    {
        int index = _buffers++;
        Span<TElement> buffer = Buffer<TElement>(index, length);
        int elementSize = Unsafe.SizeOf<TElement>();
        _outputs.Add(new RecordedOutput(index, length * elementSize, elementSize));
        return buffer;
    }

    private readonly record struct RecordedOutput(int Buffer, int Bytes, int ElementSize);
}
